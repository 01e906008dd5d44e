// Scheduling tutoring sessions: the "Add sessions" use case and what the pages read.
import type { Db } from '../db/client.js';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js';
import { checkConflicts } from '../availability/service.js';
import { describeConflicts, fingerprint, type PersonConflicts } from '../availability/conflicts.js';
import { isDoubleBooking, syncBookings } from './bookings.js';
import { checkTagIds, findPlatformOfUser } from '../tags/service.js';
import type { Role } from '../lib/session-token.js';
import * as q from './queries.js';
import { notifySaved } from '../notifications/notify.js';
import { checkTiming, describeRepeat, expandOccurrences, timingOf, type SeriesTiming } from '../lib/recurrence.js';

export { timingOf } from '../lib/recurrence.js';
import { AddSessionsForm, readResources, readTiming, TIMING_FIELDS } from './schemas.js';
import { fieldErrors } from '../lib/forms.js';
import { formatRange } from '../lib/time.js';

const SCHEDULING_ROLES: readonly Role[] = ['admin', 'instructor', 'tutor'];

export function maySchedule(role: Role): boolean {
  return SCHEDULING_ROLES.includes(role);
}

/** Thrown with every problem of the form at once, keyed by form field. */
export class FormError extends ValidationError {
  constructor(fields: Record<string, string>) {
    super('Some details need your attention.', fields);
  }
}

/**
 * Creates a session (one-off or repeating) with all its occurrences. Every rule ends (on a date
 * or after at most 500 sessions), so all occurrences are stored now: RSVPs, attendance and
 * feedback can attach to any of them.
 */
export async function addSessions(db: Db, actorId: string, input: unknown, now: Date): Promise<{ seriesId: string; courseId: string }> {
  const valid = await validateSessionForm(db, actorId, input, now);
  const { form, timing } = valid;
  const role = await q.findMembershipRole(db, actorId, form.courseId);
  if (!role || !maySchedule(role)) throw new ForbiddenError('You can schedule sessions only in communities where you are a tutor, an instructor or an administrator.');
  await gateConflicts(db, valid, timing);
  const seriesId = await saveWithoutDoubleBooking(db, valid, timing, [], (tx) => createSeries(tx, valid, actorId, now));
  return { seriesId, courseId: form.courseId };
}

async function createSeries(tx: Db, valid: ValidSessionForm, actorId: string, now: Date): Promise<string> {
  const id = await q.insertSeries(tx, seriesFields(valid, actorId));
  await q.replaceSeriesDetails(tx, id, valid.form.courseId, valid);
  await q.insertOccurrences(tx, id, valid.form.courseId, expandOccurrences(valid.timing));
  await syncBookings(tx, [id]);
  // Notifications: invitations are queued in this transaction, so they exist exactly when the session does.
  await notifySaved(tx, id, now);
  return id;
}

/**
 * The scheduler saw conflicts (or there are new ones): the form comes back with them. People
 * who are unavailable or in another session can be overruled by confirming exactly these
 * conflicts; a tutor who already tutors another session then cannot (`blocking`).
 */
export class SchedulingConflicts extends AppError {
  constructor(
    readonly groups: PersonConflicts[],
    readonly fingerprint: string,
    readonly blocking: boolean,
  ) {
    super(409, {
      title: 'Scheduling conflicts',
      message: blocking
        ? 'A tutor is already booked for another session at this time. Choose another time or another tutor.'
        : 'Some invited people can’t make it. Change the time, or confirm that you want to schedule it anyway.',
    });
  }
}

/**
 * Saves only when nobody has a conflict, or the scheduler confirmed exactly the conflicts there
 * are now, and no tutor would be double-booked. `timing` is what will be saved (an edit of one
 * occurrence saves a one-off); `excludeSeriesIds` are the series the save replaces.
 */
export async function gateConflicts(db: Db, valid: ValidSessionForm, timing: SeriesTiming, excludeSeriesIds: string[] = []): Promise<void> {
  const report = await checkConflicts(db, { timing, invitees: valid.invitees, excludeSeriesIds });
  if (report.conflicts.length === 0) return;
  const print = fingerprint(report.conflicts);
  const blocking = report.conflicts.some((c) => c.kind === 'busy' && c.blocking);
  if (!blocking && valid.form.confirmConflicts === print) return;
  throw new SchedulingConflicts(describeConflicts(report.conflicts, timing.zone, valid.form.courseId), print, blocking);
}

