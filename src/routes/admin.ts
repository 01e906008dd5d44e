// Site settings for TutorKit administrators (institution or system administrators in the LMS),
// each of their own LMS only.
import { Router } from 'express';
import { renderPage } from '../lib/respond.js';
import type { Services } from '../services.js';
import { loadViewer, requireAdmin, viewerOf } from './auth.js';

export function adminRoutes(services: Services): Router {
  const router = Router();
  router.use('/admin', requireAdmin, loadViewer(services.courses));

  router.get('/admin/settings', async (_req, res) => {
    const platforms = await services.courses.listOwnPlatforms(viewerOf(res).userId);
    await renderPage(res, 'pages/admin/settings', { title: 'Site settings', platforms, current: 'admin' });
  });

  router.get('/admin/deliveries', async (req, res) => {
    const log = await services.notifications.deliveryLog(viewerOf(res).userId, req.query);
    await renderPage(res, 'pages/admin/deliveries', { title: 'Email delivery log', ...log, current: 'admin' });
  });

  return router;
}
