// The live side of Warmup rooms in this instance. Each room with someone here subscribes once to
// its topic on the bus; a signal (someone came or went, the meeting started or ended, chat
// message 42) makes this instance read the new state once and hand the same event to every
// connection here. Presence is kept in attendance: a page's stream opening and closing marks the
// person in and out, and a sign of life every few seconds lets other instances see when this one
// stopped without saying goodbye.
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { LiveBus } from '../live/bus.js';
import * as q from './room-queries.js';
import { phaseOf, type Phase } from './room-rules.js';

/** What travels on the bus: small signals; each instance reads the content from the database. */
export type RoomSignal = { kind: 'presence' } | { kind: 'started' } | { kind: 'ended' } | { kind: 'chat'; id: number };

export interface Present {
  userId: string;
  name: string;
  role: q.AttendeeRole;
}

export interface MeetingState {
  phase: Phase;
  startedAt: Date | null;
  endedAt: Date | null;
  /** The link Start meeting opened (the session's, else the starting tutor's), once started. */
  meetingUrl: string | null;
}

export interface RoomView {
  people: Present[];
  /** Students in the room: Start meeting appears for the tutor from one. */
  students: number;
  meeting: MeetingState;
}

export type RoomEvent = { type: 'room'; view: RoomView } | { type: 'chat'; messages: q.ChatRow[] };

export interface RoomConnection {
  snapshot: { view: RoomView; chat: q.ChatRow[] };
  /** Starts handing events to `deliver`: first those that came since the snapshot was read. */
  listen(deliver: (event: RoomEvent) => void): void;
  /** The page closed: the person leaves the room unless another page of theirs is open here. */
  leave(): Promise<void>;
}

export interface RoomEntry {
  occurrenceId: string;
  courseId: string;
  endsAt: Date;
}

/** Signs of life of the pages open here, this often. */
const UPKEEP_MS = 5000;
/** A person with no sign of life for this long has left (their instance stopped). */
export const QUIET_AFTER_MS = 20_000;
/** Presence signals of one room from this instance: at most one per second, so a class arriving at once costs a few reads, not one per student. */
const PRESENCE_EVERY_MS = 1000;
/** Signals arriving together are read together. */
const GATHER_MS = 20;
/** Chat messages a page starts with. */
export const CHAT_SNAPSHOT = 200;

interface Member {
  userId: string;
  /** Recorded in attendance and listed, or an observer. */
  attendee: q.AttendeeRole | null;
  deliver: ((event: RoomEvent) => void) | null;
  queue: RoomEvent[];
}

interface LocalRoom extends RoomEntry {
  members: Set<Member>;
  subscribed: Promise<() => Promise<void>>;
  pending: { view: boolean; chatIds: Set<number>; gap: boolean };
  gathering: NodeJS.Timeout | null;
  /** Reads and deliveries of this room, one after another so events keep their order. */
  work: Promise<void>;
  lastChatId: number;
  phase: Phase;
}

export const roomTopic = (occurrenceId: string) => `room:${occurrenceId}`;