/**
 * Runs the save; when the database refuses a double booking (another save took the tutor since
 * the check above), reports who and when like the check does.
 */
export async function saveWithoutDoubleBooking<T>(db: Db, valid: ValidSessionForm, timing: SeriesTiming, excludeSeriesIds: string[], save: (tx: Db) => Promise<T>): Promise<T> {
  try {
    return await db.transaction((tx) => save(tx as unknown as Db));
  } catch (err) {
    if (!isDoubleBooking(err)) throw err;
    // Only the tutors' clashes explain the refusal: soft conflicts here would invite a confirmation
    // that cannot help. With none left to name (a clash inside the replaced series), the alert says so generally.
    const report = await checkConflicts(db, { timing, invitees: valid.invitees, excludeSeriesIds });
    const blocking = report.conflicts.filter((c) => c.kind === 'busy' && c.blocking);
    throw new SchedulingConflicts(describeConflicts(blocking, timing.zone, valid.form.courseId), '', true);
  }
}

export interface ValidSessionForm {
  form: AddSessionsForm;
  timing: SeriesTiming;
  tagIds: string[];
  resources: ReturnType<typeof readResources>['resources'];
  invitees: { userId: string; role: 'tutor' | 'student' }[];
}

/**
 * Checks the whole form and reports every problem at once (FormError). `keptTagIds` are tags the
 * series already has: they stay valid after being retired.
 */
export async function validateSessionForm(db: Db, actorId: string, input: unknown, now: Date, keptTagIds: string[] = []): Promise<ValidSessionForm> {
  const parsed = AddSessionsForm.safeParse(input);
  if (!parsed.success) throw new FormError(fieldErrors(parsed.error));
  const form = parsed.data;
  const errors: Record<string, string> = {};
  const { resources, errors: resourceErrors } = readResources(form);
  Object.assign(errors, resourceErrors);
  const timing = readTiming(form);
  const timingProblems = Object.entries(checkTiming(timing));
  for (const [field, message] of timingProblems) errors[TIMING_FIELDS[field] ?? field] ??= message;
  // A session in the past could never be edited or cancelled, and its invitations would be news of nothing.
  if (timingProblems.length === 0 && !startsAfter(timing, now)) errors.startDate ??= PAST_START;
  await checkInvitees(db, form.courseId, form.tutorIds, form.studentIds, errors);
  const tagIds = unique(form.tagIds);
  try {
    await checkTagIds(db, await findPlatformOfUser(db, actorId), tagIds, { allowRetired: keptTagIds });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    errors.tagIds = err.fields.tagIds ?? err.message;
  }
  if (Object.keys(errors).length > 0) throw new FormError(errors);
  const invitees = [
    ...unique(form.tutorIds).map((userId) => ({ userId, role: 'tutor' as const })),
    ...unique(form.studentIds).filter((s) => !form.tutorIds.includes(s)).map((userId) => ({ userId, role: 'student' as const })),
  ];
  return { form, timing, tagIds, resources, invitees };
}

export const PAST_START = 'Choose a date and time that has not passed yet';

/** Whether the first session the timing gives starts after `now`. */
function startsAfter(timing: SeriesTiming, now: Date): boolean {
  const first = expandOccurrences(timing, {}, 1)[0];
  return !!first && first.start > now;
}

export function seriesFields({ form, timing }: ValidSessionForm, createdBy: string): q.NewSeries {
  return {
    courseId: form.courseId,
    createdBy,
    name: form.name,
    description: form.description,
    timeZone: timing.zone,
    startDate: timing.startDate,
    startTime: timing.startTime,
    durationMinutes: timing.durationMinutes,
    repeat: timing.repeat,
    invitedOnly: form.invitedOnly,
    meetingUrl: form.meetingUrl || null,
    autoResources: form.autoResources,
  };
}

