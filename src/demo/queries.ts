import { and, asc, desc, eq, gt, inArray, isNull, lt, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  attendance,
  availabilityHours,
  chatMessages,
  meetingFeedback,
  meetings,
  occurrences,
  ratings,
  rsvps,
  seriesInvitees,
  sessionSeries,
  settings,
  tags,
  tutorBookings,
  users,
} from '../db/schema.js';

export async function readSetting<T>(db: Db, key: string): Promise<T | undefined> {
  const rows = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
  return rows[0]?.value as T | undefined;
}

/** Stores a value unless one exists, and returns whichever value won (two instances may race). */
export async function insertSettingOnce<T>(db: Db, key: string, value: T): Promise<T> {
  await db.insert(settings).values({ key, value }).onConflictDoNothing();
  return (await readSetting<T>(db, key)) as T;
}

/** Gives a demo person a zone and weekly hours, once: what they change later in Edit settings stays. */
export async function seedAvailability(db: Db, userId: string, zone: string, ranges: { weekday: number; start: string; end: string }[]): Promise<void> {
  const [existing] = await db.select({ id: availabilityHours.id }).from(availabilityHours).where(eq(availabilityHours.userId, userId)).limit(1);
  const [user] = await db.select({ zone: users.timeZone }).from(users).where(eq(users.id, userId));
  if (existing || user?.zone) return;
  await db.update(users).set({ timeZone: zone }).where(eq(users.id, userId));
  await db.insert(availabilityHours).values(ranges.map((r) => ({ userId, weekday: r.weekday, startTime: r.start, endTime: r.end, timeZone: zone })));
}

/** Stores a value only if the key is new; true when this call stored it (the caller does the work once). */
export async function claimSetting(db: Db, key: string, value: unknown): Promise<boolean> {
  const rows = await db.insert(settings).values({ key, value }).onConflictDoNothing().returning({ key: settings.key });
  return rows.length > 0;
}

export async function writeSetting(db: Db, key: string, value: unknown): Promise<void> {
  await db
    .insert(settings)
    .values({ key, value })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: sql`now()` } });
}

