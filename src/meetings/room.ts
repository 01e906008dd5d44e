// The Warmup room: the page (session details, Resources, who is here, the meeting's state, chat),
// its live connection, Start meeting, chat messages, and the transcript. The service as the
// composition root builds it (createRoomService); the live fan-out is in room-hub.ts.
import { z } from 'zod';
import { viewerZone, type Viewer } from '../courses/service.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import { ConflictError, NotFoundError } from '../lib/errors.js';
import { formatElapsed, formatInstant, formatRange, localTimeOf } from '../lib/time.js';
import type { LiveBus } from '../live/bus.js';
import { loadSessionPage } from '../scheduling/session-page.js';
import { ChatPace, ChatTooFastError, readChatMessage } from './room-chat.js';
import { CHAT_SNAPSHOT, RoomHub, type RoomConnection, type RoomSignal, type RoomView } from './room-hub.js';
import * as q from './room-queries.js';
import { isOpen, mayReadTranscript, notTutorRefusal, opensAt, partOf, phaseOf, RoomClosedError, transcriptRefusal, type Part } from './room-rules.js';

export type { RoomEvent, RoomSignal, RoomView } from './room-hub.js';
export type { Part, Phase } from './room-rules.js';
export { ChatTooFastError } from './room-chat.js';

export interface RoomDeps {
  db: Db;
  clock: Clock;
  bus: LiveBus;
  /** Told of failures of background work (a signal not sent, an update not read). */
  warn?: (message: string, err?: unknown) => void;
}

/** What shapes a person's view of the room beyond what everyone sees. */
export interface RoomViewer {
  courseId: string;
  occurrenceId: string;
  part: Part;
  zone: string;
  /** The link Start meeting opens for this tutor: the session's, else their own; null for others or when neither exists. */
  startUrl: string | null;
  /** Whether the viewer came to the room (students: they may rate the session once it ended). */
  attended: boolean;
}

const NOT_HERE = 'This session does not exist in this community.';

