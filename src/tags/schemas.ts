// The tag commands' shapes, parsed with zod. Field messages are written for the person filling the form.
import { z } from 'zod';

export const TAG_CATEGORIES = ['program', 'topic', 'grade_level'] as const;
export type TagCategory = (typeof TAG_CATEGORIES)[number];

/** The product guide's names for the categories, in the guide's order. */
export const CATEGORY_LABELS: Record<TagCategory, string> = {
  program: 'Program',
  topic: 'Topic',
  grade_level: 'Grade level',
};

/** Categories in URLs are kebab-case (`grade-level`); in the database they are the enum values. */
const SLUGS: Record<TagCategory, string> = { program: 'program', topic: 'topic', grade_level: 'grade-level' };
export const slugOf = (category: TagCategory): string => SLUGS[category];

export const TAG_NAME_MAX = 60;

/** A tag name as stored: trimmed, inner runs of white space made one space, 1..60 characters. */
export const TagName = z
  .string({ error: 'Enter a name for the tag.' })
  .transform((s) => s.trim().replace(/[\t\n\r ]+/g, ' '))
  .pipe(
    z
      .string()
      .min(1, { error: 'Enter a name for the tag.' })
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { error: 'The tag name contains a control character. Remove it and try again.' })
      .max(TAG_NAME_MAX, { error: (issue) => `Use at most ${TAG_NAME_MAX} characters (this name has ${String(issue.input).length}).` }),
  );
export type TagName = z.infer<typeof TagName>;

export const CategorySlug = z
  .enum(['program', 'topic', 'grade-level'], { error: 'Choose Program, Topic or Grade level.' })
  .transform((slug): TagCategory => (slug === 'grade-level' ? 'grade_level' : slug));

export const TagId = z.uuid({ error: 'That tag does not exist.' });

/** The path of an action on one tag: /c/:courseId/tags/:category/:tagId. */
export const TagPath = z.object({ category: CategorySlug, tagId: TagId });
export type TagPath = z.infer<typeof TagPath>;

export const TagNameForm = z.object({ name: TagName });
export type TagNameForm = z.infer<typeof TagNameForm>;

/** Checkbox values: urlencoded bodies give nothing, one string, or an array of strings. */
export const TagIdList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => [...new Set(v === undefined ? [] : Array.isArray(v) ? v : [v])]);

export const ExpertiseForm = z.object({ tagIds: TagIdList });
export type ExpertiseForm = z.infer<typeof ExpertiseForm>;
