// Public pages behind the links in emails (no token): a session link remembers where the person
// wants to go and asks them to open TutorKit from their course; the launch then lands there.
import { Router } from 'express';
import { renderPage } from '../lib/respond.js';
import type { Services } from '../services.js';

export function openRoutes(services: Services): Router {
  const router = Router();

  router.get('/open/sessions/:occurrenceId', async (req, res) => {
    const opened = await services.notifications.openSessionLink(String(req.params.occurrenceId), req.query as Record<string, unknown>);
    // The link names who it was sent to: it must not be handed on through the Referer header.
    res.set('Referrer-Policy', 'no-referrer');
    const status = opened.state === 'invalid' ? 404 : 200;
    await renderPage(res, 'pages/sessions/open-link', { title: opened.state === 'remembered' ? 'Open TutorKit from your course' : 'This link can’t open the session', opened }, status);
  });

  return router;
}
