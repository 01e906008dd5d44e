// Delivery of the outbox: a real SMTP server on loopback, retries, restarts, the file transport,
// the admin delivery log and the dev mailbox.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import type { Database } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { outbox, users } from '../../src/db/schema.js';
import { startSmtp } from '../support/smtp.js';
import { fixedClock } from '../../src/lib/clock.js';
import { claimDue, enqueue, type OutgoingMessage } from '../../src/notifications/outbox.js';
import { createFileTransport, createSmtpTransport } from '../../src/notifications/transport.js';
import { startMailWorker, type MailWorker } from '../../src/notifications/worker.js';
import { openTestDatabase, useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { h1Of, launchAs, people } from '../support/launch.js';

const ICS = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//TutorKit//EN', 'METHOD:REQUEST', 'BEGIN:VEVENT', 'UID:series-1@tutorkit', 'SUMMARY:Cell biology review', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

let seq = 0;
function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  seq += 1;
  return {
    dedupeKey: `invitation:series-1:${seq}`,
    kind: 'invitation',
    userId: null,
    to: 'priya@example.edu',
    subject: 'Invitation: Cell biology review',
    text: 'Maya Chen invited you. Open the session: https://tutorkit.example.edu/c/1/sessions/2',
    html: '<p>Maya Chen invited you. <a href="https://tutorkit.example.edu/c/1/sessions/2">Open the session</a></p>',
    ics: ICS,
    ...overrides,
  };
}

const silent = pino({ level: 'silent' });
const FROM = 'TutorKit <no-reply@tutorkit.example.edu>';