/** Tutors must be the course's tutors or instructors; students its students. */
async function checkInvitees(db: Db, courseId: string, tutorIds: string[], studentIds: string[], errors: Record<string, string>) {
  const members = await q.listMembers(db, courseId, ['instructor', 'tutor', 'student']);
  const roleOf = new Map(members.map((m) => [m.userId, m.role]));
  if (tutorIds.some((id) => !['tutor', 'instructor'].includes(roleOf.get(id) ?? ''))) {
    errors.tutorIds ??= 'Choose tutors from this community’s tutors';
  }
  if (studentIds.some((id) => roleOf.get(id) !== 'student')) errors.studentIds = 'Choose students from this community’s students';
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

/** What the Add sessions form offers. */
export async function loadAddSessionsForm(db: Db, actorId: string, courseId: string) {
  const [communities, tutors, students, user] = await Promise.all([
    q.listSchedulingCourses(db, actorId),
    q.listMembers(db, courseId, ['tutor', 'instructor']),
    q.listMembers(db, courseId, ['student']),
    q.findUserPlatform(db, actorId),
  ]);
  return { communities, tutors, students, timeZone: user?.timeZone ?? null };
}

export interface Viewer {
  userId: string;
  courseId: string;
  role: Role;
  timeZone: string;
}

/** Instructors and administrators see every session of their course; others what they may join. */
export function seesAllSessions(role: Role): boolean {
  return role === 'instructor' || role === 'admin';
}

/** The session page: one occurrence with its series, as the viewer may see it. */
export async function loadSessionPage(db: Db, viewer: Viewer, occurrenceId: string, now: Date) {
  const found = await q.findOccurrence(db, viewer.courseId, occurrenceId);
  if (!found) throw new NotFoundError('This session does not exist in this community.');
  const [invitees, tags, resources] = await Promise.all([
    q.listSeriesInvitees(db, found.series.id),
    q.listSeriesTags(db, found.series.id),
    q.listSeriesResources(db, found.series.id),
  ]);
  const invited = invitees.some((i) => i.userId === viewer.userId);
  const mine = found.series.createdBy === viewer.userId;
  if (!seesAllSessions(viewer.role) && !invited && !mine && found.series.invitedOnly) {
    throw new NotFoundError('This session does not exist in this community.');
  }
  const repeatSummary = await describeSeriesRepeat(db, found.series);
  const ended = found.endsAt.getTime() <= now.getTime() || found.status === 'ended';
  const matching = found.series.autoResources
    ? await q.listMatchingResources(
        db,
        viewer.courseId,
        found.series.id,
        tags.filter((t) => t.category === 'topic').map((t) => t.id),
        tags.filter((t) => t.category === 'grade_level').map((t) => t.id),
      )
    : [];
  const own = new Set(resources.map((r) => r.url));
  return {
    occurrenceId: found.occurrenceId,
    series: found.series,
    startsAt: found.startsAt,
    status: found.status,
    name: found.series.name,
    description: found.series.description,
    community: found.courseTitle,
    tags,
    when: formatRange(found.startsAt, found.endsAt, viewer.timeZone),
    schedulerWhen: found.series.timeZone !== viewer.timeZone ? formatRange(found.startsAt, found.endsAt, found.series.timeZone) : null,
    lengthMinutes: found.series.durationMinutes,
    repeatSummary,
    tutors: invitees.filter((i) => i.role === 'tutor'),
    students: invitees.filter((i) => i.role === 'student'),
    invitedOnly: found.series.invitedOnly,
    // Notifications: staff see who gets no emails about this session.
    showsEmailGaps: viewer.role !== 'student',
    meetingUrl: found.series.meetingUrl,
    // Students see resources until the session is over and exit resources after it; staff see both.
    resources: [...resources.filter((r) => r.kind === 'before'), ...matching.filter((r) => !own.has(r.url)).map((r) => ({ ...r, kind: 'before' as const }))].filter(
      () => viewer.role !== 'student' || !ended,
    ),
    exitResources: resources.filter((r) => r.kind === 'exit' && (viewer.role !== 'student' || ended)),
  };
}

/** The repeat in words; a session moved out of a series says which series it came from. */
async function describeSeriesRepeat(db: Db, series: q.SeriesRow): Promise<string> {
  const own = describeRepeat(timingOf(series));
  if (!series.parentSeriesId || (series.repeat as SeriesTiming['repeat']).freq !== 'none') return own;
  const parent = await q.findSeries(db, series.parentSeriesId);
  return parent ? `${own} (moved from the series “${parent.name}”: ${describeRepeat(timingOf(parent))})` : own;
}
