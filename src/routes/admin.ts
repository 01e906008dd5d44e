// Site settings for TutorKit administrators (institution or system administrators in the LMS).
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { findPlatformOfUser, findViewer, listOwnPlatforms } from '../courses/service.js';
import { ValidationError } from '../lib/errors.js';
import { renderPage } from '../lib/render.js';
import { listDeliveries, MESSAGE_STATUSES } from '../notifications/outbox.js';
import { requireAdmin } from './auth.js';

const DeliveryFilter = z.object({ status: z.union([z.literal(''), z.enum(MESSAGE_STATUSES)]).optional() });

export function adminRoutes(db: Db): Router {
  const router = Router();
  router.get('/admin/settings', requireAdmin, async (_req, res) => {
    const session = res.locals.session!;
    const viewer = await findViewer(db, session.userId, session.courseId);
    const platforms = await listOwnPlatforms(db, session.userId);
    await renderPage(res, 'pages/admin/settings', { title: 'Site settings', viewer, platforms, current: 'admin' });
  });
  router.get('/admin/deliveries', requireAdmin, async (req, res) => {
    const filter = DeliveryFilter.safeParse(req.query);
    if (!filter.success) throw new ValidationError(`Choose a status: ${MESSAGE_STATUSES.join(', ')}.`);
    const status = filter.data.status || undefined;
    const session = res.locals.session!;
    const viewer = await findViewer(db, session.userId, session.courseId);
    const deliveries = await listDeliveries(db, { platformId: await findPlatformOfUser(db, session.userId), limit: 200, status });
    await renderPage(res, 'pages/admin/deliveries', { title: 'Email delivery log', viewer, deliveries, status, statuses: MESSAGE_STATUSES, stamp, current: 'admin' });
  });
  return router;
}

/** The log is read across time zones by operators: UTC, to the second. */
function stamp(date: Date | null): string {
  return date ? `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC` : '';
}
