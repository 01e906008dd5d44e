// What the conflict check and the Scheduling assistant read: people's availability rules and
// the sessions that already keep them busy. The only place src/availability touches Drizzle
// (besides the settings, which own their writes).
import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { availabilityExceptions, availabilityHours, occurrences, rsvps, seriesInvitees, sessionSeries, users } from '../db/schema.js';
import type { AvailabilityRules, Span } from './intervals.js';

export interface PersonRow {
  userId: string;
  name: string;
  timeZone: string | null;
}

export async function listPeople(db: Db, userIds: string[]): Promise<PersonRow[]> {
  if (userIds.length === 0) return [];
  return db.select({ userId: users.id, name: users.name, timeZone: users.timeZone }).from(users).where(inArray(users.id, userIds));
}

/**
 * Each person's weekly hours and the exceptions dated within [fromDate, toDate] (local dates).
 * A person's rows share one zone (settings rewrite them together); `fallbackZone` covers
 * people who have no rows.
 */
export async function loadRules(db: Db, people: PersonRow[], fromDate: string, toDate: string, fallbackZone: string): Promise<Map<string, AvailabilityRules>> {
  const ids = people.map((p) => p.userId);
  const rules = new Map<string, AvailabilityRules>(people.map((p) => [p.userId, { zone: p.timeZone ?? fallbackZone, weekly: [], exceptions: [] }]));
  if (ids.length === 0) return rules;
  const [hours, exceptions] = await Promise.all([
    db
      .select({ userId: availabilityHours.userId, weekday: availabilityHours.weekday, start: availabilityHours.startTime, end: availabilityHours.endTime, zone: availabilityHours.timeZone })
      .from(availabilityHours)
      .where(inArray(availabilityHours.userId, ids)),
    db
      .select({
        userId: availabilityExceptions.userId,
        date: availabilityExceptions.date,
        kind: availabilityExceptions.kind,
        start: availabilityExceptions.startTime,
        end: availabilityExceptions.endTime,
        zone: availabilityExceptions.timeZone,
      })
      .from(availabilityExceptions)
      .where(and(inArray(availabilityExceptions.userId, ids), sql`${availabilityExceptions.date} between ${fromDate} and ${toDate}`)),
  ]);
  for (const h of hours) {
    const r = rules.get(h.userId)!;
    r.zone = h.zone;
    r.weekly.push({ weekday: h.weekday, start: hhmm(h.start), end: hhmm(h.end) });
  }
  for (const e of exceptions) {
    const r = rules.get(e.userId)!;
    if (r.weekly.length === 0) r.zone = e.zone;
    r.exceptions.push({ date: e.date, kind: e.kind, start: e.start && hhmm(e.start), end: e.end && hhmm(e.end) });
  }
  return rules;
}

/** '16:00:00' -> '16:00'; PostgreSQL prints the end of day as '24:00:00'. */
function hhmm(time: string): string {
  return time.slice(0, 5);
}

export interface BusyRow {
  userId: string;
  occurrenceId: string;
  seriesId: string;
  courseId: string;
  sessionName: string;
  startsAt: Date;
  endsAt: Date;
  /** Whether the person tutors that session (tutors can never be in two at once). */
  asTutor: boolean;
}

/**
 * Scheduled sessions that keep these people busy during any of `spans`: the ones they are
 * invited to, and open sessions they said they are going to. Sessions of `excludeSeriesIds`
 * (the series being edited) are left out.
 */
export async function listBusy(db: Db, userIds: string[], spans: Span[], excludeSeriesIds: string[] = []): Promise<BusyRow[]> {
  if (userIds.length === 0 || spans.length === 0) return [];
  const from = new Date(Math.min(...spans.map((s) => s.start)));
  const to = new Date(Math.max(...spans.map((s) => s.end)));
  // One multirange of the proposed times: the index narrows to [from, to), the multirange to
  // the occurrences that really overlap one of them (a weekly series has 51 gaps in a year).
  const wanted = `{${spans.map((s) => `[${new Date(s.start).toISOString()},${new Date(s.end).toISOString()})`).join(',')}}`;
  const overlapping = and(
    eq(occurrences.status, 'scheduled'),
    sql`${occurrences.startsAt} < ${to}`,
    sql`${occurrences.endsAt} > ${from}`,
    sql`tstzrange(${occurrences.startsAt}, ${occurrences.endsAt}) && ${wanted}::tstzmultirange`,
    excludeSeriesIds.length > 0 ? notInArray(occurrences.seriesId, excludeSeriesIds) : undefined,
  );
  const columns = {
    occurrenceId: occurrences.id,
    seriesId: occurrences.seriesId,
    courseId: occurrences.courseId,
    sessionName: sessionSeries.name,
    startsAt: occurrences.startsAt,
    endsAt: occurrences.endsAt,
  };
  const [invited, going] = await Promise.all([
    db
      .select({ ...columns, userId: seriesInvitees.userId, role: seriesInvitees.role })
      .from(seriesInvitees)
      .innerJoin(occurrences, eq(occurrences.seriesId, seriesInvitees.seriesId))
      .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
      .where(and(inArray(seriesInvitees.userId, userIds), overlapping))
      .orderBy(asc(occurrences.startsAt)),
    db
      .select({ ...columns, userId: rsvps.userId })
      .from(rsvps)
      .innerJoin(occurrences, eq(occurrences.id, rsvps.occurrenceId))
      .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
      .where(and(inArray(rsvps.userId, userIds), eq(rsvps.response, 'going'), overlapping))
      .orderBy(asc(occurrences.startsAt)),
  ]);
  const seen = new Set(invited.map((r) => `${r.userId}/${r.occurrenceId}`));
  return [
    ...invited.map(({ role, ...r }) => ({ ...r, asTutor: role === 'tutor' })),
    ...going.filter((r) => !seen.has(`${r.userId}/${r.occurrenceId}`)).map((r) => ({ ...r, asTutor: false })),
  ];
}
