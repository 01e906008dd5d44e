// Each role's home inside a course. Later issues fill these pages; for now they say what will be there.
import { Router } from 'express';
import type { Db } from '../db/client.js';
import { findViewer, summarizeCourse } from '../courses/service.js';
import { renderPage } from '../lib/render.js';
import { requireCourse, requireRole } from './auth.js';

export function courseRoutes(db: Db): Router {
  const router = Router();
  router.use('/c/:courseId', requireCourse);

  router.get('/c/:courseId/sessions', requireRole('instructor', 'tutor', 'student', 'admin'), async (_req, res) => {
    const session = res.locals.session!;
    const viewer = await findViewer(db, session.userId, session.courseId);
    await renderPage(res, 'pages/sessions/index', { title: 'My sessions', viewer, current: 'sessions' });
  });

  router.get('/c/:courseId/portal', requireRole('instructor', 'admin'), async (_req, res) => {
    const session = res.locals.session!;
    const viewer = await findViewer(db, session.userId, session.courseId);
    const counts = await summarizeCourse(db, session.courseId);
    await renderPage(res, 'pages/portal/index', { title: 'Client portal', viewer, counts, current: 'portal' });
  });

  return router;
}
