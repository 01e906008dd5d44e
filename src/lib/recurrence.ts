// Recurring session rules: the pattern comes from rrule (RFC 5545), every zone conversion
// from luxon (./time.ts). A rule lives in the scheduler's zone as local wall-clock time, so
// a weekly 16:00 New York session stays at 16:00 local across DST changes while its UTC
// instant moves by an hour. Pure functions: callers pass every time in.
import type { DateTime } from 'luxon';
import * as rruleModule from 'rrule';
import type { Options } from 'rrule';
import {
  addElapsedMinutes,
  floatingAt,
  floatingDate,
  floatingEndOfDay,
  formatLongDate,
  formatUtcEndOfDay,
  instantOfWallClock,
  isKnownZone,
  parseLocalDate,
  parseLocalTime,
  toFloating,
} from './time.js';

// rrule ships a CommonJS bundle to Node: Node's ESM loader offers it only as the default
// export, while CommonJS loaders (tsx or esbuild in CJS mode) give the named exports.
const rrule: typeof rruleModule = 'RRule' in rruleModule ? rruleModule : (rruleModule as unknown as { default: typeof rruleModule }).default;
const { RRule, Weekday: RRuleWeekday } = rrule;

export type Weekday = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';
export type RepeatEnd = { type: 'until'; date: string /* YYYY-MM-DD, local, inclusive */ } | { type: 'count'; count: number };
export type RepeatRule =
  | { freq: 'none' }
  | { freq: 'daily'; interval: number; end: RepeatEnd }
  | { freq: 'weekly'; interval: number; weekdays: Weekday[]; end: RepeatEnd }
  | { freq: 'monthly'; interval: number; by: 'monthday' | 'nth-weekday'; end: RepeatEnd };
export interface SeriesTiming {
  startDate: string; // YYYY-MM-DD, local date of the first occurrence
  startTime: string; // HH:mm (24 h), local
  durationMinutes: number; // 1..720
  zone: string; // IANA zone of the scheduler
  repeat: RepeatRule;
}
export interface Occurrence {
  start: Date;
  end: Date;
  /** The rule's local date in the series zone; identifies the occurrence for edits. */
  localDate: string;
}
/** The timing of a stored series, from its columns as the database returns them. */
export function timingOf(series: { startDate: string; startTime: string; durationMinutes: number; timeZone: string; repeat: unknown }): SeriesTiming {
  return {
    startDate: series.startDate,
    startTime: series.startTime.slice(0, 5),
    durationMinutes: series.durationMinutes,
    zone: series.timeZone,
    repeat: series.repeat as RepeatRule,
  };
}

export type TimingField = 'startDate' | 'startTime' | 'durationMinutes' | 'zone' | 'repeat' | 'weekdays' | 'interval' | 'until' | 'count';
export type TimingProblems = Partial<Record<TimingField, string>>;

export const MAX_OCCURRENCES = 500;
export const MAX_INTERVAL = 99;
export const MAX_DURATION_MINUTES = 720;

