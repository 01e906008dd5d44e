// Edit settings: a person's own time zone, weekly hours, date exceptions and meeting URL. The
// scheduler reads the same rows through queries.ts; here they are loaded for the page, checked
// and saved. Times are local wall-clock times in the person's zone, never converted instants.
import { formatDate, todayIn, zoneLabel } from '../lib/time.js';
import type { Db } from '../db/client.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js';
import { parseCommand } from '../lib/forms.js';
import type { WeeklyHours } from './intervals.js';
import * as q from './settings-queries.js';
import {
  EXCEPTION_KINDS,
  ExceptionForm,
  ExceptionId,
  MeetingUrlForm,
  TimeZoneForm,
  WEEKDAYS,
  WEEKDAY_NAMES,
  WeekAction,
  checkRange,
  checkWeek,
  readWeekDraft,
  toTimeInput,
  type DayDraft,
} from './settings-schemas.js';

/** Until the browser or the person sets a zone, availability is kept in UTC. */
export const FALLBACK_ZONE = 'UTC';

export interface ExceptionView {
  id: string;
  date: string;
  /** "Thursday 24 December 2026". */
  dateLabel: string;
  kind: 'day_off' | 'extra_hours';
  /** "Day off" or "Extra hours 18:00–24:00". */
  summary: string;
}

export interface AvailabilitySettings {
  /** The stored zone; null until the browser or the person sets one. */
  zone: string | null;
  /** The zone availability is kept in: the stored one, or UTC. */
  effectiveZone: string;
  /** Today's date in that zone (YYYY-MM-DD): exceptions before it are past. */
  today: string;
  /** The weekly form: each day's saved ranges (ends of 24:00 as 00:00) and one blank row. */
  week: DayDraft[];
  /** The saved week in words: days with hours, "09:00–12:00" ranges. Empty: not set up. */
  savedWeek: { name: string; ranges: string[] }[];
  /** Exceptions dated today or later. */
  exceptions: ExceptionView[];
  meetingUrl: string | null;
}

export async function loadSettings(db: Db, userId: string, now: Date): Promise<AvailabilitySettings> {
  const person = await findPersonOrThrow(db, userId);
  const zone = person.timeZone ?? FALLBACK_ZONE;
  const today = todayIn(zone, now);
  const [hours, exceptions] = await Promise.all([q.listWeeklyHours(db, userId), q.listExceptionsFrom(db, userId, today)]);
  return {
    zone: person.timeZone,
    effectiveZone: zone,
    today,
    week: weekFormOf(hours),
    savedWeek: WEEKDAYS.map((d) => ({ name: WEEKDAY_NAMES[d]!, ranges: hours.filter((h) => h.weekday === d).map((h) => `${h.start}–${h.end}`) })).filter((d) => d.ranges.length > 0),
    exceptions: exceptions.map(viewException),
    meetingUrl: person.meetingUrl,
  };
}

export interface TimeZoneChange {
  zone: string;
  changed: boolean;
  /** Weekly hours and exceptions now counted in the new zone, with the same local times. */
  moved: number;
  notice: string;
}

/** Sets the person's zone; their availability keeps its local times and moves to the new zone. */
export async function changeTimeZone(db: Db, userId: string, input: unknown): Promise<TimeZoneChange> {
  const { zone } = parseCommand(TimeZoneForm, input);
  return db.transaction(async (tx) => {
    const before = await findPersonOrThrow(tx, userId);
    await q.setTimeZone(tx, userId, zone);
    const moved = await q.moveAvailabilityToZone(tx, userId, zone);
    const changed = before.timeZone !== zone;
    const name = zoneLabel(zone);
    const notice = !changed
      ? `Your time zone stays ${name}.`
      : moved > 0
        ? `Saved: your time zone is now ${name}. Your availability keeps its times (09:00 stays 09:00), now in ${name}.`
        : `Saved: your time zone is now ${name}.`;
    return { zone, changed, moved, notice };
  });
}

export interface WeekSave {
  hours: WeeklyHours[];
  notice: string;
}

/**
 * Replaces the person's whole week with the typed one, in their zone. Overlapping and touching
 * ranges are merged (and the notice says so); any bad row refuses the whole week.
 */
export async function saveWeeklyHours(db: Db, userId: string, input: unknown): Promise<WeekSave> {
  const checked = checkWeek(readWeekDraft(input));
  if (Object.keys(checked.errors).length > 0) throw new ValidationError(Object.values(checked.errors)[0]!, checked.errors);
  await db.transaction(async (tx) => {
    const person = await findPersonOrThrow(tx, userId);
    await q.replaceWeeklyHours(tx, userId, checked.hours, person.timeZone ?? FALLBACK_ZONE);
  });
  const merged = checked.merged.map((m) => `Overlapping hours on ${m.name} were merged into ${m.ranges.join(' and ')}.`);
  const saved = checked.hours.length === 0 ? 'Saved: no weekly hours. You count as available at any time.' : 'Saved your weekly hours.';
  return { hours: checked.hours, notice: [saved, ...merged].join(' ') };
}

export interface WeekEdit {
  week: DayDraft[];
  notice: string;
  /** The id of the control to focus after the form comes back. */
  focus: string;
}

/**
 * The weekly form's Add hours, Remove and Copy Monday to weekdays buttons: the typed week with
 * the change, not saved yet. Null when the form was submitted to be saved.
 */
