// Who cannot make which of the proposed occurrences, and why. Pure: the caller loads the people,
// their rules and their busy time (./queries.ts) and passes them in.
import { formatSlot } from '../lib/time.js';
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
  return conflictFinder(people, busy)(proposed, 0);
}

/**
 * A finder for one series, handed its occurrences in order, a part at a time (the check lets
 * other requests in between parts): `firstIndex` is the index of the part's first occurrence.
 * Each person's busy time is sorted by start once and walked alongside the occurrences: a
 * 500-session series against a tutor's year of bookings stays linear, not 500 × bookings.
 */
export function conflictFinder(people: Person[], busy: BusyRow[]): (proposed: Proposed[], firstIndex: number) => Conflict[] {
  const busyOf = groupBy([...busy].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()), (b) => b.userId);
  const longest = new Map([...busyOf].map(([id, list]) => [id, Math.max(...list.map((b) => b.endsAt.getTime() - b.startsAt.getTime()))]));
  const cursor = new Map<string, number>();
  return (proposed, firstIndex) => {
    const conflicts: Conflict[] = [];
    proposed.forEach((occurrence, at) => {
      const index = firstIndex + at;
      const span: Span = { start: occurrence.start.getTime(), end: occurrence.end.getTime() };
      for (const person of people) {
        if (!isAvailable(person.rules, span)) conflicts.push({ kind: 'unavailable', person, index, ...occurrence });
        const list = busyOf.get(person.userId);
        if (!list) continue;
        // Sessions starting before span.start - longest can no longer overlap this or any later occurrence.
        let first = cursor.get(person.userId) ?? 0;
        while (first < list.length && list[first]!.startsAt.getTime() < span.start - longest.get(person.userId)!) first++;
        cursor.set(person.userId, first);
        for (let i = first; i < list.length && list[i]!.startsAt.getTime() < span.end; i++) {
          const other = list[i]!;
          if (!overlaps(span, { start: other.startsAt.getTime(), end: other.endsAt.getTime() })) continue;
          conflicts.push({ kind: 'busy', person, index, ...occurrence, other, blocking: person.role === 'tutor' && other.asTutor });
        }
      }
    });
    return conflicts;
  };
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
    // Lines are told apart by what they say (kind, times, other session), so only the shown ones are formatted.
    const distinct = [...new Map(list.map((c) => [lineKey(c, courseId), c])).values()];
    return {
      person: list[0]!.person,
      lines: distinct.slice(0, LINES_PER_PERSON).map((c) => describe(c, zone, courseId)),
      more: Math.max(0, distinct.length - LINES_PER_PERSON),
      blocking: list.some((c) => c.kind === 'busy' && c.blocking),
    };
  });
}

/** What a conflict's sentence depends on: two conflicts with one key read the same. */
function lineKey(c: Conflict, courseId: string): string {
  if (c.kind === 'unavailable') return `u|${c.start.getTime()}|${c.end.getTime()}`;
  const named = c.other.courseId === courseId ? c.other.sessionName : '';
  return `b|${c.blocking}|${named}|${c.other.startsAt.getTime()}|${c.other.endsAt.getTime()}`;
}

function describe(c: Conflict, zone: string, courseId: string): string {
  const when = formatSlot(c.start, c.end, zone);
  if (c.kind === 'unavailable') return `${c.person.name} is unavailable on ${when}`;
  const what = c.other.courseId === courseId ? `“${c.other.sessionName}”` : 'another session';
  if (c.blocking) return `${c.person.name} already tutors ${what} on ${formatSlot(c.other.startsAt, c.other.endsAt, zone)}`;
  return `${c.person.name} is in ${what} on ${formatSlot(c.other.startsAt, c.other.endsAt, zone)}`;
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
