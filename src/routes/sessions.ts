// Sessions: "Add sessions", the form's availability alert and Find by tags, the session page,
// Edit and Cancel. Each handler reads the request, calls the scheduling service once, renders.
import { Router, type Response } from 'express';
import type { WorkLimiter } from '../lib/limits.js';
import { renderPage, sendFragment, submitForm } from '../lib/respond.js';
import type { FormRefusal } from '../lib/errors.js';
import { SchedulingConflicts } from '../scheduling/conflict-gate.js';
import type { ConflictAlert, SessionFormView } from '../scheduling/session-form.js';
import { readScope } from '../scheduling/service.js';
import type { Services } from '../services.js';
import { allowFor, viewerOf } from './auth.js';

type Body = Record<string, unknown>;

export function sessionRoutes(services: Services, limiter: WorkLimiter): Router {
  const router = Router();
  const { scheduling } = services;
  const allow = allowFor(services.courses);
  const schedulers = allow('instructor', 'tutor', 'admin');
  // Saves and the availability check run the conflict check: bounded per person (src/lib/limits.ts),
  // before anything else of the request touches the database.
  const expensive = limiter.middleware((res) => res.locals.launch?.userId);

  // With a Community in the query (the form's list changed), the form for that community's people.
  router.get('/c/:courseId/sessions/new', ...schedulers, async (req, res) => {
    const values = typeof req.query.courseId === 'string' ? (req.query as Body) : undefined;
    await renderForm(res, await scheduling.sessionForm(viewerOf(res), { values }));
  });

  router.post('/c/:courseId/sessions', expensive, ...schedulers, async (req, res) => {
    const viewer = viewerOf(res);
    await submitForm(
      async () => {
        await scheduling.addSessions(viewer, req.body);
        // Back to this community's calendar, which the token opens (a session saved for another
        // community shows there the next time the person opens TutorKit from it).
        res.redirect(303, `/c/${viewer.courseId}/sessions?added=1`);
      },
      async (refusal) => renderForm(res, await scheduling.sessionForm(viewer, { values: req.body as Body, ...refused(refusal) }), refusal.status),
    );
  });

  // The form's availability check: who can't make it, refreshed as the form changes.
  router.post('/c/:courseId/sessions/conflicts', expensive, ...schedulers, async (req, res) => {
    await sendFragment(res, 'partials/sessions/_conflicts', { check: await scheduling.checkProposal(viewerOf(res), req.body as Body) });
  });

  // "Find by tags": the Tutors list again, best match for the chosen tags first.
  router.get('/c/:courseId/sessions/find-tutors', ...schedulers, async (req, res) => {
    const found = await scheduling.findTutors(viewerOf(res), req.query);
    await sendFragment(res, 'partials/sessions/_tutors', { ...found, matched: true, errors: {} });
  });

  router.get('/c/:courseId/sessions/:occurrenceId', ...allow('instructor', 'tutor', 'student', 'admin'), async (req, res) => {
    const page = await scheduling.sessionPage(viewerOf(res), String(req.params.occurrenceId));
    await renderPage(res, 'pages/sessions/show', { title: page.name, page, cancelled: req.query.cancelled, current: 'sessions' });
  });

  router.get('/c/:courseId/sessions/:occurrenceId/edit', ...schedulers, async (req, res) => {
    const occurrenceId = String(req.params.occurrenceId);
    const edit = await scheduling.editForm(viewerOf(res), occurrenceId, req.query.scope);
    if (edit.choose) return renderScopeChoice(res, 'edit', occurrenceId, edit.name, true);
    await renderForm(res, edit.form);
  });

  router.post('/c/:courseId/sessions/:occurrenceId/edit', expensive, ...schedulers, async (req, res) => {
    const viewer = viewerOf(res);
    const occurrenceId = String(req.params.occurrenceId);
    const body = req.body as Body;
    await submitForm(
      async () => {
        await scheduling.editSessions(viewer, occurrenceId, body);
        res.redirect(303, `/c/${viewer.courseId}/sessions?changed=1`);
      },
      async (refusal) => {
        const edit = { occurrenceId, scope: readScope(body.scope) };
        await renderForm(res, await scheduling.sessionForm(viewer, { values: body, edit, ...refused(refusal) }), refusal.status);
      },
    );
  });

  router.get('/c/:courseId/sessions/:occurrenceId/cancel', ...schedulers, async (req, res) => {
    const occurrenceId = String(req.params.occurrenceId);
    const choice = await scheduling.cancelChoice(viewerOf(res), occurrenceId);
    await renderScopeChoice(res, 'cancel', occurrenceId, choice.name, choice.repeating);
  });

  router.post('/c/:courseId/sessions/:occurrenceId/cancel', ...schedulers, async (req, res) => {
    const viewer = viewerOf(res);
    const occurrenceId = String(req.params.occurrenceId);
    const count = await scheduling.cancelSessions(viewer, occurrenceId, req.body as Body);
    res.redirect(303, `/c/${viewer.courseId}/sessions/${occurrenceId}?cancelled=${count}`);
  });

  return router;
}

/** The form's errors and conflicts after a refused save: field messages (422), or the conflict alert (409). */
function refused(refusal: FormRefusal): { errors: Record<string, string>; conflicts: ConflictAlert | null } {
  if (refusal instanceof SchedulingConflicts) return { errors: {}, conflicts: { ...refusal.verdict, confirmed: false } };
  return { errors: refusal.fields, conflicts: null };
}

function renderForm(res: Response, form: SessionFormView, status = 200) {
  return renderPage(res, 'pages/sessions/new', { ...form, current: 'sessions' }, status);
}

function renderScopeChoice(res: Response, action: 'edit' | 'cancel', occurrenceId: string, name: string, repeating: boolean) {
  const title = action === 'edit' ? `Edit ${name}` : `Cancel ${name}`;
  return renderPage(res, 'pages/sessions/scope', { title, action, occurrenceId, name, repeating, current: 'sessions' });
}
