// The Sessions calendar ("My sessions"): month, week and list views. Decides nothing itself.
import { Router } from 'express';
import { respond } from '../lib/respond.js';
import { maySchedule } from '../scheduling/service.js';
import type { Services } from '../services.js';
import { allowFor, viewerOf } from './auth.js';

export function calendarRoutes(services: Services): Router {
  const router = Router();

  router.get('/c/:courseId/sessions', ...allowFor(services.courses)('instructor', 'tutor', 'student', 'admin'), async (req, res) => {
    const viewer = viewerOf(res);
    const calendar = await services.scheduling.calendar(viewer, req.query);
    // Only the calendar's own links ask for the fragment (HX-Target "calendar"); page loads and history restores get the page.
    await respond(req, res, {
      page: 'pages/sessions/index',
      title: 'My sessions',
      fragment: { view: 'partials/sessions/_calendar', target: 'calendar' },
      locals: { calendar, canSchedule: maySchedule(viewer.role), added: req.query.added === '1', changed: req.query.changed === '1', current: 'sessions', focusHeading: true },
    });
  });

  return router;
}
