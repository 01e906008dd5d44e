// The only place the scheduling module touches Drizzle. Functions return flat rows.
import { and, asc, eq, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  courses,
  memberships,
  occurrences,
  seriesInvitees,
  seriesTags,
  sessionResources,
  sessionSeries,
  tags,
  users,
} from '../db/schema.js';

export type ResourceKind = 'before' | 'exit';

export interface NewSeries {
  courseId: string;
  createdBy: string;
  name: string;
  description: string;
  timeZone: string;
  startDate: string;
  startTime: string;
  durationMinutes: number;
  repeat: unknown;
  invitedOnly: boolean;
  meetingUrl: string | null;
  autoResources: boolean;
}

export async function insertSeries(db: Db, series: NewSeries): Promise<string> {
  const [row] = await db.insert(sessionSeries).values(series).returning({ id: sessionSeries.id });
  return row!.id;
}

export async function insertSeriesTags(db: Db, seriesId: string, courseId: string, tagIds: string[]) {
  if (tagIds.length === 0) return;
  await db.insert(seriesTags).values(tagIds.map((tagId) => ({ seriesId, courseId, tagId })));
}

export async function insertResources(db: Db, seriesId: string, courseId: string, resources: { kind: ResourceKind; title: string; url: string }[]) {
  if (resources.length === 0) return;
  await db.insert(sessionResources).values(resources.map((r, position) => ({ ...r, seriesId, courseId, position })));
}

export async function insertInvitees(db: Db, seriesId: string, courseId: string, invitees: { userId: string; role: 'tutor' | 'student' }[]) {
  if (invitees.length === 0) return;
  await db.insert(seriesInvitees).values(invitees.map((i) => ({ ...i, seriesId, courseId })));
}

export async function insertOccurrences(db: Db, seriesId: string, courseId: string, list: { start: Date; end: Date }[]) {
  // Inserted in chunks: a 500-occurrence series stays well under the bind-parameter limit.
  for (let i = 0; i < list.length; i += 200) {
    const chunk = list.slice(i, i + 200);
    await db.insert(occurrences).values(chunk.map((o) => ({ seriesId, courseId, startsAt: o.start, endsAt: o.end, originalStartsAt: o.start })));
  }
}

/** Members of a course with a given role, for the Tutors and Students pickers. */
export async function listMembers(db: Db, courseId: string, roles: ('instructor' | 'tutor' | 'student')[]) {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.courseId, courseId), inArray(memberships.role, roles), isNull(memberships.endedAt)))
    .orderBy(asc(users.name));
}

/** The courses where the person may schedule (the "Community" choice). */
export async function listSchedulingCourses(db: Db, userId: string, roles: ('admin' | 'instructor' | 'tutor')[]) {
  return db
    .select({ courseId: courses.id, title: courses.title, role: memberships.role })
    .from(memberships)
    .innerJoin(courses, eq(courses.id, memberships.courseId))
    .where(and(eq(memberships.userId, userId), inArray(memberships.role, roles), isNull(memberships.endedAt)))
    .orderBy(asc(courses.title));
}

export async function findMembershipRole(db: Db, userId: string, courseId: string) {
  const rows = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.courseId, courseId), isNull(memberships.endedAt)));
  return rows[0]?.role;
}

export async function findUserPlatform(db: Db, userId: string) {
  const rows = await db.select({ platformId: users.platformId, timeZone: users.timeZone }).from(users).where(eq(users.id, userId));
  return rows[0];
}

/**
 * Occurrences a person may see in one course within [from, to): staff see every session of the
 * course; tutors and students see what they are invited to, what they created, and (students)
 * sessions open to the whole course.
 */
