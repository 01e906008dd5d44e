// The site's tag catalogue (Program, Topic, Grade level) and tutors' expertise tags.
// Other features call these: the session form offers `listTags`, checks what it saves with
// `checkTagIds`, and "Find by tags" ranks tutors with `findTutorsByTags`.
import type { Db } from '../db/client.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js';
import * as q from './queries.js';
import { findPlatformOfUser } from '../courses/service.js';
import type { Clock } from '../lib/clock.js';
import { parseCommand } from '../lib/forms.js';
import { CATEGORY_LABELS, CategorySlug, slugOf, TAG_CATEGORIES, TagId, TagNameForm, type TagCategory } from './schemas.js';

export interface Tag {
  id: string;
  category: TagCategory;
  name: string;
  /** Set when the tag was retired: no longer offered, still shown where it is used. */
  retiredAt: Date | null;
}

export interface TagGroup {
  category: TagCategory;
  /** The guide's name: Program, Topic or Grade level. */
  label: string;
  tags: Tag[];
}

export interface TutorMatch {
  userId: string;
  name: string;
  email: string | null;
  role: 'tutor' | 'instructor';
  /** The asked-for tags this person has as expertise. */
  matchedTagIds: string[];
  matchCount: number;
}

// "Grade 9" before "Grade 10", "algebra" next to "Algebra", the same on every database collation.
const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
const byName = (a: { name: string }, b: { name: string }) => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const byCategoryThenName = (a: Tag, b: Tag) => TAG_CATEGORIES.indexOf(a.category) - TAG_CATEGORIES.indexOf(b.category) || byName(a, b);

/** The platform (site) a person belongs to; tags are shared by every course of that platform. */
export { findPlatformOfUser };

/**
 * The platform's tags in the three categories (always all three, in the guide's order), each
 * sorted by name. Retired tags are left out unless `includeRetired` is set.
 */
export async function listTags(db: Db, platformId: string, opts: { includeRetired: boolean }): Promise<TagGroup[]> {
  const rows = await q.listPlatformTags(db, platformId, opts);
  return groupTags(rows);
}

export function groupTags(tags: Tag[]): TagGroup[] {
  return TAG_CATEGORIES.map((category) => ({
    category,
    label: CATEGORY_LABELS[category],
    tags: tags.filter((t) => t.category === category).sort(byName),
  }));
}

/** Adds a tag to a category. Names are unique per category, ignoring case. */
export async function createTag(db: Db, platformId: string, category: TagCategory, name: string): Promise<Tag> {
  return db.transaction(async (tx) => {
    await assertNameFree(tx, platformId, category, name);
    try {
      return await q.insertTag(tx, { platformId, category, name });
    } catch (err) {
      throw q.isUniqueViolation(err) ? duplicateName(category, name, null) : err;
    }
  });
}

export async function renameTag(db: Db, platformId: string, category: TagCategory, tagId: string, name: string, at: Date): Promise<Tag> {
  return db.transaction(async (tx) => {
    const tag = await findTagOrThrow(tx, platformId, category, tagId);
    await assertNameFree(tx, platformId, category, name, tag.id);
    try {
      return await q.updateTag(tx, tag.id, { name, updatedAt: at });
    } catch (err) {
      throw q.isUniqueViolation(err) ? duplicateName(category, name, null) : err;
    }
  });
}

/** A retired tag is no longer offered for new sessions but stays on the sessions that have it. */
export async function retireTag(db: Db, platformId: string, category: TagCategory, tagId: string, at: Date): Promise<Tag> {
  const tag = await findTagOrThrow(db, platformId, category, tagId);
  if (tag.retiredAt) return tag;
  return q.updateTag(db, tag.id, { retiredAt: at, updatedAt: at });
}

export async function restoreTag(db: Db, platformId: string, category: TagCategory, tagId: string, at: Date): Promise<Tag> {
  const tag = await findTagOrThrow(db, platformId, category, tagId);
  if (!tag.retiredAt) return tag;
  return q.updateTag(db, tag.id, { retiredAt: null, updatedAt: at });
}

/**
 * Checks tag ids chosen in a form: each must be a tag of this platform and not retired, except
 * the ids in `allowRetired` (the tags already on the series or person being edited, which may
 * stay). Returns the tags, sorted; throws a ValidationError on the `tagIds` field otherwise.
 */
