// Two TutorKit instances on one PostgreSQL server, as behind a load balancer: this process and a
// server started as its own process. People in one Warmup room, connected to different instances,
// see each other come and go, chat, and the meeting start; when an instance dies, the people it
// served leave the room for the others. Needs DATABASE_URL (skipped on PGlite: one process only).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { occurrences, sessionSeries, users } from '../../src/db/schema.js';
import { TEST_LTI_KEY, useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { killChildren, serveDataDir, type ServedTutorKit } from '../support/processes.js';
import { SseReader, type SseEvent } from '../support/sse.js';
import { textOf } from '../support/text.js';

describe('Warmup room across two instances on one PostgreSQL', function () {
  this.timeout(90_000);
  const lms = useSimulatedLms();
  const course = { id: 'two-instances', title: 'Statistics' };
  const who = {} as Record<'tutor' | 'priya' | 'liam', Launched>;
  let other: ServedTutorKit;
  let dataDir: string;
  let occurrenceId: string;
  const readers = {} as Record<'tutorOnA' | 'priyaOnB' | 'liamOnA', SseReader>;

  before(async function () {
    if (!process.env.DATABASE_URL) this.skip();
    dataDir = mkdtempSync(path.join(tmpdir(), 'tutorkit-second-'));
    // The second instance: its own process on the same database, with the same LTI_KEY (tokens work on both).
    other = await serveDataDir(dataDir, { DATABASE_URL: lms.app.database.url!, LTI_KEY: TEST_LTI_KEY, DEMO: 'false' });
    who.tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    who.priya = await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    who.liam = await launchAs(lms.app, lms.sim, { user: { sub: 'stu-2', name: 'Liam O’Connor', roles: [ROLES.learner] }, context: course });
    const id = async (sub: string) => (await lms.app.database.db.select({ id: users.id }).from(users).where(eq(users.sub, sub)))[0]!.id;
    // Starts ten minutes from now (the room is open): real time, as both instances read the system clock.
    const start = new Date(Date.now() + 10 * 60_000).toISOString();
    const saved = await htmx(lms.app, who.tutor, `/c/${who.tutor.courseId}/sessions`, {
      method: 'POST',
      fields: { name: 'Regression review', courseId: who.tutor.courseId, startDate: start.slice(0, 10), startTime: start.slice(11, 16), zone: 'UTC', lengthValue: '60', lengthUnit: 'minutes', repeat: 'none', tutorIds: await id('ta-1'), studentIds: [await id('stu-1'), await id('stu-2')], meetingUrl: 'https://meet.example.edu/stats' },
    });
    expect(saved.status).to.equal(303);
    const [row] = await lms.app.database.db.select({ id: occurrences.id }).from(occurrences).innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId)).where(eq(sessionSeries.name, 'Regression review'));
    occurrenceId = row!.id;
  });

  after(() => {
    for (const reader of Object.values(readers)) reader.close();
    killChildren();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const room = () => `/c/${who.tutor.courseId}/sessions/${occurrenceId}/room`;
  const presenceShows = (names: string[], absent: string[] = []) => (e: SseEvent) =>
    e.event === 'replace' && e.data.includes('id="room-presence"') && names.every((n) => textOf(e.data).includes(n)) && absent.every((n) => !textOf(e.data).includes(n));

  it('When people join through different instances, then each sees the others within 2 seconds', async () => {
    readers.tutorOnA = await SseReader.expectOpen(lms.app, who.tutor, `${room()}/stream`);
    await readers.tutorOnA.waitFor(presenceShows(['Maya Chen']), 3000);
    readers.priyaOnB = await SseReader.expectOpen(other, who.priya, `${room()}/stream`);
    await readers.priyaOnB.waitFor(presenceShows(['Maya Chen', 'Priya Natarajan']), 3000, 'the tutor (instance A) in Priya’s snapshot on B');
    await readers.tutorOnA.waitFor(presenceShows(['Priya Natarajan']), 2000, 'Priya (B) on the tutor’s stream (A)');
    readers.liamOnA = await SseReader.expectOpen(lms.app, who.liam, `${room()}/stream`);
    await readers.priyaOnB.waitFor(presenceShows(['Liam O’Connor']), 2000, 'Liam (A) on Priya’s stream (B)');
    const health = (await (await fetch(`${lms.app.baseUrl}/healthz`)).json()) as { live: { streams: number; topics: number } };
    expect(health.live).to.deep.equal({ streams: 2, topics: 1 });
  });

  it('When someone writes on one instance, then the message reaches the room on the other', async () => {
    for (const reader of Object.values(readers)) reader.mark();
    const sent = await htmx(other, who.priya, `${room()}/chat`, { method: 'POST', fields: { message: 'Sent through B' }, target: 'room-chat-form' });
    expect(sent.status).to.equal(200);
    const onA = await readers.tutorOnA.waitFor((e) => e.event === 'chat', 2000, 'B’s message on A');
    expect(textOf(onA.data)).to.contain('Priya Natarajan (Student)');
    expect(textOf(onA.data)).to.contain('Sent through B');
    expect((await htmx(lms.app, who.tutor, `${room()}/chat`, { method: 'POST', fields: { message: 'Answered through A' }, target: 'room-chat-form' })).status).to.equal(200);
    const onB = await readers.priyaOnB.waitFor((e) => e.event === 'chat' && e.data.includes('Answered through A'), 2000, 'A’s message on B');
    expect(textOf(onB.data)).to.contain('Maya Chen (Tutor)');
  });

  it('When the tutor starts the meeting on one instance, then a student on the other sees Join meeting', async () => {
    readers.priyaOnB.mark();
    const started = await htmx(lms.app, who.tutor, `${room()}/start`, { method: 'POST' });
    expect(started.status).to.equal(200);
    const join = await readers.priyaOnB.waitFor((e) => e.event === 'replace' && textOf(e.data).includes('Join meeting'), 2000, 'Join meeting on B');
    expect(join.data).to.contain('href="https://meet.example.edu/stats"');
  });

  it('When an instance dies without a word, then the people it served leave the room for the others within 30 seconds', async () => {
    readers.tutorOnA.mark();
    other.child.kill('SIGKILL');
    await other.exited;
    await readers.tutorOnA.waitFor(presenceShows(['Maya Chen', 'Liam O’Connor'], ['Priya Natarajan']), 30_000, 'Priya gone from the tutor’s stream');
  });
});
