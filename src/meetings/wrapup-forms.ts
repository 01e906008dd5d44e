// The wrap-up's two forms as zod schemas, in the guide's words: the tutor's feedback and diagnosis
// for one student, and a student's rating.
import { z } from 'zod';
import { textField } from '../lib/forms.js';

export const FEEDBACK_MAX = 5000;
export const COMMENT_MAX = 2000;

/** A single-valued choice sent by radio buttons or a select: empty when none was chosen. */
function choice<T extends string>(label: string, values: readonly T[]) {
  return z.preprocess(
    (v) => (v === undefined ? '' : v),
    z
      .string({ error: (i) => (Array.isArray(i.input) ? `${label}: choose one option, not several.` : `${label}: choose one of the options.`) })
      .refine((v): v is T | '' => v === '' || (values as readonly string[]).includes(v), { error: `${label}: choose one of the options shown.` })
      .transform((v) => (v === '' ? null : (v as T))),
  );
}

export const PREREQUISITE = ['adequate', 'low'] as const;
export const MASTERY = ['demonstrated', 'not_demonstrated'] as const;

/** One student's feedback and diagnosis. `action` is the button pressed: Save (a draft) or Finish. */
export const FeedbackForm = z.object({
  forStudent: textField('Feedback for the student', { max: FEEDBACK_MAX, multiline: true }),
  private: textField('Private feedback', { max: FEEDBACK_MAX, multiline: true }),
  prerequisite: choice('Prerequisite knowledge', PREREQUISITE),
  mastery: choice('Content mastery', MASTERY),
  // Checked against the site's Topic tags by the service; here only its shape.
  topicTagId: textField('Topic tag', { max: 64 }).transform((v) => v || null),
  action: choice('The button', ['save', 'finish'] as const).transform((v) => v ?? 'save'),
});

export type FeedbackForm = z.infer<typeof FeedbackForm>;

/** The messages Finish shows for a diagnosis left out. */
export const DIAGNOSIS_REQUIRED = {
  prerequisite: 'Prerequisite knowledge: choose Adequate or Low to finish.',
  mastery: 'Content mastery: choose Demonstrated or Not demonstrated to finish.',
  topicTagId: 'Topic tag: choose the topic the session covered to finish.',
} as const;

export const RatingForm = z.object({
  stars: z.preprocess(
    (v) => (v === undefined ? '' : v),
    z
      .string({ error: 'Rating: choose one number of stars, from 1 to 5.' })
      .regex(/^[1-5]$/, { error: 'Rating: choose from 1 to 5 stars.' })
      .transform(Number),
  ),
  comment: textField('Comment', { max: COMMENT_MAX, multiline: true }),
});

export type RatingForm = z.infer<typeof RatingForm>;
