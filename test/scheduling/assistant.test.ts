// The Scheduling assistant over HTTP after real LTI launches. An instructor in New York proposes
// Tuesday 9 March 2027 and invites a tutor who works 14:00-23:00 in Berlin (08:00-17:00 New York)
// and a student who works 09:00-17:00 in Los Angeles (12:00-20:00 New York) and is already in a
// session from 13:00 to 14:00 New York. Clock frozen on Monday 1 March 2027.
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { availabilityExceptions, availabilityHours, occurrences, users } from '../../src/db/schema.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx, type Form } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { textOf } from '../support/text.js';

const ZONE = 'America/New_York';
const DAY = '2027-03-09';
/** Slot states per 15 minutes of a New York day: f free, b busy, u outside availability. */
const run = (state: string, from: string, to: string) => state.repeat((minutes(to) - minutes(from)) / 15);
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

interface Row {
  name: string;
  states: string;
  header: string;
  summary: string;
}

/** The grid's rows as a person sees them: the row header's words and the states of its cells. */
function rowsOf(html: string): Row[] {
  const found = html.matchAll(/<div class="assistant-line" data-states="([fbu]+)" data-name="([^"]+)"[^>]*>\s*<div class="assistant-person">([\s\S]*?)<\/div>\s*<div class="assistant-slots" aria-hidden="true">([\s\S]*?)<\/div>/g);
  return [...found].map((m) => {
    const cells = [...m[4]!.matchAll(/class="slot slot-([fbu])/g)].map((c) => c[1]).join('');
    expect(cells, 'the cells drawn match the states the script reads').to.equal(m[1]);
    const summary = m[3]!.match(/<span class="visually-hidden">([^<]*)<\/span>/)?.[1] ?? '';
    const shown = m[3]!.replace(/<span class="person-flag"[^>]*>[^<]*<\/span>/, '').replace(/<span class="visually-hidden">[^<]*<\/span>/, '');
    return { name: m[2]!, states: m[1]!, header: textOf(shown), summary };
  });
}

const fieldValue = (html: string, id: string) => html.match(new RegExp(`id="${id}"[^>]*value="([^"]*)"`))?.[1];
const dataOf = (html: string, name: string) => html.match(new RegExp(`data-${name}="([^"]*)"`))?.[1];

describe('Scheduling assistant', () => {
  const lms = useSimulatedLms({ app: { clock: fixedClock('2027-03-01T12:00:00Z') } });
  const course = { id: 'assist-a', title: 'Linear algebra' };
  let instructor: Launched;
  let student: Launched;
  let outsider: Launched;
  const ids = {} as Record<'instructor' | 'tutor' | 'student' | 'outsider', string>;
  let busyOccurrenceId: string;
  const db = () => lms.app.database.db;

  before(async () => {
    instructor = await launchAs(lms.app, lms.sim, { user: people.instructor(), context: course });
    await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    student = await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    outsider = await launchAs(lms.app, lms.sim, { user: { sub: 'stu-b', name: 'Outside Student', roles: [ROLES.learner] }, context: { id: 'assist-b', title: 'Physics' } });
    for (const [key, sub] of [['instructor', 'inst-1'], ['tutor', 'ta-1'], ['student', 'stu-1'], ['outsider', 'stu-b']] as const) {
      ids[key] = (await db().select({ id: users.id }).from(users).where(eq(users.sub, sub)))[0]!.id;
    }
    // The student's existing session, 13:00-14:00 New York, saved before anyone set availability.
    const saved = await htmx(lms.app, instructor, `/c/${instructor.courseId}/sessions`, {
      method: 'POST',
      fields: {
        name: 'Office hour', courseId: instructor.courseId, startDate: DAY, startTime: '13:00', zone: ZONE, lengthValue: '60', lengthUnit: 'minutes',
        repeat: 'none', tutorIds: ids.instructor, studentIds: ids.student,
      },
    });
    expect(saved.status, await saved.clone().text()).to.equal(303);
    busyOccurrenceId = (await db().select({ id: occurrences.id }).from(occurrences))[0]!.id;
    await db().update(users).set({ timeZone: 'Europe/Berlin' }).where(eq(users.id, ids.tutor));
    await db().update(users).set({ timeZone: 'America/Los_Angeles' }).where(eq(users.id, ids.student));
    const weekdays = [1, 2, 3, 4, 5];
    await db().insert(availabilityHours).values([
      ...weekdays.map((weekday) => ({ userId: ids.tutor, weekday, startTime: '14:00', endTime: '23:00', timeZone: 'Europe/Berlin' })),
      ...weekdays.map((weekday) => ({ userId: ids.student, weekday, startTime: '09:00', endTime: '17:00', timeZone: 'America/Los_Angeles' })),
    ]);
  });

  const proposal = (overrides: Form = {}) => ({
    startDate: DAY, startTime: '16:00', zone: ZONE, lengthValue: '1', lengthUnit: 'hours', repeat: 'none',
    tutorIds: ids.tutor, studentIds: [ids.student, ids.outsider], ...overrides,
  });
  const ask = (path: string, fields: Form, who: Launched = instructor, courseId = who.courseId) =>
    htmx(lms.app, who, `/c/${courseId}/sessions/assistant${path}`, { fields, target: 'assistant-body' });

  it('When an instructor opens the assistant for a Tuesday in New York, then each invitee has a row in their own zone with free, busy and unavailable cells, tutors first, and nobody from another course', async () => {
    const res = await ask('', proposal());
    const html = await res.text();
    expect(res.status).to.equal(200);
    expect(html).to.contain('Tuesday 9 March 2027');
    expect(html).to.contain('Times in America/New York');
    for (const label of ['Start date', 'Time', 'Duration', 'Previous day', 'Next day', 'Next time everyone is free']) expect(html, label).to.contain(label);
    expect(fieldValue(html, 'assistant-date')).to.equal(DAY);
    expect(fieldValue(html, 'assistant-time')).to.equal('16:00');
    expect(fieldValue(html, 'assistant-duration')).to.equal('60');
    expect(dataOf(html, 'slots'), 'a 24-hour day').to.equal('96');
    expect(dataOf(html, 'start'), 'minutes after midnight').to.equal(String(16 * 60));

    const rows = rowsOf(html);
    expect(rows.map((r) => r.header)).to.deep.equal([
      'Maya Chen (tutor) · Europe/Berlin, 22:00 there',
      'Priya Natarajan (student) · America/Los Angeles, 13:00 there',
    ]);
    expect(rows[0]!.states).to.equal(run('u', '00:00', '08:00') + run('f', '08:00', '17:00') + run('u', '17:00', '24:00'));
    expect(rows[1]!.states).to.equal(run('u', '00:00', '12:00') + run('f', '12:00', '13:00') + run('b', '13:00', '14:00') + run('f', '14:00', '20:00') + run('u', '20:00', '24:00'));
    expect(rows[1]!.summary).to.equal('Free 12:00–13:00, 14:00–20:00. In another session 13:00–14:00. Outside availability 00:00–12:00, 20:00–24:00.');
    expect(html, 'the other course’s student is not shown').not.to.contain('Outside Student');
    expect(html, 'a one-off session has no later sessions').not.to.contain('Later sessions with conflicts');
    expect(html).to.match(/role="slider"[^>]*aria-label="Proposed session"/);
  });

  it('When the assistant is opened while editing that session, then its own time is not counted as busy', async () => {
    // The dialog's address and the edit form both carry the id.
    const html = await (await ask('', { ...proposal(), editOccurrenceId: [busyOccurrenceId, busyOccurrenceId] })).text();
    expect(rowsOf(html)[1]!.states).not.to.contain('b');
    const stranger = await ask('', { ...proposal(), editOccurrenceId: '00000000-0000-4000-8000-000000000000' });
    expect(stranger.status).to.equal(404);
  });

  it('When New York changes to daylight time (Sunday 14 March 2027), then the day has 92 quarter hours and no 02:00', async () => {
    const html = await (await ask('', proposal({ startDate: '2027-03-14', startTime: '10:00' }))).text();
    expect(dataOf(html, 'slots')).to.equal('92');
    const hours = [...html.matchAll(/<span class="slot slot-hour">(\d\d:\d\d)<\/span>/g)].map((m) => m[1]);
    expect(hours.slice(0, 4)).to.deep.equal(['00:00', '01:00', '03:00', '04:00']);
    expect(hours).to.have.length(23);
    expect(dataOf(html, 'start'), '10:00 is 9 hours after midnight that day').to.equal(String(9 * 60));
  });

  it('When "Next time everyone is free" is asked from 08:00, then it moves to 12:00; from 12:00 to 14:00 (after the student’s session); from 19:30 to Wednesday 12:00', async () => {
    const next = async (date: string, time: string) => {
      const html = await (await ask('/next-free', proposal({ assistantDate: date, assistantTime: time, assistantMinutes: '60' }))).text();
      return { date: fieldValue(html, 'assistant-date'), time: fieldValue(html, 'assistant-time'), announce: dataOf(html, 'announce'), html };
    };
    const first = await next(DAY, '08:00');
    expect(first).to.include({ date: DAY, time: '12:00', announce: 'Everyone is free 12:00 to 13:00, Tuesday 9 March 2027.' });
    expect(await next(DAY, '12:00')).to.include({ date: DAY, time: '14:00' });
    const wednesday = await next(DAY, '19:30');
    expect(wednesday).to.include({ date: '2027-03-10', time: '12:00' });
    expect(wednesday.html).to.contain('Wednesday 10 March 2027');
  });

  it('When nobody is free for the session’s length, then the block stays and the assistant says so', async () => {
    const html = await (await ask('/next-free', proposal({ assistantDate: DAY, assistantTime: '09:00', assistantMinutes: '600' }))).text();
    const message = 'Nobody is free for 600 minutes between 07:00 and 22:00 in the next four weeks.';
    expect(html).to.contain(message);
    expect(dataOf(html, 'announce')).to.equal(message);
    expect(fieldValue(html, 'assistant-time')).to.equal('09:00');
    expect(fieldValue(html, 'assistant-duration')).to.equal('600');
  });

  it('When a weekly proposal conflicts only in its sixth session (the tutor’s day off), then the assistant lists that session alone', async () => {
    await db().insert(availabilityExceptions).values({ userId: ids.tutor, date: '2027-04-13', kind: 'day_off', timeZone: 'Europe/Berlin' });
    const weekly = proposal({ repeat: 'weekly', interval: '1', weekdays: 'TU', endType: 'count', count: '6' });
    const html = await (await ask('', weekly)).text();
    expect(html).to.contain('Later sessions with conflicts');
    const later = textOf(html.match(/<section id="assistant-later"[\s\S]*?<\/section>/)![0]);
    expect(later).to.contain('Session 6: Tue 13 Apr 2027 16:00–17:00');
    expect(later).to.contain('Maya Chen is unavailable on Tue 13 Apr 2027 16:00–17:00');
    expect(later).not.to.match(/Session [1-5]:/);

    // The dialog refreshes the list alone after a move; five sessions end before the day off.
    const five = await (await ask('/later', { ...weekly, count: '5' })).text();
    expect(textOf(five)).to.contain('No conflicts in later sessions. (4 sessions checked)');
  });

  it('When the schedule is incomplete, then the dialog asks for it first', async () => {
    const res = await ask('', proposal({ startDate: '' }));
    expect(res.status).to.equal(200);
    expect(textOf(await res.text())).to.equal('Enter a start date, time and session length first.');
  });

  it('When the address is visited as a page, then it says where the assistant lives', async () => {
    const res = await htmx(lms.app, instructor, `/c/${instructor.courseId}/sessions/assistant`, { fields: { startDate: DAY }, direct: true });
    const html = await res.text();
    expect(res.status).to.equal(200);
    expect(h1Of(html)).to.equal('Scheduling assistant');
    expect(html).to.contain('opens from the Add sessions and Edit session forms');
  });

  it('When a student asks for the assistant, or the instructor asks in another course, then TutorKit refuses (403)', async () => {
    expect((await ask('', proposal(), student)).status).to.equal(403);
    expect((await ask('/next-free', proposal(), student)).status).to.equal(403);
    expect((await ask('', proposal(), instructor, outsider.courseId)).status).to.equal(403);
  });
});