export async function listVisibleOccurrences(
  db: Db,
  viewer: { userId: string; courseId: string; seesAll: boolean },
  window: { from: Date; to: Date },
  limit = 200,
) {
  const invited = sql`exists (select 1 from ${seriesInvitees} si where si.series_id = ${sessionSeries.id} and si.user_id = ${viewer.userId})`;
  const visibility = viewer.seesAll
    ? sql`true`
    : or(invited, eq(sessionSeries.createdBy, viewer.userId), eq(sessionSeries.invitedOnly, false));
  return db
    .select({
      occurrenceId: occurrences.id,
      seriesId: sessionSeries.id,
      name: sessionSeries.name,
      startsAt: occurrences.startsAt,
      endsAt: occurrences.endsAt,
      status: occurrences.status,
      invitedOnly: sessionSeries.invitedOnly,
    })
    .from(occurrences)
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .where(
      and(
        eq(occurrences.courseId, viewer.courseId),
        gte(occurrences.startsAt, window.from),
        lt(occurrences.startsAt, window.to),
        visibility,
      ),
    )
    .orderBy(asc(occurrences.startsAt))
    .limit(limit);
}

export async function findOccurrence(db: Db, courseId: string, occurrenceId: string) {
  const rows = await db
    .select({
      occurrenceId: occurrences.id,
      startsAt: occurrences.startsAt,
      endsAt: occurrences.endsAt,
      status: occurrences.status,
      series: sessionSeries,
      courseTitle: courses.title,
    })
    .from(occurrences)
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .innerJoin(courses, eq(courses.id, occurrences.courseId))
    .where(and(eq(occurrences.courseId, courseId), eq(occurrences.id, occurrenceId)));
  return rows[0];
}

export async function listSeriesInvitees(db: Db, seriesId: string) {
  return db
    // hasEmail: the session page marks invitees who get no emails ("no email on file").
    .select({ userId: users.id, name: users.name, role: seriesInvitees.role, hasEmail: sql<boolean>`coalesce(trim(${users.email}), '') <> ''` })
    .from(seriesInvitees)
    .innerJoin(users, eq(users.id, seriesInvitees.userId))
    .where(eq(seriesInvitees.seriesId, seriesId))
    .orderBy(asc(users.name));
}

export async function listSeriesTags(db: Db, seriesId: string) {
  return db
    .select({ id: tags.id, name: tags.name, category: tags.category })
    .from(seriesTags)
    .innerJoin(tags, eq(tags.id, seriesTags.tagId))
    .where(eq(seriesTags.seriesId, seriesId))
    .orderBy(asc(tags.category), asc(tags.name));
}

export async function listSeriesResources(db: Db, seriesId: string) {
  return db
    .select({ kind: sessionResources.kind, title: sessionResources.title, url: sessionResources.url })
    .from(sessionResources)
    .where(eq(sessionResources.seriesId, seriesId))
    .orderBy(asc(sessionResources.kind), asc(sessionResources.position));
}

// ---- editing and cancelling ----------------------------------------------------------------

export type SeriesRow = typeof sessionSeries.$inferSelect;

export async function findOccurrenceWithSeries(db: Db, courseId: string, occurrenceId: string) {
  const rows = await db
    .select({ occurrence: occurrences, series: sessionSeries })
    .from(occurrences)
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .where(and(eq(occurrences.courseId, courseId), eq(occurrences.id, occurrenceId)));
  return rows[0];
}

/** The series' occurrences starting at or after `from`, in time order. */
export async function listOccurrencesFrom(db: Db, seriesId: string, from: Date) {
  return db
    .select()
    .from(occurrences)
    .where(and(eq(occurrences.seriesId, seriesId), gte(occurrences.startsAt, from)))
    .orderBy(asc(occurrences.startsAt));
}

export async function updateSeries(db: Db, seriesId: string, fields: Partial<NewSeries> & { excludedDates?: string[]; parentSeriesId?: string | null }) {
  await db
    .update(sessionSeries)
    .set({ ...fields, sequence: sql`${sessionSeries.sequence} + 1`, updatedAt: sql`now()` })
    .where(eq(sessionSeries.id, seriesId));
}

export async function insertChildSeries(db: Db, series: NewSeries & { parentSeriesId: string; excludedDates: string[] }): Promise<string> {
  const [row] = await db.insert(sessionSeries).values(series).returning({ id: sessionSeries.id });
  return row!.id;
}

