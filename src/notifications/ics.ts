// RFC 5545 calendar text for sessions: pure functions, every time passed in. Events carry their
// wall-clock start with a TZID and a VTIMEZONE written from the zone's rules (explicit transitions
// for the years the events span, src/lib/time.ts), so a weekly 16:00 session stays at 16:00 local in
// any calendar program across daylight-saving changes.
import { compactLocal, compactUtc, zoneObservances } from '../lib/time.js';

export type IcsMethod = 'REQUEST' | 'CANCEL' | 'PUBLISH';

export interface IcsPerson {
  name: string;
  email: string;
}

export interface IcsEvent {
  uid: string;
  sequence: number;
  summary: string;
  description: string;
  /** The meeting link: LOCATION and URL. */
  meetingUrl: string | null;
  zone: string;
  /** The first start (a series: its first occurrence, which the rule always matches). */
  start: Date;
  durationMinutes: number;
  rrule?: string | null;
  /** The rule's last start, so the VTIMEZONE covers the whole series. */
  lastStart?: Date | null;
  /** Starts the rule yields that do not happen (EXDATE, in `zone`). */
  exdates?: Date[];
  /** For one occurrence of a series: the start the rule gave it, in the series' zone. */
  recurrenceId?: { start: Date; zone: string } | null;
  cancelled?: boolean;
  organizer?: IcsPerson | null;
  attendees?: IcsPerson[];
}

const PRODID = '-//TutorKit//Sessions//EN';

/** A VCALENDAR with the events and a VTIMEZONE for every zone they use. */
export function buildCalendar(method: IcsMethod, events: IcsEvent[], now: Date, options: { name?: string } = {}): string {
  const lines = ['BEGIN:VCALENDAR', `PRODID:${PRODID}`, 'VERSION:2.0', 'CALSCALE:GREGORIAN', `METHOD:${method}`];
  if (options.name) lines.push(`X-WR-CALNAME:${escapeText(options.name)}`);
  for (const [zone, span] of zoneSpans(events)) lines.push(...timezoneLines(zone, span.from, span.to));
  for (const event of events) lines.push(...eventLines(method, event, now));
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

function eventLines(method: IcsMethod, e: IcsEvent, now: Date): string[] {
  const lines = [
    'BEGIN:VEVENT',
    `UID:${e.uid}`,
    `SEQUENCE:${e.sequence}`,
    `DTSTAMP:${compactUtc(now)}`,
    `DTSTART;TZID=${e.zone}:${compactLocal(e.start, e.zone)}`,
    `DURATION:PT${e.durationMinutes}M`,
  ];
  if (e.recurrenceId) lines.push(`RECURRENCE-ID;TZID=${e.recurrenceId.zone}:${compactLocal(e.recurrenceId.start, e.recurrenceId.zone)}`);
  if (e.rrule && !e.recurrenceId) lines.push(`RRULE:${e.rrule}`);
  if (e.exdates?.length && !e.recurrenceId) lines.push(`EXDATE;TZID=${e.zone}:${e.exdates.map((d) => compactLocal(d, e.zone)).join(',')}`);
  lines.push(`SUMMARY:${escapeText(e.summary)}`);
  if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
  if (e.meetingUrl) lines.push(`LOCATION:${escapeText(e.meetingUrl)}`, `URL:${uriValue(e.meetingUrl)}`);
  if (e.organizer) lines.push(`ORGANIZER;CN=${quoteParam(e.organizer.name)}:${mailto(e.organizer.email)}`);
  for (const a of e.attendees ?? []) lines.push(`ATTENDEE;CN=${quoteParam(a.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:${mailto(a.email)}`);
  lines.push(`STATUS:${e.cancelled || method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED'}`, 'TRANSP:OPAQUE', 'END:VEVENT');
  return lines;
}

/** Each zone used and the instants it must cover (starts, exceptions, recurrence ids, plus the rule's reach). */
function zoneSpans(events: IcsEvent[]): Map<string, { from: Date; to: Date }> {
  const spans = new Map<string, { from: Date; to: Date }>();
  const cover = (zone: string, at: Date) => {
    const span = spans.get(zone) ?? { from: at, to: at };
    spans.set(zone, { from: at < span.from ? at : span.from, to: at > span.to ? at : span.to });
  };
  for (const e of events) {
    cover(e.zone, e.start);
    if (e.lastStart) cover(e.zone, e.lastStart);
    for (const d of e.exdates ?? []) cover(e.zone, d);
    if (e.recurrenceId) cover(e.recurrenceId.zone, e.recurrenceId.start);
  }
  return spans;
}

/** VTIMEZONE with one STANDARD/DAYLIGHT block per observance of the zone (src/lib/time.ts). */
export function timezoneLines(zone: string, from: Date, to: Date): string[] {
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  for (const o of zoneObservances(zone, from, to)) {
    const kind = o.daylight ? 'DAYLIGHT' : 'STANDARD';
    lines.push(`BEGIN:${kind}`, `DTSTART:${o.start}`, `TZOFFSETFROM:${offsetText(o.offsetFrom)}`, `TZOFFSETTO:${offsetText(o.offsetTo)}`, `TZNAME:${escapeText(o.name)}`, `END:${kind}`);
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

// Every value goes through one of the four writers below; nothing a person typed reaches a
// content line unescaped, so no value can end a line and start a property or component of its own.

/** TEXT values (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped; other control characters dropped. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '');
}

/** A parameter value in quotes (3.2): quotes and control characters are not allowed inside, so they are dropped. */
function quoteParam(value: string): string {
  return `"${value.replace(/["\u0000-\u001f\u007f]/g, '')}"`;
}

/** URI values (3.3.13) are not escaped: a control character in one is percent-encoded, as a URI would carry it. */
export function uriValue(value: string): string {
  return value.replace(/[\u0000-\u0020\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function mailto(address: string): string {
  return uriValue(`mailto:${address}`);
}

/** Folds a content line at 75 octets without splitting a UTF-8 character; continuations start with a space. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    const limit = parts.length === 0 ? 75 : 74; // continuation lines carry the leading space
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}
