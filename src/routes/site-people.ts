// Site settings about people, for site administrators of their own site: the communities (each
// with its Tutors page), site tutors and their communities, the platform's role mapping, and the
// log of role changes.
import { Router, type Response } from 'express';
import type { FormRefusal } from '../lib/errors.js';
import { renderPage, submitForm } from '../lib/respond.js';
import type { Services } from '../services.js';
import { loadViewer, requireAdmin } from './auth.js';

export function sitePeopleRoutes(services: Services): Router {
  const router = Router();
  const { people } = services;
  const admin = [requireAdmin, loadViewer(services.courses)];
  const actor = (res: Response) => ({ userId: res.locals.launch!.userId });
  const refused = (refusal: FormRefusal) => ({ errors: refusal.fields, problem: refusal.page.message });

  router.get('/admin/communities', ...admin, async (req, res) => {
    await renderPage(res, 'pages/admin/communities', { title: 'Communities', ...(await people.communitiesPage(actor(res), req.query)), current: 'admin' });
  });

  router.get('/admin/site-tutors', ...admin, async (req, res) => {
    await renderPage(res, 'pages/admin/site-tutors', { title: 'Site tutors', ...(await people.siteTutorsPage(actor(res), req.query)), current: 'admin' });
  });

  router.get('/admin/site-tutors/:userId', ...admin, async (req, res) => {
    const form = await people.siteTutorForm(actor(res), String(req.params.userId));
    await renderPage(res, 'pages/admin/site-tutor', { title: `Site tutor: ${form.person.name}`, ...form, errors: {}, current: 'admin' });
  });

  router.post('/admin/site-tutors/:userId', ...admin, async (req, res) => {
    const userId = String(req.params.userId);
    const show = async (locals: Record<string, unknown>, status = 200) => {
      const form = await people.siteTutorForm(actor(res), userId);
      await renderPage(res, 'pages/admin/site-tutor', { title: `Site tutor: ${form.person.name}`, ...form, errors: {}, ...locals, current: 'admin' }, status);
    };
    await submitForm(
      async () => show(await people.saveSiteTutor(actor(res), userId, req.body)),
      (refusal) => show(refused(refusal), refusal.status),
    );
  });

  router.get('/admin/role-mapping', ...admin, async (_req, res) => {
    await renderPage(res, 'pages/admin/role-mapping', { title: 'Role mapping', ...(await people.roleMappingPage(actor(res))), errors: {}, current: 'admin' });
  });

  router.post('/admin/role-mapping', ...admin, async (req, res) => {
    const show = async (locals: Record<string, unknown>, status = 200) =>
      renderPage(res, 'pages/admin/role-mapping', { title: 'Role mapping', ...(await people.roleMappingPage(actor(res))), errors: {}, ...locals, current: 'admin' }, status);
    await submitForm(
      async () => show(await people.saveRoleMapping(actor(res), req.body)),
      (refusal) => show(refused(refusal), refusal.status),
    );
  });

  router.get('/admin/role-changes', ...admin, async (req, res) => {
    await renderPage(res, 'pages/admin/role-changes', { title: 'Role changes', ...(await people.roleChangesPage(actor(res), req.query)), current: 'admin' });
  });

  return router;
}