export const WEEKDAYS: readonly Weekday[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const WEEKDAY_NAMES: Record<Weekday, string> = {
  MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday',
};
const ORDINALS = ['first', 'second', 'third', 'fourth'];

type Repeating = Exclude<RepeatRule, { freq: 'none' }>;

/** The parsed start of a series, or null when the date or time is malformed. */
function parseStart(timing: SeriesTiming): { date: DateTime; floating: Date } | null {
  const date = parseLocalDate(timing.startDate);
  const time = parseLocalTime(timing.startTime);
  return date && time ? { date, floating: toFloating(date, time) } : null;
}

function requireStart(timing: SeriesTiming): { date: DateTime; floating: Date } {
  const start = parseStart(timing);
  if (!start || !isKnownZone(timing.zone)) {
    throw new RangeError(`Invalid series timing: ${JSON.stringify(timing)}; run checkTiming first`);
  }
  return start;
}

function requireDate(date: string): DateTime {
  const parsed = parseLocalDate(date);
  if (!parsed) throw new RangeError(`Invalid local date: ${date}; run checkTiming first`);
  return parsed;
}

function weekdayOf(date: DateTime): Weekday {
  return WEEKDAYS[date.weekday - 1] as Weekday;
}

/** Weekly days of a rule: none chosen means the start date's weekday. */
function weekdaysOf(rule: Extract<RepeatRule, { freq: 'weekly' }>, start: DateTime): Weekday[] {
  const chosen = rule.weekdays.length > 0 ? rule.weekdays : [weekdayOf(start)];
  return WEEKDAYS.filter((day) => chosen.includes(day));
}

/**
 * Which weekday of the month the start date is: 1..4, or -1 for "last".
 * A 5th weekday (always within the last 7 days) becomes "last", because a 5th Friday
 * exists only in some months. A 4th weekday that is also the last one stays "4th":
 * the 4th exists in every month, so the series never skips or jumps a week, and it is
 * what the scheduler sees on the first date ("the fourth Tuesday").
 */
export function nthWeekdayOf(date: DateTime): number {
  const nth = Math.ceil(date.day / 7);
  return nth === 5 ? -1 : nth;
}

function toRRuleOptions(rule: Repeating, start: { date: DateTime; floating: Date }): Partial<Options> {
  const base: Partial<Options> = { dtstart: start.floating, interval: rule.interval, wkst: RRule.MO };
  const end = rule.end.type === 'count' ? { count: rule.end.count } : { until: floatingEndOfDay(requireDate(rule.end.date)) };
  const rrDay = (day: Weekday) => new RRuleWeekday(WEEKDAYS.indexOf(day));
  switch (rule.freq) {
    case 'daily':
      return { ...base, ...end, freq: RRule.DAILY };
    case 'weekly':
      return { ...base, ...end, freq: RRule.WEEKLY, byweekday: weekdaysOf(rule, start.date).map(rrDay) };
    case 'monthly':
      return rule.by === 'monthday'
        ? { ...base, ...end, freq: RRule.MONTHLY, bymonthday: [start.date.day] }
        : { ...base, ...end, freq: RRule.MONTHLY, byweekday: [rrDay(weekdayOf(start.date)).nth(nthWeekdayOf(start.date))] };
  }
}

/**
 * Calls `visit` with each floating local start the rule yields, in order, until it
 * returns false. Note that the start date is an occurrence only if it matches the
 * rule: weekly on TU,TH starting on a Monday first happens on the Tuesday (rrule's
 * reading; RFC 5545 leaves a non-matching DTSTART undefined).
 */
function visitFloatingStarts(timing: SeriesTiming, visit: (floating: Date) => boolean): void {
  const start = requireStart(timing);
  if (timing.repeat.freq === 'none') {
    visit(start.floating);
    return;
  }
  new RRule(toRRuleOptions(timing.repeat, start), true).all((floating) => visit(floating));
}

/** Every occurrence the rule yields whose start is in [from, to), at most `limit` (default MAX_OCCURRENCES + 1). */
export function expandOccurrences(
  timing: SeriesTiming,
  window: { from?: Date; to?: Date } = {},
  limit = MAX_OCCURRENCES + 1,
): Occurrence[] {
  const { from, to } = window;
  // Floating bounds with two days' slack, so no offset or DST gap can hide an
  // occurrence; the exact instant check below decides.
  const floatingFrom = from && floatingAt(from, timing.zone).minus({ days: 2 }).toJSDate();
  const floatingTo = to && floatingAt(to, timing.zone).plus({ days: 2 }).toJSDate();
  const occurrences: Occurrence[] = [];
  if (limit < 1) return occurrences;
  visitFloatingStarts(timing, (floating) => {
    if (floatingTo && floating > floatingTo) return false;
    if (floatingFrom && floating < floatingFrom) return true;
    const start = instantOfWallClock(floating, timing.zone);
    if ((from && start < from) || (to && start >= to)) return true;
    const end = addElapsedMinutes(start, timing.durationMinutes);
    occurrences.push({ start, end, localDate: floatingDate(floating) });
    return occurrences.length < limit;
  });
  return occurrences;
}

/** Counts all occurrences of a bounded rule, stopping at MAX_OCCURRENCES + 1. */
export function countOccurrences(timing: SeriesTiming): number {
  let count = 0;
  visitFloatingStarts(timing, () => ++count <= MAX_OCCURRENCES);
  return count;
}

/** Checks a timing; returns field -> message for every problem, {} when it is fine. */
export function checkTiming(timing: SeriesTiming): TimingProblems {
  const problems: TimingProblems = { ...checkStart(timing), ...checkRule(timing.repeat) };
  if (Object.keys(problems).length > 0 || timing.repeat.freq === 'none') return problems;
  const end = timing.repeat.end;
  if (end.type === 'until' && end.date < timing.startDate) {
    return { until: 'The end date is before the start date' };
  }
  const count = countOccurrences(timing);
  if (count === 0) return { repeat: 'This repeat rule gives no session; check the weekdays and the end date' };
  if (count > MAX_OCCURRENCES) {
    // On the field the person has to change.
    return { [end.type]: `This repeats more than ${MAX_OCCURRENCES} times; choose an earlier end date or fewer occurrences` };
  }
  return {};
}

function checkStart(timing: SeriesTiming): TimingProblems {
  const problems: TimingProblems = {};
  if (!parseLocalDate(timing.startDate)) problems.startDate = 'Enter a real date, for example 2027-03-16';
  if (!parseLocalTime(timing.startTime)) problems.startTime = 'Enter a time from 00:00 to 23:59, for example 16:00';
  const minutes = timing.durationMinutes;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_DURATION_MINUTES) {
    problems.durationMinutes = 'Session length must be between 1 minute and 12 hours';
  }
  if (typeof timing.zone !== 'string' || !isKnownZone(timing.zone)) problems.zone = 'Choose a time zone from the list';
  return problems;
}

