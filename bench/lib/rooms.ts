// The Warmup room under load (issue 14): a course "LIVE 101" added to the seeded LMS with rooms open
// now, the event-stream client the scenarios hold thousands of, and the two measurements: how long
// a chat message takes to reach every student in one room, and how much memory thousands of open
// streams cost the server.
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Db } from '../../src/db/client.js';
import { courses, memberships, occurrences, seriesInvitees, sessionSeries, users } from '../../src/db/schema.js';
import { LaunchTokens } from '../../src/lib/session-token.js';
import { ROLES } from '../../test/support/platform-simulator.js';
import type { LaunchPerson } from './load.js';
import { Recorder, cpuMeter, type Measurement } from './stats.js';

export interface RoomSizes {
  /** Students in the one open room the chat scenario fans out to. */
  chatStudents: number;
  /** Rooms of the stream-holding scenario, and the people (students) with a stream in each. */
  rooms: number;
  perRoom: number;
}

export const FULL_ROOM_SIZES: RoomSizes = { chatStudents: 500, rooms: 50, perRoom: 40 };
export const QUICK_ROOM_SIZES: RoomSizes = { chatStudents: 50, rooms: 10, perRoom: 10 };

/** Issue 14's targets. */
export const ROOM_TARGETS = { chatP95Ms: 200, streamsRssMb: 300 } as const;

export interface RoomFixtures {
  courseId: string;
  /** The open room (any student of the course may join): the tutor chats, the students listen. */
  chat: { occurrenceId: string; tutor: LaunchPerson; students: LaunchPerson[] };
  /** Invited-only rooms, each with its own students: who holds a stream where. */
  streams: { occurrenceId: string; studentIds: string[] }[];
}

const LIVE_COURSE = { contextId: 'bench-live-101', title: 'LIVE 101: rooms under load', label: 'LIVE 101' };

/**
 * Adds LIVE 101 to the seeded platform: a tutor, enough students for both scenarios, one room open
 * to the course and `rooms` invited-only rooms, every one started five minutes ago and running for
 * three hours (so the rooms are open and no reminder is due for them).
 */
export async function createRoomFixtures(db: Db, platformId: string, sizes: RoomSizes, now: Date): Promise<RoomFixtures> {
  const [course] = await db.insert(courses).values({ platformId, ...LIVE_COURSE }).returning({ id: courses.id });
  const courseId = course!.id;
  const studentCount = Math.max(sizes.chatStudents, sizes.rooms * sizes.perRoom);
  const people = [
    { sub: 'bench-live-tutor', name: 'Lee Live (tutor)', email: 'live-tutor@bench.tutorkit.test' },
    ...Array.from({ length: studentCount }, (_, i) => ({ sub: `bench-live-student-${i + 1}`, name: `Live Student ${i + 1}`, email: `live-student-${i + 1}@bench.tutorkit.test` })),
  ];
  const ids: string[] = [];
  for (let i = 0; i < people.length; i += 1000) {
    const rows = await db
      .insert(users)
      .values(people.slice(i, i + 1000).map((p) => ({ platformId, ...p, timeZone: 'America/New_York' })))
      .returning({ id: users.id, sub: users.sub });
    const bySub = new Map(rows.map((r) => [r.sub, r.id]));
    ids.push(...people.slice(i, i + 1000).map((p) => bySub.get(p.sub)!));
  }
  const [tutorId, ...studentIds] = ids as [string, ...string[]];
  for (let i = 0; i < ids.length; i += 1000) {
    await db.insert(memberships).values(
      ids.slice(i, i + 1000).map((userId) => {
        const role = userId === tutorId ? ('tutor' as const) : ('student' as const);
        return { courseId, userId, role, lmsRole: role, ltiRoles: [role === 'tutor' ? ROLES.teachingAssistant : ROLES.learner], lastLaunchAt: now };
      }),
    );
  }

  const startsAt = new Date(now.getTime() - 5 * 60_000);
  const endsAt = new Date(now.getTime() + 175 * 60_000);
  const iso = startsAt.toISOString();
  const addRoom = async (name: string, invitedOnly: boolean, students: string[]) => {
    const [series] = await db
      .insert(sessionSeries)
      .values({ courseId, createdBy: tutorId, name, timeZone: 'UTC', startDate: iso.slice(0, 10), startTime: iso.slice(11, 16), durationMinutes: 180, repeat: { freq: 'none' }, invitedOnly })
      .returning({ id: sessionSeries.id });
    const seriesId = series!.id;
    const invitees = [{ seriesId, userId: tutorId, courseId, role: 'tutor' as const }, ...students.map((userId) => ({ seriesId, userId, courseId, role: 'student' as const }))];
    for (let i = 0; i < invitees.length; i += 1000) await db.insert(seriesInvitees).values(invitees.slice(i, i + 1000));
    const [occurrence] = await db.insert(occurrences).values({ seriesId, courseId, startsAt, endsAt, originalStartsAt: startsAt }).returning({ id: occurrences.id });
    return occurrence!.id;
  };

  const context = { id: LIVE_COURSE.contextId, title: LIVE_COURSE.title, label: LIVE_COURSE.label };
  const launchPerson = (p: (typeof people)[number], role: string): LaunchPerson => ({ user: { sub: p.sub, name: p.name, email: p.email, roles: [role] }, context });
  const chatOccurrence = await addRoom('Drop-in help (everyone)', false, []);
  const streams: RoomFixtures['streams'] = [];
  for (let r = 0; r < sizes.rooms; r++) {
    const mine = studentIds.slice(r * sizes.perRoom, (r + 1) * sizes.perRoom);
    streams.push({ occurrenceId: await addRoom(`Study group ${r + 1}`, true, mine), studentIds: mine });
  }
  return {
    courseId,
    chat: { occurrenceId: chatOccurrence, tutor: launchPerson(people[0]!, ROLES.teachingAssistant), students: people.slice(1, 1 + sizes.chatStudents).map((p) => launchPerson(p, ROLES.learner)) },
    streams,
  };
}

