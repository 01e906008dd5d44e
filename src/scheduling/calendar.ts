// The Sessions calendar: month, week and list views of occurrences in the viewer's zone.
// Which day a session falls on, and where days begin and end, come from src/lib/time in the viewer's
// zone: a session at 23:30 UTC is on the next day in Berlin. Days are stepped by calendar day
// (never by 24 hours), so a week with a DST change still has 7 days. Everything here except
// loadCalendar (at the end) is pure: callers pass rows, zone, anchor day and today in.
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { AppError } from '../lib/errors.js';
import * as q from './queries.js';
import { viewerZone, type Viewer } from '../courses/service.js';
import { seesAllSessions } from './service.js';
import {
  addDays,
  addMonths,
  addYears,
  datesBetween,
  endOfMonth,
  formatDate,
  formatDateSpan,
  formatRange,
  isLocalDate,
  localDateOf,
  startOfLocalDay,
  startOfMonth,
  startOfWeek,
  todayIn,
  wallTime,
} from '../lib/time.js';

export const CALENDAR_VIEWS = ['month', 'week', 'list'] as const;
export type CalendarView = (typeof CALENDAR_VIEWS)[number];
export const LIST_PAGE_SIZE = 50;
/** More than a month grid can sensibly show; past it the page says so and offers the week view. */
export const GRID_LIMIT = 1000;
const LOCALE = 'en-GB';

/** An occurrence as listVisibleOccurrences returns it (only the fields the calendar reads). */
export interface CalendarRow {
  occurrenceId: string;
  name: string;
  startsAt: Date;
  endsAt: Date;
  status: string;
}
export interface CalendarEntry {
  occurrenceId: string;
  name: string;
  /** "16:00", local. */
  start: string;
  /** "17:00", or "Wed 10 Mar, 01:00" when the session ends on a later day. */
  end: string;
  startIso: string;
  when: string;
  cancelled: boolean;
}
export interface CalendarDay {
  /** YYYY-MM-DD in the viewer's zone. */
  date: string;
  /** "Tuesday 9 March 2027", for headings and screen readers. */
  label: string;
  /** "Tue 9 Mar". */
  shortLabel: string;
  dayOfMonth: number;
  inMonth: boolean;
  isToday: boolean;
  entries: CalendarEntry[];
  /** Month view: sessions of the day beyond the first few, and the week view that shows them all. */
  more: { count: number; href: string } | null;
}
export interface GridContext {
  zone: string;
  /** YYYY-MM-DD: the day the view is built around. */
  anchor: string;
  /** YYYY-MM-DD: today in the viewer's zone. */
  today: string;
}

/** The query string, as typed in an address or sent by the calendar's own links. */
export const CalendarQuery = z.object({
  view: z.enum(CALENDAR_VIEWS, { error: 'Choose a calendar view: month, week or list.' }).default('month'),
  date: z
    .string({ error: 'Enter one date, as YYYY-MM-DD.' })
    .refine((d) => isLocalDate(d) && d >= '1970-01-01' && d <= '2199-12-31', 'Enter a real date between 1970 and 2199, as YYYY-MM-DD (for example 2027-03-16).')
    .optional(),
});
export type CalendarQuery = z.infer<typeof CalendarQuery>;

export class CalendarQueryError extends AppError {
  constructor(message: string) {
    super(400, { title: 'This calendar address is not valid', message, next: 'Use the Previous, Today and Next buttons, or open My sessions from the menu.' });
  }
}

export function parseCalendarQuery(query: unknown): CalendarQuery {
  const parsed = CalendarQuery.safeParse(query);
  if (!parsed.success) throw new CalendarQueryError(parsed.error.issues.map((i) => i.message).join(' '));
  return parsed.data;
}

/** The instants [from, to) whose sessions a view shows. */
export function calendarWindow(view: CalendarView, anchor: string, zone: string): { from: Date; to: Date } {
  if (view === 'list') return { from: startOfLocalDay(anchor, zone), to: startOfLocalDay(addYears(anchor, 5), zone) };
  const days = view === 'week' ? weekDays(anchor) : monthDays(anchor);
  return { from: startOfLocalDay(days[0]!, zone), to: startOfLocalDay(addDays(days[days.length - 1]!, 1), zone) };
}

