// The only place the notifications content side touches Drizzle (the outbox has its own file).
// Functions return flat rows.
import { and, asc, eq, gt, gte, inArray, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { SeriesRow } from '../scheduling/queries.js';
import { courses, memberships, occurrences, outbox, pendingDestinations, rsvps, seriesInvitees, sessionSeries, users } from '../db/schema.js';

// A series row is read one way everywhere: scheduling owns the reader.
export { findSeries, type SeriesRow } from '../scheduling/queries.js';
export type OccurrenceRow = typeof occurrences.$inferSelect;

export interface Person {
  userId: string;
  name: string;
  email: string | null;
  timeZone: string | null;
  role: 'tutor' | 'student';
  /** The meeting link from the person's Edit settings (tutors). */
  meetingUrl: string | null;
}

export async function listSeriesOccurrences(db: Db, seriesIds: string[]): Promise<OccurrenceRow[]> {
  if (seriesIds.length === 0) return [];
  return db.select().from(occurrences).where(inArray(occurrences.seriesId, seriesIds)).orderBy(asc(occurrences.startsAt));
}

/** The series directly split or detached from these ones. */
export async function listChildSeries(db: Db, parentIds: string[]): Promise<SeriesRow[]> {
  if (parentIds.length === 0) return [];
  return db.select().from(sessionSeries).where(inArray(sessionSeries.parentSeriesId, parentIds));
}

export async function listInvitees(db: Db, seriesId: string): Promise<Person[]> {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, timeZone: users.timeZone, role: seriesInvitees.role, meetingUrl: users.meetingUrl })
    .from(seriesInvitees)
    .innerJoin(users, eq(users.id, seriesInvitees.userId))
    .where(eq(seriesInvitees.seriesId, seriesId))
    .orderBy(asc(users.name));
}

export async function findCourseTitle(db: Db, courseId: string): Promise<string> {
  return (await db.select({ title: courses.title }).from(courses).where(eq(courses.id, courseId)))[0]?.title ?? '';
}

export async function findUserName(db: Db, userId: string): Promise<string> {
  return (await db.select({ name: users.name }).from(users).where(eq(users.id, userId)))[0]?.name ?? '';
}

/** Scheduled occurrences starting in (after, until], with each invitee who wants reminders and has not declined. */
/** The outbox dedupe key of one reminder; listReminderCandidates builds the same text in SQL. */
export function reminderKey(occurrenceId: string, userId: string, lead: number): string {
  return `reminder:${occurrenceId}:${userId}:${lead}`;
}

/**
 * Invitees with reminders on, who have not declined, of scheduled occurrences starting in
 * [from, until], whose reminder of this lead is not queued yet.
 */
export async function listReminderCandidates(db: Db, window: { from: Date; until: Date; lead: number }) {
  const declined = sql`exists (select 1 from ${rsvps} r where r.occurrence_id = ${occurrences.id} and r.user_id = ${users.id} and r.response = 'declined')`;
  const key = sql`'reminder:' || ${occurrences.id}::text || ':' || ${users.id}::text || ':' || ${String(window.lead)}`;
  const queued = sql`exists (select 1 from ${outbox} m where m.dedupe_key = ${key})`;
  return db
    .select({
      occurrenceId: occurrences.id,
      seriesId: occurrences.seriesId,
      courseId: occurrences.courseId,
      startsAt: occurrences.startsAt,
      endsAt: occurrences.endsAt,
      userId: users.id,
      name: users.name,
      email: users.email,
      timeZone: users.timeZone,
    })
    .from(occurrences)
    .innerJoin(seriesInvitees, eq(seriesInvitees.seriesId, occurrences.seriesId))
    .innerJoin(users, eq(users.id, seriesInvitees.userId))
    .where(
      and(
        eq(occurrences.status, 'scheduled'),
        gte(occurrences.startsAt, window.from),
        lte(occurrences.startsAt, window.until),
        eq(users.remindersEnabled, true),
        sql`not ${declined}`,
        sql`not ${queued}`,
      ),
    )
    .orderBy(asc(occurrences.startsAt));
}

