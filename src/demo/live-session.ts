// The demo's promise to a newcomer: whoever launches, a session with both demo tutors and every
// demo student is on (or starts within minutes), so "Launch as tutor" and "Launch as student" in
// two windows meet in its Warmup room at once. Checked at every demo launch; when none is on, a
// one-off "Drop-in help" session is added from now, as a tutor adding it in the form would
// (through the scheduling module's queries and bookings), without invitations by email.
import type { Db } from '../db/client.js';
import { isDoubleBooking, syncBookings } from '../scheduling/bookings.js';
import * as sessions from '../scheduling/queries.js';
import { expandOccurrences, type SeriesTiming } from '../lib/recurrence.js';
import { addElapsedMinutes, localDateOf, localTimeOf } from '../lib/time.js';
import { DEMO_ZONE } from './history-plan.js';
import { TOPIC_TEXTS } from './history-texts.js';
import { DEMO_PEOPLE } from './people.js';
import * as q from './queries.js';

/** The drop-in's Meeting URL (Start meeting opens it; students get Join meeting to it). */
export const DEMO_MEETING_URL = 'https://meet.jit.si/TutorKit-BIO101-demo-drop-in';

/** The drop-in session the demo added last (the one whose unused time it may give back). */
export const DROP_IN_SETTING = 'demo_drop_in';
const LOCK_ID = 1_407_001;
/** "Active" as the Warmup room counts it: starting within this many minutes, or in progress. */
const ACTIVE_SOON_MINUTES = 15;
const LENGTH_MINUTES = 60;
const SHORTEST_MINUTES = 20;
/** How long a drop-in may wait for a tutor's other session to end and still count as starting now. */
const LATEST_START_MINUTES = 10;
const TOPIC = 'Evolution';

export type LiveSession = { occurrenceId: string; created: boolean } | { occurrenceId: null; reason: string };

interface Window {
  start: Date;
  end: Date;
  tutorIds: string[];
}

export async function ensureLiveSession(db: Db, where: { platformId: string; courseId: string }, now: Date): Promise<LiveSession> {
  try {
    return await db.transaction(async (tx) => {
      // Two launches at once (two windows) must not add two drop-ins.
      await q.lockForTransaction(tx, LOCK_ID);
      const users = await q.findUserIds(tx, where.platformId, DEMO_PEOPLE.map((p) => p.sub));
      const idsOf = (role: string) => DEMO_PEOPLE.filter((p) => p.role === role).map((p) => users.get(p.sub)!);
      const [tutorIds, studentIds] = [idsOf('tutor'), idsOf('student')];
      const active = await q.findActiveOccurrence(tx, where.courseId, [...tutorIds, ...studentIds], now, ACTIVE_SOON_MINUTES);
      if (active) return { occurrenceId: active, created: false };
      await giveBackUnusedTime(tx, now);
      const window = chooseWindow(await q.listBookings(tx, tutorIds, addElapsedMinutes(now, -1), addElapsedMinutes(now, 2 * LENGTH_MINUTES)), tutorIds, now);
      if (!window) return { occurrenceId: null, reason: 'both demo tutors are booked in other sessions now' };
      const occurrenceId = await addDropIn(tx, where, window, studentIds);
      return { occurrenceId, created: true };
    });
  } catch (err) {
    // Someone booked a demo tutor between our look and our save: their session stands.
    if (isDoubleBooking(err)) return { occurrenceId: null, reason: 'a demo tutor was booked at the same moment' };
    throw err;
  }
}

/**
 * A drop-in the tutor ended early would keep both tutors booked until its scheduled end, and the
 * next newcomer would find nothing to join: its scheduled end becomes the minute it ended.
 */
