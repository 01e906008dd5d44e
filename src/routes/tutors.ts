// The Tutors page: a course's people with their LMS role and TutorKit role, searched and paged in
// place, and Make tutor / Remove tutor role on each row. Instructors reach it from their course
// (/c/:courseId/tutors); site administrators for any community of their site, from Site settings
// (/admin/communities/:courseId/tutors). An htmx action gets back only the row it changed.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { isHtmx, respond, sendFragment } from '../lib/respond.js';
import type { Services } from '../services.js';
import { allowFor, loadViewer, requireAdmin } from './auth.js';

export function tutorRoutes(services: Services): Router {
  const router = Router();
  const instructors = allowFor(services.courses)('instructor', 'admin');
  mountTutorsPage(router, services, '/c/:courseId/tutors', instructors, (courseId) => `/c/${courseId}/tutors`);
  mountTutorsPage(router, services, '/admin/communities/:courseId/tutors', [requireAdmin, loadViewer(services.courses)], (courseId) => `/admin/communities/${courseId}/tutors`);
  return router;
}

function mountTutorsPage(router: Router, services: Services, path: string, allowed: RequestHandler[], baseOf: (courseId: string) => string) {
  const { people } = services;
  const actor = (res: Response) => ({ userId: res.locals.launch!.userId });
  const courseOf = (req: Request) => String(req.params.courseId);

  router.get(path, ...allowed, async (req, res) => {
    const page = await people.tutorsPage(actor(res), courseOf(req), req.query);
    await respond(req, res, {
      page: 'pages/people/tutors',
      title: `Tutors: ${page.course.title}`,
      fragment: { view: 'partials/people/_people', target: 'people' },
      locals: { ...page, base: baseOf(page.course.id), admin: path.startsWith('/admin'), current: path.startsWith('/admin') ? 'admin' : 'tutors' },
    });
  });

  const change = (action: 'makeTutor' | 'removeTutor') => async (req: Request, res: Response) => {
    const done = await people[action](actor(res), courseOf(req), String(req.params.userId));
    const base = baseOf(done.course.id);
    // Without htmx (no script), back to the page, which shows the row as it is now.
    if (!isHtmx(req)) return res.redirect(303, base);
    await sendFragment(res, 'partials/people/_person-row', { ...done, base, focus: action, fragment: true });
  };
  router.post(`${path}/:userId`, ...allowed, change('makeTutor'));
  router.post(`${path}/:userId/remove`, ...allowed, change('removeTutor'));
}
