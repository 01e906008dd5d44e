// The Tags page: the site's tag catalogue, managed by instructors and administrators. Each
// category is one fragment (partials/tags/_category) that re-renders itself after an action.
import { Router, type Request, type Response } from 'express';
import type { Db } from '../db/client.js';
import { findViewer } from '../courses/service.js';
import type { Clock } from '../lib/clock.js';
import { NotFoundError, ValidationError } from '../lib/errors.js';
import { renderPage, renderView, wantsFragment } from '../lib/render.js';
import { createTag, findPlatformOfUser, listTags, renameTag, restoreTag, retireTag, type Tag, type TagGroup } from '../tags/service.js';
import { CATEGORY_LABELS, CategorySlug, TagNameForm, slugOf, type TagCategory } from '../tags/schemas.js';
import { parseCommand } from '../lib/forms.js';
import { requireCourse, requireRole } from './auth.js';

/** What one category's fragment shows after an action: the form to refill, its error, where focus goes. */
export interface CategoryState {
  create?: { name: string; error?: string };
  rename?: { tagId: string; name: string; error?: string };
  /** `create`, or `rename:<id>`, `retire:<id>`, `restore:<id>`: the control to focus after the swap. */
  focus?: string;
  notice?: string;
}

/** An action on one category; it returns the notice to show and the control to focus. */
type Action = (platformId: string, category: TagCategory) => Promise<{ notice: string; focus: string }>;

export function tagRoutes({ db, clock }: { db: Db; clock: Clock }): Router {
  const router = Router();
  const staff = [requireCourse, requireRole('instructor', 'admin')];
  const label = (c: TagCategory) => CATEGORY_LABELS[c];

  router.get('/c/:courseId/tags', ...staff, async (req, res) => {
    const platformId = await findPlatformOfUser(db, res.locals.session!.userId);
    await renderTags(db, req, res, platformId, null, {});
  });

  router.post('/c/:courseId/tags/:category', ...staff, async (req, res) => {
    await act(db, req, res, { create: { name: formName(req) } }, async (platformId, category) => {
      const { name } = parseCommand(TagNameForm, req.body);
      const tag = await createTag(db, platformId, category, name);
      return { notice: `Added the ${label(category)} tag “${tag.name}”.`, focus: 'create' };
    });
  });

  router.patch('/c/:courseId/tags/:category/:tagId', ...staff, async (req, res) => {
    const tagId = String(req.params.tagId);
    await act(db, req, res, { rename: { tagId, name: formName(req) } }, async (platformId, category) => {
      const { name } = parseCommand(TagNameForm, req.body);
      const tag = await renameTag(db, platformId, category, tagId, name, clock.now());
      return { notice: `Renamed the ${label(category)} tag to “${tag.name}”.`, focus: `rename:${tag.id}` };
    });
  });

  router.post('/c/:courseId/tags/:category/:tagId/retire', ...staff, async (req, res) => {
    await act(db, req, res, {}, async (platformId, category) => {
      const tag = await retireTag(db, platformId, category, String(req.params.tagId), clock.now());
      return { notice: `Retired the ${label(category)} tag “${tag.name}”. It is no longer offered for new sessions.`, focus: `restore:${tag.id}` };
    });
  });

  router.post('/c/:courseId/tags/:category/:tagId/restore', ...staff, async (req, res) => {
    await act(db, req, res, {}, async (platformId, category) => {
      const tag = await restoreTag(db, platformId, category, String(req.params.tagId), clock.now());
      return { notice: `Restored the ${label(category)} tag “${tag.name}”.`, focus: `retire:${tag.id}` };
    });
  });

  return router;
}

/**
 * Runs one action on a category and re-renders that category: with a notice on success, or with
 * the form refilled and its error (422) when the input is invalid. Other errors go to the error handler.
 */
async function act(db: Db, req: Request, res: Response, invalid: CategoryState, action: Action) {
  const parsed = CategorySlug.safeParse(req.params.category);
  if (!parsed.success) throw new NotFoundError('There is no such tag category.');
  const category = parsed.data;
  const platformId = await findPlatformOfUser(db, res.locals.session!.userId);
  try {
    const done = await action(platformId, category);
    await renderTags(db, req, res, platformId, category, { notice: done.notice, focus: done.focus });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const error = err.fields.name ?? err.message;
    const state: CategoryState = invalid.rename
      ? { rename: { ...invalid.rename, error }, focus: `rename-input:${invalid.rename.tagId}` }
      : { create: { name: invalid.create?.name ?? '', error }, focus: 'create' };
    await renderTags(db, req, res, platformId, category, state, 422);
  }
}

/** The whole page, or only the acted-on category for an htmx request (the page includes the same partial). */
async function renderTags(db: Db, req: Request, res: Response, platformId: string, category: TagCategory | null, state: CategoryState, status = 200) {
  const session = res.locals.session!;
  const groups = await listTags(db, platformId, { includeRetired: true });
  const views = groups.map((g) => categoryView(g, g.category === category ? state : {}));
  if (category && wantsFragment(req)) {
    const view = views.find((v) => v.category === category)!;
    const html = await renderView(res, 'partials/tags/_category', { ...view, courseId: session.courseId, oob: true });
    res.status(status).type('html').send(html);
    return;
  }
  const viewer = await findViewer(db, session.userId, session.courseId);
  await renderPage(res, 'pages/tags/index', { title: 'Tags', viewer, categories: views, current: 'tags' }, status);
}

function categoryView(group: TagGroup, state: CategoryState) {
  const active: Tag[] = group.tags.filter((t) => !t.retiredAt);
  const retired: Tag[] = group.tags.filter((t) => t.retiredAt);
  return { category: group.category, label: group.label, slug: slugOf(group.category), active, retired, state };
}

function formName(req: Request): string {
  const name: unknown = (req.body as Record<string, unknown> | undefined)?.name;
  return typeof name === 'string' ? name : '';
}
