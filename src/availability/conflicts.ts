// Who cannot make which of the proposed occurrences, and why. Pure: the caller loads the people,
// their rules and their busy time (./queries.ts) and passes them in.
import { DateTime } from 'luxon';
import type { BusyRow } from './queries.js';
import { availableSpans, overlaps, uncovered, type AvailabilityRules, type Span } from './intervals.js';

export type InviteeRole = 'tutor' | 'student';

export interface Invitee {
  userId: string;
  role: InviteeRole;
}

export interface Person extends Invitee {
  name: string;
  rules: AvailabilityRules;
  /** False when the person never told us their zone (their availability is then not set up). */
  zoneKnown: boolean;
}

export interface Proposed {
  start: Date;
  end: Date;
}

export type Conflict =
  | { kind: 'unavailable'; person: Person; index: number; start: Date; end: Date }
  | {
      kind: 'busy';
      person: Person;
      index: number;
      start: Date;
      end: Date;
      other: BusyRow;
      /** A tutor of this session who tutors the other one: the database refuses to save it. */
      blocking: boolean;
    };

/** Every conflict, in occurrence order and then invitee order. */
export function findConflicts(people: Person[], proposed: Proposed[], busy: BusyRow[]): Conflict[] {
  const busyOf = groupBy(busy, (b) => b.userId);
  const conflicts: Conflict[] = [];
  proposed.forEach((occurrence, index) => {
    const span: Span = { start: occurrence.start.getTime(), end: occurrence.end.getTime() };
    for (const person of people) {
      if (!isAvailable(person.rules, span)) conflicts.push({ kind: 'unavailable', person, index, ...occurrence });
      for (const other of busyOf.get(person.userId) ?? []) {
        if (!overlaps(span, { start: other.startsAt.getTime(), end: other.endsAt.getTime() })) continue;
        conflicts.push({ kind: 'busy', person, index, ...occurrence, other, blocking: person.role === 'tutor' && other.asTutor });
      }
    }
  });
  return conflicts;
}

export function isAvailable(rules: AvailabilityRules, span: Span): boolean {
  return uncovered(availableSpans(rules, span.start, span.end), span).length === 0;
}

/** A stable fingerprint of a set of conflicts: confirming one set does not confirm another. */
export function fingerprint(conflicts: Conflict[]): string {
  const keys = conflicts.map((c) => `${c.kind}:${c.person.userId}:${c.start.toISOString()}:${c.kind === 'busy' ? c.other.occurrenceId : ''}`).sort();
  let hash = 0x811c9dc5;
  for (const char of keys.join('|')) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `${conflicts.length}-${hash.toString(36)}`;
}

export interface PersonConflicts {
  person: Person;
  /** Sentences in the scheduler's zone, for example "Maya Chen is unavailable on Tue 3 Mar 16:00–17:00". */
  lines: string[];
  /** How many more dates were left out of `lines`. */
  more: number;
  blocking: boolean;
}

const LINES_PER_PERSON = 4;

/**
 * The alert's words, one group per person. `courseId` is the scheduler's community: sessions in
 * it are named, sessions elsewhere are only "another session" (the scheduler may not see them).
 */
export function describeConflicts(conflicts: Conflict[], zone: string, courseId: string): PersonConflicts[] {
  const groups = groupBy(conflicts, (c) => c.person.userId);
  return [...groups.values()].map((list) => {
    const person = list[0]!.person;
    const lines = list.map((c) => describe(c, zone, courseId));
    const shown = [...new Set(lines)];
    return { person, lines: shown.slice(0, LINES_PER_PERSON), more: Math.max(0, shown.length - LINES_PER_PERSON), blocking: list.some((c) => c.kind === 'busy' && c.blocking) };
  });
}

function describe(c: Conflict, zone: string, courseId: string): string {
  const when = formatSlot(c.start, c.end, zone);
  if (c.kind === 'unavailable') return `${c.person.name} is unavailable on ${when}`;
  const what = c.other.courseId === courseId ? `“${c.other.sessionName}”` : 'another session';
  if (c.blocking) return `${c.person.name} already tutors ${what} on ${formatSlot(c.other.startsAt, c.other.endsAt, zone)}`;
  return `${c.person.name} is in ${what} on ${formatSlot(c.other.startsAt, c.other.endsAt, zone)}`;
}

/** "Tue 3 Mar 2026 16:00–17:00": short enough for an alert, with the year so far dates are clear. */
export function formatSlot(start: Date, end: Date, zone: string): string {
  const s = DateTime.fromJSDate(start, { zone }).setLocale('en-GB');
  const e = DateTime.fromJSDate(end, { zone }).setLocale('en-GB');
  const endText = s.hasSame(e, 'day') ? e.toFormat('HH:mm') : e.toFormat('ccc d LLL HH:mm');
  return `${s.toFormat('ccc d LLL yyyy HH:mm')}–${endText}`;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
