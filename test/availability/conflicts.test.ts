// The conflict alert and the save gate, through HTTP after real LTI launches: who can't make
// which sessions (in the scheduler's zone), confirming conflicts, and the database refusing a
// double-booked tutor even when saves race.
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { availabilityExceptions, availabilityHours, occurrences, sessionSeries, tutorBookings, users } from '../../src/db/schema.js';
import { isDoubleBooking } from '../../src/scheduling/bookings.js';
import { useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';

const course = { id: 'conflicts-a', title: 'Linear Algebra' };

describe('Conflict alerts and double booking', () => {
  const lms = useSimulatedLms();
  let maya: Launched;
  let sam: Launched;
  let student: Launched;
  let outsider: Launched;
  let grace: Launched;
  const ids = {} as Record<'maya' | 'sam' | 'grace' | 'priya' | 'outsider', string>;

  before(async () => {
    maya = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    sam = await launchAs(lms.app, lms.sim, { user: { sub: 'ta-2', name: 'Sam Rivera', roles: [ROLES.teachingAssistant] }, context: course });
    student = await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    grace = await launchAs(lms.app, lms.sim, { user: people.instructor(), context: course });
    outsider = await launchAs(lms.app, lms.sim, { user: { sub: 'ta-b', name: 'Olu Outsider', roles: [ROLES.teachingAssistant] }, context: { id: 'conflicts-b', title: 'Physics' } });
    for (const [key, sub] of [['maya', 'ta-1'], ['sam', 'ta-2'], ['grace', 'inst-1'], ['priya', 'stu-1'], ['outsider', 'ta-b']] as const) {
      const [row] = await db().select({ id: users.id }).from(users).where(eq(users.sub, sub));
      ids[key] = row!.id;
    }
    // Maya tutors from Berlin on weekdays 09:00-17:00; Priya studies in Los Angeles, 15:00-20:00 every day.
    // Sam and Grace (the instructor, who tutors too) have not set availability up: they count as available at any time.
    await db().update(users).set({ timeZone: 'Europe/Berlin' }).where(eq(users.id, ids.maya));
    await db().update(users).set({ timeZone: 'America/Los_Angeles' }).where(eq(users.id, ids.priya));
    await db().insert(availabilityHours).values([
      ...[1, 2, 3, 4, 5].map((weekday) => ({ userId: ids.maya, weekday, startTime: '09:00', endTime: '17:00', timeZone: 'Europe/Berlin' })),
      ...[1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ userId: ids.priya, weekday, startTime: '15:00', endTime: '20:00', timeZone: 'America/Los_Angeles' })),
    ]);
  });

  afterEach(async () => {
    await db().delete(sessionSeries);
    await db().delete(availabilityExceptions);
  });

  const db = () => lms.app.database.db;
  const session = (overrides: Record<string, string | string[]> = {}) => ({
    name: 'Eigenvalues clinic',
    courseId: maya.courseId,
    startDate: '2027-03-02',
    startTime: '10:00',
    zone: 'Europe/Berlin',
    lengthValue: '60',
    lengthUnit: 'minutes',
    repeat: 'none',
    tutorIds: ids.maya,
    ...overrides,
  });
  const check = async (fields: Record<string, string | string[]>, who = maya) => {
    const res = await htmx(lms.app, who, `/c/${who.courseId}/sessions/conflicts`, { method: 'POST', fields });
    return { status: res.status, html: await res.text() };
  };
  const save = (fields: Record<string, string | string[]>, who = maya) => htmx(lms.app, who, `/c/${who.courseId}/sessions`, { method: 'POST', fields });
  const lines = (html: string) => [...html.matchAll(/<span class="conflict-line">([^<]*)<\/span>/g)].map((m) => m[1]);
  const seriesNamed = async (name: string) => db().select().from(sessionSeries).where(eq(sessionSeries.name, name));

  it('When a one-off session falls outside the invitees’ hours, then the alert names each of them with the time in the scheduler’s zone', async () => {
    // Tue 2 Mar 2027 16:30-17:30 in Berlin is 07:30-08:30 in Los Angeles.
    const { status, html } = await check(session({ startTime: '16:30', studentIds: ids.priya }));
    expect(status).to.equal(200);
    expect(lines(html)).to.deep.equal(['Maya Chen is unavailable on Tue 2 Mar 2027 16:30–17:30', 'Priya Natarajan is unavailable on Tue 2 Mar 2027 16:30–17:30']);
    expect(html).to.contain('Schedule anyway, although these people can’t make it');
    expect(html).to.contain('data-assistant-open');
  });

  it('When everyone can come, then the alert says so, and saving needs no confirmation', async () => {
    // 10:00 in Berlin is inside Maya's day; Sam has no hours set.
    const { html } = await check(session({ tutorIds: [ids.maya, ids.sam], repeat: 'weekly', interval: '1', weekdays: 'TU', endType: 'count', count: '4' }));
    expect(html).to.contain('Everyone invited is available for all 4 sessions.');
    expect(lines(html)).to.deep.equal([]);
    const res = await save(session({ name: 'Free for all', tutorIds: [ids.maya, ids.sam] }));
    expect(res.status).to.equal(303);
    expect(await seriesNamed('Free for all')).to.have.length(1);
  });

  it('When only the 6th of 8 weekly sessions falls on a day off, then the alert lists that date and no other', async () => {
    await db().insert(availabilityExceptions).values({ userId: ids.maya, date: '2027-04-06', kind: 'day_off', timeZone: 'Europe/Berlin' });
    const { html } = await check(session({ repeat: 'weekly', interval: '1', weekdays: 'TU', endType: 'count', count: '8' }));
    expect(lines(html)).to.deep.equal(['Maya Chen is unavailable on Tue 6 Apr 2027 10:00–11:00']);
  });

  it('When the US changes its clocks two weeks before Europe, then only the sessions in between fall outside the Los Angeles student’s hours', async () => {
    // Wednesdays 04:00 in Berlin are 19:00-20:00 in Los Angeles, except between 14 and 28 March
    // 2027, when the gap is 8 hours and the session runs 20:00-21:00 there.
    const { html } = await check(session({ startDate: '2027-03-03', startTime: '04:00', tutorIds: ids.sam, studentIds: ids.priya, repeat: 'weekly', interval: '1', weekdays: 'WE', endType: 'count', count: '6' }));
    expect(lines(html)).to.deep.equal(['Priya Natarajan is unavailable on Wed 17 Mar 2027 04:00–05:00', 'Priya Natarajan is unavailable on Wed 24 Mar 2027 04:00–05:00']);
  });

  it('When a tutor already tutors another session then, then the alert says so and the save is refused even when confirmed', async () => {
    expect((await save(session({ name: 'Algebra drop-in', startDate: '2027-03-04' }))).status).to.equal(303);
    const overlapping = session({ name: 'Second booking', startDate: '2027-03-04', startTime: '10:30' });
    const { html } = await check(overlapping);
    expect(lines(html)).to.deep.equal(['Maya Chen already tutors “Algebra drop-in” on Thu 4 Mar 2027 10:00–11:00']);
    expect(html).to.contain('A tutor can’t run two sessions at once.');
    expect(html).not.to.contain('name="confirmConflicts"');

    const res = await save({ ...overlapping, confirmConflicts: 'anything' });
    const page = await res.text();
    expect(res.status).to.equal(409);
    expect(page).to.contain('A tutor is already booked at this time.');
    expect(page).to.contain('Maya Chen already tutors “Algebra drop-in”');
    expect(page, 'the form keeps what was typed').to.contain('value="Second booking"');
    expect(await seriesNamed('Second booking')).to.have.length(0);
  });

  it('When a student is in another session, then the save stops with the conflicts, and goes through once exactly those are confirmed', async () => {
    expect((await save(session({ name: 'Morning review', startDate: '2027-03-05', startTime: '00:00', tutorIds: ids.grace, studentIds: ids.priya }))).status).to.equal(303);
    // 00:30 Berlin is 15:30 in Los Angeles: inside Priya's hours, but she is in Morning review.
    const fields = session({ name: 'Overlap review', startDate: '2027-03-05', startTime: '00:30', tutorIds: ids.sam, studentIds: ids.priya });
    const first = await save(fields);
    const page = await first.text();
    expect(first.status).to.equal(409);
    expect(page).to.contain('Some invited people can’t make it.');
    expect(lines(page)).to.deep.equal(['Priya Natarajan is in “Morning review” on Fri 5 Mar 2027 00:00–01:00']);
    expect(await seriesNamed('Overlap review')).to.have.length(0);
    const fingerprint = page.match(/name="confirmConflicts" value="([^"]+)"/)![1]!;

    const stale = await save({ ...fields, confirmConflicts: 'not-these' });
    expect(stale.status, 'a confirmation of other conflicts does not count').to.equal(409);
    const confirmed = await save({ ...fields, confirmConflicts: fingerprint });
    expect(confirmed.status, await confirmed.clone().text()).to.equal(303);
    expect(await seriesNamed('Overlap review')).to.have.length(1);
  });

  it('When the alert is re-checked with the confirmation ticked and nothing changed, then it stays ticked', async () => {
    const fields = session({ startTime: '16:30' });
    const fingerprint = (await check(fields)).html.match(/name="confirmConflicts" value="([^"]+)"/)![1]!;
    expect((await check({ ...fields, confirmConflicts: fingerprint })).html).to.contain(`value="${fingerprint}" checked`);
    expect((await check({ ...fields, startTime: '16:45', confirmConflicts: fingerprint })).html, 'a new time unticks it').not.to.contain('checked');
  });

  it('When four saves book the same tutor at the same time at once, then exactly one succeeds and the others name the conflict', async () => {
    // Four schedulers: one person's saves wait their turn (src/lib/limits.ts), four people's race.
    const admin = await launchAs(lms.app, lms.sim, { user: people.admin(), context: course });
    const schedulers = [sam, maya, grace, admin];
    const results = await Promise.all(
      ['Race A', 'Race B', 'Race C', 'Race D'].map(async (name, i) => {
        const res = await save(session({ name, startDate: '2027-03-08', tutorIds: ids.sam }), schedulers[i]);
        return { status: res.status, html: await res.text() };
      }),
    );
    expect(results.map((r) => r.status).sort()).to.deep.equal([303, 409, 409, 409]);
    for (const lost of results.filter((r) => r.status === 409)) expect(lost.html).to.match(/Sam Rivera already tutors “Race [ABCD]” on Mon 8 Mar 2027 10:00–11:00/);
    const booked = await db().select().from(tutorBookings).where(eq(tutorBookings.tutorId, ids.sam));
    expect(booked).to.have.length(1);
  });

  it('When two transactions book one tutor into overlapping occurrences at once, then the database lets exactly one commit', async () => {
    // Two sessions at the same time, then both try to book Sam directly, past every
    // application check: only the exclusion constraint stands in the way.
    for (const name of ['Room 1', 'Room 2']) {
      const [series] = await db().insert(sessionSeries).values({ courseId: maya.courseId, createdBy: ids.maya, name, timeZone: 'UTC', startDate: '2027-03-09', startTime: '10:00', durationMinutes: 60, repeat: { freq: 'none' } }).returning();
      await db().insert(occurrences).values({ seriesId: series!.id, courseId: maya.courseId, startsAt: new Date('2027-03-09T10:00Z'), endsAt: new Date('2027-03-09T11:00Z'), originalStartsAt: new Date('2027-03-09T10:00Z') });
    }
    const rooms = await db().select().from(occurrences).where(eq(occurrences.courseId, maya.courseId));
    const outcomes = await Promise.allSettled(
      rooms.map((room) =>
        db().transaction(async (tx) => {
          await tx.insert(tutorBookings).values({ occurrenceId: room.id, tutorId: ids.sam, seriesId: room.seriesId, startsAt: room.startsAt, endsAt: room.endsAt });
        }),
      ),
    );
    expect(outcomes.map((o) => o.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
    expect(isDoubleBooking((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason)).to.equal(true);
    expect(await db().select().from(tutorBookings).where(eq(tutorBookings.tutorId, ids.sam))).to.have.length(1);
  });

  it('When a session is cancelled or moved, then its tutor’s booking goes with it and the time is free again', async () => {
    expect((await save(session({ name: 'Cancelled slot', startDate: '2027-03-10', tutorIds: ids.sam }), sam)).status).to.equal(303);
    const [first] = await db().select().from(occurrences).innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId)).where(eq(sessionSeries.name, 'Cancelled slot'));
    expect((await htmx(lms.app, sam, `/c/${sam.courseId}/sessions/${first!.occurrences.id}/cancel`, { method: 'POST', fields: { scope: 'this' } })).status).to.equal(303);
    expect(await db().select().from(tutorBookings).where(eq(tutorBookings.tutorId, ids.sam))).to.have.length(0);
    expect((await save(session({ name: 'Takes the slot', startDate: '2027-03-10', tutorIds: ids.sam }), sam)).status).to.equal(303);

    const [taken] = await db().select().from(occurrences).innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId)).where(eq(sessionSeries.name, 'Takes the slot'));
    const moved = await htmx(lms.app, sam, `/c/${sam.courseId}/sessions/${taken!.occurrences.id}/edit`, { method: 'POST', fields: session({ name: 'Takes the slot', startDate: '2027-03-10', startTime: '14:00', tutorIds: ids.sam }) });
    expect(moved.status).to.equal(303);
    const [booking] = await db().select().from(tutorBookings).where(eq(tutorBookings.tutorId, ids.sam));
    expect(booking!.startsAt.toISOString()).to.equal('2027-03-10T13:00:00.000Z');
  });

  it('When an edit form is checked, then the session being edited does not conflict with itself', async () => {
    expect((await save(session({ name: 'Self check', startDate: '2027-03-11' }))).status).to.equal(303);
    const [own] = await db().select().from(occurrences).innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId)).where(eq(sessionSeries.name, 'Self check'));
    const fields = session({ startDate: '2027-03-11', startTime: '10:30' });
    expect(lines((await check(fields)).html)).to.have.length(1);
    expect(lines((await check({ ...fields, editOccurrenceId: own!.occurrences.id })).html)).to.deep.equal([]);
  });

  it('When a student or someone from another course asks for the check, then they get 403; people from other courses are left out of it', async () => {
    expect((await check(session({ startTime: '16:30' }), student)).status).to.equal(403);
    const wrongCourse = await htmx(lms.app, outsider, `/c/${maya.courseId}/sessions/conflicts`, { method: 'POST', fields: session({ startTime: '16:30' }) });
    expect(wrongCourse.status).to.equal(403);
    expect(await wrongCourse.text()).not.to.contain('Maya Chen');
    // Olu is not a member of Linear Algebra: naming him reveals nothing about his time.
    const { html } = await check(session({ startTime: '16:30', tutorIds: [ids.maya, ids.outsider] }));
    expect(lines(html)).to.deep.equal(['Maya Chen is unavailable on Tue 2 Mar 2027 16:30–17:30']);
  });
});
