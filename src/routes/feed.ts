// The personal calendar feed (public: the secret in the URL is the permission). Unknown or revoked
// secrets get 404, never a hint of whose they were.
import { Router } from 'express';
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import { NotFoundError } from '../lib/errors.js';
import { buildFeed } from '../notifications/feed.js';

export function feedRoutes(db: Db, clock: Clock): Router {
  const router = Router();

  router.get('/feed/:file', async (req, res) => {
    const file = String(req.params.file);
    const calendar = file.endsWith('.ics') ? await buildFeed(db, file.slice(0, -4), clock.now()) : null;
    if (!calendar) throw new NotFoundError('There is no calendar feed at this address. It may have been turned off or replaced in Edit settings.');
    res.set({ 'Cache-Control': 'private, no-store', 'Referrer-Policy': 'no-referrer' });
    res.type('text/calendar; charset=utf-8').send(calendar);
  });

  return router;
}
