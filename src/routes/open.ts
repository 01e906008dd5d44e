// Public pages behind the links in emails (no token): a session link remembers where the person
// wants to go and asks them to open TutorKit from their course; the launch then lands there.
import { Router } from 'express';
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import { renderPage } from '../lib/render.js';
import { openSessionLink } from '../notifications/open.js';

export function openRoutes(db: Db, clock: Clock): Router {
  const router = Router();

  router.get('/open/sessions/:occurrenceId', async (req, res) => {
    const opened = await openSessionLink(db, String(req.params.occurrenceId), req.query as Record<string, unknown>, clock.now());
    // The link names who it was sent to: it must not be handed on through the Referer header.
    res.set('Referrer-Policy', 'no-referrer');
    const status = opened.state === 'invalid' ? 404 : 200;
    await renderPage(res, 'pages/sessions/open-link', { title: opened.state === 'remembered' ? 'Open TutorKit from your course' : 'This link can’t open the session', opened }, status);
  });

  return router;
}
