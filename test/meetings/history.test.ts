// View meeting history and a session's record through real launches: whose sessions each person
// sees, filters and pages, no-show wording, and what stays private (Private feedback and the
// diagnosis never reach a student, in any page or fragment).
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import * as schema from '../../src/db/schema.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { textOf } from '../support/text.js';
import { feedbackOn, HOUR, idOf, learner, meetingRan, MINUTE, rated, schedule, wasThere } from './fixtures.js';

const NOW = new Date('2027-03-01T12:00:00Z');
const at = (iso: string) => new Date(iso);
const PRIVATE = 'PRIVATE-NOTE Priya guessed on most answers';
const FOR_PRIYA = 'Practise factoring twice a week';

describe('View meeting history', () => {
  const clock = fixedClock(NOW);
  const lms = useSimulatedLms({ app: { clock } });
  const course = { id: 'hist-a', title: 'Algebra I' };
  const who = {} as Record<'tutor' | 'tutor2' | 'priya' | 'luis' | 'ana' | 'instructor' | 'elsewhere', Launched>;
  const ids = {} as Record<string, string>;
  const occ = {} as Record<'algebra' | 'geometry' | 'cancelled' | 'dropIn' | 'recent' | 'future' | 'running', string>;
  const topics = {} as Record<'algebra' | 'geometry', string>;
  const db = () => lms.app.database.db;

  const get = async (l: Launched, path: string, target?: string) => {
    const res = await htmx(lms.app, l, `/c/${l.courseId}${path}`, { target });
    return { status: res.status, html: await res.text() };
  };
  const history = async (l: Launched, query = '') => {
    const res = await get(l, `/history${query}`);
    expect(res.status, res.html.slice(0, 300)).to.equal(200);
    return res.html;
  };
  /** The session names listed, in order. */
  const listed = (html: string) => [...html.matchAll(/<td><a href="[^"]+\/history\/[^"]+">([^<]+)<\/a><\/td>/g)].map((m) => m[1]);
  /** One table row's text, by its session name. */
  const rowOf = (html: string, name: string) => textOf(html.split(`>${name}</a>`)[1]!.split('</tr>')[0]!);
  const record = async (l: Launched, occurrenceId: string) => {
    const res = await get(l, `/history/${occurrenceId}`);
    expect(res.status, res.html.slice(0, 300)).to.equal(200);
    return res.html;
  };

  before(async () => {
    who.tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    who.tutor2 = await launchAs(lms.app, lms.sim, { user: { sub: 'ta-2', name: 'Omar Haddad', email: 'omar@example.edu', roles: [ROLES.teachingAssistant] }, context: course });
    who.priya = await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    who.luis = await launchAs(lms.app, lms.sim, { user: learner('stu-2', 'Luis Ortega'), context: course });
    who.ana = await launchAs(lms.app, lms.sim, { user: learner('stu-3', 'Ana Quiet'), context: course });
    who.instructor = await launchAs(lms.app, lms.sim, { user: people.instructor(), context: course });
    who.elsewhere = await launchAs(lms.app, lms.sim, { user: learner('stu-b', 'Bo Other'), context: { id: 'hist-b', title: 'Physics 120' } });
    for (const sub of ['ta-1', 'ta-2', 'stu-1', 'stu-2', 'stu-3']) ids[sub] = await idOf(lms.app, sub);
    for (const name of ['Algebra', 'Geometry'] as const) {
      const res = await htmx(lms.app, who.instructor, `/c/${who.instructor.courseId}/tags/topic`, { method: 'POST', fields: { name }, target: 'tags-topic' });
      expect(res.status).to.equal(200);
      const [tag] = await db().select({ id: schema.tags.id }).from(schema.tags).where(eq(schema.tags.name, name));
      topics[name === 'Algebra' ? 'algebra' : 'geometry'] = tag!.id;
    }
    const courseId = who.tutor.courseId;
    const session = async (name: string, start: string, extra: Partial<Parameters<typeof schedule>[3]> = {}) =>
      (await schedule(lms.app, who.tutor, clock, { name, start: at(start), tutorIds: ids['ta-1']!, invitedOnly: true, ...extra }))[0]!;

    // Ran 15:02–15:47: Priya came, Luis did not. Priya got feedback (with a private note) and rated it.
    occ.algebra = await session('Algebra review', '2027-02-10T15:00:00Z', { studentIds: [ids['stu-1']!, ids['stu-2']!], tagIds: [topics.algebra] });
    await meetingRan(lms.app, occ.algebra, courseId, { startedBy: ids['ta-1']!, startedAt: at('2027-02-10T15:02:00Z'), endedAt: at('2027-02-10T15:47:00Z') });
    await wasThere(lms.app, occ.algebra, courseId, ids['ta-1']!, 'tutor', at('2027-02-10T14:58:00Z'), at('2027-02-10T15:47:00Z'));
    await wasThere(lms.app, occ.algebra, courseId, ids['stu-1']!, 'student', at('2027-02-10T15:03:00Z'), at('2027-02-10T15:45:00Z'));
    await feedbackOn(lms.app, { occurrenceId: occ.algebra, courseId, studentId: ids['stu-1']!, authorId: ids['ta-1']!, forStudent: FOR_PRIYA, private: PRIVATE, prerequisite: 'low', mastery: 'not_demonstrated', topicTagId: topics.algebra, finished: true });
    await rated(lms.app, { occurrenceId: occ.algebra, courseId, studentId: ids['stu-1']!, stars: 4, comment: 'Helpful' });
    // Nobody started it.
    occ.geometry = await session('Geometry clinic', '2027-02-20T15:00:00Z', { studentIds: [ids['stu-2']!], tagIds: [topics.geometry] });
    occ.cancelled = await session('Cancelled catch-up', '2027-02-25T15:00:00Z', { studentIds: [ids['stu-1']!] });
    await db().update(schema.occurrences).set({ status: 'cancelled' }).where(eq(schema.occurrences.id, occ.cancelled));
    // Open to the course, run by Omar: Ana came without an invitation.
    occ.dropIn = (await schedule(lms.app, who.tutor, clock, { name: 'Open drop-in', start: at('2027-02-15T15:00:00Z'), tutorIds: ids['ta-2']!, invitedOnly: false }))[0]!;
    await meetingRan(lms.app, occ.dropIn, courseId, { startedBy: ids['ta-2']!, startedAt: at('2027-02-15T15:00:00Z'), endedAt: at('2027-02-15T15:30:00Z') });
    await wasThere(lms.app, occ.dropIn, courseId, ids['stu-3']!, 'student', at('2027-02-15T15:01:00Z'), at('2027-02-15T15:30:00Z'));
    // Ended two days ago: Priya attended and may still rate it.
    occ.recent = await session('Recent review', '2027-02-27T15:00:00Z', { studentIds: [ids['stu-1']!] });
    await meetingRan(lms.app, occ.recent, courseId, { startedBy: ids['ta-1']!, startedAt: at('2027-02-27T15:00:00Z'), endedAt: at('2027-02-27T16:00:00Z'), endedBy: 'auto' });
    await wasThere(lms.app, occ.recent, courseId, ids['stu-1']!, 'student', at('2027-02-27T15:00:00Z'), at('2027-02-27T15:55:00Z'));
    // Not history yet: one to come, one running now past its scheduled end.
    occ.future = await session('Upcoming algebra', '2027-03-05T15:00:00Z', { studentIds: [ids['stu-1']!] });
    occ.running = await session('Running late', new Date(NOW.getTime() - 90 * MINUTE).toISOString(), { studentIds: [ids['stu-1']!] });
    await meetingRan(lms.app, occ.running, courseId, { startedBy: ids['ta-1']!, startedAt: new Date(NOW.getTime() - 90 * MINUTE) });
  });

  afterEach(() => clock.set(NOW));

  it('When a student opens history, then they see the past sessions they were invited to or attended, newest first, with length, tutors and their attendance', async () => {
    const html = await history(who.priya);
    expect(h1Of(html)).to.equal('Meeting history');
    expect(listed(html)).to.deep.equal(['Recent review', 'Cancelled catch-up', 'Algebra review']);
    expect(rowOf(html, 'Algebra review')).to.equal('Wed 10 Feb 2027, 15:00–16:00 (UTC) 45 minutes Maya Chen You attended');
    expect(rowOf(html, 'Cancelled catch-up')).to.contain('1 hour (scheduled)').and.contain('Cancelled');
    const luis = await history(who.luis);
    expect(listed(luis)).to.deep.equal(['Geometry clinic', 'Algebra review']);
    expect(rowOf(luis, 'Algebra review')).to.contain('No-show');
    expect(rowOf(luis, 'Geometry clinic')).to.contain('Tutor no-show');
    expect(listed(await history(who.ana)), 'an open session she attended').to.deep.equal(['Open drop-in']);
  });

  it('When a tutor opens history, then they see the sessions they ran or were invited to run, with attendance counts; staff see every session of the course', async () => {
    const html = await history(who.tutor);
    expect(listed(html)).to.deep.equal(['Recent review', 'Cancelled catch-up', 'Geometry clinic', 'Algebra review']);
    expect(rowOf(html, 'Algebra review')).to.contain('1 student attended, 1 no-show');
    expect(listed(await history(who.tutor2))).to.deep.equal(['Open drop-in']);
    const staff = await history(who.instructor);
    expect(listed(staff)).to.deep.equal(['Recent review', 'Cancelled catch-up', 'Geometry clinic', 'Open drop-in', 'Algebra review']);
    expect(textOf(staff)).to.contain('5 past sessions').and.contain('Every past session of this community.');
  });

  it('When the list is filtered by date range or Topic tag, then only matching sessions are listed (the “to” day included), and the filter swaps the list in place', async () => {
    expect(listed(await history(who.instructor, `?topic=${topics.algebra}`))).to.deep.equal(['Algebra review']);
    expect(listed(await history(who.instructor, '?from=2027-02-15&to=2027-02-20'))).to.deep.equal(['Geometry clinic', 'Open drop-in']);
    expect(listed(await history(who.instructor, `?from=2027-02-01&to=2027-02-28&topic=${topics.geometry}`))).to.deep.equal(['Geometry clinic']);
    const none = await history(who.instructor, '?from=2026-01-01&to=2026-01-31');
    expect(textOf(none)).to.contain('No past session matches these filters.');
    const fragment = await get(who.instructor, '/history?from=2027-02-15&to=2027-02-20', 'history');
    expect(fragment.status).to.equal(200);
    expect(fragment.html.trimStart()).to.match(/^<section id="history"/);
    expect(fragment.html).not.to.contain('<html').and.not.to.contain('<h1');
    expect(listed(fragment.html)).to.deep.equal(['Geometry clinic', 'Open drop-in']);
    expect(fragment.html).to.match(/id="history-results-heading" tabindex="-1" autofocus/);
  });

  it('When the viewer lives in Auckland, then the filter’s days are their local days (15:00 UTC on 20 February is 21 February there)', async () => {
    await db().update(schema.users).set({ timeZone: 'Pacific/Auckland' }).where(eq(schema.users.sub, 'inst-1'));
    try {
      expect(listed(await history(who.instructor, '?from=2027-02-21&to=2027-02-21'))).to.deep.equal(['Geometry clinic']);
      expect(listed(await history(who.instructor, '?from=2027-02-20&to=2027-02-20'))).to.deep.equal([]);
      expect(rowOf(await history(who.instructor, '?from=2027-02-21&to=2027-02-21'), 'Geometry clinic')).to.contain('Sun 21 Feb 2027, 04:00–05:00 (Pacific/Auckland)');
    } finally {
      await db().update(schema.users).set({ timeZone: null }).where(eq(schema.users.sub, 'inst-1'));
    }
  });

  it('When a filter date is not a date, ends before it starts, or the topic is unknown, then 422 says what to fix and nothing is listed', async () => {
    for (const [query, message] of [
      ['?from=2027-02-31', 'Enter a date as year-month-day, for example 2027-03-01.'],
      ['?from=yesterday', 'Enter a date as year-month-day, for example 2027-03-01.'],
      ['?from=2027-02-20&to=2027-02-10', 'The end date must be on or after the start date.'],
      ['?topic=00000000-0000-4000-8000-000000000000', 'Choose a topic from the list.'],
      ['?page=abc', 'That page does not exist.'],
    ]) {
      for (const target of [undefined, 'history']) {
        const res = await get(who.instructor, `/history${query}`, target);
        expect(res.status, query).to.equal(422);
        expect(textOf(res.html), query).to.contain(message!).and.contain('No sessions listed');
        expect(listed(res.html), query).to.deep.equal([]);
      }
    }
    const kept = await get(who.instructor, '/history?from=2027-02-31&to=2027-03-01', 'history');
    expect(kept.html, 'what was typed stays in the form').to.contain('value="2027-02-31"').and.contain('aria-invalid="true"');
  });

  it('When there are more than 20 past sessions, then they come 20 to a page, newest first, with links between pages', async () => {
    const names = await schedule(lms.app, who.tutor2, clock, { name: 'Statistics drill', start: at('2026-12-01T18:00:00Z'), tutorIds: ids['ta-2']!, studentIds: [ids['stu-3']!], invitedOnly: true, count: 25 });
    expect(names).to.have.length(25);
    try {
      const first = await history(who.ana);
      expect(listed(first)).to.have.length(20);
      expect(textOf(first)).to.contain('26 past sessions, page 1 of 2');
      expect(listed(first)[0]).to.equal('Open drop-in');
      expect(first).to.contain(`href="/c/${who.ana.courseId}/history?page=2"`);
      expect(first).not.to.contain('Newer sessions');
      const second = await get(who.ana, '/history?page=2', 'history');
      expect(listed(second.html)).to.have.length(6);
      expect(textOf(second.html)).to.contain('page 2 of 2').and.contain('Newer sessions').and.not.contain('Older sessions');
      const lastRow = second.html.split('<tr').at(-1)!;
      expect(textOf(lastRow), 'the oldest last').to.contain('Tue 1 Dec 2026, 18:00–19:00 (UTC)');
    } finally {
      await db().delete(schema.sessionSeries).where(eq(schema.sessionSeries.name, 'Statistics drill'));
    }
  });

  it('When the record of a session that ran is opened, then it gives the actual length, who joined with first join and last leave, and who was a no-show', async () => {
    const text = textOf(await record(who.instructor, occ.algebra));
    expect(text).to.contain('1 hour scheduled; it ran 45 minutes').and.contain('Started 15:02, ended 15:47').and.contain('Ended by the tutor (End meeting)');
    expect(text).to.contain('Maya Chen Tutor Started the meeting 14:58 15:47');
    expect(text).to.contain('Priya Natarajan Student Attended 15:03 15:45');
    expect(text).to.contain('Luis Ortega Student No-show — —');
    expect(textOf(await record(who.tutor, occ.recent))).to.contain('Ended by itself 60 minutes after its scheduled end');
  });

  it('When nobody started a session, then its record says Tutor no-show; a cancelled one says Cancelled and has no no-shows', async () => {
    const geometry = textOf(await record(who.tutor, occ.geometry));
    expect(geometry).to.contain('Tutor no-show. Nobody started the meeting');
    expect(geometry).to.contain('Maya Chen Tutor Tutor no-show');
    expect(geometry).to.contain('Luis Ortega Student No-show');
    expect(geometry, 'no transcript without a meeting').not.to.contain('Transcript');
    const cancelled = textOf(await record(who.instructor, occ.cancelled));
    expect(cancelled).to.contain('Cancelled. This session did not take place').and.contain('nobody counts as a no-show');
    expect(cancelled).not.to.contain('No-show').and.not.to.contain('Tutor no-show');
  });

  it('When a student opens a record, then they see their own finished feedback and rating, never the private feedback, the diagnosis or other students', async () => {
    const html = await record(who.priya, occ.algebra);
    const text = textOf(html);
    expect(text).to.contain('Feedback for the student').and.contain(FOR_PRIYA).and.contain('From Maya Chen');
    expect(text).to.contain('Your attendance').and.contain('Priya Natarajan Student Attended');
    expect(text).not.to.contain('Luis Ortega');
    expect(text).to.contain('Your rating').and.contain('4 out of 5').and.contain('Helpful');
    expect(html, 'ratings of this session closed 7 days after it').not.to.contain('/rating"');
    for (const secret of [PRIVATE, 'Private feedback', 'Prerequisite knowledge', 'Content mastery', 'Not demonstrated']) expect(html).not.to.contain(secret);
    const luis = textOf(await record(who.luis, occ.algebra));
    expect(luis).to.contain('You did not join this session').and.contain('Luis Ortega Student No-show');
    expect(luis).not.to.contain(FOR_PRIYA).and.not.to.contain('Priya');
  });

  it('When anything of history is shown to a student, then the private feedback is in none of it', async () => {
    const pages = [
      (await get(who.priya, '/history')).html,
      (await get(who.priya, '/history', 'history')).html,
      (await get(who.priya, `/history?topic=${topics.algebra}`, 'history')).html,
      (await get(who.priya, `/history/${occ.algebra}`)).html,
      (await get(who.priya, `/history/${occ.algebra}`, 'main')).html,
      (await get(who.priya, '/dashboard')).html,
      (await get(who.luis, `/history/${occ.algebra}`)).html,
      (await get(who.ana, `/history/${occ.algebra}`)).html,
    ];
    for (const html of pages) {
      expect(html).not.to.contain(PRIVATE);
      expect(html).not.to.contain('guessed on most answers');
    }
  });

  it('When the session’s tutor or an instructor opens the record, then they see all feedback with the Private feedback and the diagnosis, and every rating', async () => {
    for (const l of [who.tutor, who.instructor]) {
      const text = textOf(await record(l, occ.algebra));
      expect(text).to.contain(`Feedback for the student ${FOR_PRIYA}`).and.contain(`Private feedback ${PRIVATE}`);
      expect(text).to.contain('Prerequisite knowledge Low').and.contain('Content mastery Not demonstrated').and.contain('Topic Algebra');
      expect(text).to.contain('Average 4.0 out of 5 from 1 rating').and.contain('Priya Natarajan: ★★★★☆ 4 out of 5 Helpful');
    }
  });

  it('When a student who attended a recent session opens its record, then they may rate it; the transcript link shows only to those who may read it', async () => {
    const recent = await record(who.priya, occ.recent);
    expect(textOf(recent)).to.contain('You have not rated this session yet. Rate this session');
    expect(recent).to.contain(`href="/c/${who.priya.courseId}/sessions/${occ.recent}/rating"`);
    const transcript = (id: string) => `href="/c/${who.priya.courseId}/sessions/${id}/transcript"`;
    expect(recent).to.contain(transcript(occ.recent));
    expect(await record(who.priya, occ.algebra)).to.contain(transcript(occ.algebra));
    expect(await record(who.luis, occ.algebra), 'invited, never joined').not.to.contain(transcript(occ.algebra));
    expect(await record(who.tutor, occ.algebra)).to.contain(transcript(occ.algebra));
    expect(await record(who.instructor, occ.algebra)).to.contain(transcript(occ.algebra));
  });

  it('When someone opens the record of a session that is not theirs, or of another course, then 403 and nothing of it', async () => {
    for (const [l, message] of [
      [who.ana, 'You can open the record of the sessions you were invited to or attended.'],
      [who.tutor2, 'You can open the record of the sessions you ran or were invited to run.'],
    ] as const) {
      const res = await get(l, `/history/${occ.algebra}`);
      expect(res.status).to.equal(403);
      expect(textOf(res.html)).to.contain(message);
      expect(res.html).not.to.contain('Algebra review').and.not.to.contain(FOR_PRIYA);
    }
    const other = await htmx(lms.app, who.elsewhere, `/c/${who.tutor.courseId}/history/${occ.algebra}`);
    expect(other.status).to.equal(403);
    const inOwnCourse = await get(who.elsewhere, `/history/${occ.algebra}`);
    expect(inOwnCourse.status, 'not a session of their course').to.equal(404);
    expect((await get(who.priya, '/history/not-a-session')).status).to.equal(404);
    expect((await htmx(lms.app, who.elsewhere, `/c/${who.tutor.courseId}/history`)).status).to.equal(403);
  });

  it('When a session is still running or still to come, then it is not in history yet', async () => {
    const names = listed(await history(who.instructor));
    expect(names).not.to.include('Running late').and.not.to.include('Upcoming algebra');
    clock.set(new Date(NOW.getTime() + HOUR));
    await db().update(schema.meetings).set({ endedAt: new Date(NOW.getTime() + 30 * MINUTE), endedBy: 'tutor' }).where(eq(schema.meetings.occurrenceId, occ.running));
    try {
      expect(listed(await history(who.instructor))[0]).to.equal('Running late');
    } finally {
      await db().update(schema.meetings).set({ endedAt: null, endedBy: null }).where(eq(schema.meetings.occurrenceId, occ.running));
    }
  });
});
