// Scheduling tutoring sessions: who may schedule and edit, the "Add sessions" use case, and the
// module's service as the composition root builds it (createSchedulingService, at the end).
import { z } from 'zod';
import type { Db } from '../db/client.js';
import type { Role } from '../lib/session-token.js';
import { ForbiddenError } from '../lib/errors.js';
import { expandOccurrences } from '../lib/recurrence.js';
import { syncBookings } from './bookings.js';
import { gateConflicts, saveWithoutDoubleBooking } from './conflict-gate.js';
import type { Viewer } from '../courses/service.js';
import type { Clock } from '../lib/clock.js';
import { findTutorsByTags } from '../tags/service.js';
import { loadAssistantView, loadLaterConflicts, moveToNextFree } from './assistant-view.js';
import { loadCalendar, parseCalendarQuery } from './calendar.js';
import { anchorOf, cancelSessions, EDIT_SCOPES, editSessions, loadEditable, repeats, type EditScope } from './editing.js';
import { checkProposal } from './proposal.js';
import * as q from './queries.js';
import { loadEditValues, loadSessionForm } from './session-form.js';
import { loadSessionPage } from './session-page.js';
import { seriesFields, validateSessionForm, type ValidSessionForm } from './validation.js';

/** Who may schedule sessions in a course. */
export const SCHEDULING_ROLES: ('admin' | 'instructor' | 'tutor')[] = ['admin', 'instructor', 'tutor'];

export function maySchedule(role: Role): boolean {
  return (SCHEDULING_ROLES as Role[]).includes(role);
}

/**
 * What other modules do inside the transaction of a change to sessions (notifications queue the
 * emails about it): wired by the composition root, so scheduling imports none of them.
 */
export interface SchedulingHooks {
  /** Before a change: what the series was, handed back to `edited` or `cancelled`. */
  beforeChange(tx: Db, seriesId: string): Promise<unknown>;
  added(tx: Db, seriesId: string, now: Date): Promise<void>;
  edited(tx: Db, before: unknown, changedSeriesId: string, now: Date): Promise<void>;
  cancelled(tx: Db, before: unknown, occurrenceIds: string[], now: Date): Promise<void>;
}

export interface SchedulingDeps {
  db: Db;
  hooks: SchedulingHooks;
}

/**
 * Creates a session (one-off or repeating) with all its occurrences. Every rule ends (on a date
 * or after at most 500 sessions), so all occurrences are stored now: RSVPs, attendance and
 * feedback can attach to any of them.
 */
export async function addSessions({ db, hooks }: SchedulingDeps, actorId: string, input: unknown, now: Date): Promise<{ seriesId: string; courseId: string }> {
  // Whether the person may schedule in the community comes first: a community that is not theirs
  // is refused as such, not with the form's complaints about people it does not know.
  const named = (input as { courseId?: unknown } | null)?.courseId;
  if (typeof named === 'string' && z.uuid().safeParse(named).success) await assertMaySchedule(db, actorId, named);
  const valid = await validateSessionForm(db, actorId, input, now);
  const { form, timing } = valid;
  await assertMaySchedule(db, actorId, form.courseId);
  await gateConflicts(db, valid, timing);
  const seriesId = await saveWithoutDoubleBooking(db, valid, timing, [], (tx) => createSeries(tx, hooks, valid, actorId, now));
  return { seriesId, courseId: form.courseId };
}

async function createSeries(tx: Db, hooks: SchedulingHooks, valid: ValidSessionForm, actorId: string, now: Date): Promise<string> {
  const id = await q.insertSeries(tx, seriesFields(valid, actorId));
  await q.replaceSeriesDetails(tx, id, valid.form.courseId, valid);
  await q.insertOccurrences(tx, id, valid.form.courseId, expandOccurrences(valid.timing));
  await syncBookings(tx, [id]);
  // Invitations are queued in this transaction, so they exist exactly when the session does.
  await hooks.added(tx, id, now);
  return id;
}

const NOT_YOUR_COMMUNITY = 'You can schedule sessions only in communities where you are a tutor, an instructor or an administrator.';

async function assertMaySchedule(db: Db, userId: string, courseId: string): Promise<void> {
  const role = await q.findMembershipRole(db, userId, courseId);
  if (!role || !maySchedule(role)) throw new ForbiddenError(NOT_YOUR_COMMUNITY);
}

/**
 * The community a form names (the Community list: a tutor of several communities schedules in
 * any of them), when the person may schedule there; their own course when it names none.
 */
export async function chosenCommunity(db: Db, viewer: Pick<Viewer, 'userId' | 'courseId'>, value: unknown): Promise<string> {
  const id = Array.isArray(value) ? value[0] : value;
  if (id === undefined || id === '' || id === viewer.courseId) return viewer.courseId;
  if (typeof id !== 'string' || !z.uuid().safeParse(id).success) throw new ForbiddenError(NOT_YOUR_COMMUNITY);
  await assertMaySchedule(db, viewer.userId, id);
  return id;
}

