// How our sessions look to calendar programs (see CONTEXT.md, "Calendar entry"). Pure: rows in,
// ICS events out. A series is one entry (UID `<series id>@tutorkit`) with its rule; a session
// moved on its own ("This session") lives in a one-off child series in our model, but in
// calendars it stays an override of its parent's entry, keyed by RECURRENCE-ID.
import { localDateOf } from '../lib/time.js';
import { expandOccurrences, timingOf, toRRule, type SeriesTiming } from '../lib/recurrence.js';
import type { IcsEvent } from './ics.js';
import type { OccurrenceRow, SeriesRow } from './queries.js';

export function uidOf(seriesId: string): string {
  return `${seriesId}@tutorkit`;
}

/**
 * The link people join with: the session's own meeting URL, else the one its first tutor (by
 * name) set in Edit settings, which "Start meeting" opens too.
 */
export function joinUrlOf(series: SeriesRow, tutors: { meetingUrl: string | null }[]): string | null {
  return series.meetingUrl ?? tutors.find((t) => t.meetingUrl)?.meetingUrl ?? null;
}

/** A one-off child made by "This session": its only occurrence replaces one of the parent's dates. */
export function isDetached(child: SeriesRow, parent: SeriesRow | undefined, occurrence: OccurrenceRow | undefined): boolean {
  if (!parent || !occurrence || child.parentSeriesId !== parent.id) return false;
  if ((child.repeat as SeriesTiming['repeat']).freq !== 'none') return false;
  return parent.excludedDates.includes(localDateOf(occurrence.originalStartsAt, parent.timeZone));
}

export interface EventText {
  summary: string;
  description: string;
}

/** What every event of a series' own entry carries: its identity, text, link, zone and length. */
function ownEntry(series: SeriesRow, text: EventText) {
  return { uid: uidOf(series.id), sequence: series.sequence, ...text, meetingUrl: series.meetingUrl, zone: series.timeZone, durationMinutes: series.durationMinutes };
}

/**
 * The series' own entry: its rule from the first occurrence the rule gives, cancelled occurrences
 * as EXDATE. Dates moved to a child stay out of EXDATE: their override replaces them.
 */
export function seriesEvent(series: SeriesRow, occurrences: OccurrenceRow[], text: EventText): IcsEvent {
  const timing = timingOf(series);
  const rule = expandOccurrences(timing);
  const own = occurrences.filter((o) => o.seriesId === series.id);
  const first = rule[0]?.start ?? own[0]?.startsAt ?? new Date(0);
  return {
    ...ownEntry(series, text),
    start: rule.length > 0 && timing.repeat.freq !== 'none' ? first : own[0]?.startsAt ?? first,
    rrule: toRRule(timing),
    lastStart: rule[rule.length - 1]?.start ?? null,
    exdates: timing.repeat.freq === 'none' ? [] : own.filter((o) => o.status === 'cancelled').map((o) => o.originalStartsAt),
    cancelled: timing.repeat.freq === 'none' && own.length > 0 && own.every((o) => o.status === 'cancelled'),
  };
}

/** The override a detached occurrence is for calendars: the parent's UID, RECURRENCE-ID the date's rule start. */
export function overrideEvent(parent: SeriesRow, child: SeriesRow, occurrence: OccurrenceRow, text: EventText): IcsEvent {
  return {
    uid: uidOf(parent.id),
    // Both numbers only grow, so the sum does too: a later change of either wins in calendars.
    sequence: parent.sequence + child.sequence,
    ...text,
    meetingUrl: child.meetingUrl,
    zone: child.timeZone,
    start: occurrence.startsAt,
    durationMinutes: child.durationMinutes,
    recurrenceId: { start: ruleStartOf(parent, occurrence), zone: parent.timeZone },
    cancelled: occurrence.status === 'cancelled',
  };
}

/** One occurrence of a series' own rule, for a CANCEL of that date only. */
export function instanceEvent(series: SeriesRow, occurrence: OccurrenceRow, text: EventText): IcsEvent {
  return {
    ...ownEntry(series, text),
    start: occurrence.startsAt,
    recurrenceId: { start: occurrence.originalStartsAt, zone: series.timeZone },
    cancelled: true,
  };
}

/**
 * The start the parent's current rule gives the detached date: normally the occurrence's
 * original_starts_at; when the parent's time changed since, the date's new rule start, so the
 * override still matches an instance of the parent.
 */
function ruleStartOf(parent: SeriesRow, occurrence: OccurrenceRow): Date {
  const date = localDateOf(occurrence.originalStartsAt, parent.timeZone);
  const match = expandOccurrences(timingOf(parent)).find((o) => o.localDate === date);
  return match?.start ?? occurrence.originalStartsAt;
}
