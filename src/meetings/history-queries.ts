// What View meeting history and a session's record read. The only Drizzle code of history;
// functions return flat rows. A student's reads select only what a student may see: the private
// feedback and the diagnosis are never loaded for them.
import { aliasedTable, and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { attendance, courses, meetingFeedback, meetings, occurrences, ratings, seriesInvitees, seriesTags, sessionSeries, tags, users } from '../db/schema.js';

// A series' tags are read one way everywhere: scheduling owns the reader.
export { listSeriesTags } from '../scheduling/queries.js';

/** Whose history: everything in the course (staff), or what a tutor ran or a student was in. */
export interface HistoryScope {
  courseId: string;
  userId: string;
  kind: 'all' | 'tutor' | 'student';
}

export interface HistoryFilter {
  /** Sessions starting at or after. */
  from: Date | null;
  /** Sessions starting before. */
  until: Date | null;
  topicTagId: string | null;
}

const at = (instant: Date) => sql`${instant.toISOString()}::timestamptz`;

function inScope(scope: HistoryScope): SQL {
  const me = scope.userId;
  if (scope.kind === 'all') return sql`true`;
  const attended = (role: string) => sql`exists (select 1 from ${attendance} a where a.occurrence_id = ${occurrences.id} and a.user_id = ${me}${role ? sql` and a.role = ${role}` : sql``})`;
  if (scope.kind === 'tutor') {
    const invited = sql`exists (select 1 from ${seriesInvitees} si where si.series_id = ${sessionSeries.id} and si.user_id = ${me} and si.role = 'tutor')`;
    return sql`(${invited} or ${meetings.startedBy} = ${me} or ${attended('tutor')})`;
  }
  const invited = sql`exists (select 1 from ${seriesInvitees} si where si.series_id = ${sessionSeries.id} and si.user_id = ${me})`;
  return sql`(${invited} or ${attended('')})`;
}

/** Over: the meeting ended, or nobody started it and its scheduled end has passed. */
function isOver(now: Date): SQL {
  return sql`(${meetings.endedAt} is not null or ${occurrences.status} = 'ended' or (${meetings.occurrenceId} is null and ${occurrences.endsAt} <= ${at(now)}))`;
}

function matching(scope: HistoryScope, filter: HistoryFilter, now: Date): SQL {
  return and(
    eq(occurrences.courseId, scope.courseId),
    isOver(now),
    inScope(scope),
    filter.from ? sql`${occurrences.startsAt} >= ${at(filter.from)}` : undefined,
    filter.until ? sql`${occurrences.startsAt} < ${at(filter.until)}` : undefined,
    filter.topicTagId ? sql`exists (select 1 from ${seriesTags} st where st.series_id = ${sessionSeries.id} and st.tag_id = ${filter.topicTagId})` : undefined,
  )!;
}

/** One page of past sessions, newest first, with what each entry shows. */
export async function listHistory(db: Db, scope: HistoryScope, filter: HistoryFilter, now: Date, page: { limit: number; offset: number }) {
  const studentsAttended = sql<number>`(select count(*) from ${attendance} a where a.occurrence_id = ${occurrences.id} and a.role = 'student')::int`;
  const noShows = sql<number>`(select count(*) from ${seriesInvitees} si where si.series_id = ${sessionSeries.id} and si.role = 'student'
    and not exists (select 1 from ${attendance} a where a.occurrence_id = ${occurrences.id} and a.user_id = si.user_id))::int`;
  return db
    .select({
      occurrenceId: occurrences.id,
      name: sessionSeries.name,
      startsAt: occurrences.startsAt,
      endsAt: occurrences.endsAt,
      status: occurrences.status,
      startedAt: meetings.startedAt,
      endedAt: meetings.endedAt,
      tutors: sql<string | null>`(select string_agg(u.name, ', ' order by u.name) from ${seriesInvitees} si join ${users} u on u.id = si.user_id where si.series_id = ${sessionSeries.id} and si.role = 'tutor')`,
      studentsAttended,
      noShows,
      viewerAttended: sql<boolean>`exists (select 1 from ${attendance} a where a.occurrence_id = ${occurrences.id} and a.user_id = ${scope.userId})`,
    })
    .from(occurrences)
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .leftJoin(meetings, eq(meetings.occurrenceId, occurrences.id))
    .where(matching(scope, filter, now))
    .orderBy(desc(occurrences.startsAt), desc(occurrences.id))
    .limit(page.limit)
    .offset(page.offset);
}

export async function countHistory(db: Db, scope: HistoryScope, filter: HistoryFilter, now: Date): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(occurrences)
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .leftJoin(meetings, eq(meetings.occurrenceId, occurrences.id))
    .where(matching(scope, filter, now));
  return row?.count ?? 0;
}