/** Serialises the callers of one piece of demo work across instances, until the transaction ends. */
export async function lockForTransaction(tx: Db, lockId: number): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${lockId})`);
}

/** The ids of the demo people, by their LMS `sub`. */
export async function findUserIds(db: Db, platformId: string, subs: string[]): Promise<Map<string, string>> {
  const rows = await db
    .select({ id: users.id, sub: users.sub })
    .from(users)
    .where(and(eq(users.platformId, platformId), inArray(users.sub, subs)));
  return new Map(rows.map((r) => [r.sub, r.id]));
}

/** The platform's Topic tag of this name (ignoring case, as the catalogue does), created if missing. */
export async function findOrCreateTopicTag(db: Db, platformId: string, name: string): Promise<string> {
  const named = and(eq(tags.platformId, platformId), eq(tags.category, 'topic'), sql`lower(${tags.name}) = lower(${name})`);
  await db.insert(tags).values({ platformId, category: 'topic', name }).onConflictDoNothing();
  const [row] = await db.select({ id: tags.id }).from(tags).where(named);
  return row!.id;
}

/** The active Topic tag of this name, if the platform has one. */
export async function findTopicTag(db: Db, platformId: string, name: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: tags.id })
    .from(tags)
    .where(and(eq(tags.platformId, platformId), eq(tags.category, 'topic'), isNull(tags.retiredAt), sql`lower(${tags.name}) = lower(${name})`));
  return row?.id;
}

/** Bookings of these tutors that overlap [from, to), earliest first. */
export async function listBookings(db: Db, tutorIds: string[], from: Date, to: Date) {
  if (tutorIds.length === 0) return [];
  return db
    .select({ tutorId: tutorBookings.tutorId, startsAt: tutorBookings.startsAt, endsAt: tutorBookings.endsAt })
    .from(tutorBookings)
    .where(and(inArray(tutorBookings.tutorId, tutorIds), lt(tutorBookings.startsAt, to), gt(tutorBookings.endsAt, from)))
    .orderBy(asc(tutorBookings.startsAt));
}

export async function setOccurrenceStatus(db: Db, occurrenceId: string, status: 'scheduled' | 'cancelled' | 'ended'): Promise<void> {
  await db.update(occurrences).set({ status, updatedAt: sql`now()` }).where(eq(occurrences.id, occurrenceId));
}

export interface RunRecords {
  meetings: (typeof meetings.$inferInsert)[];
  attendance: (typeof attendance.$inferInsert)[];
  chat: (typeof chatMessages.$inferInsert)[];
  feedback: (typeof meetingFeedback.$inferInsert)[];
  ratings: (typeof ratings.$inferInsert)[];
  rsvps: (typeof rsvps.$inferInsert)[];
}

/** Stores what happened in sessions, in chunks so a long history stays under the bind-parameter limit. */
export async function insertRunRecords(db: Db, records: RunRecords): Promise<void> {
  const chunks = <T>(rows: T[]) => Array.from({ length: Math.ceil(rows.length / 200) }, (_, i) => rows.slice(i * 200, i * 200 + 200));
  for (const rows of chunks(records.meetings)) await db.insert(meetings).values(rows);
  for (const rows of chunks(records.attendance)) await db.insert(attendance).values(rows);
  for (const rows of chunks(records.chat)) await db.insert(chatMessages).values(rows);
  for (const rows of chunks(records.feedback)) await db.insert(meetingFeedback).values(rows);
  for (const rows of chunks(records.ratings)) await db.insert(ratings).values(rows);
  for (const rows of chunks(records.rsvps)) await db.insert(rsvps).values(rows);
}

/**
 * An occurrence of the course that is active now (starts within `soonMinutes`, or in progress:
 * unstarted until its scheduled end, started until it ends or ends itself an hour after the
 * scheduled end) and has every one of `inviteeIds` invited.
 */
export async function findActiveOccurrence(db: Db, courseId: string, inviteeIds: string[], now: Date, soonMinutes: number): Promise<string | undefined> {
  const soon = new Date(now.getTime() + soonMinutes * 60_000);
  const invitedAll = sql`(select count(*) from ${seriesInvitees} i where i.series_id = ${occurrences.seriesId} and i.user_id in ${inviteeIds}) = ${inviteeIds.length}`;
  const running = sql`case when ${meetings.occurrenceId} is null then ${occurrences.endsAt} > ${now}
    else ${meetings.endedAt} is null and ${occurrences.endsAt} + interval '60 minutes' > ${now} end`;
  const [row] = await db
    .select({ id: occurrences.id })
    .from(occurrences)
    .leftJoin(meetings, eq(meetings.occurrenceId, occurrences.id))
    .where(and(eq(occurrences.courseId, courseId), eq(occurrences.status, 'scheduled'), lte(occurrences.startsAt, soon), running, invitedAll))
    .orderBy(desc(occurrences.startsAt))
    .limit(1);
  return row?.id;
}

/** An occurrence's schedule and, if it was run, its meeting. */
export async function findOccurrenceRun(db: Db, occurrenceId: string) {
  const [row] = await db
    .select({ seriesId: occurrences.seriesId, startsAt: occurrences.startsAt, endsAt: occurrences.endsAt, endedAt: meetings.endedAt })
    .from(occurrences)
    .leftJoin(meetings, eq(meetings.occurrenceId, occurrences.id))
    .where(eq(occurrences.id, occurrenceId));
  return row;
}

/** Moves a one-off session's scheduled end (occurrence and series agree on its length). */
export async function setOneOffEnd(db: Db, seriesId: string, occurrenceId: string, endsAt: Date, durationMinutes: number): Promise<void> {
  await db.update(occurrences).set({ endsAt, updatedAt: sql`now()` }).where(eq(occurrences.id, occurrenceId));
  await db
    .update(sessionSeries)
    .set({ durationMinutes, sequence: sql`${sessionSeries.sequence} + 1`, updatedAt: sql`now()` })
    .where(eq(sessionSeries.id, seriesId));
}