/** Monday to Sunday of the anchor's week. */
function weekDays(anchor: string): string[] {
  const monday = startOfWeek(anchor);
  return datesBetween(monday, addDays(monday, 6));
}

/** Monday before (or on) the 1st to Sunday after (or on) the last day of the anchor's month. */
function monthDays(anchor: string): string[] {
  return datesBetween(startOfWeek(startOfMonth(anchor)), addDays(startOfWeek(endOfMonth(anchor)), 6));
}

// A busy month holds up to GRID_LIMIT entries: read them with wallTime (one offset per zone and day).
function toEntry(row: CalendarRow, zone: string): CalendarEntry {
  const start = wallTime(row.startsAt, zone, LOCALE);
  const end = wallTime(row.endsAt, zone, LOCALE);
  return {
    occurrenceId: row.occurrenceId,
    name: row.name,
    start: start.time,
    end: start.date === end.date ? end.time : `${end.dayMonth}, ${end.time}`,
    startIso: start.iso,
    when: formatRange(row.startsAt, row.endsAt, zone),
    cancelled: row.status === 'cancelled',
  };
}

/** Entries by the local day they start on, in start order. */
function groupByDay(rows: CalendarRow[], zone: string): Map<string, CalendarEntry[]> {
  const byDay = new Map<string, CalendarEntry[]>();
  const sorted = [...rows].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  for (const row of sorted) {
    const key = wallTime(row.startsAt, zone).date;
    byDay.set(key, [...(byDay.get(key) ?? []), toEntry(row, zone)]);
  }
  return byDay;
}

function toDay(date: string, byDay: Map<string, CalendarEntry[]>, ctx: GridContext, month?: string): CalendarDay {
  return {
    date,
    label: formatDate(date, 'long'),
    shortLabel: formatDate(date, 'short'),
    dayOfMonth: Number(date.slice(8, 10)),
    inMonth: month === undefined || date.slice(0, 7) === month,
    isToday: date === ctx.today,
    entries: byDay.get(date) ?? [],
    more: null,
  };
}

/**
 * A month cell shows this many sessions; the rest are one "+N more" link to that day's week.
 * A cell with dozens of entries is unreadable, and a busy course's month page would otherwise
 * carry up to GRID_LIMIT entries of HTML on every launch.
 */
export const MONTH_ENTRIES_SHOWN = 3;

function trimForMonth(day: CalendarDay, weekHref: (date: string) => string): CalendarDay {
  if (day.entries.length <= MONTH_ENTRIES_SHOWN + 1) return day;
  return { ...day, entries: day.entries.slice(0, MONTH_ENTRIES_SHOWN), more: { count: day.entries.length - MONTH_ENTRIES_SHOWN, href: weekHref(day.date) } };
}

export function buildMonthGrid(rows: CalendarRow[], ctx: GridContext, weekHref: (date: string) => string = (date) => `?view=week&date=${date}`): { title: string; weeks: CalendarDay[][] } {
  const byDay = groupByDay(rows, ctx.zone);
  const month = ctx.anchor.slice(0, 7);
  const days = monthDays(ctx.anchor).map((d) => trimForMonth(toDay(d, byDay, ctx, month), weekHref));
  const weeks = Array.from({ length: days.length / 7 }, (_, i) => days.slice(i * 7, i * 7 + 7));
  return { title: formatDate(ctx.anchor, 'monthYear'), weeks };
}

export function buildWeekGrid(rows: CalendarRow[], ctx: GridContext): { title: string; days: CalendarDay[] } {
  const byDay = groupByDay(rows, ctx.zone);
  const days = weekDays(ctx.anchor);
  return { title: formatDateSpan(days[0]!, days[6]!), days: days.map((d) => toDay(d, byDay, ctx)) };
}

/**
 * Up to `pageSize` sessions from the anchor day on, grouped by day. When there are more, the page
 * ends with a whole day and `laterDate` is the first day not shown, so the next page repeats
 * nothing (a single day with more than a page of sessions is cut at the page size).
 */
