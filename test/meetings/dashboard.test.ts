// The Dashboard through real launches with a frozen clock: who lands on it, Active sessions (from
// 15 minutes before the start until the meeting ends, or the scheduled end when nobody started it),
// RSVP in place and per occurrence, "Not going" ending reminders, and the tutor's feedback still to write.
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import * as schema from '../../src/db/schema.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';
import { textOf } from '../support/text.js';
import { DAY, feedbackOn, HOUR, idOf, learner, meetingRan, MINUTE, schedule, wasThere } from './fixtures.js';

const NOW = new Date('2027-03-01T12:00:00Z');

describe('Dashboard', () => {
  const clock = fixedClock(NOW);
  const lms = useSimulatedLms({ app: { clock } });
  const course = { id: 'dash-a', title: 'Biology 110' };
  const who = {} as Record<'tutor' | 'student' | 'other' | 'instructor' | 'elsewhere', Launched>;
  const ids = {} as Record<string, string>;
  const db = () => lms.app.database.db;
  const page = async (l: Launched) => {
    const res = await htmx(lms.app, l, `/c/${l.courseId}/dashboard`);
    expect(res.status).to.equal(200);
    return res.text();
  };
  const rsvp = (l: Launched, occurrenceId: string, response: string, courseId = l.courseId) =>
    htmx(lms.app, l, `/c/${courseId}/sessions/${occurrenceId}/rsvp`, { method: 'POST', fields: { response }, target: `dash-${occurrenceId}` });
  const stored = (occurrenceId: string, userId: string) =>
    db().select({ response: schema.rsvps.response }).from(schema.rsvps).where(and(eq(schema.rsvps.occurrenceId, occurrenceId), eq(schema.rsvps.userId, userId)));
  /** The text of one section of the page, from its heading to the next section. */
  const section = (html: string, heading: string) => textOf(html.split(`>${heading}</h2>`)[1]?.split('</section>')[0] ?? '');

  before(async () => {
    who.tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    who.student = await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    who.other = await launchAs(lms.app, lms.sim, { user: learner('stu-2', 'Luis Ortega'), context: course });
    who.instructor = await launchAs(lms.app, lms.sim, { user: people.instructor(), context: course });
    who.elsewhere = await launchAs(lms.app, lms.sim, { user: learner('stu-b', 'Bo Other'), context: { id: 'dash-b', title: 'Physics 120' } });
    for (const sub of ['ta-1', 'stu-1', 'stu-2', 'inst-1']) ids[sub] = await idOf(lms.app, sub);
  });

  afterEach(async () => {
    await db().delete(schema.sessionSeries);
    await db().delete(schema.outbox);
    clock.set(NOW);
  });

  const session = (name: string, start: Date, extra: Partial<Parameters<typeof schedule>[3]> = {}) =>
    schedule(lms.app, who.tutor, clock, { name, start, tutorIds: ids['ta-1']!, studentIds: [ids['stu-1']!], invitedOnly: true, ...extra });

  it('When tutors and students launch, then they land on their Dashboard; instructors land on the Client portal, which links to theirs', async () => {
    for (const l of [who.tutor, who.student]) {
      expect(l.path).to.equal(`/c/${l.courseId}/dashboard`);
      const html = await page(l);
      expect(h1Of(html)).to.equal('Dashboard');
      expect(textOf(html.split('<nav aria-label="Main">')[1]!.split('</nav>')[0]!).startsWith('Dashboard My sessions'), 'Dashboard comes first in the menu').to.equal(true);
      expect(html).to.contain(`href="/c/${l.courseId}/sessions"`).and.contain(`href="/c/${l.courseId}/history"`);
    }
    expect(who.instructor.path).to.equal(`/c/${who.instructor.courseId}/portal`);
    const portal = await (await htmx(lms.app, who.instructor, who.instructor.path)).text();
    expect(portal).to.contain(`href="/c/${who.instructor.courseId}/dashboard"`);
  });

  it('When a student has no sessions, then each part of the Dashboard says what will appear there', async () => {
    const text = textOf(await page(who.other));
    expect(text).to.contain('No session is active right now. A session appears here 15 minutes before it starts');
    expect(text).to.contain('You have no upcoming sessions. When a tutor invites you to a session');
    expect(text).not.to.contain('Feedback still to write');
  });

  it('When a session starts within 15 minutes, then it is an Active session with Join, and it stays one until its scheduled end while nobody starts it', async () => {
    const [soon] = await session('Cell biology review', new Date(NOW.getTime() + 20 * MINUTE));
    let html = await page(who.student);
    expect(section(html, 'Active sessions'), '20 minutes before').to.contain('No session is active right now');
    expect(section(html, 'Upcoming sessions')).to.contain('Cell biology review');
    clock.set(new Date(NOW.getTime() + 5 * MINUTE));
    html = await page(who.student);
    expect(section(html, 'Active sessions')).to.contain('Cell biology review').and.contain('Starts in 15 minutes').and.contain('Join');
    expect(html).to.contain(`href="/c/${who.student.courseId}/sessions/${soon}/room"`);
    expect(section(html, 'Upcoming sessions')).not.to.contain('Cell biology review');
    clock.set(new Date(NOW.getTime() + 79 * MINUTE));
    expect(section(await page(who.student), 'Active sessions'), 'a minute before its scheduled end').to.contain('the tutor has not started the meeting yet');
    clock.set(new Date(NOW.getTime() + 80 * MINUTE));
    expect(section(await page(who.student), 'Active sessions'), 'at its scheduled end, unstarted').to.contain('No session is active right now');
  });

  it('When the tutor started the meeting, then it stays active past its scheduled end until the meeting ends', async () => {
    const [occ] = await session('Genetics lab', new Date(NOW.getTime() + 10 * MINUTE));
    await meetingRan(lms.app, occ!, who.tutor.courseId, { startedBy: ids['ta-1']!, startedAt: new Date(NOW.getTime() + 12 * MINUTE) });
    clock.set(new Date(NOW.getTime() + 100 * MINUTE));
    const active = section(await page(who.tutor), 'Active sessions');
    expect(active).to.contain('Genetics lab').and.contain('Meeting in progress since 12:12').and.contain('You run this session');
    await db().update(schema.meetings).set({ endedAt: new Date(NOW.getTime() + 101 * MINUTE), endedBy: 'tutor' }).where(eq(schema.meetings.occurrenceId, occ!));
    clock.set(new Date(NOW.getTime() + 102 * MINUTE));
    expect(section(await page(who.tutor), 'Active sessions')).to.contain('No session is active right now');
  });

  it('When a student answers Going, then the row comes back in place with the answer pressed and announced, and the answer is stored for that occurrence only', async () => {
    const [first, second] = await session('Ecology seminar', new Date(NOW.getTime() + DAY), { count: 2 });
    const res = await rsvp(who.student, first!, 'going');
    const html = await res.text();
    expect(res.status).to.equal(200);
    expect(html).not.to.contain('<html');
    expect(html).to.match(new RegExp(`^<li id="dash-${first}"`));
    expect(html).to.match(/value="going" class="rsvp-choice" aria-pressed="true" autofocus>Going/);
    expect(html).to.contain('hx-swap-oob="innerHTML"');
    expect(textOf(html)).to.contain('Saved: your answer for Ecology seminar (Tue 2 Mar 2027, 12:00–13:00 (UTC)) is Going.');
    expect(await stored(first!, ids['stu-1']!)).to.deep.equal([{ response: 'going' }]);
    expect(await stored(second!, ids['stu-1']!), 'the next session of the series keeps no answer').to.deep.equal([]);

    expect((await rsvp(who.student, first!, 'maybe')).status).to.equal(200);
    expect(await stored(first!, ids['stu-1']!), 'a new answer replaces the old one').to.deep.equal([{ response: 'maybe' }]);
    const dashboard = await page(who.student);
    expect(dashboard).to.match(/value="maybe" class="rsvp-choice" aria-pressed="true">Maybe/);
    const tutorView = textOf(await page(who.tutor));
    expect(tutorView).to.contain('Answers: 0 going, 1 maybe, 0 not going');
  });

  it('When a student answers Not going, then they get no reminder for that session, and the other invitees still do', async () => {
    const [occ] = await session('Anatomy drill', new Date(NOW.getTime() + 2 * HOUR), { studentIds: [ids['stu-1']!, ids['stu-2']!] });
    expect((await rsvp(who.student, occ!, 'declined')).status).to.equal(200);
    expect(textOf(await page(who.student))).to.contain('Not going');
    await lms.app.built.services.notifications.queueDueReminders(new Date(NOW.getTime() + 105 * MINUTE));
    const reminded = await db().select({ to: schema.outbox.toAddress }).from(schema.outbox).where(eq(schema.outbox.kind, 'reminder'));
    expect(reminded.map((r) => r.to).sort()).to.deep.equal(['maya@example.edu', 'stu-2@example.edu']);
  });

  it('When a student who is not invited answers for an invited-only session, then 403 and nothing is stored; for a session open to the course, they may', async () => {
    const [closed] = await session('Closed tutorial', new Date(NOW.getTime() + DAY));
    const refused = await rsvp(who.other, closed!, 'going');
    expect(refused.status).to.equal(403);
    expect(textOf(await refused.text())).to.contain('Only the people invited to this session can answer whether they are going.');
    expect(await stored(closed!, ids['stu-2']!)).to.deep.equal([]);
    const [open] = await session('Open drop-in', new Date(NOW.getTime() + 2 * DAY), { invitedOnly: false });
    expect(textOf(await page(who.other)), 'an open session is on every student’s Dashboard').to.contain('Open drop-in');
    expect((await rsvp(who.other, open!, 'going')).status).to.equal(200);
    expect(await stored(open!, ids['stu-2']!)).to.deep.equal([{ response: 'going' }]);
  });

  it('When an instructor, or a student of another course, answers, then 403 and nothing is stored', async () => {
    const [occ] = await session('Botany walk', new Date(NOW.getTime() + DAY));
    const asInstructor = await rsvp(who.instructor, occ!, 'going');
    expect(asInstructor.status).to.equal(403);
    const fromElsewhere = await rsvp(who.elsewhere, occ!, 'going', who.tutor.courseId);
    expect(fromElsewhere.status).to.equal(403);
    expect(textOf(await fromElsewhere.text())).to.contain('This page belongs to a course you did not open TutorKit from.');
    const ownCourseUrl = await rsvp(who.elsewhere, occ!, 'going');
    expect(ownCourseUrl.status, 'the session is not in their course').to.equal(404);
    expect(await db().select().from(schema.rsvps)).to.deep.equal([]);
  });

  it('When the session was cancelled, has started, or the answer is unknown, then the row says why (409, 422) and nothing is stored', async () => {
    const [a, b] = await session('Microbiology', new Date(NOW.getTime() + DAY), { count: 2 });
    const [soon] = await session('Histology', new Date(NOW.getTime() + 90 * MINUTE));
    await htmx(lms.app, who.tutor, `/c/${who.tutor.courseId}/sessions/${a}/cancel`, { method: 'POST', fields: { scope: 'this' } });
    const cancelled = await rsvp(who.student, a!, 'going');
    expect(cancelled.status).to.equal(409);
    const cancelledText = textOf(await cancelled.text());
    expect(cancelledText).to.contain('This session was cancelled, so your answer was not saved.').and.contain('Cancelled');
    const unknown = await rsvp(who.student, b!, 'perhaps');
    expect(unknown.status).to.equal(422);
    expect(textOf(await unknown.text())).to.contain('Choose Going, Maybe or Not going.');
    clock.set(new Date(NOW.getTime() + 91 * MINUTE));
    const started = await rsvp(who.student, soon!, 'going');
    expect(started.status).to.equal(422);
    expect(textOf(await started.text())).to.contain('This session has already started, so your answer was not saved.');
    expect(await db().select().from(schema.rsvps)).to.deep.equal([]);
  });

  it('When a tutor’s ended meeting has attended students without finished feedback, then the Dashboard lists it with a link to write it, until all is finished', async () => {
    const [occ] = await session('Physiology', new Date(NOW.getTime() - 3 * HOUR), { studentIds: [ids['stu-1']!, ids['stu-2']!] });
    const start = new Date(NOW.getTime() - 3 * HOUR);
    await meetingRan(lms.app, occ!, who.tutor.courseId, { startedBy: ids['ta-1']!, startedAt: start, endedAt: new Date(start.getTime() + 50 * MINUTE) });
    for (const sub of ['stu-1', 'stu-2']) await wasThere(lms.app, occ!, who.tutor.courseId, ids[sub]!, 'student', start, new Date(start.getTime() + 50 * MINUTE));
    await feedbackOn(lms.app, { occurrenceId: occ!, courseId: who.tutor.courseId, studentId: ids['stu-1']!, authorId: ids['ta-1']!, forStudent: 'Good work', private: '', finished: false });
    const html = await page(who.tutor);
    expect(section(html, 'Feedback still to write')).to.contain('Physiology').and.contain('1 student without feedback, 1 draft not finished');
    expect(html).to.contain(`href="/c/${who.tutor.courseId}/sessions/${occ}/feedback"`);
    expect(textOf(await page(who.student)), 'students have no such list').not.to.contain('Feedback still to write');

    await db().update(schema.meetingFeedback).set({ finishedAt: NOW });
    await feedbackOn(lms.app, { occurrenceId: occ!, courseId: who.tutor.courseId, studentId: ids['stu-2']!, authorId: ids['ta-1']!, forStudent: 'Keep going', private: '', finished: true });
    expect(section(await page(who.tutor), 'Feedback still to write')).to.contain('All caught up');
  });

  it('When someone opens another course’s Dashboard, then 403', async () => {
    const res = await htmx(lms.app, who.elsewhere, `/c/${who.tutor.courseId}/dashboard`);
    expect(res.status).to.equal(403);
    expect(await res.text()).not.to.contain('Biology 110');
  });
});
