// The personal calendar feed (public: the secret in the URL is the permission). Unknown or revoked
// secrets get 404, never a hint of whose they were.
import { Router } from 'express';
import { NotFoundError } from '../lib/errors.js';
import type { Services } from '../services.js';

export function feedRoutes(services: Services): Router {
  const router = Router();

  router.get('/feed/:file', async (req, res) => {
    const calendar = await services.notifications.feed(String(req.params.file));
    if (!calendar) throw new NotFoundError('There is no calendar feed at this address. It may have been turned off or replaced in Edit settings.');
    res.set({ 'Cache-Control': 'private, no-store', 'Referrer-Policy': 'no-referrer' });
    res.type('text/calendar; charset=utf-8').send(calendar);
  });

  return router;
}