async function giveBackUnusedTime(tx: Db, now: Date): Promise<void> {
  const last = await q.readSetting<{ seriesId: string; occurrenceId: string }>(tx, DROP_IN_SETTING);
  const run = last && (await q.findOccurrenceRun(tx, last.occurrenceId));
  if (!last || !run?.endedAt || run.endedAt > now) return;
  const minuteAfterStart = addElapsedMinutes(run.startsAt, 1);
  const endedMinute = ceilToMinute(run.endedAt);
  const end = endedMinute > minuteAfterStart ? endedMinute : minuteAfterStart;
  if (end >= run.endsAt) return;
  await q.setOneOffEnd(tx, run.seriesId, last.occurrenceId, end, Math.round((end.getTime() - run.startsAt.getTime()) / 60_000));
  await syncBookings(tx, [run.seriesId]);
}

/**
 * When the drop-in can start (now, or when a tutor's session ends within a few minutes) and
 * with whom: as many tutors as are free then, for an hour or until a tutor's next session.
 */
export function chooseWindow(bookings: { tutorId: string; startsAt: Date; endsAt: Date }[], tutorIds: string[], now: Date): Window | null {
  const latest = addElapsedMinutes(now, LATEST_START_MINUTES);
  const candidates = [floorToMinute(now), ...bookings.map((b) => ceilToMinute(b.endsAt)).filter((t) => t > now && t <= latest)];
  let best: Window | null = null;
  for (const start of candidates) {
    const free = tutorIds.filter((id) => !bookings.some((b) => b.tutorId === id && b.startsAt <= start && b.endsAt > start));
    const nextStarts = bookings.filter((b) => free.includes(b.tutorId) && b.startsAt > start).map((b) => b.startsAt.getTime());
    const end = new Date(Math.min(addElapsedMinutes(start, LENGTH_MINUTES).getTime(), ...nextStarts));
    if (free.length === 0 || end.getTime() - start.getTime() < SHORTEST_MINUTES * 60_000) continue;
    if (!best || free.length > best.tutorIds.length) best = { start, end: floorToMinute(end), tutorIds: free };
  }
  return best;
}

async function addDropIn(tx: Db, where: { platformId: string; courseId: string }, window: Window, studentIds: string[]): Promise<string> {
  const { courseId } = where;
  const timing: SeriesTiming = {
    startDate: localDateOf(window.start, DEMO_ZONE),
    startTime: localTimeOf(window.start, DEMO_ZONE),
    durationMinutes: Math.round((window.end.getTime() - window.start.getTime()) / 60_000),
    zone: DEMO_ZONE,
    repeat: { freq: 'none' },
  };
  const seriesId = await sessions.insertSeries(tx, {
    courseId,
    createdBy: window.tutorIds[0]!,
    name: 'Drop-in help: ask a tutor',
    description: 'Open help for anything in BIO 101. The demo adds this session whenever it is launched and no session for everyone is on, so there is always a Warmup room to try.',
    timeZone: timing.zone,
    startDate: timing.startDate,
    startTime: timing.startTime,
    durationMinutes: timing.durationMinutes,
    repeat: timing.repeat,
    invitedOnly: false,
    // A public video room that needs no account, so Start meeting and Join meeting can be tried at once.
    meetingUrl: DEMO_MEETING_URL,
    autoResources: false,
  });
  const tagId = await q.findTopicTag(tx, where.platformId, TOPIC);
  const texts = TOPIC_TEXTS[TOPIC];
  await sessions.replaceSeriesDetails(tx, seriesId, courseId, {
    tagIds: tagId ? [tagId] : [],
    resources: [
      { kind: 'before', ...texts.before },
      { kind: 'exit', ...texts.exit },
    ],
    invitees: [...window.tutorIds.map((userId) => ({ userId, role: 'tutor' as const })), ...studentIds.map((userId) => ({ userId, role: 'student' as const }))],
  });
  await sessions.insertOccurrences(tx, seriesId, courseId, expandOccurrences(timing));
  await syncBookings(tx, [seriesId]);
  const [occurrence] = await sessions.listOccurrencesFrom(tx, seriesId, new Date(0));
  await q.writeSetting(tx, DROP_IN_SETTING, { seriesId, occurrenceId: occurrence!.id });
  return occurrence!.id;
}

function floorToMinute(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000);
}

function ceilToMinute(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / 60_000) * 60_000);
}
