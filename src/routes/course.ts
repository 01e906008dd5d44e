// The course-wide pieces every role shares: the course check, the portal home, the person's zone.
import { Router } from 'express';
import type { Db } from '../db/client.js';
import { adoptBrowserTimeZone, findViewer, summarizeCourse } from '../courses/service.js';
import { renderPage } from '../lib/render.js';
import { requireCourse, requireRole } from './auth.js';

export function courseRoutes(db: Db): Router {
  const router = Router();
  router.use('/c/:courseId', requireCourse);

  router.get('/c/:courseId/portal', requireRole('instructor', 'admin'), async (_req, res) => {
    const session = res.locals.session!;
    const viewer = await findViewer(db, session.userId, session.courseId);
    const counts = await summarizeCourse(db, session.courseId);
    await renderPage(res, 'pages/portal/index', { title: 'Client portal', viewer, counts, current: 'portal' });
  });

  // Sent once by the page script when the person has no time zone yet (see public/js/app.js).
  router.post('/c/:courseId/me/time-zone', requireRole('instructor', 'tutor', 'student', 'admin'), async (req, res) => {
    const stored = await adoptBrowserTimeZone(db, res.locals.session!.userId, (req.body as { zone?: unknown }).zone);
    res.status(stored ? 204 : 200).end();
  });

  return router;
}
