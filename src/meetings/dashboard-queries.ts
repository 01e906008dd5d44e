// What the Dashboard reads and the one thing it writes (an RSVP). The only Drizzle code of the
// Dashboard; functions return flat rows.
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { attendance, meetingFeedback, meetings, occurrences, rsvps, seriesInvitees, sessionSeries } from '../db/schema.js';

export type RsvpResponse = 'going' | 'maybe' | 'declined';

/** Whose Dashboard: the person, their course, and whether sessions open to the whole course are theirs too (students). */
export interface DashboardOwner {
  userId: string;
  courseId: string;
  openSessions: boolean;
}

/** One session on a Dashboard, as the owner relates to it. */
export interface DashboardRow {
  occurrenceId: string;
  seriesId: string;
  name: string;
  startsAt: Date;
  endsAt: Date;
  status: 'scheduled' | 'cancelled' | 'ended';
  invitedOnly: boolean;
  /** The owner's role in the series' invitation, or null (an open session, or one they created). */
  invitedAs: 'tutor' | 'student' | null;
  response: RsvpResponse | null;
  startedAt: Date | null;
  endedAt: Date | null;
}

const at = (instant: Date) => sql`${instant.toISOString()}::timestamptz`;

/** Sessions the owner is invited to or created, and (students) those open to the whole course. */
function mine(owner: DashboardOwner): SQL {
  const invited = sql`exists (select 1 from ${seriesInvitees} si where si.series_id = ${sessionSeries.id} and si.user_id = ${owner.userId})`;
  const open = owner.openSessions ? sql` or ${sessionSeries.invitedOnly} = false` : sql``;
  return sql`(${invited} or ${sessionSeries.createdBy} = ${owner.userId}${open})`;
}

function selectRows(db: Db, owner: DashboardOwner) {
  return db
    .select({
      occurrenceId: occurrences.id,
      seriesId: sessionSeries.id,
      name: sessionSeries.name,
      startsAt: occurrences.startsAt,
      endsAt: occurrences.endsAt,
      status: occurrences.status,
      invitedOnly: sessionSeries.invitedOnly,
      invitedAs: sql<'tutor' | 'student' | null>`(select si.role from ${seriesInvitees} si where si.series_id = ${sessionSeries.id} and si.user_id = ${owner.userId})`,
      response: rsvps.response,
      startedAt: meetings.startedAt,
      endedAt: meetings.endedAt,
    })
    .from(occurrences)
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .leftJoin(rsvps, and(eq(rsvps.occurrenceId, occurrences.id), eq(rsvps.userId, owner.userId)))
    .leftJoin(meetings, eq(meetings.occurrenceId, occurrences.id))
    .$dynamic();
}

/**
 * Active sessions: scheduled, starting by `soon` (or started early), and not over. A started
 * meeting is over when it ended; one nobody started is over at its scheduled end.
 */
export async function listActive(db: Db, owner: DashboardOwner, now: Date, soon: Date, limit: number): Promise<DashboardRow[]> {
  const begun = sql`(${occurrences.startsAt} <= ${at(soon)} or ${meetings.occurrenceId} is not null)`;
  const notOver = sql`(case when ${meetings.occurrenceId} is null then ${occurrences.endsAt} > ${at(now)} else ${meetings.endedAt} is null end)`;
  return selectRows(db, owner)
    .where(and(eq(occurrences.courseId, owner.courseId), eq(occurrences.status, 'scheduled'), begun, notOver, mine(owner)))
    .orderBy(asc(occurrences.startsAt), asc(occurrences.id))
    .limit(limit);
}

/** Sessions starting after `after` and not started early (cancelled ones too: the Dashboard says so), earliest first. */
export async function listUpcoming(db: Db, owner: DashboardOwner, after: Date, limit: number): Promise<DashboardRow[]> {
  return selectRows(db, owner)
    .where(and(eq(occurrences.courseId, owner.courseId), sql`${occurrences.startsAt} > ${at(after)}`, sql`${occurrences.status} <> 'ended'`, sql`${meetings.occurrenceId} is null`, mine(owner)))
    .orderBy(asc(occurrences.startsAt), asc(occurrences.id))
    .limit(limit);
}