/** The Topic tags on the course's sessions: the history filter's choices. */
export async function listCourseTopics(db: Db, courseId: string) {
  return db
    .selectDistinct({ id: tags.id, name: tags.name })
    .from(seriesTags)
    .innerJoin(tags, eq(tags.id, seriesTags.tagId))
    .where(and(eq(seriesTags.courseId, courseId), eq(tags.category, 'topic')))
    .orderBy(asc(tags.name), asc(tags.id));
}

// ---- One session's record -------------------------------------------------------------------

export async function findRecord(db: Db, courseId: string, occurrenceId: string) {
  const rows = await db
    .select({
      occurrenceId: occurrences.id,
      startsAt: occurrences.startsAt,
      endsAt: occurrences.endsAt,
      status: occurrences.status,
      seriesId: sessionSeries.id,
      name: sessionSeries.name,
      description: sessionSeries.description,
      durationMinutes: sessionSeries.durationMinutes,
      courseTitle: courses.title,
      meeting: { startedBy: meetings.startedBy, startedAt: meetings.startedAt, endedAt: meetings.endedAt, endedBy: meetings.endedBy },
    })
    .from(occurrences)
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .innerJoin(courses, eq(courses.id, occurrences.courseId))
    .leftJoin(meetings, eq(meetings.occurrenceId, occurrences.id))
    .where(and(eq(occurrences.courseId, courseId), eq(occurrences.id, occurrenceId)));
  const row = rows[0];
  // No meetings row: nobody started it.
  return row && { ...row, meeting: row.meeting ?? NOT_STARTED };
}

const NOT_STARTED = { startedBy: null, startedAt: null, endedAt: null, endedBy: null } as const;

export async function listInvitees(db: Db, seriesId: string) {
  return db
    .select({ userId: users.id, name: users.name, role: seriesInvitees.role })
    .from(seriesInvitees)
    .innerJoin(users, eq(users.id, seriesInvitees.userId))
    .where(eq(seriesInvitees.seriesId, seriesId))
    .orderBy(asc(users.name));
}

export async function listAttendance(db: Db, occurrenceId: string) {
  return db
    .select({
      userId: attendance.userId,
      name: users.name,
      role: attendance.role,
      firstJoinedAt: attendance.firstJoinedAt,
      lastLeftAt: attendance.lastLeftAt,
      lastSeenAt: attendance.lastSeenAt,
    })
    .from(attendance)
    .innerJoin(users, eq(users.id, attendance.userId))
    .where(eq(attendance.occurrenceId, occurrenceId))
    .orderBy(asc(users.name));
}

const authors = aliasedTable(users, 'authors');

/** All feedback on the session, with the private part and the diagnosis: for tutors and staff only. */
export async function listFullFeedback(db: Db, occurrenceId: string) {
  return db
    .select({
      studentId: meetingFeedback.studentId,
      studentName: users.name,
      authorName: authors.name,
      forStudent: meetingFeedback.forStudent,
      private: meetingFeedback.private,
      prerequisite: meetingFeedback.prerequisite,
      mastery: meetingFeedback.mastery,
      topic: tags.name,
      finishedAt: meetingFeedback.finishedAt,
    })
    .from(meetingFeedback)
    .innerJoin(users, eq(users.id, meetingFeedback.studentId))
    .innerJoin(authors, eq(authors.id, meetingFeedback.authorId))
    .leftJoin(tags, eq(tags.id, meetingFeedback.topicTagId))
    .where(eq(meetingFeedback.occurrenceId, occurrenceId))
    .orderBy(asc(users.name));
}

/** A student's own "Feedback for the student", once the tutor finished it. Nothing else of the row is read. */
export async function findStudentFeedback(db: Db, occurrenceId: string, studentId: string) {
  const rows = await db
    .select({ forStudent: meetingFeedback.forStudent, authorName: users.name })
    .from(meetingFeedback)
    .innerJoin(users, eq(users.id, meetingFeedback.authorId))
    .where(and(eq(meetingFeedback.occurrenceId, occurrenceId), eq(meetingFeedback.studentId, studentId), sql`${meetingFeedback.finishedAt} is not null`));
  return rows[0];
}

export async function listRatings(db: Db, occurrenceId: string, studentId?: string) {
  return db
    .select({ studentId: ratings.studentId, studentName: users.name, stars: ratings.stars, comment: ratings.comment, updatedAt: ratings.updatedAt })
    .from(ratings)
    .innerJoin(users, eq(users.id, ratings.studentId))
    .where(and(eq(ratings.occurrenceId, occurrenceId), studentId ? eq(ratings.studentId, studentId) : undefined))
    .orderBy(asc(users.name));
}
