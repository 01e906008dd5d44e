// Sessions: the list ("My sessions"), "Add sessions" and the session page.
import { Router, type Response } from 'express';
import type { Db } from '../db/client.js';
import { findViewer, type Viewer as CourseViewer } from '../courses/service.js';
import type { Clock } from '../lib/clock.js';
import type { WorkLimiter } from '../lib/limits.js';
import { ValidationError } from '../lib/errors.js';
import { renderPage, renderView } from '../lib/render.js';
import type { Session } from '../lib/session-token.js';
import { addSessions, loadAddSessionsForm, loadSessionPage, SchedulingConflicts } from '../scheduling/service.js';
import { readProposal } from '../scheduling/proposal.js';
import { checkConflicts } from '../availability/service.js';
import { describeConflicts, fingerprint } from '../availability/conflicts.js';
import { findOccurrenceWithSeries } from '../scheduling/queries.js';
import { WEEKDAYS } from '../lib/recurrence.js';
import { cancelSessions, EDIT_SCOPES, editSessions, loadEditable, loadEditValues, mayEdit, repeats, type Actor, type EditScope } from '../scheduling/editing.js';
import { findPlatformOfUser, findTutorsByTags, listTags } from '../tags/service.js';
import { requireRole } from './auth.js';

// V8 lists canonical zones only; UTC is added for people who schedule in it.
const ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone')];

export function sessionRoutes(db: Db, clock: Clock, limiter: WorkLimiter): Router {
  const router = Router();
  const schedulers = requireRole('instructor', 'tutor', 'admin');
  // Saves and the availability check run the conflict check: bounded per person (src/lib/limits.ts).
  const expensive = limiter.middleware((res) => res.locals.session?.userId);

  router.get('/c/:courseId/sessions/new', schedulers, async (_req, res) => {
    await renderForm(res, {}, {}, 200);
  });

  router.post('/c/:courseId/sessions', schedulers, expensive, async (req, res) => {
    try {
      await addSessions(db, session(res).userId, req.body, clock.now());
      // Back to this community's calendar, which the token opens (a session saved for another
      // community shows there the next time the person opens TutorKit from it).
      res.redirect(303, `/c/${session(res).courseId}/sessions?added=1`);
    } catch (err) {
      if (err instanceof SchedulingConflicts) return renderForm(res, req.body as Record<string, unknown>, {}, 409, undefined, conflictsOf(err));
      if (!(err instanceof ValidationError)) throw err;
      await renderForm(res, req.body as Record<string, unknown>, err.fields, 422);
    }
  });

  // The form's availability check: who can't make it, refreshed as the form changes.
  router.post('/c/:courseId/sessions/conflicts', schedulers, expensive, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { courseId } = session(res);
    const proposal = await readProposal(db, courseId, body);
    let check = null;
    if (proposal && proposal.invitees.length > 0) {
      const excludeSeriesIds = await seriesBeingEdited(body.editOccurrenceId, courseId);
      const report = await checkConflicts(db, { timing: proposal.timing, invitees: proposal.invitees, excludeSeriesIds });
      const print = fingerprint(report.conflicts);
      check = {
        groups: describeConflicts(report.conflicts, proposal.timing.zone, courseId),
        fingerprint: print,
        blocking: report.conflicts.some((c) => c.kind === 'busy' && c.blocking),
        confirmed: body.confirmConflicts === print,
        invitees: proposal.invitees.length,
        occurrences: report.occurrences.length,
      };
    }
    res.type('html').send(await renderView(res, 'partials/sessions/_conflicts', { check }));
  });

  // "Find by tags": the Tutors list again, best match for the chosen tags first.
  router.get('/c/:courseId/sessions/find-tutors', schedulers, async (req, res) => {
    const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
    const tutors = await findTutorsByTags(db, session(res).courseId, list(req.query.tagIds));
    res.render('partials/sessions/_tutors', { tutors, chosen: list(req.query.tutorIds), courseId: session(res).courseId, matched: true, errors: {} });
  });

  router.get('/c/:courseId/sessions/:occurrenceId', requireRole('instructor', 'tutor', 'student', 'admin'), async (req, res) => {
    const viewer = await findViewer(db, session(res).userId, session(res).courseId);
    const page = await loadSessionPage(db, viewerFor(session(res), viewer), String(req.params.occurrenceId), clock.now());
    const canEdit = page.status === 'scheduled' && page.startsAt > clock.now() && (await mayEdit(db, actor(res), page.series));
    await renderPage(res, 'pages/sessions/show', { title: page.name, viewer, page, canEdit, cancelled: req.query.cancelled, current: 'sessions' });
  });

  router.get('/c/:courseId/sessions/:occurrenceId/edit', schedulers, async (req, res) => {
    const occurrenceId = String(req.params.occurrenceId);
    const found = await loadEditable(db, actor(res), session(res).courseId, occurrenceId, clock.now());
    const scope = readScope(req.query.scope);
    if (repeats(found.series) && !scope) return renderScopeChoice(res, 'edit', occurrenceId, found.series.name);
    const values = await loadEditValues(db, found, scope ?? 'all', clock.now());
    await renderForm(res, values, {}, 200, { occurrenceId, scope: repeats(found.series) ? scope : null });
  });

  router.post('/c/:courseId/sessions/:occurrenceId/edit', schedulers, expensive, async (req, res) => {
    const occurrenceId = String(req.params.occurrenceId);
    const body = req.body as Record<string, unknown>;
    const scope = readScope(body.scope) ?? 'all';
    try {
      await editSessions(db, actor(res), session(res).courseId, occurrenceId, scope, body, clock.now());
      res.redirect(303, `/c/${session(res).courseId}/sessions?changed=1`);
    } catch (err) {
      if (err instanceof SchedulingConflicts) return renderForm(res, body, {}, 409, { occurrenceId, scope: readScope(body.scope) }, conflictsOf(err));
      if (!(err instanceof ValidationError)) throw err;
      await renderForm(res, body, err.fields, 422, { occurrenceId, scope: readScope(body.scope) });
    }
  });

  router.get('/c/:courseId/sessions/:occurrenceId/cancel', schedulers, async (req, res) => {
    const occurrenceId = String(req.params.occurrenceId);
    const found = await loadEditable(db, actor(res), session(res).courseId, occurrenceId, clock.now());
    await renderScopeChoice(res, 'cancel', occurrenceId, found.series.name, repeats(found.series));
  });

  router.post('/c/:courseId/sessions/:occurrenceId/cancel', schedulers, async (req, res) => {
    const occurrenceId = String(req.params.occurrenceId);
    const scope = readScope((req.body as Record<string, unknown>).scope) ?? 'this';
    const count = await cancelSessions(db, actor(res), session(res).courseId, occurrenceId, scope, clock.now());
    res.redirect(303, `/c/${session(res).courseId}/sessions/${occurrenceId}?cancelled=${count}`);
  });

  /** The series an edit form replaces: its own sessions are not conflicts. Only ones in this course. */
  async function seriesBeingEdited(occurrenceId: unknown, courseId: string): Promise<string[]> {
    if (typeof occurrenceId !== 'string' || !/^[0-9a-f-]{36}$/i.test(occurrenceId)) return [];
    const found = await findOccurrenceWithSeries(db, courseId, occurrenceId);
    return found ? [found.series.id] : [];
  }

  async function renderScopeChoice(res: Response, action: 'edit' | 'cancel', occurrenceId: string, name: string, repeating = true) {
    const viewer = await findViewer(db, session(res).userId, session(res).courseId);
    const title = action === 'edit' ? `Edit ${name}` : `Cancel ${name}`;
    await renderPage(res, 'pages/sessions/scope', { title, viewer, action, occurrenceId, name, repeating, current: 'sessions' });
  }

  /** The form, blank or as submitted with its errors; nothing typed is lost. */
  async function renderForm(
    res: Response,
    values: Record<string, unknown>,
    errors: Record<string, string>,
    status: number,
    edit?: { occurrenceId: string; scope: EditScope | null },
    conflicts: ReturnType<typeof conflictsOf> | null = null,
  ) {
    const s = session(res);
    const viewer = await findViewer(db, s.userId, s.courseId);
    const options = await loadAddSessionsForm(db, s.userId, s.courseId);
    const tagGroups = await listTags(db, await findPlatformOfUser(db, s.userId), { includeRetired: false });
    const title = edit ? 'Edit session' : 'Add sessions';
    const action = edit ? `/c/${s.courseId}/sessions/${edit.occurrenceId}/edit` : `/c/${s.courseId}/sessions`;
    await renderPage(
      res,
      'pages/sessions/new',
      { title, action, edit: edit ?? null, viewer, options, tagGroups, zones: ZONES, weekdays: WEEKDAYS, values: formValues(values, viewer, options.timeZone), errors, conflicts, current: 'sessions' },
      status,
    );
  }

  return router;
}

