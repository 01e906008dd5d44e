// When a person is available, as spans of real time. Availability is kept as local times in the
// person's IANA zone (weekly hours plus date exceptions); this turns it into instants for a
// window, through the same wall-clock rules as session times (src/scheduling/time.ts), so a
// 09:00-17:00 Berlin day stays 09:00-17:00 in Berlin across DST changes. Pure functions.
import { instantOfWallClock, offsetAt } from '../lib/time.js';

/** Weekly hours: ISO weekday (1 = Monday) with local HH:mm times; an end of 24:00 is midnight. */
export interface WeeklyHours {
  weekday: number;
  start: string;
  end: string;
}

export type ExceptionKind = 'day_off' | 'extra_hours';

export interface DateException {
  /** YYYY-MM-DD, local. */
  date: string;
  kind: ExceptionKind;
  /** Local HH:mm for extra hours; null for a day off. */
  start: string | null;
  end: string | null;
}

export interface AvailabilityRules {
  zone: string;
  weekly: WeeklyHours[];
  exceptions: DateException[];
}

/** [start, end) in epoch milliseconds. */
export interface Span {
  start: number;
  end: number;
}

const DAY_MS = 86_400_000;

/** Without weekly hours a person has not set availability up and is available at any time. */
export function isSetUp(rules: AvailabilityRules): boolean {
  return rules.weekly.length > 0;
}

/**
 * The person's available time overlapping [from, to), merged (touching spans join: 09:00-12:00
 * and 12:00-17:00 are one span, so are Monday until 24:00 and Tuesday from 00:00) and clipped
 * to the window.
 */
export function availableSpans(rules: AvailabilityRules, from: number, to: number): Span[] {
  // The local dates the window covers in the person's zone.
  const first = dayNumber(from + offsetAt(rules.zone, from) * 60_000);
  const last = dayNumber(to - 1 + offsetAt(rules.zone, to - 1) * 60_000);
  const spans: Span[] = [];
  for (let day = first; day <= last; day++) {
    for (const span of spansOfDay(rules, day)) {
      if (span.end > from && span.start < to) spans.push({ start: Math.max(span.start, from), end: Math.min(span.end, to) });
    }
  }
  return merge(spans);
}

/** The local hours of one date (days since the epoch), as instants. */
function spansOfDay(rules: AvailabilityRules, day: number): Span[] {
  const { weekly, exceptions } = compiled(rules);
  const those = exceptions.get(day) ?? [];
  if (those.some((e) => e === null)) return [];
  const weekday = (new Date(day * DAY_MS).getUTCDay() + 6) % 7;
  const ranges = [...weekly[weekday]!, ...(those as MinuteRange[])];
  const spans: Span[] = [];
  for (const [start, end] of ranges) {
    const span = { start: instantAt(day, start, rules.zone), end: instantAt(day, end, rules.zone) };
    if (span.end > span.start) spans.push(span);
  }
  return spans;
}

/** [start, end) in minutes from local midnight. */
type MinuteRange = [number, number];

interface CompiledRules {
  /** Index 0 = Monday. */
  weekly: MinuteRange[][];
  /** Day number -> extra hours, or null for a day off. */
  exceptions: Map<number, (MinuteRange | null)[]>;
}

// A conflict check reads one person's rules for every session of a series (500 × 30 people):
// their text is parsed once per rules object, not once per day.
const compiledRules = new WeakMap<AvailabilityRules, CompiledRules>();

function compiled(rules: AvailabilityRules): CompiledRules {
  let found = compiledRules.get(rules);
  if (found) return found;
  const allDay: MinuteRange[] = [[0, 24 * 60]];
  const weekly = Array.from({ length: 7 }, (_, i) => (isSetUp(rules) ? rules.weekly.filter((h) => h.weekday === i + 1).map((h): MinuteRange => [minutesOf(h.start), minutesOf(h.end)]) : allDay));
  const exceptions = new Map<number, (MinuteRange | null)[]>();
  for (const e of rules.exceptions) {
    const day = dayNumber(Date.parse(`${e.date}T00:00:00Z`));
    const entry: MinuteRange | null = e.kind === 'day_off' ? null : e.start && e.end ? [minutesOf(e.start), minutesOf(e.end)] : null;
    if (e.kind === 'extra_hours' && entry === null) continue;
    exceptions.set(day, [...(exceptions.get(day) ?? []), entry]);
  }
  found = { weekly, exceptions };
  compiledRules.set(rules, found);
  return found;
}

function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** The instant of a local time (minutes from midnight) on a local date in `zone`; 1440 is the next date's midnight. */
function instantAt(day: number, minutes: number, zone: string): number {
  return instantOfWallClock(new Date(day * DAY_MS + minutes * 60_000), zone).getTime();
}

function dayNumber(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS);
}

/** Sorted, with overlapping and touching spans joined. */
export function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/** The parts of `span` that no span of `covered` (merged, sorted) covers. */
export function uncovered(covered: Span[], span: Span): Span[] {
  const gaps: Span[] = [];
  let cursor = span.start;
  for (const c of covered) {
    if (c.end <= cursor) continue;
    if (c.start >= span.end) break;
    if (c.start > cursor) gaps.push({ start: cursor, end: c.start });
    cursor = Math.max(cursor, c.end);
    if (cursor >= span.end) break;
  }
  if (cursor < span.end) gaps.push({ start: cursor, end: span.end });
  return gaps;
}

export function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}