export function buildListPage(rows: CalendarRow[], ctx: GridContext, pageSize = LIST_PAGE_SIZE): { title: string; days: CalendarDay[]; laterDate: string | null } {
  const title = ctx.anchor === ctx.today ? 'Upcoming sessions' : `Sessions from ${formatDate(ctx.anchor, 'long')}`;
  let shown = rows.slice(0, pageSize);
  let laterDate: string | null = null;
  if (rows.length > pageSize) {
    laterDate = localDateOf(rows[pageSize]!.startsAt, ctx.zone);
    const wholeDays = shown.filter((r) => localDateOf(r.startsAt, ctx.zone) < laterDate!);
    if (wholeDays.length > 0) shown = wholeDays;
    else laterDate = addDays(laterDate, 1);
  }
  const byDay = groupByDay(shown, ctx.zone);
  const days = [...byDay.keys()].map((date) => toDay(date, byDay, ctx));
  return { title, days, laterDate };
}

export interface CalendarLink {
  href: string;
  label: string;
}
export interface CalendarLinks {
  previous: CalendarLink;
  today: string;
  next: CalendarLink | null;
  views: Record<CalendarView, string>;
}

/** Links keep the view; a link to today carries no date, so it stays "today" when bookmarked. */
export function calendarLinks(basePath: string, view: CalendarView, ctx: GridContext, laterDate: string | null): CalendarLinks {
  const href = (v: CalendarView, date: string | null) => `${basePath}?view=${v}${date && date !== ctx.today ? `&date=${date}` : ''}`;
  const step = (n: number) => (view === 'week' ? addDays(ctx.anchor, 7 * n) : addMonths(ctx.anchor, n));
  const unit = view === 'week' ? 'week' : 'month';
  const next = view === 'list' ? (laterDate ? { href: href(view, laterDate), label: 'Later sessions' } : null) : { href: href(view, step(1)), label: `Next ${unit}` };
  return {
    previous: { href: href(view, step(-1)), label: view === 'list' ? 'Earlier sessions' : `Previous ${unit}` },
    today: href(view, null),
    next,
    views: { month: href('month', ctx.anchor), week: href('week', ctx.anchor), list: href('list', ctx.anchor) },
  };
}

export interface CalendarPage {
  view: CalendarView;
  zone: string;
  title: string;
  links: CalendarLinks;
  weeks: CalendarDay[][];
  days: CalendarDay[];
  isEmpty: boolean;
  /** The month had more sessions than GRID_LIMIT; only the first ones are shown. */
  truncated: boolean;
}

/** The whole calendar view model from rows (pure; loadCalendar fetches the rows). */
export function buildCalendar(rows: CalendarRow[], view: CalendarView, ctx: GridContext, basePath: string): CalendarPage {
  const base = { view, zone: ctx.zone, isEmpty: rows.length === 0, truncated: view !== 'list' && rows.length >= GRID_LIMIT };
  if (view === 'month') {
    const month = buildMonthGrid(rows, ctx, (date) => `${basePath}?view=week&date=${date}`);
    return { ...base, title: month.title, weeks: month.weeks, days: [], links: calendarLinks(basePath, view, ctx, null) };
  }
  if (view === 'week') {
    const week = buildWeekGrid(rows, ctx);
    return { ...base, title: week.title, weeks: [], days: week.days, links: calendarLinks(basePath, view, ctx, null) };
  }
  const list = buildListPage(rows, ctx);
  return { ...base, title: list.title, weeks: [], days: list.days, links: calendarLinks(basePath, view, ctx, list.laterDate) };
}

/**
 * The calendar a viewer asked for. Visibility is the query's (listVisibleOccurrences); staff
 * (instructors, administrators) see the whole course, as on the session page.
 */
export async function loadCalendar(db: Db, viewer: Viewer, query: CalendarQuery, now: Date): Promise<CalendarPage> {
  const zone = viewerZone(viewer);
  const today = todayIn(zone, now);
  const ctx: GridContext = { zone, today, anchor: query.date ?? today };
  const seesAll = seesAllSessions(viewer.role);
  const limit = query.view === 'list' ? LIST_PAGE_SIZE + 1 : GRID_LIMIT;
  const rows = await q.listVisibleOccurrences(db, { ...viewer, seesAll }, calendarWindow(query.view, ctx.anchor, zone), limit);
  return buildCalendar(rows, query.view, ctx, `/c/${viewer.courseId}/sessions`);
}