function session(res: Response): Session {
  return res.locals.session!;
}

function actor(res: Response): Actor {
  return { userId: session(res).userId, role: session(res).role };
}

/** The alert's locals for a save that stopped at conflicts: nothing is confirmed yet. */
function conflictsOf(err: SchedulingConflicts) {
  return { groups: err.groups, fingerprint: err.fingerprint, blocking: err.blocking, confirmed: false };
}

function readScope(value: unknown): EditScope | null {
  return EDIT_SCOPES.includes(value as EditScope) ? (value as EditScope) : null;
}

export function viewerFor(s: Session, viewer: CourseViewer) {
  return { userId: s.userId, courseId: s.courseId, role: viewer.role, timeZone: viewer.timeZone ?? 'UTC' };
}

/** Submitted values (or defaults) as arrays and strings the template can read. */
function formValues(values: Record<string, unknown>, viewer: CourseViewer, zone: string | null) {
  const many = (v: unknown) => (Array.isArray(v) ? v.map(String) : v ? [String(v)] : []);
  const one = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback);
  return {
    name: one(values.name),
    description: one(values.description),
    courseId: one(values.courseId, viewer.courseId),
    tagIds: many(values.tagIds),
    resourceTitle: many(values.resourceTitle),
    resourceUrl: many(values.resourceUrl),
    exitTitle: many(values.exitTitle),
    exitUrl: many(values.exitUrl),
    autoResources: values.autoResources === 'on',
    startDate: one(values.startDate),
    startTime: one(values.startTime, '16:00'),
    zone: one(values.zone, zone ?? 'UTC'),
    lengthValue: one(values.lengthValue, '60'),
    lengthUnit: one(values.lengthUnit, 'minutes'),
    repeat: one(values.repeat, 'none'),
    interval: one(values.interval, '1'),
    weekdays: many(values.weekdays),
    monthlyBy: one(values.monthlyBy, 'monthday'),
    endType: one(values.endType, 'count'),
    until: one(values.until),
    count: one(values.count, '10'),
    tutorIds: many(values.tutorIds).length ? many(values.tutorIds) : viewer.role === 'tutor' ? [viewer.userId] : [],
    studentIds: many(values.studentIds),
    invitedOnly: values.invitedOnly === 'on',
    meetingUrl: one(values.meetingUrl),
  };
}