/** Instructors and administrators see every session of their course; others what they may join. */
export function seesAllSessions(role: Role): boolean {
  return role === 'instructor' || role === 'admin';
}

export interface Actor {
  userId: string;
  role: Role;
}

/** May this person change this series? Course staff always; a tutor when they run or created it. */
export async function mayEdit(db: Db, actor: Actor, series: q.SeriesRow): Promise<boolean> {
  if (actor.role === 'admin' || actor.role === 'instructor') return true;
  if (actor.role !== 'tutor') return false;
  return series.createdBy === actor.userId || (await q.isSeriesTutor(db, series.id, actor.userId));
}

// ---- The module's service -----------------------------------------------------------------

/** The occurrence-choice of a repeating session's edit or cancel, from a query or form field. */
export function readScope(value: unknown): EditScope | null {
  return EDIT_SCOPES.includes(value as EditScope) ? (value as EditScope) : null;
}

const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/**
 * Scheduling as the routes use it: each method is one page's or one action's work, for the
 * viewer who asks, at the clock's time. Built once by the composition root (src/services.ts).
 */
export function createSchedulingService(deps: SchedulingDeps & { clock: Clock }) {
  const { db, clock } = deps;
  return {
    calendar: (viewer: Viewer, query: unknown) => loadCalendar(db, viewer, parseCalendarQuery(query), clock.now()),
    sessionPage: (viewer: Viewer, occurrenceId: string) => loadSessionPage(db, viewer, occurrenceId, clock.now()),
    /** The Add sessions form: blank, or as submitted with the reasons it was refused. */
    sessionForm: (viewer: Viewer, input: Parameters<typeof loadSessionForm>[2] = {}) => loadSessionForm(db, viewer, input),
    addSessions: (actor: Pick<Viewer, 'userId'>, body: unknown) => addSessions(deps, actor.userId, body, clock.now()),
    /** The form's live availability alert. */
    checkProposal: async (viewer: Viewer, body: Record<string, unknown>) => checkProposal(db, await chosenCommunity(db, viewer, body.courseId), body),
    /** "Find by tags": the chosen community's Tutors list again (course and site tutors alike), best match for the chosen tags first. */
    findTutors: async (viewer: Viewer, query: Record<string, unknown>) => ({
      tutors: await findTutorsByTags(db, await chosenCommunity(db, viewer, query.courseId), list(query.tagIds)),
      chosen: list(query.tutorIds),
    }),
    /** Editing a repeating session first asks which sessions; then (or for a one-off) the form with its stored values. */
    editForm: async (viewer: Viewer, occurrenceId: string, scopeAsked: unknown) => {
      const now = clock.now();
      const found = await loadEditable(db, viewer, viewer.courseId, occurrenceId, now);
      const scope = readScope(scopeAsked);
      if (repeats(found.series) && !scope) return { choose: true as const, name: found.series.name };
      const anchor = await anchorOf(db, found, repeats(found.series) ? (scope ?? 'all') : 'this', now);
      const values = await loadEditValues(db, found, scope ?? 'all', anchor);
      return { choose: false as const, form: await loadSessionForm(db, viewer, { values, edit: { occurrenceId, scope: repeats(found.series) ? scope : null } }) };
    },
    editSessions: (viewer: Viewer, occurrenceId: string, body: Record<string, unknown>) =>
      editSessions(deps, viewer, viewer.courseId, occurrenceId, readScope(body.scope) ?? 'all', body, clock.now()),
    /** The cancel page: which sessions (for a repeating one). */
    cancelChoice: async (viewer: Viewer, occurrenceId: string) => {
      const found = await loadEditable(db, viewer, viewer.courseId, occurrenceId, clock.now());
      return { name: found.series.name, repeating: repeats(found.series) };
    },
    cancelSessions: (viewer: Viewer, occurrenceId: string, body: Record<string, unknown>) =>
      cancelSessions(deps, viewer, viewer.courseId, occurrenceId, readScope(body.scope) ?? 'this', clock.now()),
    assistant: async (viewer: Viewer, query: Record<string, unknown>) => loadAssistantView(db, await chosenCommunity(db, viewer, query.courseId), query),
    assistantNextFree: async (viewer: Viewer, query: Record<string, unknown>) => moveToNextFree(db, await chosenCommunity(db, viewer, query.courseId), query, clock.now()),
    assistantLater: async (viewer: Viewer, query: Record<string, unknown>) => loadLaterConflicts(db, await chosenCommunity(db, viewer, query.courseId), query),
  };
}

export type SchedulingService = ReturnType<typeof createSchedulingService>;