/** One row of the owner's Dashboard, for re-rendering it after an RSVP. */
export async function findRow(db: Db, owner: DashboardOwner, occurrenceId: string): Promise<DashboardRow | undefined> {
  const rows = await selectRows(db, owner).where(and(eq(occurrences.courseId, owner.courseId), eq(occurrences.id, occurrenceId)));
  return rows[0];
}

/** How the invitees answered, per occurrence (for the sessions a tutor runs). */
export async function countResponses(db: Db, occurrenceIds: string[]) {
  if (occurrenceIds.length === 0) return [];
  return db
    .select({ occurrenceId: rsvps.occurrenceId, response: rsvps.response, count: sql<number>`count(*)::int` })
    .from(rsvps)
    .where(inArray(rsvps.occurrenceId, occurrenceIds))
    .groupBy(rsvps.occurrenceId, rsvps.response);
}

/** What an RSVP needs to know about its occurrence, and the person's invitation to it. */
export async function findRsvpTarget(db: Db, courseId: string, occurrenceId: string, userId: string) {
  const rows = await db
    .select({
      occurrenceId: occurrences.id,
      status: occurrences.status,
      startsAt: occurrences.startsAt,
      invitedOnly: sessionSeries.invitedOnly,
      invitedAs: sql<'tutor' | 'student' | null>`(select si.role from ${seriesInvitees} si where si.series_id = ${sessionSeries.id} and si.user_id = ${userId})`,
      started: sql<boolean>`exists (select 1 from ${meetings} m where m.occurrence_id = ${occurrences.id})`,
    })
    .from(occurrences)
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .where(and(eq(occurrences.courseId, courseId), eq(occurrences.id, occurrenceId)));
  return rows[0];
}

/** One answer per person and occurrence: a new answer replaces the old one. */
export async function saveRsvp(db: Db, row: { occurrenceId: string; userId: string; courseId: string; response: RsvpResponse; at: Date }) {
  await db
    .insert(rsvps)
    .values({ occurrenceId: row.occurrenceId, userId: row.userId, courseId: row.courseId, response: row.response, respondedAt: row.at })
    .onConflictDoUpdate({ target: [rsvps.occurrenceId, rsvps.userId], set: { response: row.response, respondedAt: row.at } });
}

/**
 * Ended meetings the tutor ran or was invited to run, with students who attended and whose
 * feedback is missing (`missing`) or saved but not finished (`drafts`); latest first.
 */
export async function listFeedbackToWrite(db: Db, tutor: { userId: string; courseId: string }, limit: number) {
  const theirs = sql`(${meetings.startedBy} = ${tutor.userId} or exists (select 1 from ${seriesInvitees} si where si.series_id = ${sessionSeries.id} and si.user_id = ${tutor.userId} and si.role = 'tutor'))`;
  return db
    .select({
      occurrenceId: occurrences.id,
      name: sessionSeries.name,
      startsAt: occurrences.startsAt,
      endsAt: occurrences.endsAt,
      endedAt: meetings.endedAt,
      missing: sql<number>`(count(*) filter (where ${meetingFeedback.studentId} is null))::int`,
      drafts: sql<number>`(count(*) filter (where ${meetingFeedback.studentId} is not null))::int`,
    })
    .from(meetings)
    .innerJoin(occurrences, eq(occurrences.id, meetings.occurrenceId))
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .innerJoin(attendance, and(eq(attendance.occurrenceId, meetings.occurrenceId), eq(attendance.role, 'student')))
    .leftJoin(meetingFeedback, and(eq(meetingFeedback.occurrenceId, meetings.occurrenceId), eq(meetingFeedback.studentId, attendance.userId)))
    .where(and(eq(meetings.courseId, tutor.courseId), sql`${meetings.endedAt} is not null`, sql`${meetingFeedback.finishedAt} is null`, theirs))
    .groupBy(occurrences.id, sessionSeries.name, occurrences.startsAt, occurrences.endsAt, meetings.endedAt)
    .orderBy(desc(meetings.endedAt))
    .limit(limit);
}
