// The course-wide pieces every role shares: the course check, the portal home,
// the person's zone.
import { Router } from 'express';
import { renderPage } from '../lib/respond.js';
import type { Services } from '../services.js';
import { allowFor, requireCourse, viewerOf } from './auth.js';

export function courseRoutes(services: Services): Router {
  const router = Router();
  const allow = allowFor(services.courses);
  router.use('/c/:courseId', requireCourse);

  router.get('/c/:courseId/portal', ...allow('instructor', 'admin'), async (_req, res) => {
    const counts = await services.courses.summarizeCourse(viewerOf(res).courseId);
    await renderPage(res, 'pages/portal/index', { title: 'Client portal', counts, current: 'portal' });
  });

  // Sent once by the page script when the person has no time zone yet (see public/js/app.js).
  router.post('/c/:courseId/me/time-zone', ...allow('instructor', 'tutor', 'student', 'admin'), async (req, res) => {
    const stored = await services.courses.adoptBrowserTimeZone(viewerOf(res).userId, (req.body as { zone?: unknown }).zone);
    res.status(stored ? 204 : 200).end();
  });

  return router;
}
