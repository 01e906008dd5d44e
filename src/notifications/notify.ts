// Emails about a change to sessions, queued in the transaction that makes the change: one message
// per affected person per change (a series edit is one email, not one per occurrence). Added
// invitees get an invitation, removed ones a cancellation, the others an update. See CONTEXT.md.
import type { Db } from '../db/client.js';
import { describeRepeat, timingOf } from '../lib/recurrence.js';
import { compose, type Letter, type SessionFacts } from './compose.js';
import { formatRange } from '../lib/time.js';
import { instanceEvent, isDetached, joinUrlOf, overrideEvent, seriesEvent, type EventText } from './entries.js';
import { buildCalendar, type IcsEvent, type IcsMethod } from './ics.js';
import type { Links } from './links.js';
import { enqueue, type MessageKind, type OutgoingMessage } from './outbox.js';
import * as q from './queries.js';

/** A series as it was before a change: who was invited and its occurrences. */
export interface SeriesSnapshot {
  series: q.SeriesRow;
  invitees: q.Person[];
  occurrences: q.OccurrenceRow[];
}

export async function snapshotSeries(db: Db, seriesId: string): Promise<SeriesSnapshot> {
  const series = await q.findSeries(db, seriesId);
  if (!series) throw new Error(`No series ${seriesId}`);
  const [invitees, occurrences] = await Promise.all([q.listInvitees(db, seriesId), q.listSeriesOccurrences(db, [seriesId])]);
  return { series, invitees, occurrences };
}

/** A series after a change, with what its messages need. */
interface Entry extends SeriesSnapshot {
  parent: q.SeriesRow | undefined;
  detached: boolean;
  facts: SessionFacts;
}

async function loadEntry(db: Db, seriesId: string): Promise<Entry> {
  const snap = await snapshotSeries(db, seriesId);
  const parent = snap.series.parentSeriesId ? await q.findSeries(db, snap.series.parentSeriesId) : undefined;
  const detached = isDetached(snap.series, parent, snap.occurrences[0]);
  return { ...snap, parent, detached, facts: await factsOf(db, snap.series, snap.invitees) };
}

/** What every email says about a session: its name, community, zone, length, repeat, tutors and link. */
export async function factsOf(db: Db, series: q.SeriesRow, invitees: q.Person[]): Promise<SessionFacts> {
  const tutors = invitees.filter((i) => i.role === 'tutor');
  return {
    name: series.name,
    description: series.description,
    community: await q.findCourseTitle(db, series.courseId),
    zone: series.timeZone,
    durationMinutes: series.durationMinutes,
    repeatSummary: describeRepeat(timingOf(series)),
    tutors: tutors.map((i) => i.name),
    meetingUrl: joinUrlOf(series, tutors),
  };
}

/** The entry as calendar events: the series' own, or the override of its parent's date. */
function eventsOf(entry: Entry, text: EventText): IcsEvent[] {
  const occurrence = entry.occurrences[0];
  if (entry.detached && entry.parent && occurrence) return [overrideEvent(entry.parent, entry.series, occurrence, text)];
  return [seriesEvent(entry.series, entry.occurrences, text)];
}

/** The occurrence a message talks about: the next one still scheduled, else the first. */
function focusOf(occurrences: q.OccurrenceRow[], now: Date): q.OccurrenceRow | undefined {
  return occurrences.find((o) => o.status === 'scheduled' && o.startsAt > now) ?? occurrences[0];
}

interface Draft {
  kind: MessageKind;
  person: q.Person;
  entry: Entry;
  occurrence: q.OccurrenceRow;
  method: IcsMethod;
  events: (text: EventText) => IcsEvent[];
  dedupeKey: string;
  change?: string;
  scheduler?: string;
  scheduledByRecipient?: boolean;
}

function messageOf(d: Draft, links: Links, now: Date): OutgoingMessage {
  const link = links.sessionLink(d.person.userId, d.occurrence.id, d.occurrence.endsAt);
  const letter: Letter = {
    kind: d.kind,
    recipient: { name: d.person.name, timeZone: d.person.timeZone },
    session: d.entry.facts,
    start: d.occurrence.startsAt,
    end: d.occurrence.endsAt,
    link,
    change: d.change,
    scheduler: d.scheduler,
    scheduledByRecipient: d.scheduledByRecipient,
  };
  const description = [d.entry.facts.description, d.entry.facts.meetingUrl ? `Join: ${d.entry.facts.meetingUrl}` : '', `Open in TutorKit: ${link}`].filter(Boolean).join('\n\n');
  // iTIP wants an ORGANIZER and the ATTENDEE the message is for; replies are not asked for (RSVP=FALSE).
  const people = { organizer: links.calendarOrganizer(), attendees: d.person.email ? [{ name: d.person.name, email: d.person.email }] : [] };
  const events = d.events({ summary: d.entry.facts.name, description }).map((e) => ({ ...e, ...people, meetingUrl: e.meetingUrl ?? d.entry.facts.meetingUrl }));
  const ics = buildCalendar(d.method, events, now);
  return {
    dedupeKey: d.dedupeKey,
    kind: d.kind,
    userId: d.person.userId,
    to: d.person.email,
    ...compose(letter),
    ics,
    courseId: d.entry.series.courseId,
    seriesId: d.entry.series.id,
    occurrenceId: d.occurrence.id,
  };
}

