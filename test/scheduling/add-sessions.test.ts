// "Add sessions" through HTTP after real LTI launches: what is stored, who sees it, and what is refused.
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { occurrences, seriesInvitees, sessionResources, sessionSeries, users } from '../../src/db/schema.js';
import { useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';

describe('Add sessions', () => {
  const lms = useSimulatedLms();
  const course = { id: 'sched-a', title: 'Calculus I' };
  let tutor: Launched;
  let student: Launched;
  let otherStudent: Launched;
  let outsider: Launched;
  const ids = {} as Record<'tutor' | 'student' | 'otherStudent', string>;

  before(async () => {
    tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    student = await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    otherStudent = await launchAs(lms.app, lms.sim, { user: { sub: 'stu-2', name: 'Liam O’Connor', roles: [ROLES.learner] }, context: course });
    outsider = await launchAs(lms.app, lms.sim, { user: { sub: 'ta-b', name: 'Other Tutor', roles: [ROLES.teachingAssistant] }, context: { id: 'sched-b', title: 'Physics' } });
    for (const [key, sub] of [['tutor', 'ta-1'], ['student', 'stu-1'], ['otherStudent', 'stu-2']] as const) {
      const [row] = await lms.app.database.db.select({ id: users.id }).from(users).where(eq(users.sub, sub));
      ids[key] = row!.id;
    }
    // The student reads times in Berlin; the tutor schedules in New York.
    await lms.app.database.db.update(users).set({ timeZone: 'Europe/Berlin' }).where(eq(users.id, ids.student));
  });

  const db = () => lms.app.database.db;
  const post = (who: Launched, fields: Record<string, string | string[]>, courseId = who.courseId) => htmx(lms.app, who, `/c/${courseId}/sessions`, { method: 'POST', fields });
  const weekly = (overrides: Record<string, string | string[]> = {}) => ({
    name: 'Derivatives drop-in',
    description: 'Bring your homework.',
    courseId: tutor.courseId,
    startDate: '2027-03-09',
    startTime: '16:00',
    zone: 'America/New_York',
    lengthValue: '1',
    lengthUnit: 'hours',
    repeat: 'weekly',
    interval: '1',
    weekdays: ['TU', 'TH'],
    endType: 'count',
    count: '6',
    tutorIds: ids.tutor,
    studentIds: ids.student,
    resourceTitle: ['Chain rule notes', ''],
    resourceUrl: ['https://example.edu/chain-rule', ''],
    exitTitle: 'Practice set',
    exitUrl: 'https://example.edu/practice',
    ...overrides,
  });
  const countSeries = async () => (await db().select({ id: sessionSeries.id }).from(sessionSeries)).length;

  it('When a tutor opens Add sessions, then the form offers the guide’s fields with the course’s tutors and students', async () => {
    const res = await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/new`);
    const html = await res.text();
    expect(res.status).to.equal(200);
    expect(h1Of(html)).to.equal('Add sessions');
    for (const label of ['Session name', 'Description', 'Community', 'Tags', 'Resources', 'Exit resources', 'Start date', 'Start time', 'Session length', 'Repeat', 'Tutors', 'Students', 'Only invited students can attend', 'Save']) {
      expect(html, label).to.contain(label);
    }
    expect(html).to.contain('Priya Natarajan');
    expect(html).to.contain(`value="${ids.tutor}" checked`);
  });

  it('When a tutor saves a weekly Tuesday/Thursday session in New York, then six occurrences keep 16:00 local across the DST change', async () => {
    const res = await post(tutor, weekly());
    expect(res.status, await res.clone().text()).to.equal(303);
    expect(res.headers.get('location')).to.equal(`/c/${tutor.courseId}/sessions?added=1`);
    const [series] = await db().select().from(sessionSeries).where(eq(sessionSeries.name, 'Derivatives drop-in'));
    expect(series).to.include({ timeZone: 'America/New_York', startDate: '2027-03-09', durationMinutes: 60, invitedOnly: false });
    const starts = (await db().select().from(occurrences).where(eq(occurrences.seriesId, series!.id)).orderBy(occurrences.startsAt)).map((o) => o.startsAt.toISOString());
    // 14 March 2027: New York moves from UTC-5 to UTC-4; 16:00 local stays 16:00 local.
    expect(starts).to.deep.equal([
      '2027-03-09T21:00:00.000Z',
      '2027-03-11T21:00:00.000Z',
      '2027-03-16T20:00:00.000Z',
      '2027-03-18T20:00:00.000Z',
      '2027-03-23T20:00:00.000Z',
      '2027-03-25T20:00:00.000Z',
    ]);
    const invitees = await db().select().from(seriesInvitees).where(eq(seriesInvitees.seriesId, series!.id));
    expect(invitees.map((i) => i.role).sort()).to.deep.equal(['student', 'tutor']);
    const resources = await db().select().from(sessionResources).where(eq(sessionResources.seriesId, series!.id));
    expect(resources.map((r) => `${r.kind}:${r.title}`).sort()).to.deep.equal(['before:Chain rule notes', 'exit:Practice set']);
  });

  it('When the invited student opens My sessions, then the session is listed in Berlin time', async () => {
    const html = await (await htmx(lms.app, student, `/c/${student.courseId}/sessions?view=list&date=2027-03-01`)).text();
    expect(html).to.contain('Times in Europe/Berlin');
    // 16:00 New York on 16 March 2027 (EDT) is 21:00 in Berlin (still CET until 28 March).
    expect(html).to.match(/Tuesday 16 March 2027[\s\S]*?21:00<\/time>–22:00<\/span> <span class="entry-name">Derivatives drop-in/);
  });

  it('When the student opens the session page, then they see its details, tutors and resources, and the scheduler’s time', async () => {
    const [first] = await db().select().from(occurrences).orderBy(occurrences.startsAt).limit(1);
    const res = await htmx(lms.app, student, `/c/${student.courseId}/sessions/${first!.id}`);
    const html = await res.text();
    expect(h1Of(html)).to.equal('Derivatives drop-in');
    expect(html).to.contain('Weekly on Tuesday and Thursday, 6 times');
    expect(html).to.contain('Tue 9 Mar 2027, 22:00–23:00 (Europe/Berlin)');
    expect(html).to.contain('Scheduled as Tue 9 Mar 2027, 16:00–17:00 (America/New York)');
    expect(html).to.contain('Maya Chen');
    expect(html).to.contain('Chain rule notes');
    expect(html, 'exit resources only after the session').not.to.contain('Practice set');
  });

  it('When the form has several problems, then it comes back with every message, keeps what was typed, and saves nothing', async () => {
    const before = await countSeries();
    const res = await post(tutor, weekly({ name: ' ', tutorIds: [], lengthValue: '0', exitUrl: 'not a link', description: 'keep me' }));
    const html = await res.text();
    expect(res.status).to.equal(422);
    expect(html).to.contain('Give the session a name');
    expect(html).to.contain('Invite at least one tutor');
    expect(html).to.contain('Session length must be between 1 minute and 12 hours');
    expect(html).to.contain('keep me');
    expect(await countSeries()).to.equal(before);
  });

  for (const [label, overrides, message] of [
    ['a length over 12 hours', { lengthValue: '13' }, 'Session length must be between 1 minute and 12 hours'],
    ['more than 500 occurrences', { repeat: 'daily', count: '501' }, 'more than 500'],
    ['an end date before the start', { endType: 'until', until: '2027-03-01' }, 'The end date is before the start date'],
    ['a rule with no occurrence', { repeat: 'weekly', weekdays: ['SU'], endType: 'until', until: '2027-03-10' }, 'gives no session'],
    ['a student as tutor', { tutorIds: 'x' }, 'Choose tutors from this community’s tutors'],
    ['an invitee who is not a member of the course', { studentIds: '00000000-0000-4000-8000-000000000000' }, 'Choose students from this community’s students'],
    ['a tag that is not on this site', { tagIds: '00000000-0000-4000-8000-000000000000' }, 'a tag from another site'],
    ['a malformed resource link', { resourceUrl: 'javascript:alert(1)' }, 'needs a full link'],
    ['a malformed meeting link', { meetingUrl: 'zoom' }, 'Enter a full meeting link'],
  ] as const) {
    it(`When the form has ${label}, then it is refused with a clear message and nothing is saved`, async () => {
      const before = await countSeries();
      const fields = weekly(overrides as Record<string, string | string[]>);
      if (label === 'a student as tutor') fields.tutorIds = ids.student;
      const res = await post(tutor, fields);
      expect(res.status).to.equal(422);
      expect(await res.text()).to.contain(message);
      expect(await countSeries()).to.equal(before);
    });
  }

  it('When a student posts the form, then it is refused with 403 and nothing is saved', async () => {
    const before = await countSeries();
    const res = await post(student, weekly());
    expect(res.status).to.equal(403);
    expect(await countSeries()).to.equal(before);
    expect((await htmx(lms.app, student, `/c/${student.courseId}/sessions/new`)).status).to.equal(403);
  });

  it('When a tutor of another course tries to create a session in this one, then it is refused with 403', async () => {
    const before = await countSeries();
    const res = await post(outsider, weekly({ courseId: tutor.courseId }), outsider.courseId);
    expect(res.status).to.equal(403);
    expect(await countSeries()).to.equal(before);
  });

  it('When a session is for invited students only, then another student neither sees it nor opens it', async () => {
    const res = await post(tutor, weekly({ name: 'Private review', invitedOnly: 'on', repeat: 'none', startDate: '2027-03-10' }));
    expect(res.status).to.equal(303);
    const [occ] = await db().select({ id: occurrences.id }).from(occurrences).innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId)).where(eq(sessionSeries.name, 'Private review'));
    const list = await (await htmx(lms.app, otherStudent, `/c/${otherStudent.courseId}/sessions?view=list&date=2027-03-01`)).text();
    expect(list).not.to.contain('Private review');
    expect(list, 'open sessions are visible to every student').to.contain('Derivatives drop-in');
    expect((await htmx(lms.app, otherStudent, `/c/${otherStudent.courseId}/sessions/${occ!.id}`)).status).to.equal(404);
    expect((await htmx(lms.app, student, `/c/${student.courseId}/sessions/${occ!.id}`)).status).to.equal(200);
  });

  it('When someone in another course asks for this course’s session page, then they get 403, not the session', async () => {
    const [occ] = await db().select({ id: occurrences.id }).from(occurrences).limit(1);
    const res = await htmx(lms.app, outsider, `/c/${tutor.courseId}/sessions/${occ!.id}`);
    expect(res.status).to.equal(403);
    expect(await res.text()).not.to.contain('Derivatives');
  });
});
