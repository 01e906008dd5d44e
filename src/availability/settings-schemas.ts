// The Edit settings forms (time zone, weekly hours, date exceptions, meeting URL) and the pure
// rules of availability input: times as people type them, midnight ends, merging ranges.
import { z } from 'zod';
import { optionalWebAddress, textField } from '../lib/forms.js';
import { isKnownZone, parseLocalDate } from '../lib/time.js';
import type { WeeklyHours } from './intervals.js';

/** ISO weekdays, Monday first, with the names the page uses. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export const WEEKDAY_NAMES: Record<number, string> = { 1: 'Monday', 2: 'Tuesday', 3: 'Wednesday', 4: 'Thursday', 5: 'Friday', 6: 'Saturday', 7: 'Sunday' };

/** More ranges than this on one day is a mistake, not a schedule. */
export const MAX_RANGES_PER_DAY = 12;

const chooseZone = 'Choose a time zone from the list.';
export const TimeZoneForm = z.object({
  zone: z
    .string({ error: chooseZone })
    .trim()
    .min(1, { error: chooseZone })
    .refine(isKnownZone, { error: (issue) => `“${String(issue.input).slice(0, 60)}” is not a time zone TutorKit knows. ${chooseZone}` }),
});
export type TimeZoneForm = z.infer<typeof TimeZoneForm>;

/** A urlencoded field that may arrive once (a string), several times (an array) or not at all. */
const FieldList = z
  .preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(40)).max(50))
  .catch([]);

/** One row of the weekly form as typed: From and To, possibly empty. */
export interface HoursRow {
  from: string;
  to: string;
}

/** The weekly form as typed, Monday to Sunday, each day with at least one row. */
export interface DayDraft {
  weekday: number;
  name: string;
  rows: HoursRow[];
}

/** Fields `from-1`, `to-1` (Monday) ... `from-7`, `to-7`, one pair per row, in order. */
export function readWeekDraft(body: unknown): DayDraft[] {
  const form = (body ?? {}) as Record<string, unknown>;
  return WEEKDAYS.map((weekday) => {
    const from = FieldList.parse(form[`from-${weekday}`]);
    const to = FieldList.parse(form[`to-${weekday}`]);
    const rows = Array.from({ length: Math.max(from.length, to.length) }, (_, i) => ({ from: (from[i] ?? '').trim(), to: (to[i] ?? '').trim() }));
    return { weekday, name: WEEKDAY_NAMES[weekday]!, rows: rows.length > 0 ? rows : [{ from: '', to: '' }] };
  });
}

/** The form's own buttons that change rows without saving: Add hours, Remove, Copy Monday to weekdays. */
export const WeekAction = z
  .object({
    add: z.coerce.number().int().min(1).max(7).optional(),
    remove: z
      .string()
      .regex(/^[1-7]:\d{1,2}$/)
      .transform((v) => v.split(':').map(Number) as [number, number])
      .optional(),
    copy: z.literal('monday').optional(),
  })
  .catch({});
export type WeekAction = z.infer<typeof WeekAction>;

const TIME = /^([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d(\.\d+)?)?$/;

/** 'HH:mm' from what a time input sends (browsers may add seconds), or null. */
export function readTime(value: string): string | null {
  return TIME.test(value) ? value.slice(0, 5) : null;
}

/** An end of 00:00 means midnight at the end of the day, stored as 24:00. */
export const endOfRange = (time: string) => (time === '00:00' ? '24:00' : time);

/** How a stored end goes back into a time input, which cannot show 24:00. */
export const toTimeInput = (time: string) => (time === '24:00' ? '00:00' : time);

export type RangeCheck = { start: string; end: string } | { error: string; field: 'from' | 'to' } | null;

/**
 * Checks one From/To pair: null when both are empty, else the range or an error naming `label`
 * (the day, for the weekly form) and the field the error belongs to.
 */
export function checkRange(fromText: string, toText: string, label: string): RangeCheck {
  const prefix = label ? `${label}: ` : '';
  const capital = (s: string) => (label ? s : s.charAt(0).toUpperCase() + s.slice(1));
  if (!fromText && !toText) return null;
  if (!fromText || !toText) return { error: `${prefix}${capital('enter both a From and a To time, or leave both empty.')}`, field: fromText ? 'to' : 'from' };
  const start = readTime(fromText);
  if (!start) return { error: `${prefix}${capital('enter the start as a time, for example 09:00.')}`, field: 'from' };
  const to = readTime(toText);
  if (!to) return { error: `${prefix}${capital('enter the end as a time, for example 17:00.')}`, field: 'to' };
  const end = endOfRange(to);
  if (end <= start) return { error: `${prefix}${capital(`the end (${to}) must be after the start (${start}).`)}`, field: 'to' };
  return { start, end };
}

/** Sorted by start, overlapping and touching ranges joined ('HH:mm' strings compare as times). */
export function mergeRanges(ranges: { start: string; end: string }[]): { start: string; end: string; joined: number }[] {
  const merged: { start: string; end: string; joined: number }[] = [];
  for (const r of [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
    const last = merged.at(-1);
    if (last && r.start <= last.end) {
      if (r.end > last.end) last.end = r.end;
      last.joined++;
    } else merged.push({ ...r, joined: 1 });
  }
  return merged;
}

export interface CheckedWeek {
  hours: WeeklyHours[];
  /** Days whose ranges overlapped or touched, with the ranges they became. */
  merged: { name: string; ranges: string[] }[];
  /** Errors keyed by the input they belong to (`hours-<weekday>-<row>-from|to`); empty when the week can be saved. */
  errors: Record<string, string>;
}

/** Checks a typed week: every error at once, or the merged hours to store. */
export function checkWeek(draft: DayDraft[]): CheckedWeek {
  const result: CheckedWeek = { hours: [], merged: [], errors: {} };
  for (const day of draft) {
    const ranges: { start: string; end: string }[] = [];
    day.rows.forEach((row, i) => {
      const checked = checkRange(row.from, row.to, day.name);
      if (checked && 'error' in checked) result.errors[`hours-${day.weekday}-${i}-${checked.field}`] = checked.error;
      else if (checked) ranges.push(checked);
    });
    if (ranges.length > MAX_RANGES_PER_DAY) result.errors[`hours-${day.weekday}-0-from`] ??= `${day.name}: enter at most ${MAX_RANGES_PER_DAY} ranges of hours.`;
    const merged = mergeRanges(ranges);
    if (merged.length < ranges.length) result.merged.push({ name: day.name, ranges: merged.filter((m) => m.joined > 1).map((m) => `${m.start}–${m.end}`) });
    for (const m of merged) result.hours.push({ weekday: day.weekday, start: m.start, end: m.end });
  }
  return result;
}

export const EXCEPTION_KINDS = { day_off: 'Day off', extra_hours: 'Extra hours' } as const;

export const ExceptionForm = z.object({
  date: z
    .string({ error: 'Enter a date, for example 2026-12-24.' })
    .trim()
    .refine((d) => parseLocalDate(d) !== null, { error: 'Enter a real date, for example 2026-12-24.' }),
  kind: z.enum(['day_off', 'extra_hours'], { error: 'Choose Day off or Extra hours.' }),
  from: textField('From', { max: 40 }),
  to: textField('To', { max: 40 }),
});
export type ExceptionForm = z.infer<typeof ExceptionForm>;

export const ExceptionId = z.uuid();

export const MeetingUrlForm = z.object({
  meetingUrl: optionalWebAddress('Meeting URL', { message: 'Enter a full web address starting with https://' }),
});
export type MeetingUrlForm = z.infer<typeof MeetingUrlForm>;
