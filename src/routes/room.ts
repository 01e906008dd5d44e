// The Warmup room: the page, its live stream (Server-Sent Events), Start meeting, chat messages,
// and the transcript. Each handler reads the request, calls the room service once, renders.
import { Router, type Request, type Response } from 'express';
import { ValidationError } from '../lib/errors.js';
import { renderPage, renderView, sendFragment } from '../lib/respond.js';
import type { EventStreams } from '../live/sse.js';
import { ChatTooFastError, type RoomEvent, type RoomViewer } from '../meetings/room.js';
import type { Services } from '../services.js';
import { allowFor, viewerOf } from './auth.js';

const OCCURRENCE = '/c/:courseId/sessions/:occurrenceId';
const ROOM = `${OCCURRENCE}/room`;

export function roomRoutes(services: Services, streams: EventStreams): Router {
  const router = Router();
  const { rooms } = services;
  const allow = allowFor(services.courses);
  // Who may be in which room (invited, open to the course, looking in) is the service's call.
  const everyone = allow('instructor', 'tutor', 'student', 'admin');
  const render = eventRenderer();

  router.get(ROOM, ...everyone, async (req, res) => {
    const room = await rooms.page(viewerOf(res), occurrenceOf(req));
    await renderPage(res, 'pages/meetings/room', { title: `Warmup room: ${room.details.name}`, room, current: 'sessions' });
  });

  router.get(`${ROOM}/stream`, ...everyone, async (req, res) => {
    const { connection, viewer } = await rooms.join(viewerOf(res), occurrenceOf(req));
    const stream = streams.open(req, res);
    stream.onClose(() => void connection.leave().catch((err: unknown) => req.log.warn({ err }, 'leaving the room failed')));
    // Events go out in order, each rendered once for everyone who sees it the same way.
    const { view, chat } = connection.snapshot;
    let sent = send(res, stream, render, viewer, [{ type: 'room', view }, { type: 'chat', messages: chat, replace: true }]);
    connection.listen((event) => (sent = sent.then(() => send(res, stream, render, viewer, [event]))));
  });

  router.post(`${ROOM}/start`, ...allow('tutor', 'instructor'), async (req, res) => {
    const { view, viewer } = await rooms.start(viewerOf(res), occurrenceOf(req));
    await sendFragment(res, 'partials/meetings/_room-state', { meeting: view.meeting, students: view.students, who: viewer });
  });

  router.post(`${ROOM}/chat`, ...everyone, async (req, res) => {
    const viewer = viewerOf(res);
    const chatForm = (status: number, errors: Record<string, string> = {}, value = '') =>
      sendFragment(res, 'partials/meetings/_room-chat-form', { courseId: viewer.courseId, occurrenceId: occurrenceOf(req), errors, value, focus: true }, status);
    try {
      await rooms.sendChat(viewer, occurrenceOf(req), req.body);
      await chatForm(200);
    } catch (err) {
      const typed = String((req.body as { message?: unknown }).message ?? '');
      if (err instanceof ValidationError) return chatForm(422, err.fields, typed);
      if (!(err instanceof ChatTooFastError)) throw err;
      res.set('Retry-After', String(err.retryAfterSeconds));
      await chatForm(429, { message: `${err.page.message} ${err.page.next}` }, typed);
    }
  });

  router.get(`${OCCURRENCE}/transcript`, ...everyone, async (req, res) => {
    const transcript = await rooms.transcript(viewerOf(res), occurrenceOf(req));
    await renderPage(res, 'pages/meetings/transcript', { title: `Transcript: ${transcript.name}`, transcript, occurrenceId: occurrenceOf(req), current: 'sessions' });
  });

  return router;
}

function occurrenceOf(req: Request): string {
  return String(req.params.occurrenceId);
}

type Outgoing = RoomEvent | { type: 'chat'; messages: Extract<RoomEvent, { type: 'chat' }>['messages']; replace: true };
type Render = ReturnType<typeof eventRenderer>;

/** Writes events to one stream; a meeting that ended (or a session whose time passed) closes it. */
async function send(res: Response, stream: ReturnType<EventStreams['open']>, render: Render, who: RoomViewer, events: Outgoing[]): Promise<void> {
  try {
    for (const event of events) {
      if (stream.closed) return;
      for (const [name, html, id] of await render(res, event, who)) stream.send(name, html, id);
      if (event.type === 'room' && !['waiting', 'started'].includes(event.view.meeting.phase)) {
        stream.send('end', '');
        stream.end();
      }
    }
  } catch (err) {
    res.req.log.error({ err }, 'room event not rendered');
    stream.end();
  }
}

/**
 * Renders room events as the page's partials. One event reaches everyone in the room: each
 * partial is rendered once per way of seeing it (who is here: the same for all; the meeting's
 * state: per role, link and zone; a chat line: per zone), not once per person.
 */
function eventRenderer() {
  const done = new WeakMap<object, Map<string, Promise<string>>>();
  const once = (event: object, key: string, work: () => Promise<string>) => {
    let byKey = done.get(event);
    if (!byKey) done.set(event, (byKey = new Map()));
    let html = byKey.get(key);
    if (!html) byKey.set(key, (html = work()));
    return html;
  };
  return async (res: Response, event: Outgoing, who: RoomViewer): Promise<[string, string, number?][]> => {
    if (event.type === 'room') {
      const { view } = event;
      const stateKey = `${who.part}|${who.zone}|${who.startUrl ?? ''}|${who.attended}`;
      return [
        ['replace', await once(event, 'presence', () => renderView(res, 'partials/meetings/_room-presence', { people: view.people }))],
        ['replace', await once(event, stateKey, () => renderView(res, 'partials/meetings/_room-state', { meeting: view.meeting, students: view.students, who }))],
      ];
    }
    if ('replace' in event) {
      return [['replace', await once(event, `log|${who.zone}`, () => renderView(res, 'partials/meetings/_room-chat-log', { chat: event.messages, zone: who.zone }))]];
    }
    const lines: [string, string, number][] = [];
    for (const message of event.messages) {
      lines.push(['chat', await once(message, who.zone, () => renderView(res, 'partials/meetings/_room-chat-line', { message, zone: who.zone })), message.id]);
    }
    return lines;
  };
}
