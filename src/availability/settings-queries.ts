// The writes (and the reads for the page) of Edit settings: a person's time zone, weekly hours,
// date exceptions and meeting URL. The only place the settings touch Drizzle; rows come back flat.
import { and, asc, eq, gte } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { availabilityExceptions, availabilityHours, users } from '../db/schema.js';
import type { ExceptionKind, WeeklyHours } from './intervals.js';

export interface PersonRow {
  timeZone: string | null;
  meetingUrl: string | null;
}

export interface ExceptionRow {
  id: string;
  date: string;
  kind: ExceptionKind;
  /** HH:mm, or null for a day off. */
  start: string | null;
  end: string | null;
}

/** '16:00:00' -> '16:00'; PostgreSQL prints the end of the day as '24:00:00'. */
const hhmm = (time: string) => time.slice(0, 5);

export async function findPerson(db: Db, userId: string): Promise<PersonRow | undefined> {
  const rows = await db.select({ timeZone: users.timeZone, meetingUrl: users.meetingUrl }).from(users).where(eq(users.id, userId));
  return rows[0];
}

export async function listWeeklyHours(db: Db, userId: string): Promise<WeeklyHours[]> {
  const rows = await db
    .select({ weekday: availabilityHours.weekday, start: availabilityHours.startTime, end: availabilityHours.endTime })
    .from(availabilityHours)
    .where(eq(availabilityHours.userId, userId))
    .orderBy(asc(availabilityHours.weekday), asc(availabilityHours.startTime));
  return rows.map((r) => ({ weekday: r.weekday, start: hhmm(r.start), end: hhmm(r.end) }));
}

export async function replaceWeeklyHours(db: Db, userId: string, hours: WeeklyHours[], timeZone: string): Promise<void> {
  await db.delete(availabilityHours).where(eq(availabilityHours.userId, userId));
  if (hours.length === 0) return;
  await db.insert(availabilityHours).values(hours.map((h) => ({ userId, weekday: h.weekday, startTime: h.start, endTime: h.end, timeZone })));
}

export async function setTimeZone(db: Db, userId: string, timeZone: string): Promise<void> {
  await db.update(users).set({ timeZone }).where(eq(users.id, userId));
}

/** Availability keeps its local times in the new zone: only the zone of each row changes. */
export async function moveAvailabilityToZone(db: Db, userId: string, timeZone: string): Promise<number> {
  const hours = await db.update(availabilityHours).set({ timeZone }).where(eq(availabilityHours.userId, userId)).returning({ id: availabilityHours.id });
  const exceptions = await db
    .update(availabilityExceptions)
    .set({ timeZone })
    .where(eq(availabilityExceptions.userId, userId))
    .returning({ id: availabilityExceptions.id });
  return hours.length + exceptions.length;
}

const exceptionColumns = {
  id: availabilityExceptions.id,
  date: availabilityExceptions.date,
  kind: availabilityExceptions.kind,
  start: availabilityExceptions.startTime,
  end: availabilityExceptions.endTime,
};

const flatException = (r: { id: string; date: string; kind: ExceptionKind; start: string | null; end: string | null }): ExceptionRow => ({
  ...r,
  start: r.start && hhmm(r.start),
  end: r.end && hhmm(r.end),
});

/** The person's exceptions dated `fromDate` (YYYY-MM-DD) or later, earliest first. */
export async function listExceptionsFrom(db: Db, userId: string, fromDate: string): Promise<ExceptionRow[]> {
  const rows = await db
    .select(exceptionColumns)
    .from(availabilityExceptions)
    .where(and(eq(availabilityExceptions.userId, userId), gte(availabilityExceptions.date, fromDate)))
    .orderBy(asc(availabilityExceptions.date), asc(availabilityExceptions.startTime), asc(availabilityExceptions.createdAt));
  return rows.map(flatException);
}

export async function listExceptionsOn(db: Db, userId: string, date: string): Promise<ExceptionRow[]> {
  const rows = await db
    .select(exceptionColumns)
    .from(availabilityExceptions)
    .where(and(eq(availabilityExceptions.userId, userId), eq(availabilityExceptions.date, date)));
  return rows.map(flatException);
}

export interface NewException {
  userId: string;
  date: string;
  kind: ExceptionKind;
  start: string | null;
  end: string | null;
  timeZone: string;
}

export async function insertException(db: Db, e: NewException): Promise<ExceptionRow> {
  const [row] = await db
    .insert(availabilityExceptions)
    .values({ userId: e.userId, date: e.date, kind: e.kind, startTime: e.start, endTime: e.end, timeZone: e.timeZone })
    .returning(exceptionColumns);
  return flatException(row!);
}

/** Deletes one of the person's own exceptions; someone else's id deletes nothing. */
export async function deleteException(db: Db, userId: string, exceptionId: string): Promise<ExceptionRow | undefined> {
  const [row] = await db
    .delete(availabilityExceptions)
    .where(and(eq(availabilityExceptions.id, exceptionId), eq(availabilityExceptions.userId, userId)))
    .returning(exceptionColumns);
  return row && flatException(row);
}

export async function setMeetingUrl(db: Db, userId: string, meetingUrl: string | null): Promise<void> {
  await db.update(users).set({ meetingUrl }).where(eq(users.id, userId));
}
