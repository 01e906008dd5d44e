// Availability as the scheduler sees it: the conflict check behind the Add sessions alert and the
// Scheduling assistant's grid and "Next time everyone is free".
import type { Db } from '../db/client.js';
import { expandOccurrences, MAX_OCCURRENCES, type Occurrence, type SeriesTiming } from '../lib/recurrence.js';
import { instantOfWallClock, localDateOf } from '../lib/time.js';
import { conflictFinder, type Conflict, type Invitee, type Person } from './conflicts.js';
import { availableSpans, isSetUp, merge, uncovered, type Span } from './intervals.js';
import * as q from './queries.js';

export type { Invitee } from './conflicts.js';

export interface ConflictReport {
  occurrences: Occurrence[];
  people: Person[];
  conflicts: Conflict[];
}

const DAY_MS = 86_400_000;

/** Every invited person's conflicts with every occurrence `timing` yields. */
export async function checkConflicts(db: Db, input: { timing: SeriesTiming; invitees: Invitee[]; excludeSeriesIds?: string[] }): Promise<ConflictReport> {
  const occurrences = expandOccurrences(input.timing, {}, MAX_OCCURRENCES);
  if (occurrences.length === 0 || input.invitees.length === 0) return { occurrences, people: [], conflicts: [] };
  const spans = occurrences.map((o) => ({ start: o.start.getTime(), end: o.end.getTime() }));
  const from = spans[0]!.start;
  const to = Math.max(...spans.map((s) => s.end));
  const people = await loadPeople(db, input.invitees, from, to, input.timing.zone);
  const busy = await q.listBusy(db, people.map((p) => p.userId), spans, input.excludeSeriesIds);
  // A long series is checked a part at a time, letting other requests in between: one person's
  // 500-session check must not hold everyone else's pages for tens of milliseconds at once.
  const find = conflictFinder(people, busy);
  const conflicts: Conflict[] = [];
  for (let i = 0; i < occurrences.length; i += OCCURRENCES_PER_TURN) {
    if (i > 0) await yieldToOthers();
    conflicts.push(...find(occurrences.slice(i, i + OCCURRENCES_PER_TURN), i));
  }
  return { occurrences, people, conflicts };
}

const OCCURRENCES_PER_TURN = 50;
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The invitees with their rules for [from, to), in the order they were given. */
async function loadPeople(db: Db, invitees: Invitee[], from: number, to: number, fallbackZone: string): Promise<Person[]> {
  const rows = await q.listPeople(db, invitees.map((i) => i.userId));
  // Exceptions are dated locally: a day either side covers every zone.
  const rules = await q.loadRules(db, rows, isoDate(from - DAY_MS), isoDate(to + DAY_MS), fallbackZone);
  const byId = new Map(rows.map((r) => [r.userId, r]));
  return invitees.flatMap((i) => {
    const row = byId.get(i.userId);
    return row ? [{ ...i, name: row.name, rules: rules.get(i.userId)!, zoneKnown: row.timeZone !== null }] : [];
  });
}

export interface AssistantRow {
  person: Person;
  /** Whether the person set weekly hours up; without them they count as available any time. */
  setUp: boolean;
  available: Span[];
  busy: { start: number; end: number; asTutor: boolean }[];
}

export interface AssistantData {
  zone: string;
  date: string;
  days: number;
  from: number;
  to: number;
  rows: AssistantRow[];
}

/**
 * The Scheduling assistant's data: each invitee's available and busy time over `days` local days
 * from `date` in the scheduler's `zone`.
 */
export async function loadAssistant(
  db: Db,
  input: { invitees: Invitee[]; zone: string; date: string; days?: number; excludeSeriesIds?: string[] },
): Promise<AssistantData> {
  const days = input.days ?? 1;
  const from = localMidnight(input.date, 0, input.zone);
  const to = localMidnight(input.date, days, input.zone);
  const people = await loadPeople(db, input.invitees, from, to, input.zone);
  const busy = await q.listBusy(db, people.map((p) => p.userId), [{ start: from, end: to }], input.excludeSeriesIds);
  const rows = people.map((person) => ({
    person,
    setUp: isSetUp(person.rules),
    available: availableSpans(person.rules, from, to),
    busy: busy
      .filter((b) => b.userId === person.userId)
      .map((b) => ({ start: Math.max(from, b.startsAt.getTime()), end: Math.min(to, b.endsAt.getTime()), asTutor: b.asTutor })),
  }));
  return { zone: input.zone, date: input.date, days, from, to, rows };
}

/** The instant of local midnight `offsetDays` after `date` in `zone`. */
export function localMidnight(date: string, offsetDays: number, zone: string): number {
  return instantOfWallClock(new Date(Date.parse(`${date}T00:00:00Z`) + offsetDays * DAY_MS), zone).getTime();
}

function isoDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Time when every row is free: available and not busy. */
export function freeSpans(row: AssistantRow, from: number, to: number): Span[] {
  const busy = merge(row.busy.map(({ start, end }) => ({ start, end })));
  return row.available.flatMap((span) => uncovered(busy, span)).filter((s) => s.end > from && s.start < to);
}

const QUARTER_HOUR = 15 * 60_000;
export const SEARCH = { days: 28, weekDays: 7, firstHour: 7, lastHour: 22 } as const;

/**
 * "Next time everyone is free": the first quarter-hour start after `after` when every invitee is
 * free for `durationMinutes`, looking between 07:00 and 22:00 in the scheduler's zone over the
 * next four weeks. Null when there is none.
 */
export async function nextFreeSlot(
  db: Db,
  input: { invitees: Invitee[]; zone: string; after: Date; durationMinutes: number; excludeSeriesIds?: string[]; now: Date },
): Promise<Date | null> {
  const length = input.durationMinutes * 60_000;
  let cursor = Math.ceil(Math.max(input.after.getTime() + 1, input.now.getTime()) / QUARTER_HOUR) * QUARTER_HOUR;
  for (let week = 0; week < SEARCH.days / SEARCH.weekDays; week++) {
    const date = localDateOf(cursor, input.zone);
    const data = await loadAssistant(db, { invitees: input.invitees, zone: input.zone, date, days: SEARCH.weekDays, excludeSeriesIds: input.excludeSeriesIds });
    const free = data.rows.map((row) => freeSpans(row, data.from, data.to));
    for (; cursor + length <= data.to; cursor += QUARTER_HOUR) {
      if (!withinSearchHours(cursor, cursor + length, input.zone)) continue;
      if (free.every((spans) => spans.some((s) => s.start <= cursor && s.end >= cursor + length))) return new Date(cursor);
    }
    cursor = data.to;
  }
  return null;
}

function withinSearchHours(start: number, end: number, zone: string): boolean {
  const date = localDateOf(start, zone);
  return start >= localHour(date, SEARCH.firstHour, zone) && end <= localHour(date, SEARCH.lastHour, zone);
}

function localHour(date: string, hour: number, zone: string): number {
  return instantOfWallClock(new Date(Date.parse(`${date}T00:00:00Z`) + hour * 3_600_000), zone).getTime();
}