/** Replaces a series' tags, resources and invitees with the edited ones. */
export async function replaceSeriesDetails(
  db: Db,
  seriesId: string,
  courseId: string,
  details: { tagIds: string[]; resources: { kind: ResourceKind; title: string; url: string }[]; invitees: { userId: string; role: 'tutor' | 'student' }[] },
) {
  await db.delete(seriesTags).where(eq(seriesTags.seriesId, seriesId));
  await db.delete(sessionResources).where(eq(sessionResources.seriesId, seriesId));
  await db.delete(seriesInvitees).where(eq(seriesInvitees.seriesId, seriesId));
  await insertSeriesTags(db, seriesId, courseId, details.tagIds);
  await insertResources(db, seriesId, courseId, details.resources);
  await insertInvitees(db, seriesId, courseId, details.invitees);
}

/**
 * Moves an occurrence (keeping its id, so RSVPs and feedback stay attached) to a series and time.
 * `ruleStart` is the start its new series' rule gives it, when it now follows that rule.
 */
export async function moveOccurrence(db: Db, occurrenceId: string, seriesId: string, start: Date, end: Date, ruleStart?: Date) {
  await db
    .update(occurrences)
    .set({ seriesId, startsAt: start, endsAt: end, ...(ruleStart ? { originalStartsAt: ruleStart } : {}), updatedAt: sql`now()` })
    .where(eq(occurrences.id, occurrenceId));
}

export async function deleteOccurrences(db: Db, ids: string[]) {
  if (ids.length === 0) return;
  await db.delete(occurrences).where(inArray(occurrences.id, ids));
}

export async function cancelOccurrences(db: Db, ids: string[]) {
  if (ids.length === 0) return;
  await db
    .update(occurrences)
    .set({ status: 'cancelled', updatedAt: sql`now()` })
    .where(and(inArray(occurrences.id, ids), eq(occurrences.status, 'scheduled')));
}

export async function isSeriesTutor(db: Db, seriesId: string, userId: string): Promise<boolean> {
  const rows = await db
    .select({ userId: seriesInvitees.userId })
    .from(seriesInvitees)
    .where(and(eq(seriesInvitees.seriesId, seriesId), eq(seriesInvitees.userId, userId), eq(seriesInvitees.role, 'tutor')));
  return rows.length > 0;
}

export async function listSeriesTagIds(db: Db, seriesId: string): Promise<string[]> {
  const rows = await db.select({ tagId: seriesTags.tagId }).from(seriesTags).where(eq(seriesTags.seriesId, seriesId));
  return rows.map((r) => r.tagId);
}

/**
 * "Automatically show resources that match topic and grade level": the course's resources from
 * other sessions tagged with one of these Topic tags and, when grade levels are given, one of
 * these Grade level tags. Each link once.
 */
export async function listMatchingResources(db: Db, courseId: string, exceptSeriesId: string, topicTagIds: string[], gradeTagIds: string[]) {
  if (topicTagIds.length === 0 && gradeTagIds.length === 0) return [];
  const hasTag = (ids: string[]) =>
    ids.length === 0
      ? sql`true`
      : sql`exists (select 1 from ${seriesTags} st where st.series_id = ${sessionResources.seriesId} and st.tag_id in ${ids})`;
  return db
    .selectDistinctOn([sessionResources.url], { title: sessionResources.title, url: sessionResources.url })
    .from(sessionResources)
    .where(
      and(
        eq(sessionResources.courseId, courseId),
        eq(sessionResources.kind, 'before'),
        sql`${sessionResources.seriesId} <> ${exceptSeriesId}`,
        hasTag(topicTagIds),
        hasTag(gradeTagIds),
      ),
    )
    .orderBy(asc(sessionResources.url))
    .limit(50);
}

export async function findSeries(db: Db, seriesId: string) {
  const rows = await db.select().from(sessionSeries).where(eq(sessionSeries.id, seriesId));
  return rows[0];
}
