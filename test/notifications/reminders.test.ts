// Reminders with a frozen clock: 24 hours and 15 minutes before each session, to invitees who want
// them and have not declined, never for cancelled sessions, and never both when one was missed.
import { expect } from 'chai';
import { asc, eq } from 'drizzle-orm';
import { occurrences, outbox, rsvps, sessionSeries, users } from '../../src/db/schema.js';
import { listReminderCandidates } from '../../src/notifications/queries.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';

const NOW = new Date('2027-03-01T12:00:00Z');
const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('Notifications: reminders', () => {
  const clock = fixedClock(NOW);
  const lms = useSimulatedLms({ app: { clock } });
  const queueDueReminders = (now: Date) => lms.app.built.services.notifications.queueDueReminders(now);
  const course = { id: 'remind-a', title: 'Chemistry' };
  let tutor: Launched;
  const ids: Record<string, string> = {};
  const db = () => lms.app.database.db;

  before(async () => {
    tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    await launchAs(lms.app, lms.sim, { user: { sub: 'stu-2', name: 'Luis Ortega', email: 'luis@example.edu', roles: [ROLES.learner] }, context: course });
    await launchAs(lms.app, lms.sim, { user: { sub: 'stu-3', name: 'Ana Quiet', email: 'ana@example.edu', roles: [ROLES.learner] }, context: course });
    for (const sub of ['ta-1', 'stu-1', 'stu-2', 'stu-3']) ids[sub] = (await db().select({ id: users.id }).from(users).where(eq(users.sub, sub)))[0]!.id;
    await db().update(users).set({ remindersEnabled: false }).where(eq(users.id, ids['stu-3']!));
  });

  afterEach(async () => {
    await db().delete(sessionSeries);
    await db().delete(outbox);
    clock.set(NOW);
  });

  /** A session at 16:00 New York on 2 March 2027 (21:00 UTC), repeating daily `count` times. */
  async function schedule(startTime = '16:00', count = '1', meetingUrl = 'https://meet.example.com/lab') {
    const fields = {
      name: 'Titration lab prep',
      courseId: tutor.courseId,
      startDate: '2027-03-02',
      startTime,
      zone: 'America/New_York',
      lengthValue: '45',
      lengthUnit: 'minutes',
      repeat: count === '1' ? 'none' : 'daily',
      interval: '1',
      endType: 'count',
      count,
      tutorIds: ids['ta-1']!,
      studentIds: [ids['stu-1']!, ids['stu-2']!, ids['stu-3']!],
      meetingUrl,
    };
    const res = await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions`, { method: 'POST', fields });
    expect(res.status, await res.clone().text()).to.equal(303);
    await db().delete(outbox); // the invitations
    const [series] = await db().select().from(sessionSeries);
    return db().select().from(occurrences).where(eq(occurrences.seriesId, series!.id)).orderBy(asc(occurrences.startsAt));
  }
  const reminders = () => db().select().from(outbox).where(eq(outbox.kind, 'reminder')).orderBy(asc(outbox.toAddress));

  it('When it is 24 hours and then 15 minutes before a session, then each invitee who wants reminders gets each reminder once', async () => {
    const [occ] = await schedule();
    clock.set(new Date(occ!.startsAt.getTime() - 24 * HOUR));
    expect(await queueDueReminders(clock.now())).to.equal(3);
    expect(await queueDueReminders(new Date(clock.now().getTime() + MINUTE)), 'the next tick queues nothing again').to.equal(0);
    // ...and does not even compose them again: the query leaves out reminders already queued.
    const window = { from: new Date(clock.now().getTime() + 12 * HOUR), until: new Date(clock.now().getTime() + 24 * HOUR), lead: 24 * 60 };
    expect(await listReminderCandidates(db(), window)).to.deep.equal([]);
    expect(await listReminderCandidates(db(), { ...window, lead: 15 }), 'another lead is another reminder').to.have.length(3);
    let rows = await reminders();
    expect(rows.map((r) => r.toAddress)).to.deep.equal(['luis@example.edu', 'maya@example.edu', 'priya@example.edu']);
    expect(rows[0]!.subject).to.equal('Reminder: Titration lab prep starts in 24 hours');
    expect(rows[0]!.text).to.contain('Meeting link: https://meet.example.com/lab').and.contain('Open the session in TutorKit: ');
    clock.set(new Date(occ!.startsAt.getTime() - 5 * HOUR));
    expect(await queueDueReminders(clock.now()), 'between the two reminders').to.equal(0);
    clock.set(new Date(occ!.startsAt.getTime() - 15 * MINUTE));
    expect(await queueDueReminders(clock.now())).to.equal(3);
    rows = (await reminders()).filter((r) => r.subject.endsWith('15 minutes'));
    expect(rows).to.have.length(3);
    expect(rows[0]!.subject).to.equal('Reminder: Titration lab prep starts in 15 minutes');
    expect(await queueDueReminders(new Date(occ!.startsAt.getTime() + MINUTE)), 'after the start').to.equal(0);
  });

  it('When an invitee declined, then they get no reminder for that session', async () => {
    const [occ] = await schedule();
    await db().insert(rsvps).values({ occurrenceId: occ!.id, userId: ids['stu-1']!, courseId: tutor.courseId, response: 'declined' });
    await db().insert(rsvps).values({ occurrenceId: occ!.id, userId: ids['stu-2']!, courseId: tutor.courseId, response: 'maybe' });
    await queueDueReminders(new Date(occ!.startsAt.getTime() - 15 * MINUTE));
    expect((await reminders()).map((r) => r.toAddress)).to.deep.equal(['luis@example.edu', 'maya@example.edu']);
  });

  it('When a session is cancelled, then nobody is reminded of it, while the series’ other sessions still are', async () => {
    const list = await schedule('16:00', '2');
    await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[0]!.id}/cancel`, { method: 'POST', fields: { scope: 'this' } });
    expect(await queueDueReminders(new Date(list[0]!.startsAt.getTime() - 15 * MINUTE))).to.equal(0);
    expect(await queueDueReminders(new Date(list[1]!.startsAt.getTime() - 15 * MINUTE))).to.equal(3);
    expect(new Set((await reminders()).map((r) => r.occurrenceId))).to.deep.equal(new Set([list[1]!.id]));
  });

  it('When the 24-hour moment was missed (TutorKit was down), then only the 15-minute reminder goes out, saying the real time left', async () => {
    const [occ] = await schedule('17:00');
    expect(await queueDueReminders(new Date(occ!.startsAt.getTime() - 11 * HOUR)), 'past half of the 24-hour lead').to.equal(0);
    expect(await queueDueReminders(new Date(occ!.startsAt.getTime() - 10 * MINUTE))).to.equal(3);
    const rows = await reminders();
    expect(rows).to.have.length(3);
    expect(rows[0]!.subject).to.equal('Reminder: Titration lab prep starts in 10 minutes');
    expect(rows.every((r) => r.dedupeKey.endsWith(':15'))).to.equal(true);
    expect(await queueDueReminders(new Date(occ!.startsAt.getTime() - 5 * MINUTE)), 'too late for any reminder').to.equal(0);
  });

  it('When a session has no meeting URL of its own, then the reminder gives the one its tutor set in Edit settings', async () => {
    await db().update(users).set({ meetingUrl: 'https://zoom.example.com/j/123' }).where(eq(users.id, ids['ta-1']!));
    const [occ] = await schedule('19:00', '1', '');
    await queueDueReminders(new Date(occ!.startsAt.getTime() - 15 * MINUTE));
    expect((await reminders())[0]!.text).to.contain('Meeting link: https://zoom.example.com/j/123');
    await db().update(users).set({ meetingUrl: null }).where(eq(users.id, ids['ta-1']!));
  });

  it('When the worker is late by a few hours for the 24-hour reminder, then it still goes out, once', async () => {
    const [occ] = await schedule('18:00');
    expect(await queueDueReminders(new Date(occ!.startsAt.getTime() - 20 * HOUR))).to.equal(3);
    expect((await reminders())[0]!.subject).to.equal('Reminder: Titration lab prep starts in 20 hours');
    expect(await queueDueReminders(new Date(occ!.startsAt.getTime() - 19 * HOUR))).to.equal(0);
  });
});
