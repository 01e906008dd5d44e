// Email from end to end: people launch from the LMS, a tutor saves a weekly session through the
// form, the mail worker delivers the queue to a real SMTP server on loopback, and what arrives is
// parsed (mailparser, ical.js) the way a mail client and a calendar program would read it.
import { expect } from 'chai';
import { eq, inArray } from 'drizzle-orm';
import ICAL from 'ical.js';
import type { ParsedMail } from 'mailparser';
import { memberships, occurrences, outbox, sessionSeries, users } from '../../src/db/schema.js';
import { useSimulatedLms, type TestAppOptions } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { weeklySessionForm } from '../support/sessions.js';
import { startSmtp } from '../support/smtp.js';

const course = { id: 'email-a', title: 'Organic Chemistry' };

describe('Email from a saved session to the inbox', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const appOptions: TestAppOptions = {};
  before(async () => {
    smtp = await startSmtp();
    appOptions.smtpUrl = smtp.url;
  });
  after(async () => smtp?.close());
  const lms = useSimulatedLms({ app: appOptions });

  let tutor: Launched;
  const ids = {} as Record<'tutor' | 'priya' | 'noEmail', string>;

  before(async () => {
    tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    await launchAs(lms.app, lms.sim, { user: { sub: 'stu-quiet', name: 'Quinn Quiet', roles: [ROLES.learner] }, context: course });
    for (const [key, sub] of [['tutor', 'ta-1'], ['priya', 'stu-1'], ['noEmail', 'stu-quiet']] as const) {
      ids[key] = (await db().select({ id: users.id }).from(users).where(eq(users.sub, sub)))[0]!.id;
    }
    await db().update(users).set({ timeZone: 'America/New_York' }).where(eq(users.id, ids.tutor));
    await db().update(users).set({ timeZone: 'Europe/Berlin' }).where(eq(users.id, ids.priya));
  });

  const db = () => lms.app.database.db;
  /** Runs the mail worker until the queue is empty, as its timer would. */
  const deliver = () => lms.app.built.mail.tick();
  const to = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a?.value.map((v) => v.address) ?? []);
  const calendarOf = (mail: ParsedMail) => {
    const file = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
    expect(file, 'a calendar file is attached').to.not.equal(undefined);
    return new ICAL.Component(ICAL.parse(file!.content.toString('utf8')));
  };
  const weekly = (overrides: Record<string, string | string[]> = {}) => weeklySessionForm({
    name: 'Spectroscopy clinic',
    description: 'Bring your NMR problem set.',
    courseId: tutor.courseId,
    count: '3',
    tutorIds: ids.tutor,
    studentIds: [ids.priya, ids.noEmail],
    meetingUrl: 'https://meet.example.edu/spectro',
    ...overrides,
  });

  it('When a tutor saves a weekly session, then each invitee with an address receives one invitation in their own time zone with the link and a calendar entry, and the one without is marked on the session page', async () => {
    const saved = await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions`, { method: 'POST', fields: weekly() });
    expect(saved.status).to.equal(303);
    await deliver();

    expect(smtp.received.map((m) => to(m)[0]).sort()).to.deep.equal(['maya@example.edu', 'priya@example.edu']);
    const priya = smtp.received.find((m) => to(m)[0] === 'priya@example.edu')!;
    expect(priya.subject).to.equal("You're invited: Spectroscopy clinic");
    // 16:00 in New York on 9 March 2027 (EST) is 22:00 in Berlin (CET).
    expect(priya.text).to.contain('22:00');
    expect(priya.text).to.contain('Europe/Berlin');
    expect(priya.text).to.contain('Bring your NMR problem set.');
    expect(priya.text).to.contain('Maya Chen');
    const link = priya.text!.match(/https?:\/\/[^\s]+\/open\/sessions\/[^\s]+/)?.[0];
    expect(link, 'a link to the session').to.be.a('string');
    expect(priya.html).to.contain('/open/sessions/');

    const calendar = calendarOf(priya);
    expect(calendar.getFirstPropertyValue('method')).to.equal('REQUEST');
    const event = calendar.getFirstSubcomponent('vevent')!;
    const [series] = await db().select().from(sessionSeries).where(eq(sessionSeries.name, 'Spectroscopy clinic'));
    expect(event.getFirstPropertyValue('uid')).to.equal(`${series!.id}@tutorkit`);
    expect(String(event.getFirstPropertyValue('rrule'))).to.contain('FREQ=WEEKLY');
    expect(calendar.getFirstSubcomponent('vtimezone')!.getFirstPropertyValue('tzid')).to.equal('America/New_York');
    // A calendar program registers the zone and lands the first meeting at 21:00Z.
    ICAL.TimezoneService.register(calendar.getFirstSubcomponent('vtimezone')!);
    const start = new ICAL.Event(event).startDate;
    expect(start.toJSDate().toISOString()).to.equal('2027-03-09T21:00:00.000Z');
    expect(String(event.getFirstPropertyValue('location') ?? event.getFirstPropertyValue('url'))).to.contain('https://meet.example.edu/spectro');

    const skipped = await db().select().from(outbox).where(eq(outbox.userId, ids.noEmail));
    expect(skipped.map((m) => [m.status, m.lastError])).to.deep.equal([['skipped', 'no email on file']]);
    const [first] = await db().select({ id: occurrences.id }).from(occurrences).where(eq(occurrences.seriesId, series!.id)).orderBy(occurrences.startsAt).limit(1);
    const page = await (await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${first!.id}`)).text();
    expect(page).to.contain('Quinn Quiet (no email on file)');
  });

  it('When a series with 20 invitees is edited, then exactly 20 messages arrive, one per person, each an update of the same calendar entry', async () => {
    // 19 more students with addresses, as an LMS roster sync would bring them.
    const [{ platformId }] = (await db().select({ platformId: users.platformId }).from(users).where(eq(users.id, ids.tutor))) as [{ platformId: string }];
    const added = await db()
      .insert(users)
      .values(Array.from({ length: 19 }, (_, i) => ({ platformId, sub: `bulk-${i}`, name: `Student ${i + 1}`, email: `student${i + 1}@example.edu` })))
      .returning({ id: users.id });
    await db().insert(memberships).values(added.map((u) => ({ courseId: tutor.courseId, userId: u.id, role: 'student' as const })));
    const studentIds = added.map((u) => u.id);

    const fields = weekly({ name: 'Exam review', startDate: '2027-04-06', studentIds, meetingUrl: '' });
    expect((await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions`, { method: 'POST', fields })).status).to.equal(303);
    await deliver();
    const before = smtp.received.length;
    const [series] = await db().select().from(sessionSeries).where(eq(sessionSeries.name, 'Exam review'));
    const [first] = await db().select({ id: occurrences.id }).from(occurrences).where(eq(occurrences.seriesId, series!.id)).orderBy(occurrences.startsAt).limit(1);

    const edited = await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${first!.id}/edit`, { method: 'POST', fields: { ...fields, name: 'Exam review (room 2)', scope: 'all' } });
    expect(edited.status).to.equal(303);
    await deliver();
    await deliver(); // a second run finds nothing left to send: no duplicates

    const updates = smtp.received.slice(before);
    expect(updates).to.have.length(20);
    expect(new Set(updates.map((m) => to(m)[0])).size).to.equal(20);
    expect(updates.every((m) => m.subject === 'Updated: Exam review (room 2)')).to.equal(true);
    const entries = updates.map((m) => calendarOf(m).getFirstSubcomponent('vevent')!);
    expect(new Set(entries.map((e) => e.getFirstPropertyValue('uid')))).to.deep.equal(new Set([`${series!.id}@tutorkit`]));
    expect(entries.every((e) => Number(e.getFirstPropertyValue('sequence')) >= 1)).to.equal(true);
    const queued = await db().select().from(outbox).where(inArray(outbox.userId, studentIds));
    expect(queued.filter((m) => m.kind === 'update')).to.have.length(19);
  });
});
