// The only place the wrap-up (end of a session) touches Drizzle: ending meetings, feedback and
// diagnosis, ratings. Functions return flat rows; the rules live in wrapup.ts.
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  attendance,
  courses,
  meetingFeedback,
  meetings,
  occurrences,
  ratings,
  seriesInvitees,
  seriesTags,
  sessionResources,
  sessionSeries,
  tags,
  users,
} from '../db/schema.js';

export type EndedBy = 'tutor' | 'auto';
export type Prerequisite = 'adequate' | 'low';
export type Mastery = 'demonstrated' | 'not_demonstrated';

/** One occurrence of a course with its series' name and zone, its site, and its meeting if it was started. */
export async function findOccurrenceWithMeeting(db: Db, courseId: string, occurrenceId: string) {
  const rows = await db
    .select({
      occurrenceId: occurrences.id,
      courseId: occurrences.courseId,
      seriesId: occurrences.seriesId,
      name: sessionSeries.name,
      startsAt: occurrences.startsAt,
      endsAt: occurrences.endsAt,
      status: occurrences.status,
      platformId: courses.platformId,
      startedAt: meetings.startedAt,
      endedAt: meetings.endedAt,
      endedBy: meetings.endedBy,
    })
    .from(occurrences)
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .innerJoin(courses, eq(courses.id, occurrences.courseId))
    .leftJoin(meetings, eq(meetings.occurrenceId, occurrences.id))
    .where(and(eq(occurrences.courseId, courseId), eq(occurrences.id, occurrenceId)));
  return rows[0];
}

export type OccurrenceWithMeeting = NonNullable<Awaited<ReturnType<typeof findOccurrenceWithMeeting>>>;

export async function isSeriesTutor(db: Db, seriesId: string, userId: string): Promise<boolean> {
  const rows = await db
    .select({ userId: seriesInvitees.userId })
    .from(seriesInvitees)
    .where(and(eq(seriesInvitees.seriesId, seriesId), eq(seriesInvitees.userId, userId), eq(seriesInvitees.role, 'tutor')));
  return rows.length > 0;
}

/** The students who came to the occurrence (attendance rows with role 'student'), by name. */
export async function listAttendedStudents(db: Db, occurrenceId: string) {
  return db
    .select({ userId: users.id, name: users.name, firstJoinedAt: attendance.firstJoinedAt, lastLeftAt: attendance.lastLeftAt })
    .from(attendance)
    .innerJoin(users, eq(users.id, attendance.userId))
    .where(and(eq(attendance.occurrenceId, occurrenceId), eq(attendance.role, 'student')))
    .orderBy(asc(users.name), asc(users.id));
}

export async function hasAttendedAsStudent(db: Db, occurrenceId: string, userId: string): Promise<boolean> {
  const rows = await db
    .select({ userId: attendance.userId })
    .from(attendance)
    .where(and(eq(attendance.occurrenceId, occurrenceId), eq(attendance.userId, userId), eq(attendance.role, 'student')));
  return rows.length > 0;
}

// ---- Ending ---------------------------------------------------------------------------------

/**
 * Ends one open meeting: one UPDATE that only an open meeting passes, so two presses (or a press
 * and the sweep) end it once. Null when it was not open (never started, or already ended).
 */
export async function endMeeting(db: Db, courseId: string, occurrenceId: string, at: Date): Promise<{ occurrenceId: string; courseId: string } | null> {
  return db.transaction(async (tx) => {
    const ended = await tx
      .update(meetings)
      .set({ endedAt: at, endedBy: 'tutor', updatedAt: at })
      .where(and(eq(meetings.occurrenceId, occurrenceId), eq(meetings.courseId, courseId), isNull(meetings.endedAt)))
      .returning({ occurrenceId: meetings.occurrenceId, courseId: meetings.courseId });
    if (ended.length === 0) return null;
    await closeOccurrences(tx, [occurrenceId], at);
    return ended[0]!;
  });
}

/**
 * Ends every meeting still open an hour after its occurrence's scheduled end, as 'auto', at that
 * hour (not at the sweep's time: a server that was down for a day must not record day-long
 * meetings), never before the meeting started. Safe with several instances sweeping at once.
 */
export async function endOverdueMeetings(db: Db, now: Date, graceMinutes: number): Promise<{ occurrenceId: string; courseId: string }[]> {
  return db.transaction(async (tx) => {
    const due = sql`${occurrences.endsAt} + make_interval(mins => ${graceMinutes})`;
    const ended = await tx
      .update(meetings)
      .set({ endedAt: sql`greatest(${meetings.startedAt}, ${due})`, endedBy: 'auto', updatedAt: now })
      .from(occurrences)
      .where(and(eq(occurrences.id, meetings.occurrenceId), isNull(meetings.endedAt), sql`${due} <= ${now}`))
      .returning({ occurrenceId: meetings.occurrenceId, courseId: meetings.courseId });
    await closeOccurrences(
      tx,
      ended.map((m) => m.occurrenceId),
      now,
    );
    return ended;
  });
}

/**
 * After a meeting ended: the occurrence is 'ended', and everyone still in the room leaves. A person
 * whose page was alive in the last 30 seconds was there at the end; one whose page went quiet
 * before left at their last sign of life.
 */
async function closeOccurrences(tx: Db, occurrenceIds: string[], now: Date) {
  if (occurrenceIds.length === 0) return;
  await tx
    .update(occurrences)
    .set({ status: 'ended', updatedAt: now })
    .where(and(inArray(occurrences.id, occurrenceIds), eq(occurrences.status, 'scheduled')));
  const endedAt = sql`(select m.ended_at from ${meetings} m where m.occurrence_id = ${attendance.occurrenceId})`;
  await tx
    .update(attendance)
    .set({
      lastLeftAt: sql`greatest(${attendance.firstJoinedAt}, case when ${attendance.lastSeenAt} >= ${endedAt} - interval '30 seconds' then ${endedAt} else ${attendance.lastSeenAt} end)`,
    })
    .where(and(inArray(attendance.occurrenceId, occurrenceIds), isNull(attendance.lastLeftAt)));
}

