// Time for all of TutorKit: the only module (with ./recurrence.ts) that imports luxon. Instants
// are Dates (UTC); local dates are 'YYYY-MM-DD' strings and local times 'HH:mm' strings in a named
// IANA zone; nothing outside src/lib sees a luxon object. Wall-clock <-> instant conversions,
// local-day arithmetic for calendars, zone transitions for calendar files, and the formats people
// read.
//
// "Floating" dates: rrule has no notion of zones, so we hand it the local wall-clock
// time dressed as UTC (2027-03-16 16:00 local becomes 2027-03-16T16:00Z) and read its
// answers back the same way. Nothing else should see a floating Date.
import { DateTime, Duration, IANAZone, Info } from 'luxon';

export interface LocalTime {
  hour: number;
  minute: number;
}

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
// Luxon's own HH:mm parser accepts 24:00, which is not a time a person picks.
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A YYYY-MM-DD local date as a floating midnight, or null when it is not a real date. */
export function parseLocalDate(date: string): DateTime | null {
  if (!DATE_PATTERN.test(date)) return null;
  const parsed = DateTime.fromISO(date, { zone: 'utc' });
  return parsed.isValid ? parsed : null;
}

export function parseLocalTime(time: string): LocalTime | null {
  const match = TIME_PATTERN.exec(time);
  if (!match) return null;
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/** The zones people choose from: V8 lists canonical zones only; UTC is added for people who schedule in it. */
export const ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone')];

export function isKnownZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** The floating Date rrule works with for a local date and time. */
export function toFloating(date: DateTime, time: LocalTime): Date {
  return date.set({ hour: time.hour, minute: time.minute, second: 0, millisecond: 0 }).toJSDate();
}

/** The local wall-clock that an instant shows in `zone`, as a floating DateTime. */
export function floatingAt(instant: Date, zone: string): DateTime {
  return DateTime.fromJSDate(instant, { zone }).setZone('utc', { keepLocalTime: true });
}

const MS_PER_MINUTE = Duration.fromObject({ minutes: 1 }).as('milliseconds');
// UTC offsets stay within +-14 h, so offsets taken a day either side of a wall-clock time
// are the ones in force before and after any change that could touch it.
const PROBE_MS = Duration.fromObject({ hours: 24 }).as('milliseconds');

/**
 * The instant of a local wall-clock time (given as a floating Date) in `zone`.
 * - A time skipped by a spring-forward change (02:30 on 14 Mar 2027 in New York) moves
 *   forward by the gap (03:30 EDT): the session still happens that day, as late as the
 *   clock change forces. This is what luxon does too.
 * - A time that happens twice at a fall-back change (01:30 on 7 Nov 2027 in New York)
 *   takes the first one (01:30 EDT). Luxon alone picks either reading depending on the
 *   zone, so we choose explicitly.
 * The zone rules come from luxon (Zone#offset); building a DateTime per candidate instead
 * would cost ~60 us per occurrence, and a 500-occurrence series should expand in a few ms.
 */
export function instantOfWallClock(floating: Date, zone: string): Date {
  const wall = floating.getTime();
  // Most days have one offset all day (kept per zone and day, see steadyOffset below).
  const steady = steadyOffset(zone, Math.floor(wall / DAY));
  if (steady !== null) return new Date(wall - steady * MS_PER_MINUTE);
  // A day with a clock change: the few wall times read on it (people's hours, session starts) are kept.
  let known = changeDayInstants.get(zone);
  if (!known) changeDayInstants.set(zone, (known = new Map()));
  let instant = known.get(wall);
  if (instant === undefined) {
    instant = instantOnChangeDay(wall, zone);
    if (known.size >= CHANGE_DAY_INSTANTS_KEPT) known.clear();
    known.set(wall, instant);
  }
  return new Date(instant);
}

const changeDayInstants = new Map<string, Map<number, number>>();
const CHANGE_DAY_INSTANTS_KEPT = 10_000;

function instantOnChangeDay(wall: number, zone: string): number {
  const tz = IANAZone.create(zone);
  const offsetBefore = tz.offset(wall - PROBE_MS);
  const offsetAfter = tz.offset(wall + PROBE_MS);
  const readingWith = (offset: number) => wall - offset * MS_PER_MINUTE;
  if (offsetBefore === offsetAfter) return readingWith(offsetBefore);
  // Near a change: take the first reading whose offset really is in force then. In an
  // overlap both are, and the one with the "before" offset is the earlier. In a gap neither
  // is, and the "before" offset gives the wall time pushed forward by the gap.
  const valid = [offsetBefore, offsetAfter].find((offset) => tz.offset(readingWith(offset)) === offset);
  return readingWith(valid ?? offsetBefore);
}

/** The instant `minutes` of elapsed time after `start` (exact, whatever the clocks do). */
export function addElapsedMinutes(start: Date, minutes: number): Date {
  return new Date(start.getTime() + minutes * MS_PER_MINUTE);
}

/** YYYY-MM-DD of a floating Date. */
export function floatingDate(floating: Date): string {
  return DateTime.fromJSDate(floating, { zone: 'utc' }).toISODate() ?? '';
}

/** The last floating second of a local date, for an inclusive "until". */
export function floatingEndOfDay(date: DateTime): Date {
  return date.endOf('day').set({ millisecond: 0 }).toJSDate();
}

/** The UTC instant at which a local date ends in `zone`, as RFC 5545 UTC text (20270512T035959Z). */
export function formatUtcEndOfDay(date: DateTime, zone: string): string {
  const end = date.setZone(zone, { keepLocalTime: true }).endOf('day');
  return end.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
}

/** "12 May 2027", whatever the machine's locale. */
export function formatLongDate(date: DateTime): string {
  return date.setLocale('en-GB').toFormat('d LLLL yyyy');
}

// ---- Reading many instants in one zone ----------------------------------------------------
// A month calendar or a conflict check reads thousands of instants in a few zones. Building a
// luxon DateTime for each costs tens of microseconds; most days have one UTC offset all day,
// so it is kept per (zone, day) and the names come from luxon once per locale.

const DAY = 86_400_000;
const steadyOffsets = new Map<string, Map<number, number | null>>();
const STEADY_OFFSETS_KEPT = 50_000;

/**
 * The zone's UTC offset (minutes) when it is the same from a day before `day` (days since the
 * epoch) to a day after it, else null. Read as a local date, that covers every wall time of the
 * day (the probes instantOfWallClock uses); read as a UTC date, every instant of it.
 */
export function steadyOffset(zone: string, day: number): number | null {
  let days = steadyOffsets.get(zone);
  if (!days) {
    days = new Map();
    steadyOffsets.set(zone, days);
  }
  let offset = days.get(day);
  if (offset === undefined) {
    const tz = IANAZone.create(zone);
    const before = tz.offset(day * DAY - DAY);
    const after = tz.offset(day * DAY + 2 * DAY);
    offset = before === after ? before : null;
    if (days.size >= STEADY_OFFSETS_KEPT) days.clear();
    days.set(day, offset);
  }
  return offset;
}

/** The zone's UTC offset (minutes) at an instant (epoch ms). */
export function offsetAt(zone: string, instant: number): number {
  return steadyOffset(zone, Math.floor(instant / DAY)) ?? IANAZone.create(zone).offset(instant);
}

/** An instant as the wall clock shows it in a zone. */
export interface WallTime {
  /** YYYY-MM-DD */
  date: string;
  /** HH:mm */
  time: string;
  /** "Tue" in the locale's short names. */
  weekday: string;
  /** "Tue 16 Mar" in the locale's short names. */
  dayMonth: string;
  /** "Tue 16 Mar 2027". */
  dayLabel: string;
  /** ISO 8601 with the offset, as luxon's toISO() writes it. */
  iso: string;
}

const names = new Map<string, { weekdays: string[]; months: string[] }>();

function namesFor(locale: string) {
  let found = names.get(locale);
  if (!found) {
    found = { weekdays: Info.weekdays('short', { locale }), months: Info.months('short', { locale }) };
    names.set(locale, found);
  }
  return found;
}

const two = (n: number) => String(n).padStart(2, '0');

/** `instant` on the wall clock of `zone`, with names in `locale` (luxon's default when omitted). */
export function wallTime(instant: Date, zone: string, locale?: string): WallTime {
  const ms = instant.getTime();
  const offset = offsetAt(zone, ms);
  const local = new Date(ms + offset * 60_000);
  const { weekdays, months } = namesFor(locale ?? DateTime.now().locale ?? 'en-US');
  const date = local.toISOString().slice(0, 10);
  const time = local.toISOString().slice(11, 16);
  const weekday = (local.getUTCDay() + 6) % 7;
  const sign = offset < 0 ? '-' : '+';
  const zoneText = offset === 0 && zone.toLowerCase() === 'utc' ? 'Z' : `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  const dayMonth = `${weekdays[weekday]} ${local.getUTCDate()} ${months[local.getUTCMonth()]}`;
  return {
    date,
    time,
    weekday: weekdays[weekday]!,
    dayMonth,
    dayLabel: `${dayMonth} ${local.getUTCFullYear()}`,
    iso: `${local.toISOString().slice(0, 23)}${zoneText}`,
  };
}

// ---- Local dates and times, for everyone outside src/lib ----------------------------------

/** Whether a string is a real YYYY-MM-DD date. */
export function isLocalDate(date: string): boolean {
  return parseLocalDate(date) !== null;
}

/** The instant a local date and time (HH:mm) happen in `zone` (see instantOfWallClock for DST gaps and overlaps). */
export function instantOfLocal(date: string, time: string, zone: string): Date {
  const day = parseLocalDate(date);
  const clock = parseLocalTime(time);
  if (!day || !clock) throw new RangeError(`Not a local date and time: ${date} ${time}`);
  return instantOfWallClock(toFloating(day, clock), zone);
}

/** The local date (YYYY-MM-DD) an instant falls on in `zone`. */
export function localDateOf(instant: Date | number, zone: string): string {
  return wallTime(typeof instant === 'number' ? new Date(instant) : instant, zone).date;
}

/** The local time (HH:mm) an instant shows in `zone`. */
export function localTimeOf(instant: Date | number, zone: string): string {
  return wallTime(typeof instant === 'number' ? new Date(instant) : instant, zone).time;
}

/** Today's date in `zone`. */
export function todayIn(zone: string, now: Date): string {
  return localDateOf(now, zone);
}

/** The first instant of a local date in `zone` (midnight, or the first time after a gap). */
export function startOfLocalDay(date: string, zone: string): Date {
  return instantOfLocal(date, '00:00', zone);
}

function dateOf(date: string): DateTime {
  const parsed = parseLocalDate(date);
  if (!parsed) throw new RangeError(`Not a local date: ${date}`);
  return parsed;
}

/** Calendar arithmetic on local dates: days and months step by the calendar, never by 24 hours. */
export function addDays(date: string, days: number): string {
  return dateOf(date).plus({ days }).toISODate()!;
}

export function addMonths(date: string, months: number): string {
  return dateOf(date).plus({ months }).toISODate()!;
}

export function addYears(date: string, years: number): string {
  return dateOf(date).plus({ years }).toISODate()!;
}

/** The Monday on or before the date. */
export function startOfWeek(date: string): string {
  return dateOf(date).startOf('week').toISODate()!;
}

export function startOfMonth(date: string): string {
  return dateOf(date).startOf('month').toISODate()!;
}

export function endOfMonth(date: string): string {
  return dateOf(date).endOf('month').toISODate()!;
}

/** 1 (Monday) to 7 (Sunday). */
export function isoWeekday(date: string): number {
  return dateOf(date).weekday;
}

/** The dates from `first` to `last`, both included. */
export function datesBetween(first: string, last: string): string[] {
  const dates: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) dates.push(d);
  return dates;
}

/** How TutorKit writes a local date for people (en-GB names whatever the machine's locale). */
const DATE_FORMATS = {
  /** Tuesday 9 March 2027 */
  long: 'cccc d LLLL yyyy',
  /** Tue 9 Mar */
  short: 'ccc d LLL',
  /** March 2027 */
  monthYear: 'LLLL yyyy',
  /** 9 March 2027 */
  dayMonthYear: 'd LLLL yyyy',
  /** 9 March */
  dayMonth: 'd LLLL',
  /** 9 */
  day: 'd',
} as const;
export type DateFormat = keyof typeof DATE_FORMATS;

export function formatDate(date: string, format: DateFormat): string {
  return dateOf(date).setLocale('en-GB').toFormat(DATE_FORMATS[format]);
}

/** "8–14 March 2027", "29 March – 4 April 2027", "27 December 2027 – 2 January 2028". */
export function formatDateSpan(first: string, last: string): string {
  if (first.slice(0, 7) === last.slice(0, 7)) return `${formatDate(first, 'day')}–${formatDate(last, 'dayMonthYear')}`;
  if (first.slice(0, 4) === last.slice(0, 4)) return `${formatDate(first, 'dayMonth')} – ${formatDate(last, 'dayMonthYear')}`;
  return `${formatDate(first, 'dayMonthYear')} – ${formatDate(last, 'dayMonthYear')}`;
}

/** A zone as people read it: "America/New York". */
export function zoneLabel(zone: string): string {
  return zone.replace(/_/g, ' ');
}

/** "Tue 16 Mar 2027, 16:00–17:00 (America/New York)": a session's time in one zone, for pages and emails. */
export function formatRange(start: Date, end: Date, zone: string): string {
  const s = wallTime(start, zone, 'en-GB');
  const e = wallTime(end, zone, 'en-GB');
  const endText = s.date === e.date ? e.time : `${e.dayLabel}, ${e.time}`;
  return `${s.dayLabel}, ${s.time}–${endText} (${zoneLabel(zone)})`;
}

/** "Tue 3 Mar 2026 16:00–17:00": short enough for an alert, with the year so far dates are clear. */
export function formatSlot(start: Date, end: Date, zone: string): string {
  const s = wallTime(start, zone, 'en-GB');
  const e = wallTime(end, zone, 'en-GB');
  const endText = s.date === e.date ? e.time : `${e.dayMonth} ${e.time}`;
  return `${s.dayLabel} ${s.time}–${endText}`;
}

// ---- Calendar files (RFC 5545) ------------------------------------------------------------

/** An instant as a calendar file writes local time in a zone: 20270316T160000. */
export function compactLocal(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat("yyyyMMdd'T'HHmmss");
}

/** An instant in UTC as a calendar file writes it: 20270316T200000Z. */
export function compactUtc(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss'Z'");
}

/** One period of a zone's rules: from `start` (local time, compact, read with the offset before it) on. */
export interface ZoneObservance {
  daylight: boolean;
  start: string;
  offsetFrom: number;
  offsetTo: number;
  /** The zone's abbreviation then ("EST", "CEST", or "GMT+1"). */
  name: string;
}

const HOUR_MS = 3_600_000;

/**
 * The zone's offsets from the start of the year before `from` to the end of the year after `to`:
 * the offset in force at the beginning, then every change, found by daily probes and a binary
 * search to the minute. Explicit transitions (no RRULE) are exact for any zone, including ones
 * whose rules changed over the years.
 */
export function zoneObservances(zone: string, from: Date, to: Date): ZoneObservance[] {
  // Finding transitions costs ~15 ms a zone; a change emailed to 500 people needs it once.
  const key = `${zone}|${from.getUTCFullYear()}|${to.getUTCFullYear()}`;
  let found = observancesKept.get(key);
  if (!found) {
    found = findObservances(zone, from, to);
    if (observancesKept.size >= 500) observancesKept.clear();
    observancesKept.set(key, found);
  }
  return found;
}

const observancesKept = new Map<string, ZoneObservance[]>();

function findObservances(zone: string, from: Date, to: Date): ZoneObservance[] {
  const tz = IANAZone.create(zone);
  const begin = DateTime.fromJSDate(from, { zone: 'utc' }).startOf('year').minus({ years: 1 }).toMillis();
  const end = DateTime.fromJSDate(to, { zone: 'utc' }).endOf('year').plus({ years: 1 }).toMillis();
  const observance = (at: number, offsetFrom: number, offsetTo: number): ZoneObservance => ({
    daylight: DateTime.fromMillis(at, { zone }).isInDST,
    start: DateTime.fromMillis(at + offsetFrom * 60_000, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss"),
    offsetFrom,
    offsetTo,
    name: DateTime.fromMillis(at, { zone }).toFormat('ZZZZ'),
  });
  const first = tz.offset(begin);
  return [observance(begin, first, first), ...transitions(tz, begin, end).map((at) => observance(at, tz.offset(at - 1), tz.offset(at)))];
}

function transitions(tz: IANAZone, from: number, to: number): number[] {
  const found: number[] = [];
  for (let t = from; t < to; t += 24 * HOUR_MS) {
    if (tz.offset(t) === tz.offset(t + 24 * HOUR_MS)) continue;
    let lo = t;
    let hi = t + 24 * HOUR_MS;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (tz.offset(mid) === tz.offset(lo)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  return found;
}

/** "2027-03-01 09:00:05 UTC": for logs read by operators across zones; '' for none. */
export function stampUtc(date: Date | null | undefined): string {
  return date ? `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC` : '';
}

/** Elapsed time as a transcript stamps it: "00:04:43" (hours grow past 99 if they must). */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
}

/** "Tue 16 Mar 2027, 15:45 (America/New York)": one instant in one zone, for pages. */
export function formatInstant(instant: Date, zone: string): string {
  const w = wallTime(instant, zone, 'en-GB');
  return `${w.dayLabel}, ${w.time} (${zoneLabel(zone)})`;
}