export async function checkTagIds(db: Db, platformId: string, tagIds: string[], opts: { allowRetired?: string[] } = {}): Promise<Tag[]> {
  const ids = [...new Set(tagIds)];
  const foreign = new ValidationError('One of the chosen tags is a tag from another site, or no longer exists. Reload the page and choose again.', {
    tagIds: 'One of the chosen tags is a tag from another site, or no longer exists. Reload the page and choose again.',
  });
  if (ids.some((id) => !TagId.safeParse(id).success)) throw foreign;
  const found = await q.findPlatformTagsByIds(db, platformId, ids);
  if (found.length !== ids.length) throw foreign;
  const allowed = new Set(opts.allowRetired ?? []);
  const retired = found.find((t) => t.retiredAt && !allowed.has(t.id));
  if (retired) {
    const message = `The ${CATEGORY_LABELS[retired.category]} tag “${retired.name}” is retired and can no longer be chosen. Choose another tag.`;
    throw new ValidationError(message, { tagIds: message });
  }
  return found.sort(byCategoryThenName);
}

/**
 * The course's tutors and instructors (who may also tutor) for "Find by tags": most matching
 * expertise tags first, then by name. People with no matching tag are kept, last, because the
 * scheduler may still invite them; `matchCount` 0 tells the view to show them as "no match".
 */
export async function findTutorsByTags(db: Db, courseId: string, tagIds: string[]): Promise<TutorMatch[]> {
  const ids = [...new Set(tagIds)].filter((id) => TagId.safeParse(id).success);
  const rows = await q.listCourseTutorsWithMatches(db, courseId, ids);
  return rows
    .map((r) => ({ ...r, role: r.role as TutorMatch['role'], matchCount: r.matchedTagIds.length }))
    .sort((a, b) => b.matchCount - a.matchCount || byName(a, b));
}

/** A person's expertise tags, retired ones included, by category then name. */
export async function listExpertise(db: Db, userId: string): Promise<Tag[]> {
  return (await q.listUserExpertise(db, userId)).sort(byCategoryThenName);
}

/**
 * Replaces a person's expertise tags. Tags must be this platform's and active, except retired
 * ones the person already has (they may keep them). Returns what is now stored.
 */
export async function setExpertise(db: Db, userId: string, platformId: string, tagIds: string[]): Promise<Tag[]> {
  return db.transaction(async (tx) => {
    if ((await findPlatformOfUser(tx, userId)) !== platformId) throw new ForbiddenError('Expertise tags come from your own site.');
    const current = await q.listUserExpertise(tx, userId);
    const tags = await checkTagIds(tx, platformId, tagIds, { allowRetired: current.map((t) => t.id) });
    await q.replaceUserExpertise(tx, userId, tags.map((t) => t.id));
    return tags;
  });
}

/**
 * What the "Expertise tags" form offers: the active tags of each category, plus any retired tag
 * the person still has (so saving the form does not silently drop it), with what is chosen.
 */
export async function describeExpertise(db: Db, userId: string, platformId: string, chosen?: string[]): Promise<{ groups: TagGroup[]; chosen: Set<string> }> {
  const [active, held] = await Promise.all([q.listPlatformTags(db, platformId, { includeRetired: false }), q.listUserExpertise(db, userId)]);
  const offered = new Map(active.map((t) => [t.id, t]));
  for (const t of held) if (!offered.has(t.id)) offered.set(t.id, t);
  return { groups: groupTags([...offered.values()]), chosen: new Set(chosen ?? held.map((t) => t.id)) };
}

async function findTagOrThrow(db: Db, platformId: string, category: TagCategory, tagId: string): Promise<Tag> {
  const tag = TagId.safeParse(tagId).success ? await q.findTag(db, platformId, category, tagId) : undefined;
  if (!tag) throw new NotFoundError(`This ${CATEGORY_LABELS[category]} tag does not exist on your site. Reload the page to see the current tags.`);
  return tag;
}

async function assertNameFree(db: Db, platformId: string, category: TagCategory, name: string, exceptId?: string): Promise<void> {
  const existing = await q.findTagByName(db, platformId, category, name);
  if (existing && existing.id !== exceptId) throw duplicateName(category, existing.name, existing.retiredAt);
}

