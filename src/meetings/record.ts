// One past session's record: details, attendance, the feedback the viewer may see, the transcript
// link and ratings. What a viewer sees depends on how they relate to the session:
// - staff (the course's instructors and administrators) and the session's tutors see everything,
//   including Private feedback and the diagnosis;
// - a student invited to it or who attended sees their own attendance, their own finished
//   "Feedback for the student" and their own rating, and nothing private is ever read for them;
// - anyone else gets 403.
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { viewerZone, type Viewer } from '../courses/service.js';
import { ForbiddenError, NotFoundError } from '../lib/errors.js';
import { formatRange, wallTime } from '../lib/time.js';
import * as q from './history-queries.js';
import { RATING_DAYS } from './wrapup.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

const PREREQUISITE_LABELS = { adequate: 'Adequate', low: 'Low' } as const;
const MASTERY_LABELS = { demonstrated: 'Demonstrated', not_demonstrated: 'Not demonstrated' } as const;

type Access = 'staff' | 'tutor' | 'student';
type Found = NonNullable<Awaited<ReturnType<typeof q.findRecord>>>;
type Invitee = Awaited<ReturnType<typeof q.listInvitees>>[number];
type Attended = Awaited<ReturnType<typeof q.listAttendance>>[number];

export interface AttendanceRow {
  name: string;
  role: 'tutor' | 'student';
  status: string;
  firstJoin: string | null;
  lastLeave: string | null;
}

export interface StaffFeedback {
  studentName: string;
  state: string;
  authorName: string | null;
  forStudent: string;
  private: string;
  prerequisite: string | null;
  mastery: string | null;
  topic: string | null;
}

export type RecordFeedback = { kind: 'student'; attended: boolean; text: string | null; authorName: string | null } | { kind: 'staff'; items: StaffFeedback[]; writeHref: string | null };

export type RecordRating =
  | { kind: 'student'; stars: number | null; comment: string; changeHref: string | null; closed: boolean }
  | { kind: 'staff'; items: { studentName: string; stars: number; comment: string }[]; average: string | null };

export interface SessionRecord {
  occurrenceId: string;
  name: string;
  description: string;
  community: string;
  when: string;
  tags: { name: string }[];
  scheduledMinutes: number;
  /** Cancelled, Tutor no-show, Ended, or not over yet. */
  outcome: string;
  over: boolean;
  cancelled: boolean;
  actual: { started: string; ended: string | null; minutes: number | null; endedBy: string | null } | null;
  tutors: string;
  attendance: AttendanceRow[];
  /** Students read only their own row (and the tutors'). */
  ownAttendanceOnly: boolean;
  feedback: RecordFeedback | null;
  transcriptHref: string | null;
  rating: RecordRating | null;
}

/** The record of one occurrence as `viewer` may see it. */
export async function loadRecord(db: Db, viewer: Viewer, occurrenceId: string, now: Date): Promise<SessionRecord> {
  const found = z.uuid().safeParse(occurrenceId).success ? await q.findRecord(db, viewer.courseId, occurrenceId) : undefined;
  if (!found) throw new NotFoundError('This session does not exist in this community.');
  const [invitees, attended, tags] = await Promise.all([q.listInvitees(db, found.seriesId), q.listAttendance(db, occurrenceId), q.listSeriesTags(db, found.seriesId)]);
  const access = accessOf(viewer, found, invitees, attended);
  const zone = viewerZone(viewer);
  const over = found.meeting.endedAt !== null || found.status === 'ended' || (found.meeting.startedAt === null && found.endsAt <= now);
  const cancelled = found.status === 'cancelled';
  const base = `/c/${viewer.courseId}/sessions/${occurrenceId}`;
  const viewerAttended = attended.some((a) => a.userId === viewer.userId);
  return {
    occurrenceId,
    name: found.name,
    description: found.description,
    community: found.courseTitle,
    when: formatRange(found.startsAt, found.endsAt, zone),
    tags,
    scheduledMinutes: Math.round((found.endsAt.getTime() - found.startsAt.getTime()) / MINUTE_MS),
    outcome: cancelled ? 'Cancelled' : !over ? 'Not over yet' : found.meeting.startedAt ? 'Ended' : 'Tutor no-show',
    over,
    cancelled,
    actual: actualOf(found, zone),
    tutors: invitees.filter((i) => i.role === 'tutor').map((i) => i.name).join(', ') || 'No tutor',
    attendance: attendanceOf(found, invitees, attended, { over, zone, onlyFor: access === 'student' ? viewer.userId : null }),
    ownAttendanceOnly: access === 'student',
    feedback: cancelled ? null : await feedbackOf(db, access, found, viewer.userId, viewerAttended, base),
    transcriptHref: found.meeting.startedAt && (access !== 'student' || viewerAttended) ? `${base}/transcript` : null,
    rating: cancelled || !found.meeting.endedAt ? null : await ratingOf(db, access, found, viewer.userId, viewerAttended, base, now),
  };
}

/** How the viewer relates to the session, or 403 when they may not open its record. */
function accessOf(viewer: Viewer, found: Found, invitees: Invitee[], attended: Attended[]): Access {
  if (viewer.role === 'instructor' || viewer.role === 'admin') return 'staff';
  const invitedAs = invitees.find((i) => i.userId === viewer.userId)?.role;
  const came = attended.find((a) => a.userId === viewer.userId)?.role;
  if (invitedAs === 'tutor' || came === 'tutor' || found.meeting.startedBy === viewer.userId) return 'tutor';
  if (invitedAs === 'student' || came === 'student') return 'student';
  throw new ForbiddenError(
    viewer.role === 'tutor'
      ? 'You can open the record of the sessions you ran or were invited to run.'
      : 'You can open the record of the sessions you were invited to or attended.',
  );
}

