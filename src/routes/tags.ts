// The Tags page: the site's tag catalogue, managed by instructors and administrators. Each
// category is one fragment (partials/tags/_category) that re-renders itself after an action.
import { Router, type Request, type Response } from 'express';
import { respond } from '../lib/respond.js';
import type { Services } from '../services.js';
import type { TagAction, TagsPage } from '../tags/service.js';
import { allowFor, viewerOf } from './auth.js';

export function tagRoutes(services: Services): Router {
  const router = Router();
  const { tags } = services;
  const staff = allowFor(services.courses)('instructor', 'admin');
  const act = (action: TagAction) => async (req: Request, res: Response) => show(req, res, await tags.act(viewerOf(res), action, req.params, req.body));

  router.get('/c/:courseId/tags', ...staff, async (req, res) => show(req, res, await tags.page(viewerOf(res))));
  router.post('/c/:courseId/tags/:category', ...staff, act('create'));
  router.patch('/c/:courseId/tags/:category/:tagId', ...staff, act('rename'));
  router.post('/c/:courseId/tags/:category/:tagId/retire', ...staff, act('retire'));
  router.post('/c/:courseId/tags/:category/:tagId/restore', ...staff, act('restore'));

  return router;
}

/** The whole page, or only the acted-on category for an htmx request (the page includes the same partial). */
function show(req: Request, res: Response, page: TagsPage) {
  return respond(req, res, {
    page: 'pages/tags/index',
    title: 'Tags',
    ...(page.acted ? { fragment: { view: 'partials/tags/_category' } } : {}),
    locals: { categories: page.categories, ...page.acted, courseId: viewerOf(res).courseId, current: 'tags' },
    status: page.status,
  });
}
