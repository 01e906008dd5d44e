// "Edit settings": the person's own settings in this course. For now their profile from the LMS
// and, for people who tutor, their expertise tags (partials/tags/_expertise, saved with htmx).
import { Router, type Request, type Response } from 'express';
import type { Db } from '../db/client.js';
import { findViewer } from '../courses/service.js';
import { ValidationError } from '../lib/errors.js';
import { renderPage, renderView, wantsFragment } from '../lib/render.js';
import type { Role } from '../lib/session-token.js';
import { describeExpertise, findPlatformOfUser, setExpertise } from '../tags/service.js';
import { ExpertiseForm, TagIdList, parseCommand } from '../tags/schemas.js';
import { requireCourse, requireRole } from './auth.js';

/** Instructors may also tutor, so they choose expertise tags too; students and site administrators do not. */
const TUTORING_ROLES: Role[] = ['tutor', 'instructor'];

interface ExpertiseState {
  notice?: string;
  error?: string;
  /** The ids the person submitted, shown checked again when they could not be saved. */
  chosen?: string[];
}

export function settingsRoutes(db: Db): Router {
  const router = Router();

  router.get('/c/:courseId/settings', requireCourse, requireRole('instructor', 'tutor', 'student', 'admin'), async (req, res) => {
    await renderSettings(db, req, res, {});
  });

  router.put('/c/:courseId/settings/expertise', requireCourse, requireRole(...TUTORING_ROLES), async (req, res) => {
    const { userId } = res.locals.session!;
    try {
      const { tagIds } = parseCommand(ExpertiseForm, req.body);
      const saved = await setExpertise(db, userId, await findPlatformOfUser(db, userId), tagIds);
      const notice = saved.length === 0 ? 'Saved: you have no expertise tags.' : `Saved your ${saved.length} expertise ${saved.length === 1 ? 'tag' : 'tags'}.`;
      await renderSettings(db, req, res, { notice });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const chosen = TagIdList.safeParse((req.body as Record<string, unknown> | undefined)?.tagIds).data ?? [];
      await renderSettings(db, req, res, { error: err.fields.tagIds ?? err.message, chosen }, 422);
    }
  });

  return router;
}

/** The page, or only the expertise section for an htmx request (the page includes the same partial). */
async function renderSettings(db: Db, req: Request, res: Response, state: ExpertiseState, status = 200) {
  const session = res.locals.session!;
  const viewer = await findViewer(db, session.userId, session.courseId);
  const expertise = TUTORING_ROLES.includes(viewer.role)
    ? { ...(await describeExpertise(db, session.userId, await findPlatformOfUser(db, session.userId), state.chosen)), state }
    : null;
  if (expertise && wantsFragment(req)) {
    const html = await renderView(res, 'partials/tags/_expertise', { expertise, viewer, oob: true });
    res.status(status).type('html').send(html);
    return;
  }
  await renderPage(res, 'pages/settings/index', { title: 'Edit settings', viewer, expertise, current: 'settings' }, status);
}