/** Invitations to everyone invited to a new series. */
export async function notifySaved(db: Db, links: Links, seriesId: string, now: Date): Promise<number> {
  const entry = await loadEntry(db, seriesId);
  const occurrence = focusOf(entry.occurrences, now);
  if (!occurrence) return 0;
  const scheduler = await q.findUserName(db, entry.series.createdBy);
  const drafts = entry.invitees.map((person): Draft => ({
    kind: 'invitation',
    person,
    entry,
    occurrence,
    method: 'REQUEST',
    events: (text) => eventsOf(entry, text),
    dedupeKey: `invitation:${entry.series.id}:${entry.series.sequence}:${person.userId}`,
    scheduler,
    scheduledByRecipient: person.userId === entry.series.createdBy,
  }));
  return enqueue(db, drafts.map((d) => messageOf(d, links, now)));
}

/**
 * After an edit. `before` is the edited series as it was; `changedSeriesId` the series that now
 * holds the edited sessions: the same one (changed in place), a one-off child ("This session"),
 * or a child series that continues it ("This and following").
 */
export async function notifyEdited(db: Db, links: Links, before: SeriesSnapshot, changedSeriesId: string, now: Date): Promise<number> {
  const parent = await loadEntry(db, before.series.id);
  const changed = changedSeriesId === parent.series.id ? parent : await loadEntry(db, changedSeriesId);
  const split = changed !== parent && !changed.detached;
  const occurrence = focusOf(changed.occurrences, now);
  if (!occurrence) return 0;
  const moved = before.occurrences.find((o) => o.id === occurrence.id) ?? occurrence;
  const change = (person: q.Person) =>
    changed.detached ? `Only the session on ${formatRange(moved.startsAt, moved.endsAt, person.timeZone ?? before.series.timeZone)} changed.` : undefined;
  const key = (userId: string) => `change:${parent.series.id}.${parent.series.sequence}:${changed.series.id}.${changed.series.sequence}:${userId}`;
  const was = new Set(before.invitees.map((p) => p.userId));
  const stays = new Set(changed.invitees.map((p) => p.userId));
  const drafts: Draft[] = [];
  for (const person of changed.invitees) {
    const kind: MessageKind = was.has(person.userId) ? 'update' : 'invitation';
    // Split: people who had the old series get its cut rule and the new series in one file.
    const events = (text: EventText) => (split && kind === 'update' ? [seriesEvent(parent.series, parent.occurrences, text), ...eventsOf(changed, text)] : eventsOf(changed, text));
    drafts.push({ kind, person, entry: changed, occurrence, method: 'REQUEST', events, dedupeKey: key(person.userId), change: change(person) });
  }
  const leftParent = before.occurrences.filter((o) => !parent.occurrences.some((p) => p.id === o.id));
  for (const person of before.invitees.filter((p) => !stays.has(p.userId))) {
    const events = (text: EventText) => (split ? leftParent.map((o) => instanceEvent(parent.series, o, text)) : eventsOf(changed, text));
    drafts.push({ kind: 'cancellation', person, entry: changed, occurrence, method: 'CANCEL', events, dedupeKey: key(person.userId), change: `You are no longer invited to “${changed.facts.name}”.` });
  }
  return enqueue(db, drafts.map((d) => messageOf(d, links, now)));
}

/** After cancelling `occurrenceIds` of a series: one cancellation per invitee, about the sessions that were still scheduled. */
export async function notifyCancelled(db: Db, links: Links, before: SeriesSnapshot, occurrenceIds: string[], now: Date): Promise<number> {
  const entry = await loadEntry(db, before.series.id);
  const wasScheduled = new Set(before.occurrences.filter((o) => o.status === 'scheduled').map((o) => o.id));
  const cancelled = entry.occurrences.filter((o) => occurrenceIds.includes(o.id) && wasScheduled.has(o.id));
  const first = cancelled[0];
  if (!first) return 0;
  const whole = entry.occurrences.every((o) => o.status === 'cancelled');
  const events = (text: EventText) =>
    entry.detached || whole ? eventsOf(entry, text) : cancelled.map((o) => instanceEvent(entry.series, o, text));
  const change = (person: q.Person) => {
    const when = formatRange(first.startsAt, first.endsAt, person.timeZone ?? entry.series.timeZone);
    return cancelled.length === 1 ? `The session “${entry.facts.name}” on ${when} was cancelled.` : `${cancelled.length} sessions of “${entry.facts.name}” were cancelled, from ${when} on.`;
  };
  const drafts = entry.invitees.map((person): Draft => ({
    kind: 'cancellation',
    person,
    entry,
    occurrence: first,
    method: 'CANCEL',
    events,
    dedupeKey: `cancel:${entry.series.id}:${entry.series.sequence}:${person.userId}`,
    change: change(person),
  }));
  return enqueue(db, drafts.map((d) => messageOf(d, links, now)));
}