// ---- Feedback -------------------------------------------------------------------------------

export interface FeedbackRow {
  studentId: string;
  authorId: string;
  forStudent: string;
  private: string;
  prerequisite: Prerequisite | null;
  mastery: Mastery | null;
  topicTagId: string | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

/** Everything the tutor wrote for an occurrence, private feedback included: for staff pages only. */
export async function listFeedback(db: Db, occurrenceId: string): Promise<FeedbackRow[]> {
  return db
    .select({
      studentId: meetingFeedback.studentId,
      authorId: meetingFeedback.authorId,
      forStudent: meetingFeedback.forStudent,
      private: meetingFeedback.private,
      prerequisite: meetingFeedback.prerequisite,
      mastery: meetingFeedback.mastery,
      topicTagId: meetingFeedback.topicTagId,
      finishedAt: meetingFeedback.finishedAt,
      updatedAt: meetingFeedback.updatedAt,
    })
    .from(meetingFeedback)
    .where(eq(meetingFeedback.occurrenceId, occurrenceId));
}

/**
 * What a student may read of the feedback about them: the finished "Feedback for the student",
 * nothing else. The private column is never selected here.
 */
export async function findFeedbackForStudent(db: Db, occurrenceId: string, studentId: string): Promise<string | null> {
  const rows = await db
    .select({ forStudent: meetingFeedback.forStudent })
    .from(meetingFeedback)
    .where(and(eq(meetingFeedback.occurrenceId, occurrenceId), eq(meetingFeedback.studentId, studentId), sql`${meetingFeedback.finishedAt} is not null`));
  return rows[0]?.forStudent || null;
}

export interface FeedbackWrite {
  occurrenceId: string;
  studentId: string;
  courseId: string;
  authorId: string;
  forStudent: string;
  private: string;
  prerequisite: Prerequisite | null;
  mastery: Mastery | null;
  topicTagId: string | null;
  /** Finishing: stamped once and kept when the feedback is changed later. */
  finish: boolean;
}

/** Saves one student's feedback. A finished one stays finished: the database keeps its first finish time. */
export async function saveFeedback(db: Db, row: FeedbackWrite, at: Date): Promise<void> {
  const { finish, ...fields } = row;
  await db
    .insert(meetingFeedback)
    .values({ ...fields, finishedAt: finish ? at : null, createdAt: at, updatedAt: at })
    .onConflictDoUpdate({
      target: [meetingFeedback.occurrenceId, meetingFeedback.studentId],
      set: {
        authorId: fields.authorId,
        forStudent: fields.forStudent,
        private: fields.private,
        prerequisite: fields.prerequisite,
        mastery: fields.mastery,
        topicTagId: fields.topicTagId,
        finishedAt: finish ? sql`coalesce(${meetingFeedback.finishedAt}, ${at})` : meetingFeedback.finishedAt,
        updatedAt: at,
      },
    });
}

// ---- Topic tags -----------------------------------------------------------------------------

export interface TopicTag {
  id: string;
  name: string;
  retiredAt: Date | null;
}

/** The site's topic tags: the active ones, and the retired ones named in `keep` (already in use here). */
export async function listTopicTags(db: Db, platformId: string, keep: string[]): Promise<TopicTag[]> {
  const kept = keep.length ? sql`or ${inArray(tags.id, keep)}` : sql``;
  return db
    .select({ id: tags.id, name: tags.name, retiredAt: tags.retiredAt })
    .from(tags)
    .where(and(eq(tags.platformId, platformId), eq(tags.category, 'topic'), sql`(${tags.retiredAt} is null ${kept})`));
}

/** The Topic tags on the session (its series), first by name: the feedback's default topic. */
export async function listSessionTopicTagIds(db: Db, seriesId: string): Promise<string[]> {
  const rows = await db
    .select({ id: tags.id })
    .from(seriesTags)
    .innerJoin(tags, eq(tags.id, seriesTags.tagId))
    .where(and(eq(seriesTags.seriesId, seriesId), eq(tags.category, 'topic')))
    .orderBy(asc(tags.name));
  return rows.map((r) => r.id);
}

// ---- Rating ---------------------------------------------------------------------------------

export async function listExitResources(db: Db, seriesId: string) {
  return db
    .select({ title: sessionResources.title, url: sessionResources.url })
    .from(sessionResources)
    .where(and(eq(sessionResources.seriesId, seriesId), eq(sessionResources.kind, 'exit')))
    .orderBy(asc(sessionResources.position));
}

export async function findRating(db: Db, occurrenceId: string, studentId: string) {
  const rows = await db
    .select({ stars: ratings.stars, comment: ratings.comment, updatedAt: ratings.updatedAt })
    .from(ratings)
    .where(and(eq(ratings.occurrenceId, occurrenceId), eq(ratings.studentId, studentId)));
  return rows[0];
}

/** One rating per student and occurrence: a second save changes it. */
export async function saveRating(db: Db, row: { occurrenceId: string; studentId: string; courseId: string; stars: number; comment: string }, at: Date): Promise<void> {
  await db
    .insert(ratings)
    .values({ ...row, createdAt: at, updatedAt: at })
    .onConflictDoUpdate({ target: [ratings.occurrenceId, ratings.studentId], set: { stars: row.stars, comment: row.comment, updatedAt: at } });
}
