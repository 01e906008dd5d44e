// Emails queued by saving, editing and cancelling sessions, after real LTI launches: one message
// per person per change, with a calendar file a real parser reads.
import { expect } from 'chai';
import { asc, eq, inArray } from 'drizzle-orm';
import ICAL from 'ical.js';
import { occurrences, outbox, sessionSeries, users } from '../../src/db/schema.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { launchAs, people, readLaunchPage, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { weeklySessionForm } from '../support/sessions.js';

const NOW = new Date('2027-03-01T12:00:00Z');

describe('Notifications: invitations, updates and cancellations', () => {
  const clock = fixedClock(NOW);
  const lms = useSimulatedLms({ app: { clock } });
  const course = { id: 'notify-a', title: 'Statistics 201' };
  let tutor: Launched;
  let student: Launched;
  const ids: Record<string, string> = {};
  const db = () => lms.app.database.db;
  const idOf = async (sub: string) => (await db().select({ id: users.id }).from(users).where(eq(users.sub, sub)))[0]!.id;

  before(async function () {
    this.timeout(120_000);
    tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    student = await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    await launchAs(lms.app, lms.sim, { user: { sub: 'stu-noemail', name: 'Sam Nomail', roles: [ROLES.learner] }, context: course });
    for (let i = 2; i <= 19; i++) {
      await launchAs(lms.app, lms.sim, { user: { sub: `stu-${i}`, name: `Student ${String(i).padStart(2, '0')}`, email: `s${i}@example.edu`, roles: [ROLES.learner] }, context: course });
    }
    for (const sub of ['ta-1', 'stu-1', 'stu-noemail', ...Array.from({ length: 18 }, (_, i) => `stu-${i + 2}`)]) ids[sub] = await idOf(sub);
    await db().update(users).set({ timeZone: 'Europe/Berlin' }).where(eq(users.id, ids['stu-1']!));
  });

  afterEach(async () => {
    await db().delete(sessionSeries);
    await db().delete(outbox);
  });

  const form = (overrides: Record<string, string | string[]> = {}) => weeklySessionForm({
    name: 'Regression clinic',
    description: 'Bring last week’s problem set.',
    courseId: tutor.courseId,
    weekdays: ['TU', 'TH'],
    tutorIds: ids['ta-1']!,
    studentIds: [ids['stu-1']!, ids['stu-noemail']!],
    meetingUrl: 'https://meet.example.com/clinic',
    ...overrides,
  });

  async function create(overrides: Record<string, string | string[]> = {}) {
    const res = await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions`, { method: 'POST', fields: form(overrides) });
    expect(res.status, await res.clone().text()).to.equal(303);
    const [series] = await db().select().from(sessionSeries).where(eq(sessionSeries.name, overrides.name as string ?? 'Regression clinic'));
    const list = await db().select().from(occurrences).where(eq(occurrences.seriesId, series!.id)).orderBy(asc(occurrences.startsAt));
    return { series: series!, list };
  }
  const messages = () => db().select().from(outbox).orderBy(asc(outbox.createdAt));
  const byUser = async (userId: string) => (await messages()).filter((m) => m.userId === userId);
  const parse = (ics: string) => {
    const root = new ICAL.Component(ICAL.parse(ics));
    for (const tz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(tz));
    return { method: root.getFirstPropertyValue('method'), events: root.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v)) };
  };

  it('When a session is saved, then each invitee gets one invitation with the details in their zone and a calendar invitation', async () => {
    const { series } = await create();
    const rows = await messages();
    expect(rows.map((r) => r.userId).sort()).to.deep.equal([ids['ta-1'], ids['stu-1'], ids['stu-noemail']].sort());
    const priya = rows.find((r) => r.userId === ids['stu-1'])!;
    expect(priya.kind).to.equal('invitation');
    expect(priya.toAddress).to.equal('priya@example.edu');
    expect(priya.subject).to.equal('You\'re invited: Regression clinic');
    expect(priya.text).to.contain('Next session: Tue 9 Mar 2027, 22:00–23:00 (Europe/Berlin)');
    expect(priya.text).to.contain('Repeat: Weekly on Tuesday and Thursday, 6 times');
    expect(priya.text).to.contain('Tutors: Maya Chen');
    expect(priya.text).to.contain('Bring last week’s problem set.');
    expect(priya.text).to.match(/Open the session in TutorKit: http:\/\/127\.0\.0\.1:\d+\/open\/sessions\/[0-9a-f-]{36}\?u=/);
    expect(priya.html).to.contain('Bring last week’s problem set.').and.contain('<a href="https://meet.example.com/clinic">');
    const cal = parse(priya.ics!);
    expect(cal.method).to.equal('REQUEST');
    expect(cal.events[0]!.uid).to.equal(`${series.id}@tutorkit`);
    expect(cal.events[0]!.sequence).to.equal(0);
    expect(String(cal.events[0]!.component.getFirstPropertyValue('rrule'))).to.contain('FREQ=WEEKLY');
    expect(cal.events[0]!.startDate.toJSDate().toISOString()).to.equal('2027-03-09T21:00:00.000Z');
    expect(cal.events[0]!.location).to.equal('https://meet.example.com/clinic');
    expect(cal.events[0]!.organizer).to.equal('mailto:no-reply@127.0.0.1');
    expect(cal.events[0]!.attendees.map((a) => a.getFirstValue())).to.deep.equal(['mailto:priya@example.edu']);
    expect(priya.text).to.contain('Maya Chen invited you to the tutoring session “Regression clinic” in Statistics 201.');
    expect(rows.find((r) => r.userId === ids['ta-1'])!.text).to.contain('You scheduled the tutoring session “Regression clinic”');
  });

  it('When an invitee has no email address, then their message is kept as skipped and staff see "no email on file"', async () => {
    const { list } = await create();
    const [sam] = await byUser(ids['stu-noemail']!);
    expect(sam!.status).to.equal('skipped');
    expect(sam!.toAddress).to.equal(null);
    expect(sam!.lastError).to.equal('no email on file');
    const staffPage = await (await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[0]!.id}`)).text();
    expect(staffPage).to.contain('Sam Nomail (no email on file)');
    const studentPage = await (await htmx(lms.app, student, `/c/${student.courseId}/sessions/${list[0]!.id}`)).text();
    expect(studentPage).to.contain('Sam Nomail').and.not.contain('no email on file');
  });

  it('When a series with 20 invitees is edited, then exactly 20 messages are queued, one per person', async () => {
    const students = Object.keys(ids).filter((k) => k.startsWith('stu-') && k !== 'stu-noemail').map((k) => ids[k]!);
    expect(students).to.have.length(19);
    const { list } = await create({ studentIds: students, startTime: '18:00' });
    await db().delete(outbox);
    const res = await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[0]!.id}/edit`, { method: 'POST', fields: form({ studentIds: students, startTime: '18:30', scope: 'all' }) });
    expect(res.status, await res.clone().text()).to.equal(303);
    const rows = await messages();
    expect(rows).to.have.length(20);
    expect(new Set(rows.map((r) => r.userId)).size).to.equal(20);
    expect(rows.every((r) => r.kind === 'update' && r.subject === 'Updated: Regression clinic')).to.equal(true);
    const cal = parse(rows[0]!.ics!);
    expect(cal.events).to.have.length(1);
    expect(cal.events[0]!.sequence).to.be.greaterThan(0);
    expect(cal.events[0]!.startDate.toJSDate().toISOString()).to.equal('2027-03-09T23:30:00.000Z');
  });

  it('When “This session” is edited, then each invitee gets one update that overrides only that date (parent UID, RECURRENCE-ID)', async () => {
    const { series, list } = await create({ startTime: '08:00' });
    await db().delete(outbox);
    const res = await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[2]!.id}/edit`, { method: 'POST', fields: form({ startDate: '2027-03-17', startTime: '09:00', repeat: 'none', scope: 'this' }) });
    expect(res.status, await res.clone().text()).to.equal(303);
    const rows = await messages();
    expect(rows).to.have.length(3);
    const cal = parse(rows.find((r) => r.userId === ids['stu-1'])!.ics!);
    expect(cal.method).to.equal('REQUEST');
    expect(cal.events).to.have.length(1);
    const [override] = cal.events;
    expect(override!.uid).to.equal(`${series.id}@tutorkit`);
    expect(override!.recurrenceId.toJSDate().toISOString()).to.equal(list[2]!.originalStartsAt.toISOString());
    expect(override!.startDate.toJSDate().toISOString()).to.equal('2027-03-17T13:00:00.000Z');
    expect(rows.find((r) => r.userId === ids['stu-1'])!.text, 'in Priya’s zone').to.contain('Only the session on Tue 16 Mar 2027, 13:00–14:00 (Europe/Berlin) changed.');
  });

  it('When “This and following” is edited, then people get one update with the cut series and the new one', async () => {
    const { series, list } = await create({ startTime: '10:00' });
    await db().delete(outbox);
    const res = await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[2]!.id}/edit`, { method: 'POST', fields: form({ startDate: '2027-03-16', startTime: '11:00', count: '4', scope: 'following' }) });
    expect(res.status, await res.clone().text()).to.equal(303);
    const rows = await byUser(ids['stu-1']!);
    expect(rows).to.have.length(1);
    const cal = parse(rows[0]!.ics!);
    expect(cal.events.map((e) => e.uid)[0]).to.equal(`${series.id}@tutorkit`);
    expect(cal.events).to.have.length(2);
    const starts = (e: ICAL.Event) => {
      const it = e.iterator();
      const out: string[] = [];
      for (let n = it.next(); n; n = it.next()) out.push(n.toJSDate().toISOString());
      return out;
    };
    expect(starts(cal.events[0]!)).to.deep.equal(['2027-03-09T15:00:00.000Z', '2027-03-11T15:00:00.000Z']);
    expect(starts(cal.events[1]!)).to.have.length(4).and.include('2027-03-16T15:00:00.000Z');
  });

  it('When invitees are added and removed, then added people get an invitation and removed ones a cancellation', async () => {
    const { series, list } = await create({ startTime: '12:00', studentIds: [ids['stu-1']!] });
    await db().delete(outbox);
    const res = await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[0]!.id}/edit`, { method: 'POST', fields: form({ startTime: '12:00', studentIds: [ids['stu-2']!], scope: 'all' }) });
    expect(res.status, await res.clone().text()).to.equal(303);
    const kinds = Object.fromEntries((await messages()).map((r) => [r.userId, r.kind]));
    expect(kinds).to.deep.equal({ [ids['ta-1']!]: 'update', [ids['stu-1']!]: 'cancellation', [ids['stu-2']!]: 'invitation' });
    const removed = (await byUser(ids['stu-1']!))[0]!;
    const cal = parse(removed.ics!);
    expect(cal.method).to.equal('CANCEL');
    expect(cal.events[0]!.uid).to.equal(`${series.id}@tutorkit`);
  });

  it('When one session or the rest of a series is cancelled, then each invitee gets one METHOD:CANCEL message', async () => {
    const { series, list } = await create({ startTime: '14:00' });
    await db().delete(outbox);
    await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[1]!.id}/cancel`, { method: 'POST', fields: { scope: 'this' } });
    let rows = await messages();
    expect(rows).to.have.length(3);
    let cal = parse(rows.find((r) => r.userId === ids['stu-1'])!.ics!);
    expect(cal.method).to.equal('CANCEL');
    expect(cal.events).to.have.length(1);
    expect(cal.events[0]!.recurrenceId.toJSDate().toISOString()).to.equal(list[1]!.originalStartsAt.toISOString());
    expect(rows[0]!.subject).to.equal('Cancelled: Regression clinic');
    await db().delete(outbox);
    await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[0]!.id}/cancel`, { method: 'POST', fields: { scope: 'all' } });
    rows = await messages();
    expect(rows).to.have.length(3);
    cal = parse(rows.find((r) => r.userId === ids['stu-1'])!.ics!);
    expect(cal.method).to.equal('CANCEL');
    expect(cal.events).to.have.length(1);
    expect(cal.events[0]!.uid).to.equal(`${series.id}@tutorkit`);
    expect(cal.events[0]!.isRecurrenceException(), 'the whole series').to.equal(false);
    expect(rows[0]!.text).to.contain('5 sessions of “Regression clinic” were cancelled');
  });

  it('When a person opens the link in their email, then their next launch from the course lands on that session, once', async () => {
    const { list } = await create({ startTime: '20:00' });
    const link = new URL((await byUser(ids['stu-1']!))[0]!.text.match(/Open the session in TutorKit: (\S+)/)![1]!);
    const tampered = new URL(link);
    tampered.searchParams.set('u', ids['stu-2']!);
    expect((await fetch(tampered)).status).to.equal(404);
    const page = await fetch(link);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.contain('Open TutorKit from <strong>Statistics 201</strong> in your LMS').and.contain('you’ll be taken to this session');
    const first = readLaunchPage((await lms.sim.launch(lms.app.tool, { user: people.student(), context: course })).body)!;
    expect(first.home).to.equal(`/c/${student.courseId}/sessions/${list[0]!.id}`);
    const again = readLaunchPage((await lms.sim.launch(lms.app.tool, { user: people.student(), context: course })).body)!;
    expect(again.home).to.equal(`/c/${student.courseId}/dashboard`);
  });

  it('When someone else launches after the link was opened, then they land on their own home', async () => {
    await create({ startTime: '21:00' });
    const link = (await byUser(ids['stu-1']!))[0]!.text.match(/Open the session in TutorKit: (\S+)/)![1]!;
    await fetch(link);
    const other = readLaunchPage((await lms.sim.launch(lms.app.tool, { user: { sub: 'stu-2', name: 'Student 02', email: 's2@example.edu', roles: [ROLES.learner] }, context: course })).body)!;
    expect(other.home).to.equal(`/c/${student.courseId}/dashboard`);
    await db().delete(outbox).where(inArray(outbox.userId, [ids['stu-1']!]));
  });
});
