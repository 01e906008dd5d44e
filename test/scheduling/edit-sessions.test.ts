// Editing and cancelling with "This session", "This and following sessions" and "All sessions",
// with the clock frozen between the fourth and fifth of six weekly occurrences.
import { expect } from 'chai';
import { asc, eq } from 'drizzle-orm';
import { occurrences, rsvps, sessionSeries, users } from '../../src/db/schema.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { weeklySessionForm } from '../support/sessions.js';

const NOW = new Date('2027-03-20T12:00:00Z');
const SCHEDULED_AT = new Date('2027-03-01T12:00:00Z');

describe('Edit and cancel sessions', () => {
  const clock = fixedClock(NOW);
  const lms = useSimulatedLms({ app: { clock } });
  const course = { id: 'edit-a', title: 'Statistics' };
  let tutor: Launched;
  let student: Launched;
  let otherTutor: Launched;
  const ids = {} as Record<'tutor' | 'student', string>;
  const db = () => lms.app.database.db;

  before(async () => {
    tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    student = await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    otherTutor = await launchAs(lms.app, lms.sim, { user: { sub: 'ta-2', name: 'Diego Ramírez', roles: [ROLES.teachingAssistant] }, context: course });
    for (const [key, sub] of [['tutor', 'ta-1'], ['student', 'stu-1']] as const) {
      ids[key] = (await db().select({ id: users.id }).from(users).where(eq(users.sub, sub)))[0]!.id;
    }
  });

  const send = (who: Launched, path: string, fields: Record<string, string | string[]>) => htmx(lms.app, who, path, { method: 'POST', fields });
  const form = (overrides: Record<string, string | string[]> = {}) => weeklySessionForm({
    name: 'Regression clinic',
    courseId: tutor.courseId,
    weekdays: ['TU', 'TH'],
    tutorIds: ids.tutor,
    studentIds: ids.student,
    ...overrides,
  });
  // Every test schedules the same tutor at the same times: start each one with an empty calendar.
  afterEach(async () => {
    await db().delete(sessionSeries);
  });

  /** Creates the six-session series and returns its occurrences in time order. */
  async function createSeries(name: string) {
    // Scheduled before it began (a new session cannot start in the past); the tests then run at NOW.
    clock.set(SCHEDULED_AT);
    const res = await send(tutor, `/c/${tutor.courseId}/sessions`, form({ name })).finally(() => clock.set(NOW));
    expect(res.status, await res.clone().text()).to.equal(303);
    const [series] = await db().select().from(sessionSeries).where(eq(sessionSeries.name, name));
    const list = await db().select().from(occurrences).where(eq(occurrences.seriesId, series!.id)).orderBy(asc(occurrences.startsAt));
    expect(list).to.have.length(6);
    return { series: series!, list };
  }
  const rsvp = (occurrenceId: string) => db().insert(rsvps).values({ occurrenceId, userId: ids.student, courseId: tutor.courseId, response: 'going' });
  const occurrence = async (id: string) => (await db().select().from(occurrences).where(eq(occurrences.id, id)))[0];
  const seriesOf = async (id: string) => (await db().select().from(sessionSeries).where(eq(sessionSeries.id, id)))[0]!;

  it('When a repeating session is edited, then TutorKit first asks which sessions to change', async () => {
    const { list } = await createSeries('Ask first');
    const html = await (await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[4]!.id}/edit`)).text();
    expect(h1Of(html)).to.equal('Edit Ask first');
    for (const choice of ['This session', 'This and following sessions', 'All sessions']) expect(html).to.contain(choice);
    const formPage = await (await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[4]!.id}/edit?scope=following`)).text();
    expect(formPage).to.contain('value="2027-03-23"');
    expect(formPage, 'two sessions remain from 23 March').to.match(/name="count"[^>]*value="2"/);
  });

  it('When “All sessions” is edited, then past sessions and their RSVPs stay as they were and the rest move, keeping their RSVPs', async () => {
    const { series, list } = await createSeries('All edit');
    await rsvp(list[2]!.id); // 16 March: past
    await rsvp(list[4]!.id); // 23 March: to come
    const res = await send(tutor, `/c/${tutor.courseId}/sessions/${list[4]!.id}/edit`, form({ scope: 'all', name: 'All edit (room 2)', startDate: '2027-03-23', startTime: '17:00', count: '2' }));
    expect(res.status, await res.clone().text()).to.equal(303);
    // The past keeps its series, name and time.
    const past = await occurrence(list[2]!.id);
    expect(past!.seriesId).to.equal(series.id);
    expect(past!.startsAt.toISOString()).to.equal('2027-03-16T20:00:00.000Z');
    expect((await seriesOf(series.id)).name).to.equal('All edit');
    // The sessions to come moved to 17:00 New York under the new name, with the same ids.
    const moved = await occurrence(list[4]!.id);
    expect(moved!.startsAt.toISOString()).to.equal('2027-03-23T21:00:00.000Z');
    expect((await seriesOf(moved!.seriesId)).name).to.equal('All edit (room 2)');
    expect((await occurrence(list[5]!.id))!.startsAt.toISOString()).to.equal('2027-03-25T21:00:00.000Z');
    const kept = await db().select().from(rsvps).where(eq(rsvps.userId, ids.student));
    expect(kept.map((r) => r.occurrenceId)).to.include.members([list[2]!.id, list[4]!.id]);
    // The old series now ends before 23 March: it yields exactly the four past sessions.
    expect(await db().$count(occurrences, eq(occurrences.seriesId, series.id))).to.equal(4);
  });

  it('When “This session” is edited, then only that session moves, into a series of its own, and the rule skips its date', async () => {
    const { series, list } = await createSeries('One edit');
    await rsvp(list[5]!.id);
    const res = await send(tutor, `/c/${tutor.courseId}/sessions/${list[5]!.id}/edit`, form({ scope: 'this', name: 'One edit (moved)', startDate: '2027-03-26', startTime: '18:00', repeat: 'none' }));
    expect(res.status, await res.clone().text()).to.equal(303);
    const moved = await occurrence(list[5]!.id);
    expect(moved!.startsAt.toISOString()).to.equal('2027-03-26T22:00:00.000Z');
    expect(moved!.originalStartsAt.toISOString(), 'RECURRENCE-ID kept').to.equal('2027-03-25T20:00:00.000Z');
    const child = await seriesOf(moved!.seriesId);
    expect(child).to.include({ name: 'One edit (moved)', parentSeriesId: series.id });
    expect((await seriesOf(series.id)).excludedDates).to.deep.equal(['2027-03-25']);
    expect((await occurrence(list[4]!.id))!.seriesId, 'the other session to come is untouched').to.equal(series.id);
    expect(await db().$count(rsvps, eq(rsvps.occurrenceId, list[5]!.id))).to.equal(1);
    const page = await (await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[5]!.id}`)).text();
    expect(page).to.contain('Does not repeat (moved from the series “One edit”: Weekly on Tuesday and Thursday, 6 times)');
  });

  it('When “This and following” changes the weekdays, then sessions on dropped days go and new days appear from that session on', async () => {
    const { series, list } = await createSeries('Following edit');
    const res = await send(tutor, `/c/${tutor.courseId}/sessions/${list[4]!.id}/edit`, form({ scope: 'following', startDate: '2027-03-23', weekdays: ['TU', 'WE'], count: '2', name: 'Following edit' }));
    expect(res.status, await res.clone().text()).to.equal(303);
    const [child] = await db().select().from(sessionSeries).where(eq(sessionSeries.parentSeriesId, series.id));
    const next = await db().select().from(occurrences).where(eq(occurrences.seriesId, child!.id)).orderBy(asc(occurrences.startsAt));
    expect(next.map((o) => o.startsAt.toISOString())).to.deep.equal(['2027-03-23T20:00:00.000Z', '2027-03-24T20:00:00.000Z']);
    expect(next[0]!.id, 'Tuesday 23 March kept its id').to.equal(list[4]!.id);
    expect(await occurrence(list[5]!.id), 'Thursday 25 March no longer exists').to.equal(undefined);
  });

  it('When a session that already took place is edited or cancelled, then it is refused with 409 and nothing changes', async () => {
    const { list } = await createSeries('Past edit');
    const edit = await send(tutor, `/c/${tutor.courseId}/sessions/${list[0]!.id}/edit`, form({ scope: 'this', name: 'Changed', repeat: 'none' }));
    expect(edit.status).to.equal(409);
    expect(await edit.text()).to.contain('already started or taken place');
    const cancel = await send(tutor, `/c/${tutor.courseId}/sessions/${list[0]!.id}/cancel`, { scope: 'this' });
    expect(cancel.status).to.equal(409);
    expect((await occurrence(list[0]!.id))!.status).to.equal('scheduled');
  });

  it('When an edit has a problem, then the form comes back with the message and the series is unchanged', async () => {
    const { series, list } = await createSeries('Bad edit');
    const res = await send(tutor, `/c/${tutor.courseId}/sessions/${list[4]!.id}/edit`, form({ scope: 'all', name: '', startDate: '2027-03-23' }));
    expect(res.status).to.equal(422);
    expect(await res.text()).to.contain('Give the session a name');
    expect((await seriesOf(series.id)).name).to.equal('Bad edit');
    expect(await db().$count(occurrences, eq(occurrences.seriesId, series.id))).to.equal(6);
  });

  it('When sessions are cancelled this / following / all, then they are marked cancelled, never deleted, and past ones stay', async () => {
    const { list } = await createSeries('Cancel me');
    await send(tutor, `/c/${tutor.courseId}/sessions/${list[4]!.id}/cancel`, { scope: 'this' });
    expect((await occurrence(list[4]!.id))!.status).to.equal('cancelled');
    expect((await occurrence(list[5]!.id))!.status).to.equal('scheduled');
    const all = await send(tutor, `/c/${tutor.courseId}/sessions/${list[5]!.id}/cancel`, { scope: 'all' });
    expect(all.status).to.equal(303);
    const statuses = await Promise.all(list.map(async (o) => (await occurrence(o.id))!.status));
    expect(statuses).to.deep.equal(['scheduled', 'scheduled', 'scheduled', 'scheduled', 'cancelled', 'cancelled']);
    const page = await (await htmx(lms.app, student, `/c/${student.courseId}/sessions/${list[5]!.id}`)).text();
    expect(page).to.contain('This session was cancelled.');
  });

  it('When a student or a tutor who does not run the session tries to edit or cancel it, then they get 403', async () => {
    const { list } = await createSeries('Not yours');
    const target = `/c/${tutor.courseId}/sessions/${list[4]!.id}`;
    expect((await send(student, `${target}/cancel`, { scope: 'this' })).status).to.equal(403);
    expect((await send(otherTutor, `${target}/cancel`, { scope: 'this' })).status).to.equal(403);
    expect((await send(otherTutor, `${target}/edit`, form({ scope: 'this', repeat: 'none' }))).status).to.equal(403);
    expect((await htmx(lms.app, otherTutor, `${target}/edit`)).status).to.equal(403);
    expect((await occurrence(list[4]!.id))!.status).to.equal('scheduled');
  });

  it('When the session page is shown, then Edit and Cancel appear only for those who may use them, and only before it starts', async () => {
    const { list } = await createSeries('Buttons');
    const upcoming = await (await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[4]!.id}`)).text();
    expect(upcoming).to.contain('>Edit</a>');
    expect(upcoming).to.contain('>Cancel session</a>');
    const past = await (await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[0]!.id}`)).text();
    expect(past).not.to.contain('>Edit</a>');
    const asStudent = await (await htmx(lms.app, student, `/c/${student.courseId}/sessions/${list[4]!.id}`)).text();
    expect(asStudent).not.to.contain('>Edit</a>');
  });
});
