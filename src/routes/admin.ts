// Site settings for TutorKit administrators (institution or system administrators in the LMS).
import { Router } from 'express';
import type { Db } from '../db/client.js';
import { findViewer, listPlatforms } from '../courses/service.js';
import { renderPage } from '../lib/render.js';
import { requireAdmin } from './auth.js';

export function adminRoutes(db: Db): Router {
  const router = Router();
  router.get('/admin/settings', requireAdmin, async (_req, res) => {
    const session = res.locals.session!;
    const viewer = await findViewer(db, session.userId, session.courseId);
    const platforms = await listPlatforms(db);
    await renderPage(res, 'pages/admin/settings', { title: 'Site settings', viewer, platforms, current: 'admin' });
  });
  return router;
}