describe('Email delivery', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const clock = fixedClock('2027-03-01T09:00:00Z');
  const workers: MailWorker[] = [];
  const worker = () => {
    const w = startMailWorker({ db: database.db, transport: createSmtpTransport(smtp.url), clock, log: silent, from: FROM });
    workers.push(w);
    return w;
  };
  const rowFor = async (dedupeKey: string) => (await database.db.select().from(outbox).where(eq(outbox.dedupeKey, dedupeKey)))[0]!;

  before(async () => {
    ({ database, drop } = await openTestDatabase());
    await applyMigrations(database);
    smtp = await startSmtp();
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await smtp?.close();
    await database?.close();
    await drop?.();
  });
  beforeEach(async () => {
    smtp.received.length = 0;
    smtp.refuse.length = 0;
    smtp.slow.ms = 0;
    clock.set('2027-03-01T09:00:00Z');
    await database.db.delete(outbox);
  });

  it('When an invitation is queued and the worker ticks, then the SMTP server receives it with the text, HTML, link and calendar', async () => {
    const msg = message();
    await database.db.transaction(async (tx) => expect(await enqueue(tx as never, [msg])).to.equal(1));
    await worker().tick();

    expect(smtp.received).to.have.length(1);
    const mail = smtp.received[0]!;
    const row = await rowFor(msg.dedupeKey);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').to.equal('priya@example.edu');
    expect(mail.from?.text).to.contain('no-reply@tutorkit.example.edu');
    expect(mail.subject).to.equal('Invitation: Cell biology review');
    expect(mail.messageId).to.equal(`<${row.id}@tutorkit>`);
    expect(mail.text).to.contain('https://tutorkit.example.edu/c/1/sessions/2');
    expect(mail.html).to.contain('<a href="https://tutorkit.example.edu/c/1/sessions/2">Open the session</a>');
    const invite = mail.attachments.find((a) => a.filename === 'invite.ics')!;
    expect(invite.contentType).to.equal('text/calendar');
    expect(invite.content.toString()).to.contain('UID:series-1@tutorkit').and.contain('METHOD:REQUEST');
    expect(row).to.include({ status: 'sent', attempts: 1, lockedUntil: null, lastError: null });
    expect(row.sentAt?.toISOString()).to.equal('2027-03-01T09:00:00.000Z');
  });

  it('When the server refuses the first attempt (451) and the worker restarts, then exactly one message arrives', async () => {
    const msg = message();
    await enqueue(database.db, [msg]);
    smtp.refuse.push({ code: 451, text: 'Try again later' });
    await worker().tick();

    let row = await rowFor(msg.dedupeKey);
    expect(row.status).to.equal('queued');
    expect(row.lastError).to.contain('451');
    expect(row.nextAttemptAt.toISOString()).to.equal('2027-03-01T09:01:00.000Z');
    expect(smtp.received).to.have.length(0);

    await worker().tick(); // not due yet
    expect(smtp.received).to.have.length(0);

    clock.set('2027-03-01T09:02:00Z');
    const restarted = worker();
    await restarted.tick();
    await restarted.tick();
    await worker().tick();
    expect(smtp.received).to.have.length(1);
    row = await rowFor(msg.dedupeKey);
    expect(row).to.include({ status: 'sent', attempts: 2 });
  });

  it('When a worker dies holding a message, then another takes it only after the lock runs out, and sends it once', async () => {
    const msg = message();
    await enqueue(database.db, [msg]);
    await claimDue(database.db, clock.now(), new Date('2027-03-01T09:02:00Z'), 20); // the crashed worker's claim

    await worker().tick();
    expect(smtp.received).to.have.length(0);

    clock.set('2027-03-01T09:03:00Z');
    await worker().tick();
    await worker().tick();
    expect(smtp.received).to.have.length(1);
    expect(await rowFor(msg.dedupeKey)).to.include({ status: 'sent', attempts: 2 });
  });

  it('When two workers tick at the same moment, then every message is sent once', async () => {
    const batch = Array.from({ length: 30 }, () => message());
    await enqueue(database.db, batch);
    const [a, b] = [worker(), worker()];
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    await Promise.all([a.tick(), b.tick()]);
    const ids = smtp.received.map((m) => m.messageId);
    expect(ids).to.have.length(30);
    expect(new Set(ids).size).to.equal(30);
  });

  it('When the worker is stopped while a message is being sent, then stop() waits and the message is stored as sent', async () => {
    const msg = message();
    await enqueue(database.db, [msg]);
    smtp.slow.ms = 300;
    const w = worker();
    const ticking = w.tick();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await w.stop();
    expect(await rowFor(msg.dedupeKey)).to.include({ status: 'sent' });
    await ticking;
    expect(smtp.received).to.have.length(1);
  });

  it('When the server refuses permanently (550), then the message is failed with the reason and not retried', async () => {
    const msg = message();
    await enqueue(database.db, [msg]);
    smtp.refuse.push({ code: 550, text: 'Mailbox unavailable' });
    await worker().tick();
    clock.set('2027-03-02T09:00:00Z');
    await worker().tick();

    const row = await rowFor(msg.dedupeKey);
    expect(row).to.include({ status: 'failed', attempts: 1 });
    expect(row.lastError).to.contain('550').and.contain('Mailbox unavailable');
    expect(smtp.received).to.have.length(0);
  });

  it('When the SMTP server cannot be reached, then the message waits longer after each attempt and fails after 8', async () => {
    const msg = message();
    await enqueue(database.db, [msg]);
    const unreachable = startMailWorker({ db: database.db, transport: createSmtpTransport('smtp://127.0.0.1:1'), clock, log: silent, from: FROM });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      await unreachable.tick();
      const row = await rowFor(msg.dedupeKey);
      if (row.status === 'failed') break;
      waits.push((row.nextAttemptAt.getTime() - clock.now().getTime()) / 60_000);
      clock.set(row.nextAttemptAt);
    }
    await unreachable.stop();
    expect(waits).to.deep.equal([1, 5, 15, 60, 240, 240, 240]);
    const row = await rowFor(msg.dedupeKey);
    expect(row).to.include({ status: 'failed', attempts: 8 });
    expect(row.lastError).to.match(/ECONNREFUSED|connect/i);
  });

  it('When a person has no email address, then the message is skipped with "no email on file" and nothing is sent', async () => {
    const msg = message({ to: null });
    await enqueue(database.db, [msg]);
    await worker().tick();
    expect(await rowFor(msg.dedupeKey)).to.include({ status: 'skipped', lastError: 'no email on file', attempts: 0 });
    expect(smtp.received).to.have.length(0);
  });

  it('When the same dedupe key is queued twice, then one row is stored and the second enqueue reports nothing new', async () => {
    const msg = message();
    expect(await enqueue(database.db, [msg, { ...msg, subject: 'again' }])).to.equal(1);
    expect(await enqueue(database.db, [msg])).to.equal(0);
    expect(await database.db.$count(outbox, eq(outbox.dedupeKey, msg.dedupeKey))).to.equal(1);
  });

  it('When 1,200 messages are queued at once, then all are stored (in chunks)', async () => {
    const many = Array.from({ length: 1200 }, () => message());
    expect(await enqueue(database.db, many)).to.equal(1200);
  });

  describe('the file transport', () => {
    let dir: string;
    before(async () => (dir = await mkdtemp(path.join(tmpdir(), 'tutorkit-mail-'))));
    after(() => rm(dir, { recursive: true, force: true }));

    it('When messages are written, then there is one .eml per message and sending an id again replaces its file', async () => {
      const files = createFileTransport(dir);
      const first = { id: '00000000-0000-4000-8000-000000000001', createdAt: new Date('2027-03-01T09:00:00Z'), from: FROM, to: 'priya@example.edu', subject: 'One', text: 't', html: '<p>h</p>', ics: ICS };
      await files.send(first);
      await files.send({ ...first, id: '00000000-0000-4000-8000-000000000002', subject: 'Two' });
      await files.send(first);

      const names = (await readdir(dir)).sort();
      expect(names).to.deep.equal(['20270301T090000000Z-00000000-0000-4000-8000-000000000001.eml', '20270301T090000000Z-00000000-0000-4000-8000-000000000002.eml']);
      const listed = await files.list();
      expect(listed.map((m) => m.id)).to.have.length(2);
      const parsed = await simpleParser(listed.find((m) => m.id.endsWith('0001'))!.raw);
      expect(parsed.subject).to.equal('One');
      expect(parsed.attachments[0]?.filename).to.equal('invite.ics');
      expect(await files.read('../../etc/passwd')).to.equal(null);
    });
  });
});

