// Wall-clock <-> instant conversions for scheduling, all through luxon.
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
    dayMonth,
    dayLabel: `${dayMonth} ${local.getUTCFullYear()}`,
    iso: `${local.toISOString().slice(0, 23)}${zoneText}`,
  };
}