function duplicateName(category: TagCategory, name: string, retiredAt: Date | null): ValidationError {
  const label = CATEGORY_LABELS[category];
  const message = retiredAt
    ? `A ${label} tag named “${name}” already exists. It is retired: restore it from the retired ${label} tags.`
    : `A ${label} tag named “${name}” already exists.`;
  return new ValidationError(message, { name: message });
}

// ---- The Tags page ------------------------------------------------------------------------

/** What one category's part shows after an action: the form to refill, its error, where focus goes. */
export interface CategoryState {
  create?: { name: string; error?: string };
  rename?: { tagId: string; name: string; error?: string };
  /** `create`, or `rename:<id>`, `retire:<id>`, `restore:<id>`: the control to focus after the swap. */
  focus?: string;
  notice?: string;
}

export interface CategoryView {
  category: TagCategory;
  label: string;
  slug: string;
  active: Tag[];
  retired: Tag[];
  state: CategoryState;
}

export type TagAction = 'create' | 'rename' | 'retire' | 'restore';

/** The page after an action: every category, and the acted-on one (its part alone for htmx). */
export interface TagsPage {
  categories: CategoryView[];
  acted: CategoryView | null;
  status: number;
}

function categoryView(group: TagGroup, state: CategoryState): CategoryView {
  return { category: group.category, label: group.label, slug: slugOf(group.category), active: group.tags.filter((t) => !t.retiredAt), retired: group.tags.filter((t) => t.retiredAt), state };
}

/** The site's tag catalogue as instructors and administrators manage it (built once by src/services.ts). */
export function createTagsService({ db, clock }: { db: Db; clock: Clock }) {
  const pageFor = async (platformId: string, acted: TagCategory | null, state: CategoryState, status = 200): Promise<TagsPage> => {
    const categories = (await listTags(db, platformId, { includeRetired: true })).map((g) => categoryView(g, g.category === acted ? state : {}));
    return { categories, acted: categories.find((c) => c.category === acted) ?? null, status };
  };
  /** Runs one action; invalid input comes back as the category's form refilled with its error (422). */
  const act = async (viewer: { userId: string }, action: TagAction, params: { category?: unknown; tagId?: unknown }, body: unknown): Promise<TagsPage> => {
    const parsed = CategorySlug.safeParse(params.category);
    if (!parsed.success) throw new NotFoundError('There is no such tag category.');
    const category = parsed.data;
    const platformId = await findPlatformOfUser(db, viewer.userId);
    const tagId = String(params.tagId ?? '');
    const label = CATEGORY_LABELS[category];
    const typed = typeof (body as { name?: unknown })?.name === 'string' ? (body as { name: string }).name : '';
    try {
      const done = await runAction(action, platformId, category, tagId, body, label);
      return pageFor(platformId, category, done);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const error = err.fields.name ?? err.message;
      const state: CategoryState = action === 'rename' ? { rename: { tagId, name: typed, error }, focus: `rename-input:${tagId}` } : { create: { name: typed, error }, focus: 'create' };
      return pageFor(platformId, category, state, 422);
    }
  };
  const runAction = async (action: TagAction, platformId: string, category: TagCategory, tagId: string, body: unknown, label: string): Promise<CategoryState> => {
    switch (action) {
      case 'create': {
        const tag = await createTag(db, platformId, category, parseCommand(TagNameForm, body).name);
        return { notice: `Added the ${label} tag “${tag.name}”.`, focus: 'create' };
      }
      case 'rename': {
        const tag = await renameTag(db, platformId, category, tagId, parseCommand(TagNameForm, body).name, clock.now());
        return { notice: `Renamed the ${label} tag to “${tag.name}”.`, focus: `rename:${tag.id}` };
      }
      case 'retire': {
        const tag = await retireTag(db, platformId, category, tagId, clock.now());
        return { notice: `Retired the ${label} tag “${tag.name}”. It is no longer offered for new sessions.`, focus: `restore:${tag.id}` };
      }
      case 'restore': {
        const tag = await restoreTag(db, platformId, category, tagId, clock.now());
        return { notice: `Restored the ${label} tag “${tag.name}”.`, focus: `retire:${tag.id}` };
      }
    }
  };
  return {
    page: async (viewer: { userId: string }) => pageFor(await findPlatformOfUser(db, viewer.userId), null, {}),
    act,
  };
}

export type TagsService = ReturnType<typeof createTagsService>;