/** Series a person is invited to or created, with an occurrence in [from, to). */
export async function listFeedSeries(db: Db, userId: string, from: Date, to: Date): Promise<SeriesRow[]> {
  const invited = sql`exists (select 1 from ${seriesInvitees} si where si.series_id = ${sessionSeries.id} and si.user_id = ${userId})`;
  const inWindow = sql`exists (select 1 from ${occurrences} o where o.series_id = ${sessionSeries.id} and o.starts_at >= ${from} and o.starts_at < ${to})`;
  return db
    .select()
    .from(sessionSeries)
    .where(and(or(invited, eq(sessionSeries.createdBy, userId)), inWindow))
    .orderBy(asc(sessionSeries.startDate))
    .limit(500);
}

// ---- the person's settings -------------------------------------------------------------------

export async function findNotificationSettings(db: Db, userId: string) {
  return (await db.select({ remindersEnabled: users.remindersEnabled, feedTokenHash: users.feedTokenHash }).from(users).where(eq(users.id, userId)))[0];
}

export async function setRemindersEnabled(db: Db, userId: string, enabled: boolean) {
  await db.update(users).set({ remindersEnabled: enabled, updatedAt: sql`now()` }).where(eq(users.id, userId));
}

export async function setFeedTokenHash(db: Db, userId: string, hash: string | null) {
  await db.update(users).set({ feedTokenHash: hash, updatedAt: sql`now()` }).where(eq(users.id, userId));
}

export async function findUserByFeedHash(db: Db, hash: string) {
  return (await db.select({ userId: users.id, name: users.name, timeZone: users.timeZone }).from(users).where(and(eq(users.feedTokenHash, hash), ne(users.feedTokenHash, ''))))[0];
}

// ---- email links and the next launch ----------------------------------------------------------

/** The occurrence's course, when this person is a member of it. */
export async function findOccurrenceForMember(db: Db, occurrenceId: string, userId: string) {
  const rows = await db
    .select({ occurrenceId: occurrences.id, courseId: occurrences.courseId, courseTitle: courses.title })
    .from(occurrences)
    .innerJoin(courses, eq(courses.id, occurrences.courseId))
    .innerJoin(memberships, and(eq(memberships.courseId, occurrences.courseId), eq(memberships.userId, userId), isNull(memberships.endedAt)))
    .where(eq(occurrences.id, occurrenceId));
  return rows[0];
}

export async function savePendingDestination(db: Db, row: { userId: string; courseId: string; occurrenceId: string; expiresAt: Date }) {
  await db
    .insert(pendingDestinations)
    .values(row)
    .onConflictDoUpdate({ target: pendingDestinations.userId, set: { courseId: row.courseId, occurrenceId: row.occurrenceId, expiresAt: row.expiresAt, createdAt: sql`now()` } });
}

/** Removes and returns the person's pending destination in this course (used once). */
export async function takePendingDestination(db: Db, userId: string, courseId: string) {
  const rows = await db
    .delete(pendingDestinations)
    .where(and(eq(pendingDestinations.userId, userId), eq(pendingDestinations.courseId, courseId)))
    .returning();
  return rows[0];
}

/** Per series, the meeting links its tutors set in Edit settings (for series without their own). */
export async function listTutorMeetingUrls(db: Db, seriesIds: string[]): Promise<Map<string, string>> {
  if (seriesIds.length === 0) return new Map();
  const rows = await db
    .select({ seriesId: seriesInvitees.seriesId, url: users.meetingUrl })
    .from(seriesInvitees)
    .innerJoin(users, eq(users.id, seriesInvitees.userId))
    .where(and(inArray(seriesInvitees.seriesId, seriesIds), eq(seriesInvitees.role, 'tutor'), sql`${users.meetingUrl} is not null`))
    .orderBy(asc(users.name));
  const urls = new Map<string, string>();
  for (const row of rows) if (row.url && !urls.has(row.seriesId)) urls.set(row.seriesId, row.url);
  return urls;
}