function checkRule(rule: RepeatRule): TimingProblems {
  const problems: TimingProblems = {};
  if (rule.freq === 'none') return problems;
  if (!['daily', 'weekly', 'monthly'].includes(rule.freq)) return { repeat: 'Choose how often the session repeats' };
  if (!Number.isInteger(rule.interval) || rule.interval < 1 || rule.interval > MAX_INTERVAL) {
    problems.interval = `Repeat every 1 to ${MAX_INTERVAL}; enter a whole number`;
  }
  if (rule.freq === 'weekly' && !(Array.isArray(rule.weekdays) && rule.weekdays.every((day) => WEEKDAYS.includes(day)))) {
    problems.weekdays = 'Choose days from Monday to Sunday';
  }
  if (rule.freq === 'monthly' && rule.by !== 'monthday' && rule.by !== 'nth-weekday') {
    problems.repeat = 'Choose whether the session repeats on a date or on a weekday of the month';
  }
  const end = rule.end;
  if (end?.type !== 'until' && end?.type !== 'count') return { ...problems, repeat: 'Choose when the repeat ends' };
  if (end.type === 'until' && !parseLocalDate(end.date)) problems.until = 'Enter a real end date, for example 2027-05-12';
  if (end.type === 'count' && (!Number.isInteger(end.count) || end.count < 1)) {
    problems.count = 'Enter how many sessions: a whole number, at least 1';
  }
  return problems;
}

/**
 * The RFC 5545 RRULE line for a repeating series, e.g.
 * "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH;UNTIL=20270513T035959Z"; null for freq 'none'.
 * UNTIL is the UTC instant at which the until-date ends in the series zone, as RFC 5545
 * requires with a zoned DTSTART. Calendar files should use the first occurrence (not
 * startDate) as DTSTART: RFC 5545 leaves a DTSTART that the rule does not match undefined,
 * and many calendars then show it as an extra occurrence.
 */
export function toRRule(timing: SeriesTiming): string | null {
  const rule = timing.repeat;
  if (rule.freq === 'none') return null;
  const { date } = requireStart(timing);
  const parts = [`FREQ=${rule.freq.toUpperCase()}`, `INTERVAL=${rule.interval}`];
  if (rule.freq === 'weekly') parts.push(`BYDAY=${weekdaysOf(rule, date).join(',')}`);
  if (rule.freq === 'monthly') {
    parts.push(rule.by === 'monthday' ? `BYMONTHDAY=${date.day}` : `BYDAY=${nthWeekdayOf(date)}${weekdayOf(date)}`);
  }
  const end = rule.end;
  const until = end.type === 'until' ? parseLocalDate(end.date) : null;
  if (until) parts.push(`UNTIL=${formatUtcEndOfDay(until, timing.zone)}`);
  if (end.type === 'count') parts.push(`COUNT=${end.count}`);
  return parts.join(';');
}

/** A summary in words for the session page, e.g. "Weekly on Tuesday and Thursday until 12 May 2027". */
export function describeRepeat(timing: SeriesTiming): string {
  const rule = timing.repeat;
  if (rule.freq === 'none') return 'Does not repeat';
  const { date } = requireStart(timing);
  const every = (unit: string, adverb: string) => (rule.interval === 1 ? adverb : `Every ${rule.interval} ${unit}s`);
  let pattern: string;
  if (rule.freq === 'daily') pattern = every('day', 'Daily');
  else if (rule.freq === 'weekly') {
    pattern = `${every('week', 'Weekly')} on ${listInWords(weekdaysOf(rule, date).map((day) => WEEKDAY_NAMES[day]))}`;
  } else if (rule.by === 'monthday') pattern = `${every('month', 'Monthly')} on day ${date.day}`;
  else {
    const nth = nthWeekdayOf(date);
    pattern = `${every('month', 'Monthly')} on the ${nth === -1 ? 'last' : ORDINALS[nth - 1]} ${WEEKDAY_NAMES[weekdayOf(date)]}`;
  }
  return pattern + describeEnd(rule.end);
}

function describeEnd(end: RepeatEnd): string {
  if (end.type === 'count') return end.count === 1 ? ', once' : `, ${end.count} times`;
  const until = parseLocalDate(end.date);
  return until ? ` until ${formatLongDate(until)}` : '';
}

function listInWords(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * A copy of the timing whose rule ends on the day before `localDate` ("this and following"
 * edits: the old series stops there). A rule that already ends earlier is kept as it is.
 * Returns null when that leaves no occurrence.
 */
export function endBefore(timing: SeriesTiming, localDate: string): SeriesTiming | null {
  const cut = requireDate(localDate);
  let kept = 0;
  visitFloatingStarts(timing, (floating) => floatingDate(floating) < localDate && ++kept > 0);
  const rule = timing.repeat;
  if (kept === 0) return null;
  if (rule.freq === 'none') return { ...timing };
  const dayBefore = cut.minus({ days: 1 }).toISODate() ?? localDate;
  const endsEarlier = rule.end.type === 'until' ? rule.end.date <= dayBefore : kept === rule.end.count;
  return endsEarlier ? { ...timing } : { ...timing, repeat: { ...rule, end: { type: 'until', date: dayBefore } } };
}