/**
 * Tokens for the stream holders, signed as TutorKit signs a launch's (same key, same claims): 2,000
 * full launches would measure the launch, not the streams, and the launch has its own scenario.
 */
export async function streamTokens(ltiKey: string, courseId: string, studentIds: string[]): Promise<Map<string, string>> {
  const tokens = new LaunchTokens(ltiKey, 120, { now: () => new Date() });
  const out = new Map<string, string>();
  for (const userId of studentIds) out.set(userId, await tokens.issue({ userId, courseId, role: 'student', isAdmin: false }));
  return out;
}

// ---- The event-stream client --------------------------------------------------------------

export interface StreamEvent {
  event: string;
  data: string;
}

/**
 * One held event stream, read as the page's script reads it (GET with the bearer token), with as
 * little of the benchmark's own memory as possible: events are parsed as they come and handed to
 * `onEvent`, nothing is kept.
 */
export class HeldStream {
  #req: ClientRequest | null = null;
  #res: IncomingMessage | null = null;
  #buffer = '';
  closed = false;
  /** Why the stream ended early (an error status, a dropped connection), for the error count. */
  failure: string | null = null;

  private constructor(private readonly onEvent: (e: StreamEvent) => void) {}

  /** Resolves once the server answered 200 and sent its first event (the snapshot). */
  static open(url: string, token: string | null, onEvent: (e: StreamEvent) => void): Promise<HeldStream> {
    const stream = new HeldStream(onEvent);
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve(stream);
      };
      const req = request(url, { headers: { Accept: 'text/event-stream', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, agent: false }, (res) => {
        stream.#res = res;
        if (res.statusCode !== 200) {
          res.resume();
          return settle(new Error(`stream answered HTTP ${res.statusCode}`));
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          stream.#feed(chunk);
          if (chunk.includes('\n\n') && chunk.includes('data:')) settle();
        });
        res.on('close', () => {
          stream.closed = true;
          if (!stream.failure && settled) stream.failure = 'stream closed by the server';
          settle(new Error('stream closed before its first event'));
        });
      });
      req.on('error', (err) => {
        stream.closed = true;
        stream.failure = err.message;
        settle(err);
      });
      req.end();
      stream.#req = req;
    });
  }

  #feed(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) this.onEvent({ event, data: data.join('\n') });
    }
  }

  close(): void {
    this.closed = true;
    this.failure = null;
    this.#res?.destroy();
    this.#req?.destroy();
  }
}

// ---- Chat to one room ---------------------------------------------------------------------

export interface ChatRun {
  /** Where the stream of each listener is (TutorKit: the room's /stream; the bare reference: its own). */
  streamUrl: string;
  listenerTokens: (string | null)[];
  /** Posts message `text`; resolves when the server answered. */
  post: (text: string) => Promise<void>;
  messages: number;
  /** Pause between messages (TutorKit allows 5 per 5 s per person). */
  intervalMs: number;
}

/**
 * Opens every listener's stream, then posts `messages` chat messages one after another; each
 * message's delay is measured from just before its POST to its arrival on each stream, so one
 * message gives as many samples as listeners. A message that has not reached a stream 10 s after
 * it was posted counts as an error for that stream.
 */