export function editWeek(input: unknown): WeekEdit | null {
  const action = WeekAction.parse(input ?? {});
  const week = readWeekDraft(input);
  const keep = ' Press Save weekly hours to keep your changes.';
  if (action.add) {
    const day = week[action.add - 1]!;
    day.rows.push({ from: '', to: '' });
    return { week, notice: `Added a row to ${day.name}.${keep}`, focus: `hours-${day.weekday}-${day.rows.length - 1}-from` };
  }
  if (action.remove) {
    const [weekday, index] = action.remove;
    const day = week[weekday - 1]!;
    day.rows.splice(index, 1);
    if (day.rows.length === 0) day.rows.push({ from: '', to: '' });
    return { week, notice: `Removed a row from ${day.name}.${keep}`, focus: `add-${weekday}` };
  }
  if (action.copy) {
    const monday = week[0]!.rows.filter((r) => r.from || r.to);
    for (const day of week.slice(1, 5)) day.rows = [...monday.map((r) => ({ ...r })), { from: '', to: '' }];
    return { week, notice: `Copied Monday’s hours to Tuesday, Wednesday, Thursday and Friday.${keep}`, focus: 'copy-monday' };
  }
  return null;
}

/** Adds a day off or extra hours on a date from today on (in the person's zone). */
export async function addException(db: Db, userId: string, input: unknown, now: Date): Promise<{ exception: ExceptionView; notice: string }> {
  const form = parseCommand(ExceptionForm, input);
  const range = form.kind === 'extra_hours' ? checkRange(form.from, form.to, '') : null;
  if (form.kind === 'extra_hours' && !range) throw fieldError('from', 'Enter the From and To times of the extra hours.');
  if (range && 'error' in range) throw fieldError(range.field, range.error);
  const hours = range && !('error' in range) ? range : null;
  const exception = await db.transaction(async (tx) => {
    const person = await findPersonOrThrow(tx, userId);
    const zone = person.timeZone ?? FALLBACK_ZONE;
    if (form.date < todayIn(zone, now)) throw fieldError('date', 'Choose today or a later date.');
    assertFitsTheDay(form.kind, form.date, await q.listExceptionsOn(tx, userId, form.date));
    return q.insertException(tx, { userId, date: form.date, kind: form.kind, start: hours?.start ?? null, end: hours?.end ?? null, timeZone: zone });
  });
  const view = viewException(exception);
  return { exception: view, notice: `Added ${view.kind === 'day_off' ? 'a day off' : `extra hours (${view.summary.slice('Extra hours '.length)})`} on ${view.dateLabel}.` };
}

/** Removes one of the person's own exceptions; another person's id is not found. */
export async function removeException(db: Db, userId: string, exceptionId: string): Promise<{ exception: ExceptionView; notice: string }> {
  const row = ExceptionId.safeParse(exceptionId).success ? await q.deleteException(db, userId, exceptionId) : undefined;
  if (!row) throw new NotFoundError('This date exception does not exist, or it is not yours. Reload the page to see your exceptions.');
  const view = viewException(row);
  return { exception: view, notice: `Removed the ${view.kind === 'day_off' ? 'day off' : 'extra hours'} on ${view.dateLabel}.` };
}

/** Sets (or, when empty, clears) the video link "Start meeting" opens. */
export async function setMeetingUrl(db: Db, userId: string, input: unknown): Promise<{ meetingUrl: string | null; notice: string }> {
  const { meetingUrl } = parseCommand(MeetingUrlForm, input);
  await findPersonOrThrow(db, userId);
  await q.setMeetingUrl(db, userId, meetingUrl);
  return { meetingUrl, notice: meetingUrl ? 'Saved your meeting URL.' : 'Removed your meeting URL.' };
}

/** A day off and extra hours on one date contradict each other; two days off repeat. */
function assertFitsTheDay(kind: 'day_off' | 'extra_hours', date: string, existing: q.ExceptionRow[]): void {
  const label = dateLabel(date);
  if (existing.some((e) => e.kind === 'day_off')) {
    throw fieldError('date', kind === 'day_off' ? `You already have a day off on ${label}.` : `${label} is a day off. Remove the day off first to add extra hours.`);
  }
  if (kind === 'day_off' && existing.length > 0) throw fieldError('date', `You have extra hours on ${label}. Remove them first to make it a day off.`);
}

function weekFormOf(hours: WeeklyHours[]): DayDraft[] {
  return WEEKDAYS.map((weekday) => ({
    weekday,
    name: WEEKDAY_NAMES[weekday]!,
    rows: [...hours.filter((h) => h.weekday === weekday).map((h) => ({ from: h.start, to: toTimeInput(h.end) })), { from: '', to: '' }],
  }));
}

function viewException(row: q.ExceptionRow): ExceptionView {
  const summary = row.kind === 'day_off' ? EXCEPTION_KINDS.day_off : `${EXCEPTION_KINDS.extra_hours} ${row.start}–${row.end}`;
  return { id: row.id, date: row.date, dateLabel: dateLabel(row.date), kind: row.kind, summary };
}

function dateLabel(date: string): string {
  return formatDate(date, 'long');
}

function fieldError(field: string, message: string): ValidationError {
  return new ValidationError(message, { [field]: message });
}

async function findPersonOrThrow(db: Db, userId: string): Promise<q.PersonRow> {
  const person = await q.findPerson(db, userId);
  if (!person) throw new ForbiddenError('You are not known to TutorKit. Open TutorKit again from your course.');
  return person;
}
