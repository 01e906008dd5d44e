// The Warmup room through real LTI launches: who may enter, presence on the live stream, Start
// meeting, chat, the transcript, and the room after the meeting ended. Runs on a single PGlite
// instance, or on the server PostgreSQL (LISTEN/NOTIFY) when DATABASE_URL is set.
import { expect } from 'chai';
import { and, asc, eq } from 'drizzle-orm';
import { attendance, chatMessages, meetings, occurrences, sessionSeries, users } from '../../src/db/schema.js';
import { roomTopic } from '../../src/meetings/room-hub.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { SseReader, type SseEvent } from '../support/sse.js';
import { textOf } from '../support/text.js';

const COURSE = { id: 'room-a', title: 'Algebra I' };
/** The session starts at 16:00 New York (21:00 UTC) on Tuesday 9 March 2027; the room opens at 15:45. */
const BEFORE_SAVING = '2027-03-09T20:00:00Z';
const ROOM_OPEN = '2027-03-09T20:50:00Z';

describe('Warmup room', () => {
  const clock = fixedClock(BEFORE_SAVING);
  const lms = useSimulatedLms({ app: { clock } });
  const who = {} as Record<'tutor' | 'deskTutor' | 'priya' | 'liam' | 'noShow' | 'uninvited' | 'instructor' | 'outsider', Launched>;
  const ids = {} as Record<string, string>;
  const sessions = {} as Record<'clinic' | 'open' | 'tomorrow' | 'cancelled', string>;
  const streams: SseReader[] = [];
  const db = () => lms.app.database.db;

  const room = (occurrenceId: string, courseId = who.tutor.courseId) => `/c/${courseId}/sessions/${occurrenceId}/room`;
  const open = async (person: Launched, occurrenceId = sessions.clinic) => {
    const reader = await SseReader.expectOpen(lms.app, person, `${room(occurrenceId)}/stream`);
    streams.push(reader);
    return reader;
  };
  const presenceShows = (names: string[], absent: string[] = []) => (e: SseEvent) =>
    e.event === 'replace' && e.data.includes('id="room-presence"') && names.every((n) => textOf(e.data).includes(n)) && absent.every((n) => !textOf(e.data).includes(n));
  const stateSays = (text: string) => (e: SseEvent) => e.event === 'replace' && e.data.includes('id="room-state"') && textOf(e.data).includes(text);
  const chat = (person: Launched, message: string, occurrenceId = sessions.clinic) =>
    htmx(lms.app, person, `${room(occurrenceId)}/chat`, { method: 'POST', fields: { message }, target: 'room-chat-form' });
  const storedChat = async () => db().select().from(chatMessages).orderBy(asc(chatMessages.id));

  before(async function () {
    this.timeout(120_000);
    who.tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: COURSE });
    who.deskTutor = await launchAs(lms.app, lms.sim, { user: { sub: 'ta-2', name: 'Dev Desk', roles: [ROLES.teachingAssistant] }, context: COURSE });
    who.priya = await launchAs(lms.app, lms.sim, { user: people.student(), context: COURSE });
    who.liam = await launchAs(lms.app, lms.sim, { user: { sub: 'stu-2', name: 'Liam O’Connor', roles: [ROLES.learner] }, context: COURSE });
    who.noShow = await launchAs(lms.app, lms.sim, { user: { sub: 'stu-3', name: 'Nora Absent', roles: [ROLES.learner] }, context: COURSE });
    who.uninvited = await launchAs(lms.app, lms.sim, { user: { sub: 'stu-4', name: 'Uma Uninvited', roles: [ROLES.learner] }, context: COURSE });
    who.instructor = await launchAs(lms.app, lms.sim, { user: people.instructor(), context: COURSE });
    who.outsider = await launchAs(lms.app, lms.sim, { user: { sub: 'stu-b', name: 'Bo Elsewhere', roles: [ROLES.learner] }, context: { id: 'room-b', title: 'Biology' } });
    for (const row of await db().select({ id: users.id, sub: users.sub }).from(users)) ids[row.sub] = row.id;
    const base = { courseId: who.tutor.courseId, startTime: '16:00', zone: 'America/New_York', lengthValue: '60', lengthUnit: 'minutes', repeat: 'none', tutorIds: ids['ta-1']! };
    sessions.clinic = await schedule({ ...base, name: 'Algebra clinic', startDate: '2027-03-09', studentIds: [ids['stu-1']!, ids['stu-2']!, ids['stu-3']!], invitedOnly: 'on', meetingUrl: 'https://meet.example.edu/algebra', resourceTitle: 'Factoring notes', resourceUrl: 'https://example.edu/factoring' });
    sessions.open = await schedule({ ...base, name: 'Open help desk', startDate: '2027-03-09', tutorIds: ids['ta-2']! });
    sessions.tomorrow = await schedule({ ...base, name: 'Tomorrow’s review', startDate: '2027-03-10', studentIds: ids['stu-1']! });
    sessions.cancelled = await schedule({ ...base, name: 'Cancelled clinic', startDate: '2027-03-09', startTime: '17:30', lengthValue: '30', studentIds: ids['stu-1']! });
    const cancel = await htmx(lms.app, who.tutor, `/c/${who.tutor.courseId}/sessions/${sessions.cancelled}/cancel`, { method: 'POST', fields: { scope: 'this' } });
    expect(cancel.status).to.equal(303);
    clock.set(ROOM_OPEN);
  });

  afterEach(() => {
    for (const reader of streams.splice(0)) reader.close();
  });

  async function schedule(fields: Record<string, string | string[]>): Promise<string> {
    const saved = await htmx(lms.app, who.tutor, `/c/${who.tutor.courseId}/sessions`, { method: 'POST', fields });
    expect(saved.status, textOf(await saved.clone().text()).slice(0, 400)).to.equal(303);
    const [row] = await db()
      .select({ id: occurrences.id })
      .from(occurrences)
      .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
      .where(eq(sessionSeries.name, String(fields.name)));
    return row!.id;
  }

  async function attendanceOf(occurrenceId: string) {
    return db().select().from(attendance).where(eq(attendance.occurrenceId, occurrenceId));
  }

  it('When the session starts in more than 15 minutes, then the page says when the room opens, and its stream and chat are refused (409)', async () => {
    const page = await htmx(lms.app, who.priya, room(sessions.tomorrow));
    const text = textOf(await page.text());
    expect(page.status).to.equal(200);
    expect(text).to.contain('The Warmup room opens at Wed 10 Mar 2027, 20:45 (UTC), 15 minutes before the session starts.');
    expect(text).not.to.contain('Who has joined');
    const stream = await SseReader.open(lms.app, who.priya, `${room(sessions.tomorrow)}/stream`);
    expect(stream.status).to.equal(409);
    expect(textOf(stream.body)).to.contain('The Warmup room opens 15 minutes before the session starts.');
    expect((await chat(who.priya, 'early bird', sessions.tomorrow)).status).to.equal(409);
    expect(await storedChat()).to.deep.equal([]);
    expect(await attendanceOf(sessions.tomorrow)).to.deep.equal([]);
  });

  it('When a session was cancelled, then its room is refused with a page that says so', async () => {
    const page = await htmx(lms.app, who.priya, room(sessions.cancelled), { direct: true });
    expect(page.status).to.equal(409);
    expect(h1Of(await page.text())).to.equal('This session was cancelled');
    expect((await SseReader.open(lms.app, who.priya, `${room(sessions.cancelled)}/stream`)).status).to.equal(409);
  });

  it('When a tutor and two students enter, then each sees the others join live, and attendance records their first join', async () => {
    const page = await htmx(lms.app, who.tutor, room(sessions.clinic));
    const text = textOf(await page.text());
    expect(text).to.contain('Warmup room: Algebra clinic');
    expect(text).to.contain('Factoring notes');
    expect(text).to.contain('Start meeting appears here when a student joins the room.');

    const tutor = await open(who.tutor);
    await tutor.waitFor(presenceShows(['1 person in the room', 'Maya Chen']), 3000, 'the tutor in the snapshot');
    expect(tutor.retryMs).to.equal(2000);
    tutor.mark();
    const priya = await open(who.priya);
    await priya.waitFor(presenceShows(['2 people in the room', 'Maya Chen', 'Priya Natarajan']), 3000, 'Priya’s snapshot');
    await tutor.waitFor(presenceShows(['Priya Natarajan']), 2000, 'Priya on the tutor’s stream');
    // With a student in the room, the tutor's Start meeting appears, opening the session's Meeting URL.
    const state = await tutor.waitFor(stateSays('Start meeting'), 2000, 'Start meeting');
    expect(state.data).to.contain('href="https://meet.example.edu/algebra"');
    expect(textOf(state.data)).to.contain('1 student in the room.');

    const liam = await open(who.liam);
    await liam.waitFor(presenceShows(['3 people in the room']), 3000);
    await priya.waitFor(presenceShows(['Liam O’Connor']), 2000, 'Liam on Priya’s stream');
    await tutor.waitFor(presenceShows(['Maya Chen', 'Priya Natarajan', 'Liam O’Connor']), 2000, 'Liam on the tutor’s stream');

    const rows = await attendanceOf(sessions.clinic);
    expect(rows.map((r) => [r.userId, r.role, r.firstJoinedAt.toISOString(), r.lastLeftAt]).sort()).to.deep.equal(
      [
        [ids['ta-1'], 'tutor', ROOM_OPEN.replace('Z', '.000Z'), null],
        [ids['stu-1'], 'student', ROOM_OPEN.replace('Z', '.000Z'), null],
        [ids['stu-2'], 'student', ROOM_OPEN.replace('Z', '.000Z'), null],
      ].sort(),
    );

    // An instructor looks in: allowed, and neither listed nor recorded.
    const instructor = await open(who.instructor);
    const seen = await instructor.waitFor(presenceShows(['3 people in the room']), 3000);
    expect(textOf(seen.data)).not.to.contain('Grace Hopper');
    expect((await attendanceOf(sessions.clinic)).length).to.equal(3);

    // Liam closes his tab: the others see him leave, and his leave is recorded.
    priya.mark();
    liam.close();
    await priya.waitFor(presenceShows(['2 people in the room'], ['Liam O’Connor']), 3000, 'Liam gone from Priya’s stream');
    const [left] = (await attendanceOf(sessions.clinic)).filter((r) => r.userId === ids['stu-2']);
    expect(left!.lastLeftAt?.toISOString()).to.equal(ROOM_OPEN.replace('Z', '.000Z'));
  });

  it('When one person has the room open in two tabs and closes one, then they stay in the room', async () => {
    const tutor = await open(who.tutor);
    const first = await open(who.liam);
    const second = await open(who.liam);
    await tutor.waitFor(presenceShows(['Liam O’Connor']), 3000);
    first.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [row] = (await attendanceOf(sessions.clinic)).filter((r) => r.userId === ids['stu-2']);
    expect(row!.lastLeftAt).to.equal(null);
    tutor.mark();
    second.close();
    await tutor.waitFor(presenceShows([], ['Liam O’Connor']), 3000, 'Liam gone after his last tab');
  });

  it('When someone not invited, or of another course, asks for an invited-only room, then the room, its stream, chat and transcript refuse them (403) and nothing is stored', async () => {
    const before = await storedChat();
    const refusals = [
      await htmx(lms.app, who.uninvited, room(sessions.clinic)),
      await htmx(lms.app, who.uninvited, `${room(sessions.clinic)}/stream`),
      await chat(who.uninvited, 'let me in'),
      await htmx(lms.app, who.uninvited, `/c/${who.tutor.courseId}/sessions/${sessions.clinic}/transcript`),
      await htmx(lms.app, who.outsider, room(sessions.clinic)),
      await htmx(lms.app, who.outsider, `${room(sessions.clinic)}/stream`),
      await chat(who.outsider, 'hello from Biology'),
      await htmx(lms.app, who.outsider, `/c/${who.tutor.courseId}/sessions/${sessions.clinic}/transcript`),
    ];
    for (const res of refusals) expect(res.status, res.url).to.equal(403);
    expect(textOf(await refusals[0]!.text())).to.contain('Only invited students can attend this session.');
    expect(textOf(await refusals[4]!.text())).to.contain('This page belongs to a course you did not open TutorKit from.');
    // The outsider's own course does not hold this session either.
    expect((await htmx(lms.app, who.outsider, room(sessions.clinic, who.outsider.courseId))).status).to.equal(404);
    expect(await storedChat()).to.deep.equal(before);
    const entered = (await db().select({ userId: attendance.userId }).from(attendance)).map((r) => r.userId);
    expect(entered.filter((id) => id === ids['stu-4'] || id === ids['stu-b']), 'no attendance for those refused').to.deep.equal([]);
  });

  it('When a session is open to the course, then a student who was not invited may enter it', async () => {
    const reader = await open(who.uninvited, sessions.open);
    await reader.waitFor(presenceShows(['Uma Uninvited']), 3000);
  });

  it('When a whole class arrives at once, then everyone is listed for the others, with presence signals gathered rather than one per arrival', async function () {
    this.timeout(180_000);
    const students: Launched[] = [];
    for (let i = 1; i <= 12; i++) {
      students.push(await launchAs(lms.app, lms.sim, { user: { sub: `class-${i}`, name: `Class Member ${String(i).padStart(2, '0')}`, roles: [ROLES.learner] }, context: COURSE }));
    }
    const desk = await open(who.deskTutor, sessions.open);
    await desk.waitFor(presenceShows(['Dev Desk']), 3000);
    const signals: string[] = [];
    const unsubscribe = await lms.app.built.live.bus.subscribe(roomTopic(sessions.open), { listener: (message) => void signals.push(message) });
    try {
      const started = Date.now();
      await Promise.all(students.map((s) => open(s, sessions.open)));
      const names = students.map((_s, i) => `Class Member ${String(i + 1).padStart(2, '0')}`);
      await desk.waitFor(presenceShows(names), 5000, 'the whole class on the tutor’s stream');
      const seconds = (Date.now() - started) / 1000;
      const presence = signals.filter((m) => JSON.parse(m).kind === 'presence').length;
      // At most one per second (and the first at once): far fewer than one per arrival.
      expect(presence, `${presence} presence signals in ${seconds.toFixed(1)} s`).to.be.at.most(Math.ceil(seconds) + 1);
      expect(presence).to.be.below(students.length);
    } finally {
      await unsubscribe();
    }
  });

  it('When a student or an instructor presses Start meeting, then they are refused (403) and nothing is recorded', async () => {
    for (const person of [who.priya, who.instructor]) {
      const res = await htmx(lms.app, person, `${room(sessions.clinic)}/start`, { method: 'POST' });
      expect(res.status).to.equal(403);
    }
    expect(await db().select().from(meetings)).to.deep.equal([]);
  });

  it('When the tutor starts the meeting, then the start is recorded, every student in the room sees Join meeting live, and starting again is a 409 that changes nothing', async () => {
    const tutor = await open(who.tutor);
    const priya = await open(who.priya);
    await tutor.waitFor(stateSays('Start meeting'), 3000);
    await priya.waitFor(stateSays('Waiting for the tutor to start the meeting.'), 3000);
    priya.mark();
    const started = await htmx(lms.app, who.tutor, `${room(sessions.clinic)}/start`, { method: 'POST' });
    expect(started.status).to.equal(200);
    expect(textOf(await started.text())).to.contain('The meeting started at 20:50. Open the meeting');
    const join = await priya.waitFor(stateSays('Join meeting'), 2000, 'Join meeting on Priya’s stream');
    expect(join.data).to.contain('href="https://meet.example.edu/algebra"');
    expect(textOf(join.data)).to.contain('The meeting started at 20:50.');

    const stored = await db().select().from(meetings);
    expect(stored.map((m) => [m.occurrenceId, m.startedBy, m.startedAt.toISOString(), m.endedAt])).to.deep.equal([[sessions.clinic, ids['ta-1'], ROOM_OPEN.replace('Z', '.000Z'), null]]);
    clock.set('2027-03-09T20:51:00Z');
    const again = await htmx(lms.app, who.tutor, `${room(sessions.clinic)}/start`, { method: 'POST' });
    expect(again.status).to.equal(409);
    expect(textOf(await again.text())).to.contain('The meeting has already started. Nothing was changed.');
    expect(await db().select().from(meetings)).to.deep.equal(stored);
  });

  it('When the tutor has no Meeting URL anywhere, then the room tells them where to set one, and Start meeting is refused', async () => {
    const page = await htmx(lms.app, who.deskTutor, room(sessions.open));
    const html = await page.text();
    expect(textOf(html)).to.contain('Add your Meeting URL in Edit settings');
    expect(html).to.contain(`href="/c/${who.deskTutor.courseId}/settings#meeting-url"`);
    const start = await htmx(lms.app, who.deskTutor, `${room(sessions.open)}/start`, { method: 'POST' });
    expect(start.status).to.equal(409);
    expect(textOf(await start.text())).to.contain('Add your Meeting URL in Edit settings');
  });

  it('When someone writes in the chat, then it is stored and reaches everyone in the room, escaped, with name and role', async () => {
    const tutor = await open(who.tutor);
    const priya = await open(who.priya);
    await priya.waitFor(presenceShows(['Priya Natarajan']), 3000);
    tutor.mark();
    priya.mark();
    clock.set('2027-03-09T20:54:43Z');
    const sent = await chat(who.priya, 'What method do you like for <b>these</b>?');
    expect(sent.status).to.equal(200);
    expect(await sent.text()).to.contain('id="room-chat-form"');
    for (const reader of [tutor, priya]) {
      const line = await reader.waitFor((e) => e.event === 'chat', 2000, 'the chat line');
      expect(textOf(line.data)).to.equal('Priya Natarajan (Student) 20:54 What method do you like for <b>these</b>?');
      expect(line.data).to.contain('&lt;b&gt;these&lt;/b&gt;');
    }
    clock.set('2027-03-09T20:55:47Z');
    expect((await chat(who.tutor, 'We can use elimination.\nDoes that sound familiar?')).status).to.equal(200);
    const reply = await priya.waitFor((e) => e.event === 'chat', 2000, 'the tutor’s reply');
    expect(textOf(reply.data)).to.contain('Maya Chen (Tutor) 20:55 We can use elimination. Does that sound familiar?');
    const rows = await storedChat();
    expect(rows.map((r) => [r.authorId, r.authorRole, r.body, r.sentAt.toISOString()])).to.deep.equal([
      [ids['stu-1'], 'student', 'What method do you like for <b>these</b>?', '2027-03-09T20:54:43.000Z'],
      [ids['ta-1'], 'tutor', 'We can use elimination.\nDoes that sound familiar?', '2027-03-09T20:55:47.000Z'],
    ]);
    // A page opened later starts with the conversation so far.
    const late = await open(who.liam);
    const log = await late.waitFor((e) => e.event === 'replace' && e.data.includes('id="room-chat-log"'), 3000);
    expect(textOf(log.data)).to.contain('Priya Natarajan (Student) 20:54 What method');
  });

  it('When a message is empty, too long, or one of a flood, then it is refused with a message (422, 429) and nothing is stored', async () => {
    const before = await storedChat();
    const empty = await chat(who.liam, '   ');
    expect(empty.status).to.equal(422);
    expect(textOf(await empty.text())).to.contain('Write a message before sending it.');
    const long = await chat(who.liam, 'x'.repeat(2001));
    expect(long.status).to.equal(422);
    const longText = await long.text();
    expect(textOf(longText)).to.contain('Message: use at most 2,000 characters (this has 2,001).');
    expect(longText, 'what was typed is kept').to.contain('x'.repeat(2001));
    expect(await storedChat()).to.deep.equal(before);

    clock.set('2027-03-09T21:00:00Z');
    expect((await chat(who.liam, 'y'.repeat(2000))).status, 'exactly 2,000 characters').to.equal(200);
    for (let i = 2; i <= 5; i++) expect((await chat(who.liam, `message ${i}`)).status).to.equal(200);
    const flood = await chat(who.liam, 'message 6');
    expect(flood.status).to.equal(429);
    expect(flood.headers.get('retry-after')).to.equal('5');
    expect(textOf(await flood.text())).to.contain('You can send 5 messages every 5 seconds. This message was not sent.');
    const mine = (await storedChat()).filter((r) => r.authorId === ids['stu-2']);
    expect(mine.map((r) => r.body.slice(0, 9))).to.deep.equal(['yyyyyyyyy', 'message 2', 'message 3', 'message 4', 'message 5']);
    // A few seconds later they may write again.
    clock.set('2027-03-09T21:00:06Z');
    expect((await chat(who.liam, 'message 6')).status).to.equal(200);
  });

  it('When the transcript is read, then it stamps each message with the time since the meeting started, with name and role, for those who may read it', async () => {
    for (const person of [who.tutor, who.priya, who.instructor]) {
      const res = await htmx(lms.app, person, `/c/${who.tutor.courseId}/sessions/${sessions.clinic}/transcript`);
      expect(res.status).to.equal(200);
      const text = textOf(await res.text());
      expect(text).to.contain('Transcript: Algebra clinic');
      expect(text).to.contain('During the meeting');
      expect(text).to.contain('Priya Natarajan (Student) [00:04:43] What method do you like for <b>these</b>?');
      expect(text).to.contain('Maya Chen (Tutor) [00:05:47] We can use elimination. Does that sound familiar?');
    }
    // Invited, but never came to the room.
    const refused = await htmx(lms.app, who.noShow, `/c/${who.tutor.courseId}/sessions/${sessions.clinic}/transcript`);
    expect(refused.status).to.equal(403);
    expect(textOf(await refused.text())).to.contain('The transcript is for the session’s tutors, the students who attended');
  });

  it('When the meeting ends, then everyone in the room sees the next step (tutor: Write feedback, student: Rate this session), the streams close, and chat is refused', async () => {
    const tutor = await open(who.tutor);
    const priya = await open(who.priya);
    await priya.waitFor(presenceShows(['Priya Natarajan']), 3000);
    tutor.mark();
    priya.mark();
    clock.set('2027-03-09T21:40:00Z');
    await db().update(meetings).set({ endedAt: clock.now(), endedBy: 'tutor' }).where(eq(meetings.occurrenceId, sessions.clinic));
    await lms.app.built.services.rooms.publish(sessions.clinic, { kind: 'ended' });
    const forTutor = await tutor.waitFor(stateSays('This session has ended at 21:40.'), 2000);
    expect(forTutor.data).to.contain(`href="/c/${who.tutor.courseId}/sessions/${sessions.clinic}/feedback"`);
    expect(textOf(forTutor.data)).to.contain('Write feedback');
    const forPriya = await priya.waitFor(stateSays('Rate this session'), 2000);
    expect(forPriya.data).to.contain(`href="/c/${who.tutor.courseId}/sessions/${sessions.clinic}/rating"`);
    await priya.waitFor((e) => e.event === 'end', 2000);
    await priya.waitForEnd();
    await tutor.waitForEnd();
    // Their leave is recorded as the room closed (just after the stream ended).
    const leftAt = async () => (await db().select().from(attendance).where(and(eq(attendance.occurrenceId, sessions.clinic), eq(attendance.userId, ids['stu-1']!))))[0]!.lastLeftAt;
    for (let tries = 0; !(await leftAt()) && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await leftAt())?.toISOString()).to.equal('2027-03-09T21:40:00.000Z');

    const page = textOf(await (await htmx(lms.app, who.priya, room(sessions.clinic))).text());
    expect(page).to.contain('This session has ended at 21:40. Rate this session');
    expect(page).to.contain('Read the transcript');
    expect((await chat(who.priya, 'one more thing')).status).to.equal(409);
    expect((await SseReader.open(lms.app, who.priya, `${room(sessions.clinic)}/stream`)).status).to.equal(409);
  });

  it('When nobody started a session and its scheduled end passes, then the open pages close and the room says the session is over', async function () {
    this.timeout(30_000);
    const desk = await open(who.deskTutor, sessions.open);
    await desk.waitFor(presenceShows(['Dev Desk']), 3000);
    desk.mark();
    clock.set('2027-03-09T22:00:00Z');
    // The room's upkeep (every few seconds) notices the time has passed.
    await desk.waitFor(stateSays('This session is over. Its scheduled time has passed and the meeting was not started.'), 15_000);
    await desk.waitForEnd();
    // Two hours after the first launch: the tutor opens TutorKit again.
    const tutor = await launchAs(lms.app, lms.sim, { user: { sub: 'ta-2', name: 'Dev Desk', roles: [ROLES.teachingAssistant] }, context: COURSE });
    const page = textOf(await (await htmx(lms.app, tutor, room(sessions.open))).text());
    expect(page).to.contain('This session is over. Its scheduled time has passed and the meeting was not started.');
    expect(page).not.to.contain('Who has joined');
    expect((await SseReader.open(lms.app, tutor, `${room(sessions.open)}/stream`)).status).to.equal(409);
  });
});