export function createRoomService({ db, clock, bus, warn = () => undefined }: RoomDeps) {
  const hub = new RoomHub({ db, clock, bus, warn });
  const pace = new ChatPace(clock);

  /** The occurrence and how the viewer may be in its room (403, 404 or 409 otherwise). */
  async function admit(viewer: Viewer, occurrenceId: string) {
    if (!z.uuid().safeParse(occurrenceId).success) throw new NotFoundError(NOT_HERE);
    const room = await q.findRoom(db, viewer.courseId, occurrenceId, viewer.userId);
    if (!room) throw new NotFoundError(NOT_HERE);
    const part = partOf(viewer, room);
    const roomViewer: RoomViewer = {
      courseId: viewer.courseId,
      occurrenceId,
      part,
      zone: viewerZone(viewer),
      startUrl: part === 'tutor' ? (room.sessionMeetingUrl ?? room.ownMeetingUrl) : null,
      attended: room.attended,
    };
    return { room, roomViewer, phase: phaseOf(room, clock.now()) };
  }

  return {
    /** The Warmup room page: details and Resources always; who is here, the meeting and chat while open; when it opens before. */
    async page(viewer: Viewer, occurrenceId: string) {
      const { room, roomViewer, phase } = await admit(viewer, occurrenceId);
      const now = clock.now();
      const details = await loadSessionPage(db, viewer, occurrenceId, now);
      const live = isOpen(phase) || phase === 'ended' ? await hub.read(occurrenceId) : null;
      const chat = isOpen(phase) ? await q.listLatestChat(db, occurrenceId, CHAT_SNAPSHOT) : [];
      const opens = opensAt(room.startsAt);
      return {
        details,
        phase,
        viewer: roomViewer,
        view: live,
        chat,
        opensAt: opens,
        opensText: formatInstant(opens, roomViewer.zone),
        transcriptReadable: phase === 'ended' && mayReadTranscript(viewer, room),
      };
    },

    /** A page's live connection: refused unless the room is open; the person is in the room until `leave()`. */
    async join(viewer: Viewer, occurrenceId: string): Promise<{ connection: RoomConnection; viewer: RoomViewer }> {
      const { room, roomViewer, phase } = await admit(viewer, occurrenceId);
      if (!isOpen(phase)) throw new RoomClosedError(phase);
      const attendee = roomViewer.part === 'observer' ? null : roomViewer.part;
      const connection = await hub.join({ occurrenceId, courseId: room.courseId, endsAt: room.endsAt }, viewer.userId, attendee);
      return { connection, viewer: { ...roomViewer, attended: roomViewer.attended || attendee !== null } };
    },

    /** Start meeting: records the actual start once (409 after), tells everyone in the room, returns the tutor's view. */
    async start(viewer: Viewer, occurrenceId: string): Promise<{ view: RoomView; viewer: RoomViewer }> {
      const { room, roomViewer, phase } = await admit(viewer, occurrenceId);
      if (roomViewer.part !== 'tutor') throw notTutorRefusal();
      if (phase === 'started') throw new ConflictError('The meeting has already started. Nothing was changed.');
      if (!isOpen(phase)) throw new RoomClosedError(phase);
      if (!roomViewer.startUrl) throw new ConflictError('This session has no Meeting URL, and you have not set one. Add your Meeting URL in Edit settings, then start the meeting.');
      const before = await hub.read(occurrenceId);
      if (before.students === 0) throw new ConflictError('Start meeting is available once a student is in the Warmup room.');
      const started = await q.insertMeeting(db, { occurrenceId, courseId: room.courseId, startedBy: viewer.userId, startedAt: clock.now() });
      if (!started) throw new ConflictError('The meeting has already started. Nothing was changed.');
      await hub.publish(occurrenceId, { kind: 'started' });
      return { view: await hub.read(occurrenceId), viewer: roomViewer };
    },

    /** A chat message: 422 when empty or too long, 429 when sent too fast, stored and sent to everyone in the room otherwise. */
    async sendChat(viewer: Viewer, occurrenceId: string, input: unknown): Promise<void> {
      if (!pace.allows(viewer.userId)) throw new ChatTooFastError();
      const { room, phase } = await admit(viewer, occurrenceId);
      if (!isOpen(phase)) throw new RoomClosedError(phase);
      const body = readChatMessage(input);
      if (!pace.take(viewer.userId)) throw new ChatTooFastError();
      const id = await q.insertChatMessage(db, { occurrenceId, courseId: room.courseId, authorId: viewer.userId, authorRole: viewer.role, body, sentAt: clock.now() });
      await hub.publish(occurrenceId, { kind: 'chat', id });
    },

    /** The transcript: stamps from the meeting's start; what was said before it, in a group of its own. */
    async transcript(viewer: Viewer, occurrenceId: string) {
      if (!z.uuid().safeParse(occurrenceId).success) throw new NotFoundError(NOT_HERE);
      const room = await q.findRoom(db, viewer.courseId, occurrenceId, viewer.userId);
      if (!room) throw new NotFoundError(NOT_HERE);
      if (!mayReadTranscript(viewer, room)) throw transcriptRefusal();
      const zone = viewerZone(viewer);
      const messages = await q.listChatAfter(db, occurrenceId, 0);
      const line = (m: q.ChatRow, stamp: string) => ({ id: m.id, stamp, name: m.authorName, role: m.authorRole, body: m.body });
      const start = room.startedAt?.getTime() ?? null;
      const isBefore = (m: q.ChatRow) => start === null || m.sentAt.getTime() < start;
      return {
        name: room.name,
        when: formatRange(room.startsAt, room.endsAt, zone),
        zone,
        startedAt: room.startedAt,
        endedAt: room.endedAt,
        lengthText: room.startedAt && room.endedAt ? formatElapsed(room.endedAt.getTime() - room.startedAt.getTime()) : null,
        before: messages.filter(isBefore).map((m) => line(m, localTimeOf(m.sentAt, zone))),
        during: messages.filter((m) => !isBefore(m)).map((m) => line(m, formatElapsed(m.sentAt.getTime() - start!))),
      };
    },

    /** Sends a signal to everyone in the room, in every instance (End meeting sends `{ kind: 'ended' }`). */
    publish: (occurrenceId: string, signal: RoomSignal) => hub.publish(occurrenceId, signal),

    /** Rooms with someone here, and the bus topics listened to. */
    stats: () => ({ rooms: hub.roomCount, topics: bus.topicCount() }),

    /** Shutdown: people here leave their rooms. */
    stop: () => hub.stop(),
  };
}

export type RoomService = ReturnType<typeof createRoomService>;