function actualOf(found: Found, zone: string): SessionRecord['actual'] {
  const { startedAt, endedAt, endedBy } = found.meeting;
  if (!startedAt) return null;
  return {
    started: clockOf(startedAt, found.startsAt, zone),
    ended: endedAt ? clockOf(endedAt, found.startsAt, zone) : null,
    minutes: endedAt ? Math.max(1, Math.round((endedAt.getTime() - startedAt.getTime()) / MINUTE_MS)) : null,
    endedBy: endedBy === 'tutor' ? 'Ended by the tutor (End meeting)' : endedBy === 'auto' ? 'Ended by itself 60 minutes after its scheduled end' : null,
  };
}

/** "16:02", or "Wed 10 Mar 00:15" when it is not the session's day. */
function clockOf(instant: Date, sessionStart: Date, zone: string): string {
  const t = wallTime(instant, zone, 'en-GB');
  return t.date === wallTime(sessionStart, zone).date ? t.time : `${t.dayMonth} ${t.time}`;
}

/**
 * Everyone invited, and anyone else who came (an open session). Once the session is over an
 * invited student who never joined is a no-show, and the tutors of a session nobody started are
 * tutor no-shows; a cancelled session has neither.
 */
function attendanceOf(found: Found, invitees: Invitee[], attended: Attended[], opts: { over: boolean; zone: string; onlyFor: string | null }): AttendanceRow[] {
  const cancelled = found.status === 'cancelled';
  const byId = new Map(attended.map((a) => [a.userId, a]));
  const people = [...invitees.map((i) => ({ userId: i.userId, name: i.name, role: i.role })), ...attended.filter((a) => !invitees.some((i) => i.userId === a.userId))];
  const shown = people.filter((p) => opts.onlyFor === null || p.role === 'tutor' || p.userId === opts.onlyFor);
  return shown
    .map((p) => {
      const came = byId.get(p.userId);
      const leave = came ? (came.lastLeftAt ?? (opts.over ? came.lastSeenAt : null)) : null;
      return {
        name: p.name,
        role: p.role,
        status: personStatus(p.role, Boolean(came), { cancelled, over: opts.over, started: found.meeting.startedAt !== null, starter: found.meeting.startedBy === p.userId }),
        firstJoin: came ? clockOf(came.firstJoinedAt, found.startsAt, opts.zone) : null,
        lastLeave: leave ? clockOf(leave, found.startsAt, opts.zone) : came ? 'Still here' : null,
      };
    })
    .sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'tutor' ? -1 : 1));
}

function personStatus(role: 'tutor' | 'student', came: boolean, s: { cancelled: boolean; over: boolean; started: boolean; starter: boolean }): string {
  if (s.cancelled) return 'Cancelled';
  if (role === 'tutor') {
    if (s.starter) return 'Started the meeting';
    if (came) return 'Joined';
    if (!s.over) return 'Not joined yet';
    return s.started ? 'Did not join' : 'Tutor no-show';
  }
  if (came) return 'Attended';
  return s.over ? 'No-show' : 'Not joined yet';
}

async function feedbackOf(db: Db, access: Access, found: Found, viewerId: string, viewerAttended: boolean, base: string): Promise<RecordFeedback | null> {
  if (!found.meeting.startedAt) return null;
  if (access === 'student') {
    // Only the student's own, finished "Feedback for the student": the query reads nothing else.
    const own = viewerAttended ? await q.findStudentFeedback(db, found.occurrenceId, viewerId) : undefined;
    return { kind: 'student', attended: viewerAttended, text: own?.forStudent || null, authorName: own?.authorName ?? null };
  }
  const [rows, attended] = await Promise.all([q.listFullFeedback(db, found.occurrenceId), q.listAttendance(db, found.occurrenceId)]);
  const written = new Map(rows.map((r) => [r.studentId, r]));
  const students = attended.filter((a) => a.role === 'student');
  const items: StaffFeedback[] = [
    ...rows.map((r) => ({
      studentName: r.studentName,
      state: r.finishedAt ? 'Finished' : 'Draft, not finished',
      authorName: r.authorName,
      forStudent: r.forStudent,
      private: r.private,
      prerequisite: r.prerequisite && PREREQUISITE_LABELS[r.prerequisite],
      mastery: r.mastery && MASTERY_LABELS[r.mastery],
      topic: r.topic,
    })),
    ...students.filter((s) => !written.has(s.userId)).map((s) => ({ studentName: s.name, state: 'Not written yet', authorName: null, forStudent: '', private: '', prerequisite: null, mastery: null, topic: null })),
  ].sort((a, b) => a.studentName.localeCompare(b.studentName));
  const unfinished = found.meeting.endedAt !== null && items.some((i) => i.state !== 'Finished');
  return { kind: 'staff', items, writeHref: access === 'tutor' && unfinished ? `${base}/feedback` : null };
}

async function ratingOf(db: Db, access: Access, found: Found, viewerId: string, viewerAttended: boolean, base: string, now: Date): Promise<RecordRating | null> {
  if (access === 'student') {
    if (!viewerAttended) return null;
    const [own] = await q.listRatings(db, found.occurrenceId, viewerId);
    const open = found.meeting.endedAt!.getTime() + RATING_DAYS * DAY_MS > now.getTime();
    return { kind: 'student', stars: own?.stars ?? null, comment: own?.comment ?? '', changeHref: open ? `${base}/rating` : null, closed: !open };
  }
  const items = (await q.listRatings(db, found.occurrenceId)).map((r) => ({ studentName: r.studentName, stars: r.stars, comment: r.comment }));
  const average = items.length ? (items.reduce((sum, r) => sum + r.stars, 0) / items.length).toFixed(1) : null;
  return { kind: 'staff', items, average };
}
