// The Scheduling assistant (opened from the Add sessions / Edit session form). Each request carries
// the whole form plus the assistant's own Start date, Time and Duration; the answer is the dialog's
// content, which htmx swaps in.
import { Router, type Request, type Response } from 'express';
import type { Db } from '../db/client.js';
import { findViewer } from '../courses/service.js';
import type { Clock } from '../lib/clock.js';
import type { WorkLimiter } from '../lib/limits.js';
import { isHtmx, renderPage } from '../lib/render.js';
import { loadAssistantView, loadLaterConflicts, moveToNextFree, type AssistantView } from '../scheduling/assistant-view.js';
import { requireRole } from './auth.js';

const PATH = '/c/:courseId/sessions/assistant';

export function assistantRoutes(db: Db, clock: Clock, limiter: WorkLimiter): Router {
  const router = Router();
  const schedulers = [requireRole('instructor', 'tutor', 'admin'), limiter.middleware((res) => res.locals.session?.userId)];

  router.get(PATH, ...schedulers, async (req, res) => {
    await render(req, res, await loadAssistantView(db, courseOf(res), query(req)));
  });

  router.get(`${PATH}/next-free`, ...schedulers, async (req, res) => {
    await render(req, res, await moveToNextFree(db, courseOf(res), query(req), clock.now()));
  });

  router.get(`${PATH}/later`, ...schedulers, async (req, res) => {
    const later = await loadLaterConflicts(db, courseOf(res), query(req));
    res.render('partials/sessions/_assistant-later', { later, urls: urlsFor(req, res) });
  });

  /** The dialog's content for htmx; a direct visit gets a page that says where the assistant lives. */
  async function render(req: Request, res: Response, view: AssistantView) {
    if (isHtmx(req)) return res.render('partials/sessions/_assistant', { view, urls: urlsFor(req, res) });
    const session = res.locals.session!;
    const viewer = await findViewer(db, session.userId, session.courseId);
    await renderPage(res, 'partials/sessions/_assistant-page', { title: 'Scheduling assistant', viewer, current: 'sessions' });
  }

  return router;
}

function courseOf(res: Response): string {
  return res.locals.session!.courseId;
}

/** The assistant's addresses, keeping the session being edited (the form may not carry it). */
function urlsFor(req: Request, res: Response) {
  const edit = [req.query.editOccurrenceId].flat()[0];
  const search = typeof edit === 'string' && edit ? `?${new URLSearchParams({ editOccurrenceId: edit })}` : '';
  const base = `/c/${courseOf(res)}/sessions/assistant`;
  return { view: `${base}${search}`, nextFree: `${base}/next-free${search}`, later: `${base}/later${search}` };
}

function query(req: Request): Record<string, unknown> {
  return req.query as Record<string, unknown>;
}
