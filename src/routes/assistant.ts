// The Scheduling assistant (opened from the Add sessions / Edit session form). Each request carries
// the whole form plus the assistant's own Start date, Time and Duration; the answer is the dialog's
// content, which htmx swaps in.
import { Router, type Request, type Response } from 'express';
import type { WorkLimiter } from '../lib/limits.js';
import { renderPage, sendFragment, wantsFragment } from '../lib/respond.js';
import type { AssistantView } from '../scheduling/assistant-view.js';
import type { Services } from '../services.js';
import { allowFor, viewerOf } from './auth.js';

const PATH = '/c/:courseId/sessions/assistant';

export function assistantRoutes(services: Services, limiter: WorkLimiter): Router {
  const router = Router();
  const { scheduling } = services;
  // Bounded per person before anything touches the database (src/lib/limits.ts).
  const schedulers = [limiter.middleware((res) => res.locals.launch?.userId), ...allowFor(services.courses)('instructor', 'tutor', 'admin')];

  router.get(PATH, ...schedulers, async (req, res) => {
    await render(req, res, await scheduling.assistant(viewerOf(res), query(req)));
  });

  router.get(`${PATH}/next-free`, ...schedulers, async (req, res) => {
    await render(req, res, await scheduling.assistantNextFree(viewerOf(res), query(req)));
  });

  router.get(`${PATH}/later`, ...schedulers, async (req, res) => {
    await sendFragment(res, 'partials/sessions/_assistant-later', { later: await scheduling.assistantLater(viewerOf(res), query(req)), urls: urlsFor(req, res) });
  });

  return router;
}

/** The dialog's content for htmx; a direct visit gets a page that says where the assistant lives. */
async function render(req: Request, res: Response, view: AssistantView) {
  if (wantsFragment(req)) return sendFragment(res, 'partials/sessions/_assistant', { view, urls: urlsFor(req, res) });
  await renderPage(res, 'pages/sessions/assistant', { title: 'Scheduling assistant', current: 'sessions' });
}

/** The assistant's addresses, keeping the session being edited (the form may not carry it). */
function urlsFor(req: Request, res: Response) {
  const edit = [req.query.editOccurrenceId].flat()[0];
  const search = typeof edit === 'string' && edit ? `?${new URLSearchParams({ editOccurrenceId: edit })}` : '';
  const base = `/c/${viewerOf(res).courseId}/sessions/assistant`;
  return { view: `${base}${search}`, nextFree: `${base}/next-free${search}`, later: `${base}/later${search}` };
}

function query(req: Request): Record<string, unknown> {
  return req.query as Record<string, unknown>;
}