export async function measureChat(run: ChatRun): Promise<{ measurement: Measurement; streams: number }> {
  const recorder = new Recorder();
  const sentAt = new Map<string, number>();
  const received = new Map<string, number>();
  const streams: HeldStream[] = [];
  const onEvent = ({ event, data }: StreamEvent) => {
    if (event !== 'chat') return;
    const marker = /bench-chat-(\d+)-end/.exec(data)?.[0];
    if (!marker) return;
    const t0 = sentAt.get(marker);
    if (t0 === undefined) return;
    recorder.record(performance.now() - t0);
    received.set(marker, (received.get(marker) ?? 0) + 1);
  };
  try {
    // Opened a few at a time: the class arrives over a few seconds, not in one instant.
    for (let i = 0; i < run.listenerTokens.length; i += 25) {
      streams.push(...(await Promise.all(run.listenerTokens.slice(i, i + 25).map((token) => HeldStream.open(run.streamUrl, token, onEvent)))));
    }
    const cpu = cpuMeter();
    const t0 = performance.now();
    for (let n = 1; n <= run.messages; n++) {
      const marker = `bench-chat-${n}-end`;
      sentAt.set(marker, performance.now());
      await run.post(`Message ${n} from the tutor ${marker}`);
      await sleep(run.intervalMs);
    }
    // The last message's stragglers.
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline && [...sentAt.keys()].some((m) => (received.get(m) ?? 0) < streams.length)) await sleep(50);
    for (const marker of sentAt.keys()) {
      const missing = streams.length - (received.get(marker) ?? 0);
      for (let i = 0; i < missing; i++) recorder.fail(`a chat message did not reach a stream within 10 s`);
    }
    for (const s of streams) if (s.failure) recorder.fail(s.failure);
    return { measurement: recorder.summarize((performance.now() - t0) / 1000, cpu()), streams: streams.length };
  } finally {
    for (const s of streams) s.close();
  }
}

// ---- Thousands of open streams ------------------------------------------------------------

export interface HoldRun {
  /** Each holder's stream URL and token. */
  holders: { url: string; token: string | null }[];
  /** Streams opened per second until every holder has one. */
  openPerSecond: number;
  /** Once all are open: streams closed and reopened per second (pages closed and reloaded). */
  churnPerSecond: number;
  /** How long all streams stay open, with churn, once the last one opened. */
  holdS: number;
}

/**
 * Opens every holder's stream at `openPerSecond` (the time each takes to open, up to its first
 * event, is the latency recorded), then keeps them all open for `holdS` seconds while
 * `churnPerSecond` of them leave and come back. A stream the server drops or refuses is an error.
 */
export async function holdStreams(run: HoldRun): Promise<{ measurement: Measurement; peakOpen: number }> {
  const recorder = new Recorder();
  const open = new Map<number, HeldStream>();
  let peakOpen = 0;
  const cpu = cpuMeter();
  const t0 = performance.now();
  const openOne = async (index: number) => {
    const holder = run.holders[index]!;
    const started = performance.now();
    try {
      open.set(index, await HeldStream.open(holder.url, holder.token, () => undefined));
      recorder.record(performance.now() - started);
    } catch (err) {
      recorder.fail((err as Error).message);
    }
  };
  const countDropped = () => {
    for (const [index, s] of open) {
      if (!s.closed) continue;
      recorder.fail(s.failure ?? 'stream closed');
      open.delete(index);
    }
  };
  /** Runs `work` on `perSecond` items per second, in tenths of a second. */
  const paced = async (perSecond: number, until: (i: number) => boolean, work: (i: number) => Promise<void>) => {
    const batch = Math.max(1, Math.round(perSecond / 10));
    for (let i = 0; !until(i); i += batch) {
      const tick = performance.now();
      // Dropped by the server since the last tick: counted before churn could reopen them.
      countDropped();
      await Promise.all(Array.from({ length: batch }, (_, k) => work(i + k)));
      peakOpen = Math.max(peakOpen, open.size);
      await sleep(Math.max(0, 100 - (performance.now() - tick)));
    }
  };
  try {
    await paced(run.openPerSecond, (i) => i >= run.holders.length, async (i) => {
      if (i < run.holders.length) await openOne(i);
    });
    countDropped();
    const until = performance.now() + run.holdS * 1000;
    await paced(run.churnPerSecond, () => performance.now() >= until, async (i) => {
      const index = i % run.holders.length;
      open.get(index)?.close();
      open.delete(index);
      await openOne(index);
    });
    countDropped();
    return { measurement: recorder.summarize((performance.now() - t0) / 1000, cpu()), peakOpen };
  } finally {
    for (const s of open.values()) s.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
