// The Dashboard: a person's Active sessions (with Join), their upcoming sessions with RSVP, and for
// tutors the feedback still to write. And the RSVP itself (Going / Maybe / Not going), kept per
// occurrence; "Not going" also stops that person's reminders for it (src/notifications/reminders.ts
// leaves out invitees who declined).
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { viewerZone, type Viewer } from '../courses/service.js';
import { FormRefusal, ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js';
import type { Role } from '../lib/session-token.js';
import { formatRange, wallTime } from '../lib/time.js';
import * as q from './dashboard-queries.js';
// Active on the Dashboard exactly when its Warmup room is open.
import { OPENS_BEFORE_MINUTES } from './room-rules.js';

/** Upcoming sessions on the Dashboard; the Sessions calendar shows them all. */
export const UPCOMING_LIMIT = 10;
const ACTIVE_LIMIT = 20;
const FEEDBACK_LIMIT = 20;
const MINUTE_MS = 60_000;

export const RSVP_LABELS: Record<q.RsvpResponse, string> = { going: 'Going', maybe: 'Maybe', declined: 'Not going' };
const RsvpForm = z.object({ response: z.enum(['going', 'maybe', 'declined'], { error: 'Choose Going, Maybe or Not going.' }) });
const OccurrenceId = z.uuid();

/** One session on the Dashboard, ready for the view. */
export interface DashboardEntry {
  occurrenceId: string;
  name: string;
  when: string;
  startIso: string;
  cancelled: boolean;
  /** Active now (starts within 15 minutes, or in progress): the Join button shows. */
  active: boolean;
  /** Active sessions: "Starts in 12 minutes", "Meeting in progress since 16:02", ... */
  state: string;
  /** The viewer is one of its tutors. */
  runs: boolean;
  rsvp: { open: boolean; response: q.RsvpResponse | null; label: string | null };
  /** Sessions the viewer runs: how invitees answered. */
  answers: Record<q.RsvpResponse, number> | null;
  /** An RSVP refused (409/422): why, shown in the row. */
  error?: string;
}

export interface FeedbackDue {
  occurrenceId: string;
  name: string;
  when: string;
  missing: number;
  drafts: number;
}

export interface Dashboard {
  zone: string;
  active: DashboardEntry[];
  upcoming: DashboardEntry[];
  /** More upcoming sessions than shown: the calendar has them. */
  moreUpcoming: boolean;
  /** Tutors (and instructors who tutor): feedback still to write; null for students. */
  feedback: FeedbackDue[] | null;
}

const ownerOf = (viewer: Viewer): q.DashboardOwner => ({ userId: viewer.userId, courseId: viewer.courseId, openSessions: viewer.role === 'student' });

/**
 * May this person answer the RSVP of this session? Its invitees, and any student of the course
 * when the session is not "Only invited students can attend". Roles that cannot be invited
 * (administrators) never answer.
 */
export function mayAnswer(role: Role, session: { invitedAs: 'tutor' | 'student' | null; invitedOnly: boolean }): boolean {
  if (role === 'admin') return false;
  return session.invitedAs !== null || (role === 'student' && !session.invitedOnly);
}

export async function loadDashboard(db: Db, viewer: Viewer, now: Date): Promise<Dashboard> {
  const owner = ownerOf(viewer);
  const soon = new Date(now.getTime() + OPENS_BEFORE_MINUTES * MINUTE_MS);
  const tutors = viewer.role !== 'student';
  const [active, upcoming, feedback] = await Promise.all([
    q.listActive(db, owner, now, soon, ACTIVE_LIMIT),
    q.listUpcoming(db, owner, soon, UPCOMING_LIMIT + 1),
    tutors ? q.listFeedbackToWrite(db, viewer, FEEDBACK_LIMIT) : Promise.resolve(null),
  ]);
  const shown = upcoming.slice(0, UPCOMING_LIMIT);
  const answers = await answersOf(db, [...active, ...shown]);
  const zone = viewerZone(viewer);
  const entry = (row: q.DashboardRow) => toEntry(row, viewer.role, zone, now, answers);
  return {
    zone,
    active: active.map(entry),
    upcoming: shown.map(entry),
    moreUpcoming: upcoming.length > UPCOMING_LIMIT,
    feedback: feedback && feedback.map((f) => ({ occurrenceId: f.occurrenceId, name: f.name, when: formatRange(f.startsAt, f.endsAt, zone), missing: f.missing, drafts: f.drafts })),
  };
}

/** How the invitees answered each session the viewer runs. */
async function answersOf(db: Db, rows: q.DashboardRow[]): Promise<Map<string, Record<q.RsvpResponse, number>>> {
  const run = rows.filter((r) => r.invitedAs === 'tutor').map((r) => r.occurrenceId);
  const counts = new Map(run.map((id) => [id, { going: 0, maybe: 0, declined: 0 }]));
  for (const c of await q.countResponses(db, run)) counts.get(c.occurrenceId)![c.response] = c.count;
  return counts;
}

function toEntry(row: q.DashboardRow, role: Role, zone: string, now: Date, answers: Map<string, Record<q.RsvpResponse, number>>): DashboardEntry {
  const cancelled = row.status === 'cancelled';
  const notStarted = !cancelled && row.startedAt === null && row.startsAt > now;
  const soon = now.getTime() + OPENS_BEFORE_MINUTES * MINUTE_MS;
  const notOver = row.startedAt ? row.endedAt === null : row.endsAt > now;
  const active = row.status === 'scheduled' && notOver && (row.startedAt !== null || row.startsAt.getTime() <= soon);
  return {
    occurrenceId: row.occurrenceId,
    name: row.name,
    when: formatRange(row.startsAt, row.endsAt, zone),
    startIso: wallTime(row.startsAt, zone).iso,
    cancelled,
    active,
    state: stateOf(row, zone, now),
    runs: row.invitedAs === 'tutor',
    // The tutors who run it see how the invitees answered instead of answering themselves.
    rsvp: { open: notStarted && row.invitedAs !== 'tutor' && mayAnswer(role, row), response: row.response, label: row.response && RSVP_LABELS[row.response] },
    answers: answers.get(row.occurrenceId) ?? null,
  };
}

/** Where an active session stands, in words. */
function stateOf(row: q.DashboardRow, zone: string, now: Date): string {
  if (row.status === 'cancelled') return 'Cancelled';
  if (row.startedAt) return `Meeting in progress since ${wallTime(row.startedAt, zone).time}`;
  const left = Math.ceil((row.startsAt.getTime() - now.getTime()) / MINUTE_MS);
  if (left > 1) return `Starts in ${left} minutes`;
  if (left === 1) return 'Starts in 1 minute';
  return `Due at ${wallTime(row.startsAt, zone).time}: the tutor has not started the meeting yet`;
}

/**
 * Stores the viewer's answer for one occurrence. Refused: someone who may not answer (403), an
 * unknown answer (422), a cancelled session (409), one that has started or is over (422).
 */
export async function answerRsvp(db: Db, viewer: Viewer, occurrenceId: string, body: unknown, now: Date): Promise<void> {
  const target = OccurrenceId.safeParse(occurrenceId).success ? await q.findRsvpTarget(db, viewer.courseId, occurrenceId, viewer.userId) : undefined;
  if (!target) throw new NotFoundError('This session does not exist in this community.');
  if (!mayAnswer(viewer.role, target)) throw new ForbiddenError('Only the people invited to this session can answer whether they are going.');
  const parsed = RsvpForm.safeParse(body);
  if (!parsed.success) throw new ValidationError('Choose Going, Maybe or Not going.', { response: 'Choose Going, Maybe or Not going.' });
  if (target.status === 'cancelled') {
    throw new FormRefusal(409, { title: 'This session was cancelled', message: 'This session was cancelled, so your answer was not saved.' });
  }
  if (target.status === 'ended' || target.started || target.startsAt <= now) {
    throw new FormRefusal(422, { title: 'This session has already started', message: 'This session has already started, so your answer was not saved.' });
  }
  await q.saveRsvp(db, { occurrenceId, userId: viewer.userId, courseId: viewer.courseId, response: parsed.data.response, at: now });
}

/** One row of the viewer's Dashboard (after an RSVP, or with the reason one was refused). */
export async function loadDashboardEntry(db: Db, viewer: Viewer, occurrenceId: string, now: Date, error?: string): Promise<DashboardEntry> {
  const row = OccurrenceId.safeParse(occurrenceId).success ? await q.findRow(db, ownerOf(viewer), occurrenceId) : undefined;
  if (!row) throw new NotFoundError('This session does not exist in this community.');
  const answers = await answersOf(db, [row]);
  return { ...toEntry(row, viewer.role, viewerZone(viewer), now, answers), ...(error ? { error } : {}) };
}
