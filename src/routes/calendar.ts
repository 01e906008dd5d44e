// The Sessions calendar ("My sessions"): month, week and list views. Decides nothing itself.
import { Router, type Request } from 'express';
import type { Db } from '../db/client.js';
import { findViewer } from '../courses/service.js';
import type { Clock } from '../lib/clock.js';
import { renderPage, renderView, wantsFragment } from '../lib/render.js';
import { loadCalendar, parseCalendarQuery } from '../scheduling/calendar.js';
import { maySchedule } from '../scheduling/service.js';
import { requireRole } from './auth.js';
import { viewerFor } from './sessions.js';

export function calendarRoutes(db: Db, clock: Clock): Router {
  const router = Router();

  router.get('/c/:courseId/sessions', requireRole('instructor', 'tutor', 'student', 'admin'), async (req, res) => {
    const session = res.locals.session!;
    const query = parseCalendarQuery(req.query);
    const viewer = await findViewer(db, session.userId, session.courseId);
    const calendar = await loadCalendar(db, viewerFor(session, viewer), query, clock.now());
    const locals = { title: 'My sessions', viewer, calendar, canSchedule: maySchedule(viewer.role), added: req.query.added === '1', changed: req.query.changed === '1', current: 'sessions' };
    res.vary('HX-Request').vary('HX-Target');
    if (!wantsCalendar(req)) return renderPage(res, 'pages/sessions/index', locals);
    res.type('html').send(await renderView(res, 'partials/sessions/_calendar', { ...locals, focusHeading: true }));
  });

  return router;
}

/**
 * Only the calendar's own links get the fragment. The page script's htmx.ajax page loads (after a
 * launch or a reload) and Back/Forward history restores are htmx requests too, but want the page.
 */
function wantsCalendar(req: Request): boolean {
  return wantsFragment(req) && req.get('HX-Target') === 'calendar';
}