export class RoomHub {
  private readonly rooms = new Map<string, LocalRoom>();
  private readonly presenceSent = new Map<string, { at: number; timer: NodeJS.Timeout | null }>();
  private upkeep: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly deps: { db: Db; clock: Clock; bus: LiveBus; warn: (message: string, err?: unknown) => void }) {}

  async join(entry: RoomEntry, userId: string, attendee: q.AttendeeRole | null): Promise<RoomConnection> {
    const { db, clock } = this.deps;
    const room = this.roomFor(entry);
    const member: Member = { userId, attendee, deliver: null, queue: [] };
    room.members.add(member);
    let marked = false;
    try {
      await room.subscribed;
      if (attendee) {
        await q.markPresent(db, { occurrenceId: room.occurrenceId, courseId: room.courseId, userId, role: attendee, at: clock.now() });
        marked = true;
        this.presenceChanged(room.occurrenceId);
      }
      const [view, chat] = await Promise.all([this.readView(room), q.listLatestChat(db, room.occurrenceId, CHAT_SNAPSHOT)]);
      if (room.members.size === 1) room.lastChatId = Math.max(room.lastChatId, chat.at(-1)?.id ?? 0);
      return {
        snapshot: { view, chat },
        listen: (deliver) => {
          member.deliver = deliver;
          for (const event of member.queue.splice(0)) deliver(event);
        },
        leave: () => this.leave(room, member),
      };
    } catch (err) {
      // Out again, as if the page had closed: nobody is listed who has no page open.
      if (marked) await this.leave(room, member).catch(() => undefined);
      room.members.delete(member);
      this.release(room);
      throw err;
    }
  }

  /**
   * Sends a signal to the room in every instance. Never throws: what it announces is stored
   * already, and a page that missed it reads it when it reconnects.
   */
  async publish(occurrenceId: string, signal: RoomSignal): Promise<void> {
    await this.deps.bus.publish(roomTopic(occurrenceId), JSON.stringify(signal)).catch((err: unknown) => this.deps.warn(`room signal ${signal.kind} not sent`, err));
  }

  /** Throttled: a presence signal now, or one at the end of this second with every change in it. */
  presenceChanged(occurrenceId: string): void {
    const sent = this.presenceSent.get(occurrenceId) ?? { at: -Infinity, timer: null };
    this.presenceSent.set(occurrenceId, sent);
    if (sent.timer) return;
    const send = () => {
      sent.timer = null;
      sent.at = performance.now();
      void this.publish(occurrenceId, { kind: 'presence' });
    };
    const wait = sent.at + PRESENCE_EVERY_MS - performance.now();
    if (wait <= 0) send();
    else (sent.timer = setTimeout(send, wait)).unref();
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /** Shutdown: the people here leave their rooms, and nothing more is read or sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.upkeep) clearInterval(this.upkeep);
    for (const sent of this.presenceSent.values()) if (sent.timer) clearTimeout(sent.timer);
    const rooms = [...this.rooms.values()];
    this.rooms.clear();
    const now = this.deps.clock.now();
    await Promise.all(
      rooms.map(async (room) => {
        if (room.gathering) clearTimeout(room.gathering);
        for (const userId of attendeesOf(room)) await q.markLeft(this.deps.db, room.occurrenceId, userId, now).catch(() => undefined);
        await (await room.subscribed.catch(() => null))?.().catch(() => undefined);
      }),
    );
  }

  private roomFor(entry: RoomEntry): LocalRoom {
    const existing = this.rooms.get(entry.occurrenceId);
    if (existing) return existing;
    const room: LocalRoom = {
      ...entry,
      members: new Set(),
      subscribed: Promise.resolve(async () => undefined),
      pending: { view: false, chatIds: new Set(), gap: false },
      gathering: null,
      work: Promise.resolve(),
      lastChatId: 0,
      phase: 'waiting',
    };
    room.subscribed = this.deps.bus.subscribe(roomTopic(entry.occurrenceId), {
      listener: (message) => this.received(room, message),
      onGap: () => this.gather(room, (p) => (p.gap = true)),
    });
    room.subscribed.catch(() => undefined);
    this.rooms.set(entry.occurrenceId, room);
    this.startUpkeep();
    return room;
  }

  private async leave(room: LocalRoom, member: Member): Promise<void> {
    if (!room.members.delete(member)) return;
    if (member.attendee && !attendeesOf(room).includes(member.userId) && !this.stopped) {
      await q.markLeft(this.deps.db, room.occurrenceId, member.userId, this.deps.clock.now());
      this.presenceChanged(room.occurrenceId);
    }
    this.release(room);
  }

  /** The last page of a room here closed: stop listening to it. */
  private release(room: LocalRoom): void {
    if (room.members.size > 0 || this.rooms.get(room.occurrenceId) !== room) return;
    this.rooms.delete(room.occurrenceId);
    if (room.gathering) clearTimeout(room.gathering);
    room.subscribed.then((unsubscribe) => unsubscribe()).catch(() => undefined);
    if (this.rooms.size === 0 && this.upkeep) {
      clearInterval(this.upkeep);
      this.upkeep = null;
    }
  }

  private received(room: LocalRoom, message: string): void {
    let signal: RoomSignal;
    try {
      signal = JSON.parse(message) as RoomSignal;
    } catch {
      return this.deps.warn(`unreadable room signal: ${message.slice(0, 100)}`);
    }
    this.gather(room, (p) => (signal.kind === 'chat' && Number.isSafeInteger(signal.id) ? p.chatIds.add(signal.id) : (p.view = true)));
  }

  private gather(room: LocalRoom, note: (pending: LocalRoom['pending']) => void): void {
    note(room.pending);
    if (room.gathering || this.stopped) return;
    room.gathering = setTimeout(() => {
      room.gathering = null;
      const pending = room.pending;
      room.pending = { view: false, chatIds: new Set(), gap: false };
      room.work = room.work.then(() => this.deliverPending(room, pending)).catch((err: unknown) => this.deps.warn('room update failed', err));
    }, GATHER_MS);
  }

  private async deliverPending(room: LocalRoom, pending: LocalRoom['pending']): Promise<void> {
    if (this.rooms.get(room.occurrenceId) !== room) return;
    if (pending.view || pending.gap) {
      const view = await this.readView(room);
      this.emit(room, { type: 'room', view });
      await this.keepPresent(room, view);
    }
    if (pending.chatIds.size > 0 || pending.gap) {
      const messages = await q.listChatAfter(this.deps.db, room.occurrenceId, pending.gap ? room.lastChatId : 0, pending.gap ? undefined : [...pending.chatIds]);
      room.lastChatId = Math.max(room.lastChatId, messages.at(-1)?.id ?? 0);
      if (messages.length > 0) this.emit(room, { type: 'chat', messages });
    }
  }

  private emit(room: LocalRoom, event: RoomEvent): void {
    for (const member of room.members) {
      if (!member.deliver) member.queue.push(event);
      else member.deliver(event);
    }
  }

  /** Who is in the room and where the meeting stands, as the database says now. */
  async read(occurrenceId: string): Promise<RoomView> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const [people, meeting] = await Promise.all([q.listPresent(db, occurrenceId, new Date(now.getTime() - QUIET_AFTER_MS)), q.findMeeting(db, occurrenceId)]);
    const phase = meeting ? phaseOf(meeting, now) : 'over';
    return {
      people,
      students: people.filter((p) => p.role === 'student').length,
      meeting: {
        phase,
        startedAt: meeting?.startedAt ?? null,
        endedAt: meeting?.endedAt ?? null,
        meetingUrl: phase === 'started' || phase === 'ended' ? (meeting?.meetingUrl ?? null) : null,
      },
    };
  }

  private async readView(room: LocalRoom): Promise<RoomView> {
    const view = await this.read(room.occurrenceId);
    room.phase = view.meeting.phase;
    return view;
  }

  /** Someone marked gone elsewhere (a page of theirs closed on another instance) whose page is still open here is in the room again. */
  private async keepPresent(room: LocalRoom, view: RoomView): Promise<void> {
    const listed = new Set(view.people.map((p) => p.userId));
    const missing = attendeesOf(room).filter((id) => !listed.has(id));
    if (missing.length === 0 || !(room.phase === 'waiting' || room.phase === 'started')) return;
    if ((await q.markPresentAgain(this.deps.db, room.occurrenceId, missing, this.deps.clock.now())) > 0) this.presenceChanged(room.occurrenceId);
  }

  private startUpkeep(): void {
    if (this.upkeep || this.stopped) return;
    this.upkeep = setInterval(() => void this.keepUp().catch((err: unknown) => this.deps.warn('room upkeep failed', err)), UPKEEP_MS);
    this.upkeep.unref();
  }

  /** Signs of life of the pages here; people whose instance went quiet leave; an unstarted session whose time passed closes. */
  private async keepUp(): Promise<void> {
    const { db, clock } = this.deps;
    for (const room of [...this.rooms.values()]) {
      const now = clock.now();
      await q.markSeen(db, room.occurrenceId, attendeesOf(room), now);
      if ((await q.markQuietLeft(db, room.occurrenceId, new Date(now.getTime() - QUIET_AFTER_MS))) > 0) this.presenceChanged(room.occurrenceId);
      if (room.phase === 'waiting' && now >= room.endsAt) this.gather(room, (p) => (p.view = true));
    }
    for (const [id, sent] of this.presenceSent) if (!sent.timer && sent.at < performance.now() - PRESENCE_EVERY_MS) this.presenceSent.delete(id);
  }
}

function attendeesOf(room: LocalRoom): string[] {
  return [...new Set([...room.members].filter((m) => m.attendee).map((m) => m.userId))];
}