describe('The delivery log and the development mailbox', () => {
  const lms = useSimulatedLms({ app: { demo: true } });

  it('When messages were sent, skipped and failed, then a site administrator sees each status in the log and can filter it', async () => {
    const { app, sim } = lms;
    const admin = await launchAs(app, sim, { user: people.admin() });
    // Messages to a person of the administrator's own LMS (the log shows no other LMS's mail).
    const [person] = await app.database.db.select({ id: users.id }).from(users).where(eq(users.sub, people.admin().sub));
    const userId = person!.id;
    const sent = message({ subject: 'Invitation: <b>Sent</b> one', userId });
    const failed = message({ subject: 'Update: refused one', userId });
    await enqueue(app.database.db, [sent, message({ to: null, subject: 'Reminder: no address', userId }), failed]);
    await app.built.mail.tick();
    await app.database.db.update(outbox).set({ status: 'failed', lastError: '550 Mailbox unavailable' }).where(eq(outbox.dedupeKey, failed.dedupeKey));

    const res = await htmx(app, admin, '/admin/deliveries');
    const html = await res.text();
    expect(res.status).to.equal(200);
    expect(h1Of(html)).to.equal('Email delivery log');
    expect(html).to.contain('Invitation: &lt;b&gt;Sent&lt;/b&gt; one').and.not.contain('<b>Sent</b>');
    expect(html).to.match(/no email on file<\/td>\s*<td>Reminder: no address<\/td>\s*<td><span[^>]*>skipped</);
    expect(html).to.match(/Update: refused one<\/td>\s*<td><span[^>]*>failed<\/span><\/td>\s*<td>\d+<\/td>\s*<td>550 Mailbox unavailable/);
    expect(html).to.match(/&lt;\/b&gt; one<\/td>\s*<td><span[^>]*>sent</);

    const onlyFailed = await (await htmx(app, admin, '/admin/deliveries?status=failed')).text();
    expect(onlyFailed).to.contain('Update: refused one').and.not.contain('Reminder: no address');
    const none = await (await htmx(app, admin, '/admin/deliveries?status=sending')).text();
    expect(none).to.contain('No sending messages');
    expect((await htmx(app, admin, '/admin/deliveries?status=bogus')).status).to.equal(422);
  });

  for (const role of ['student', 'instructor'] as const) {
    it(`When ${role === 'student' ? 'a' : 'an'} ${role} opens the delivery log, then they get 403 and no messages`, async () => {
      const { app, sim } = lms;
      const who = await launchAs(app, sim, { user: people[role]() });
      const res = await htmx(app, who, '/admin/deliveries');
      expect(res.status).to.equal(403);
      expect(await res.text()).not.to.contain('Email delivery log');
    });
  }

  it('When no SMTP_URL is set, then the mailbox lists a sent message, shows its text and calendar, and offers the .eml', async () => {
    const { app } = lms;
    const msg = message({ subject: 'Invitation: mailbox <check>', to: 'maya@example.edu' });
    await enqueue(app.database.db, [msg]);
    await app.built.mail.tick();

    const home = await (await fetch(new URL('/', app.baseUrl))).text();
    expect(home).to.contain('href="/dev/mailbox"');
    const list = await (await fetch(new URL('/dev/mailbox', app.baseUrl))).text();
    expect(list).to.contain('no sign-in');
    expect(list).to.contain('maya@example.edu').and.contain('Invitation: mailbox &lt;check&gt;');
    const link = list.match(/href="(\/dev\/mailbox\/[^"]+)">Invitation: mailbox/)![1]!;

    const page = await (await fetch(new URL(link, app.baseUrl))).text();
    expect(h1Of(page)).to.equal('Invitation: mailbox &lt;check&gt;');
    expect(page).to.contain('https://tutorkit.example.edu/c/1/sessions/2');
    expect(page).to.contain('invite.ics').and.contain('UID:series-1@tutorkit');
    const raw = await fetch(new URL(`${link}/raw`, app.baseUrl));
    expect(raw.headers.get('content-type')).to.match(/^message\/rfc822/);
    expect((await simpleParser(Buffer.from(await raw.arrayBuffer()))).subject).to.equal('Invitation: mailbox <check>');
    expect((await fetch(new URL('/dev/mailbox/..%2F..%2Fetc%2Fpasswd', app.baseUrl))).status).to.equal(404);
  });
});
