// The end of a session through real LTI launches: feedback and diagnosis, End meeting (and the
// meeting that ends itself), the student's Exit resources and rating. The Warmup room is another
// part's work: these tests insert the meetings and attendance rows that stand for it.
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { attendance, meetingFeedback, meetings, occurrences, ratings, sessionSeries, tags, users } from '../../src/db/schema.js';
import { createWrapupService } from '../../src/meetings/wrapup.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx, type Form } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { weeklySessionForm } from '../support/sessions.js';
import { textOf } from '../support/text.js';

const MINUTE = 60_000;

describe('The end of a session: feedback, End meeting, rating', () => {
  const clock = fixedClock('2027-03-01T12:00:00Z');
  const lms = useSimulatedLms({ app: { clock } });
  const course = { id: 'wrap-a', title: 'Algebra I' };
  const db = () => lms.app.database.db;
  const who = {} as Record<'tutor' | 'otherTutor' | 'student' | 'classmate' | 'absent' | 'instructor' | 'admin' | 'outsider', Launched>;
  const ids = {} as Record<string, string>;

  const users_ = {
    otherTutor: { sub: 'ta-2', name: 'Omar Other', roles: [ROLES.teachingAssistant] },
    classmate: { sub: 'stu-2', name: 'Chen Classmate', roles: [ROLES.learner] },
    absent: { sub: 'stu-3', name: 'Abe Absent', roles: [ROLES.learner] },
  };

  /** (Re)launches everyone: tokens follow the test clock, so a jump of days needs fresh ones. */
  async function launchEveryone() {
    who.tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    who.student = await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    who.instructor = await launchAs(lms.app, lms.sim, { user: people.instructor(), context: course });
    who.admin = await launchAs(lms.app, lms.sim, { user: people.admin(), context: course });
    for (const key of ['otherTutor', 'classmate', 'absent'] as const) who[key] = await launchAs(lms.app, lms.sim, { user: users_[key], context: course });
    who.outsider = await launchAs(lms.app, lms.sim, { user: { sub: 'inst-b', name: 'Bea Bishop', roles: [ROLES.instructor] }, context: { id: 'wrap-b', title: 'Geometry' } });
  }

  before(async () => {
    await launchEveryone();
    for (const sub of ['ta-1', 'ta-2', 'stu-1', 'stu-2', 'stu-3']) {
      const [u] = await db().select({ id: users.id, platformId: users.platformId }).from(users).where(eq(users.sub, sub));
      ids[sub] = u!.id;
      ids.platform = u!.platformId;
    }
    const made = await db()
      .insert(tags)
      .values([
        { platformId: ids.platform!, category: 'topic', name: 'Linear equations' },
        { platformId: ids.platform!, category: 'topic', name: 'Fractions' },
        { platformId: ids.platform!, category: 'program', name: 'Summer bridge' },
      ])
      .returning({ id: tags.id, name: tags.name });
    for (const t of made) ids[t.name] = t.id;
  });

  // Each session on a day of its own (a tutor is never double-booked), 16:00–17:00 in New York.
  let day = 9;
  async function scheduleSession(name: string, extra: Form = {}): Promise<{ id: string; endsAt: Date }> {
    clock.set('2027-03-01T12:00:00Z');
    const fields = weeklySessionForm({
      courseId: who.tutor.courseId,
      tutorIds: ids['ta-1']!,
      studentIds: [ids['stu-1']!, ids['stu-2']!, ids['stu-3']!],
      name,
      repeat: 'none',
      startDate: `2027-03-${String(day++).padStart(2, '0')}`,
      tagIds: ids['Linear equations']!,
      exitTitle: 'Practice set 4',
      exitUrl: 'https://example.edu/practice-4',
      ...extra,
    });
    const saved = await htmx(lms.app, who.tutor, `/c/${who.tutor.courseId}/sessions`, { method: 'POST', fields });
    expect(saved.status, await saved.clone().text()).to.equal(303);
    const [row] = await db()
      .select({ id: occurrences.id, startsAt: occurrences.startsAt, endsAt: occurrences.endsAt })
      .from(occurrences)
      .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
      .where(eq(sessionSeries.name, name));
    return row!;
  }

  /** The room's part: the tutor pressed Start meeting at the session's start, and these people came in. */
  async function startMeeting(occurrenceId: string, startedAt: Date, present: string[] = ['ta-1', 'stu-1', 'stu-2']) {
    await db().insert(meetings).values({ occurrenceId, courseId: who.tutor.courseId, startedBy: ids['ta-1']!, startedAt });
    await db()
      .insert(attendance)
      .values(present.map((sub) => ({ occurrenceId, userId: ids[sub]!, courseId: who.tutor.courseId, role: sub.startsWith('ta') ? ('tutor' as const) : ('student' as const), firstJoinedAt: startedAt, lastSeenAt: startedAt })));
  }

  /** A session that ran and ended by its tutor's End meeting; the clock is just after. */
  async function endedSession(name: string): Promise<{ id: string; endsAt: Date }> {
    const session = await scheduleSession(name);
    clock.set(session.endsAt);
    await launchEveryone();
    await startMeeting(session.id, new Date(session.endsAt.getTime() - 60 * MINUTE));
    const ended = await post(who.tutor, session.id, 'end', {});
    expect(ended.status).to.equal(303);
    return session;
  }

  const path = (on: Launched, occurrenceId: string, action: string) => `/c/${on.courseId}/sessions/${occurrenceId}/${action}`;
  const post = (as: Launched, occurrenceId: string, action: string, fields: Form, target?: string) => htmx(lms.app, as, path(as, occurrenceId, action), { method: 'POST', fields, target });
  const get = (as: Launched, occurrenceId: string, action: string) => htmx(lms.app, as, path(as, occurrenceId, action), { direct: true });
  const feedbackRows = (occurrenceId: string) => db().select().from(meetingFeedback).where(eq(meetingFeedback.occurrenceId, occurrenceId));
  const meetingOf = async (occurrenceId: string) => (await db().select().from(meetings).where(eq(meetings.occurrenceId, occurrenceId)))[0];

  describe('Feedback', () => {
    it('When the tutor saves a draft and later finishes it, then the draft is stored unfinished, shown back, and Finish stamps it', async () => {
      const session = await endedSession('Draft then finish');
      const page = await get(who.tutor, session.id, 'feedback');
      const text = textOf(await page.text());
      expect(page.status).to.equal(200);
      // The students who attended, each with the guide's fields in its order; not the one who stayed away.
      expect(text).to.contain('Priya Natarajan').and.to.contain('Chen Classmate').and.not.to.contain('Abe Absent');
      expect(text.indexOf('Feedback for the student')).to.be.lessThan(text.indexOf('Private feedback'));
      expect(text.indexOf('Private feedback')).to.be.lessThan(text.indexOf('Prerequisite knowledge'));

      const draft = await post(who.tutor, session.id, 'feedback', { studentId: ids['stu-1']!, forStudent: 'Great work on slopes.', private: 'Seemed tired.', action: 'save' }, `wrap-student-${ids['stu-1']}`);
      const fragment = await draft.text();
      expect(draft.status).to.equal(200);
      expect(fragment).not.to.contain('<html');
      expect(textOf(fragment)).to.contain('Draft saved');
      let [row] = await feedbackRows(session.id);
      expect(row).to.include({ studentId: ids['stu-1'], authorId: ids['ta-1'], forStudent: 'Great work on slopes.', private: 'Seemed tired.', finishedAt: null, prerequisite: null });

      const again = textOf(await (await get(who.tutor, session.id, 'feedback')).text());
      expect(again).to.contain('Great work on slopes.').and.to.contain('Seemed tired.').and.to.contain('Draft');

      const incomplete = await post(who.tutor, session.id, 'feedback', { studentId: ids['stu-1']!, forStudent: 'Great work on slopes.', private: 'Seemed tired.', action: 'finish', topicTagId: '' }, `wrap-student-${ids['stu-1']}`);
      const refused = textOf(await incomplete.text());
      expect(incomplete.status).to.equal(422);
      expect(refused).to.contain('Prerequisite knowledge: choose Adequate or Low to finish.').and.to.contain('Content mastery: choose').and.to.contain('Topic tag: choose the topic');
      [row] = await feedbackRows(session.id);
      expect(row!.finishedAt, 'a refused Finish stores nothing').to.equal(null);

      clock.set(new Date(clock.now().getTime() + 10 * MINUTE));
      const finished = await post(who.tutor, session.id, 'feedback', {
        studentId: ids['stu-1']!,
        forStudent: 'Great work on slopes.',
        private: 'Seemed tired.',
        prerequisite: 'low',
        mastery: 'demonstrated',
        topicTagId: ids['Fractions']!,
        action: 'finish',
      });
      expect(finished.status).to.equal(200);
      [row] = await feedbackRows(session.id);
      expect(row).to.include({ prerequisite: 'low', mastery: 'demonstrated', topicTagId: ids['Fractions'] });
      expect(row!.finishedAt?.toISOString()).to.equal(clock.now().toISOString());
      const shown = await (await get(who.tutor, session.id, 'feedback')).text();
      expect(textOf(shown)).to.contain('Finished');
      expect(shown).to.match(new RegExp(`value="${ids['Fractions']}" selected`));
    });

    it('When the form opens, then the Topic tag defaults to the session’s, and the choices are the site’s Topic tags only', async () => {
      const session = await endedSession('Topic default');
      const html = await (await get(who.instructor, session.id, 'feedback')).text();
      expect(html).to.match(new RegExp(`value="${ids['Linear equations']}" selected`));
      expect(html).to.contain('Fractions').and.not.to.contain('Summer bridge');
    });

    it('When feedback is sent for a student who did not attend, then it is refused with 422 and nothing is stored', async () => {
      const session = await endedSession('Did not attend');
      for (const studentId of [ids['stu-3']!, ids['ta-1']!, '00000000-0000-4000-8000-000000000000', 'not-an-id']) {
        const res = await post(who.tutor, session.id, 'feedback', { studentId, forStudent: 'Hello', prerequisite: 'low', mastery: 'demonstrated', topicTagId: ids['Fractions']!, action: 'finish' });
        expect(res.status, studentId).to.equal(422);
        expect(textOf(await res.text())).to.contain('Feedback is written only for the students who attended this session. Nothing was saved.');
      }
      expect(await feedbackRows(session.id)).to.deep.equal([]);
    });

    it('When the topic is unknown or not a Topic tag, or a field is out of bounds, then 422 names the field and nothing is stored', async () => {
      const session = await endedSession('Bad diagnosis');
      const base = { studentId: ids['stu-2']!, forStudent: 'Fine', prerequisite: 'adequate', mastery: 'demonstrated', action: 'finish' };
      const cases: [Form, string][] = [
        [{ ...base, topicTagId: '00000000-0000-4000-8000-000000000000' }, 'Topic tag: choose one of the Topic tags listed.'],
        [{ ...base, topicTagId: ids['Summer bridge']! }, 'Topic tag: choose one of the Topic tags listed.'],
        [{ ...base, topicTagId: 'nonsense' }, 'Topic tag: choose one of the Topic tags listed.'],
        [{ ...base, topicTagId: ids['Fractions']!, prerequisite: 'medium' }, 'Prerequisite knowledge: choose one of the options shown.'],
        [{ ...base, topicTagId: ids['Fractions']!, mastery: ['demonstrated', 'not_demonstrated'] }, 'Content mastery: choose one option, not several.'],
        [{ ...base, topicTagId: ids['Fractions']!, forStudent: 'x'.repeat(5001) }, 'Feedback for the student: use at most 5,000 characters'],
        [{ ...base, topicTagId: ids['Fractions']!, private: 'a\u0000b' }, 'Private feedback contains a control character'],
      ];
      for (const [fields, message] of cases) {
        const res = await post(who.tutor, session.id, 'feedback', fields, `wrap-student-${ids['stu-2']}`);
        expect(res.status, message).to.equal(422);
        expect(textOf(await res.text())).to.contain(message);
      }
      expect(await feedbackRows(session.id)).to.deep.equal([]);
    });

    it('When the meeting never started, then the feedback page says it is not open yet (409)', async () => {
      const session = await scheduleSession('Not started');
      const res = await get(who.tutor, session.id, 'feedback');
      expect(res.status).to.equal(409);
      expect(textOf(await res.text())).to.contain('Feedback opens once the tutor has pressed Start meeting.');
    });

    it('When a student, a tutor of another session or another course asks for feedback, then they get 403 and nothing is stored', async () => {
      const session = await endedSession('Feedback access');
      const fields = { studentId: ids['stu-1']!, forStudent: 'Sneaky', action: 'save' };
      for (const as of [who.student, who.otherTutor]) {
        expect((await get(as, session.id, 'feedback')).status).to.equal(403);
        expect((await post(as, session.id, 'feedback', fields)).status).to.equal(403);
      }
      const foreign = await htmx(lms.app, who.outsider, `/c/${who.tutor.courseId}/sessions/${session.id}/feedback`, { method: 'POST', fields });
      expect(foreign.status).to.equal(403);
      // In their own course's address, another course's session does not exist.
      expect((await get(who.outsider, session.id, 'feedback')).status).to.equal(404);
      expect(await feedbackRows(session.id)).to.deep.equal([]);
      expect((await get(who.admin, session.id, 'feedback')).status, 'administrators of the course read it').to.equal(200);
    });
  });

  describe('End meeting', () => {
    it('When the tutor presses End meeting, then the end is recorded, the occurrence ended, attendance closed, and the tutor lands on the feedback form', async () => {
      const session = await scheduleSession('End by tutor');
      const startedAt = new Date(session.endsAt.getTime() - 60 * MINUTE);
      clock.set(new Date(session.endsAt.getTime() - 5 * MINUTE));
      await launchEveryone();
      await startMeeting(session.id, startedAt);
      // Chen's page went quiet 20 minutes ago; the others are still there.
      await db().update(attendance).set({ lastSeenAt: new Date(clock.now().getTime() - 20 * MINUTE) }).where(eq(attendance.userId, ids['stu-2']!));
      await db().update(attendance).set({ lastSeenAt: clock.now() }).where(and(eq(attendance.occurrenceId, session.id), eq(attendance.userId, ids['stu-1']!)));

      const res = await post(who.tutor, session.id, 'end', {});
      expect(res.status).to.equal(303);
      expect(res.headers.get('location')).to.equal(`/c/${who.tutor.courseId}/sessions/${session.id}/feedback?ended=1`);
      expect(await meetingOf(session.id)).to.include({ endedBy: 'tutor' });
      expect((await meetingOf(session.id))!.endedAt?.toISOString()).to.equal(clock.now().toISOString());
      const [occ] = await db().select({ status: occurrences.status }).from(occurrences).where(eq(occurrences.id, session.id));
      expect(occ!.status).to.equal('ended');
      const left = Object.fromEntries((await db().select().from(attendance).where(eq(attendance.occurrenceId, session.id))).map((a) => [a.userId, a.lastLeftAt?.toISOString()]));
      expect(left[ids['stu-1']!]).to.equal(clock.now().toISOString());
      expect(left[ids['stu-2']!], 'a page that went quiet left at its last sign of life').to.equal(new Date(clock.now().getTime() - 20 * MINUTE).toISOString());

      const landing = await htmx(lms.app, who.tutor, res.headers.get('location')!, { direct: true });
      expect(h1Of(await landing.clone().text())).to.equal('Feedback: End by tutor');
      expect(textOf(await landing.text())).to.contain('The meeting has ended.').and.to.contain('Length 55 minutes');
    });

    it('When End meeting is pressed twice, or for a meeting never started, then 409 says why and nothing changes', async () => {
      const session = await endedSession('End twice');
      const before = await meetingOf(session.id);
      clock.set(new Date(clock.now().getTime() + 3 * MINUTE));
      const twice = await post(who.tutor, session.id, 'end', {});
      expect(twice.status).to.equal(409);
      expect(textOf(await twice.text())).to.contain('This meeting already ended').and.to.contain('by its tutor. Nothing was changed.');
      expect(await meetingOf(session.id)).to.deep.equal(before);

      const never = await scheduleSession('Never started');
      clock.set(never.endsAt);
      await launchEveryone();
      const res = await post(who.tutor, never.id, 'end', {});
      expect(res.status).to.equal(409);
      expect(textOf(await res.text())).to.contain('this session’s meeting was never started. Nothing was changed.');
      expect(await meetingOf(never.id)).to.equal(undefined);
      const [occ] = await db().select({ status: occurrences.status }).from(occurrences).where(eq(occurrences.id, never.id));
      expect(occ!.status).to.equal('scheduled');
    });

    it('When a student, another tutor, an instructor who does not tutor it or another course presses End meeting, then 403 and the meeting runs on', async () => {
      const session = await scheduleSession('End refused');
      clock.set(new Date(session.endsAt.getTime() - 10 * MINUTE));
      await launchEveryone();
      await startMeeting(session.id, new Date(session.endsAt.getTime() - 60 * MINUTE));
      for (const as of [who.student, who.otherTutor, who.instructor, who.admin]) {
        const res = await post(as, session.id, 'end', {});
        expect(res.status).to.equal(403);
        expect(textOf(await res.text())).to.contain('Not allowed.');
      }
      const foreign = await htmx(lms.app, who.outsider, `/c/${who.tutor.courseId}/sessions/${session.id}/end`, { method: 'POST', fields: {} });
      expect(foreign.status).to.equal(403);
      expect(textOf(await foreign.text())).to.contain('This page belongs to a course you did not open TutorKit from.');
      expect(await meetingOf(session.id)).to.include({ endedAt: null, endedBy: null });
    });

    it('When nobody ends a meeting, then the worker’s tick ends it at the scheduled end plus 60 minutes as “auto”, once', async () => {
      const session = await scheduleSession('Auto end');
      await startMeeting(session.id, new Date(session.endsAt.getTime() - 60 * MINUTE));
      clock.set(new Date(session.endsAt.getTime() + 59 * MINUTE));
      await lms.app.built.mail.tick();
      expect(await meetingOf(session.id)).to.include({ endedAt: null, endedBy: null });

      clock.set(new Date(session.endsAt.getTime() + 75 * MINUTE));
      await lms.app.built.mail.tick();
      const ended = await meetingOf(session.id);
      expect(ended).to.include({ endedBy: 'auto' });
      expect(ended!.endedAt?.toISOString(), 'recorded at the rule’s time, not the sweep’s').to.equal(new Date(session.endsAt.getTime() + 60 * MINUTE).toISOString());
      const [occ] = await db().select({ status: occurrences.status }).from(occurrences).where(eq(occurrences.id, session.id));
      expect(occ!.status).to.equal('ended');
      const open = await db().select().from(attendance).where(and(eq(attendance.occurrenceId, session.id)));
      expect(open.every((a) => a.lastLeftAt !== null), 'everyone left').to.equal(true);

      // Two sweeps at once (two instances) and later ones: the meeting ended once, the hook heard it once.
      const heard: string[] = [];
      const sweeper = () => createWrapupService({ db: db(), clock, hooks: { meetingEnded: (id) => void heard.push(id) } });
      const other = await scheduleSession('Auto end, two instances');
      await startMeeting(other.id, new Date(other.endsAt.getTime() - 60 * MINUTE));
      const now = new Date(other.endsAt.getTime() + 61 * MINUTE);
      const counts = await Promise.all([sweeper().endOverdue(now), sweeper().endOverdue(now)]);
      expect(counts.reduce((a, b) => a + b, 0)).to.equal(1);
      expect(await sweeper().endOverdue(now)).to.equal(0);
      expect(heard).to.deep.equal([other.id]);
      expect(await meetingOf(session.id)).to.deep.equal(ended);

      clock.set(new Date(session.endsAt.getTime() + 80 * MINUTE));
      await launchEveryone();
      const late = await post(who.tutor, session.id, 'end', {});
      expect(late.status).to.equal(409);
      expect(textOf(await late.text())).to.contain('by itself, 60 minutes after its scheduled end');
      const page = textOf(await (await get(who.tutor, session.id, 'feedback')).text());
      expect(page).to.contain('by itself 60 minutes after the scheduled end').and.to.contain('Length 2 hours');
    });
  });

  it('When a tutor ends a meeting and saves feedback, then the hooks hear of each after it is stored', async () => {
    const session = await scheduleSession('Hooks');
    clock.set(session.endsAt);
    await startMeeting(session.id, new Date(session.endsAt.getTime() - 60 * MINUTE));
    const heard: unknown[] = [];
    const service = createWrapupService({
      db: db(),
      clock,
      hooks: {
        meetingEnded: async (occurrenceId, courseId) => void heard.push(['ended', occurrenceId, courseId, (await meetingOf(occurrenceId))?.endedBy]),
        feedbackSaved: async (occurrenceId, courseId, studentIds) => void heard.push(['feedback', occurrenceId, courseId, studentIds, (await feedbackRows(occurrenceId)).length]),
      },
    });
    const tutor = await lms.app.built.services.courses.findViewer(ids['ta-1']!, who.tutor.courseId);
    await service.endMeeting(tutor, session.id);
    await service.saveFeedback(tutor, session.id, { studentId: ids['stu-2']!, forStudent: 'Nice.', action: 'save' });
    const courseId = who.tutor.courseId;
    expect(heard).to.deep.equal([
      ['ended', session.id, courseId, 'tutor'],
      ['feedback', session.id, courseId, [ids['stu-2']], 1],
    ]);
  });

  describe('Rating', () => {
    it('When a student rates after the end, then one rating is stored, it can change for 7 days, and after that it is read-only', async () => {
      const session = await endedSession('Rate it');
      const page = textOf(await (await get(who.student, session.id, 'rating')).text());
      expect(page).to.contain('Exit resources').and.to.contain('Practice set 4').and.to.contain('How was this session?');

      const first = await post(who.student, session.id, 'rating', { stars: '4', comment: 'Clear explanations.' }, 'wrap-rating');
      expect(first.status).to.equal(200);
      expect(textOf(await first.text())).to.contain('your rating was saved');
      clock.set(new Date(clock.now().getTime() + 6 * 24 * 60 * MINUTE));
      await launchEveryone();
      expect((await post(who.student, session.id, 'rating', { stars: '5', comment: '' })).status).to.equal(200);
      const rows = await db().select().from(ratings).where(eq(ratings.occurrenceId, session.id));
      expect(rows.map((r) => [r.studentId, r.stars, r.comment])).to.deep.equal([[ids['stu-1'], 5, '']]);

      clock.set(new Date(session.endsAt.getTime() + 7 * 24 * 60 * MINUTE + MINUTE));
      await launchEveryone();
      const late = await post(who.student, session.id, 'rating', { stars: '1' });
      expect(late.status).to.equal(409);
      expect(textOf(await late.text())).to.contain('Ratings can be given or changed for 7 days after a session ends.');
      const readOnly = await (await get(who.student, session.id, 'rating')).text();
      expect(textOf(readOnly)).to.contain('You rated this session 5 stars out of 5.');
      expect(readOnly).not.to.contain('<input type="radio"');
      expect((await db().select().from(ratings).where(eq(ratings.occurrenceId, session.id)))[0]!.stars).to.equal(5);
    });

    it('When the stars are outside 1 to 5, then 422 names the rating and nothing is stored', async () => {
      const session = await endedSession('Bad stars');
      for (const stars of ['0', '6', '4.5', 'five', '']) {
        const res = await post(who.student, session.id, 'rating', { stars }, 'wrap-rating');
        expect(res.status, stars).to.equal(422);
        expect(textOf(await res.text())).to.contain('Rating: choose from 1 to 5 stars.');
      }
      expect((await post(who.student, session.id, 'rating', { stars: ['2', '3'] })).status).to.equal(422);
      expect((await post(who.student, session.id, 'rating', { stars: '3', comment: 'y'.repeat(2001) })).status).to.equal(422);
      expect(await db().select().from(ratings).where(eq(ratings.occurrenceId, session.id))).to.deep.equal([]);
    });

    it('When a student who did not attend, or before the end, or a tutor opens the rating, then they are refused with a clear message', async () => {
      const session = await endedSession('Rating access');
      for (const res of [await get(who.absent, session.id, 'rating'), await post(who.absent, session.id, 'rating', { stars: '5' })]) {
        expect(res.status).to.equal(403);
        expect(textOf(await res.text())).to.contain('Only the students who attended this session can rate it.');
      }
      expect((await get(who.tutor, session.id, 'rating')).status).to.equal(403);

      const running = await scheduleSession('Still running');
      clock.set(new Date(running.endsAt.getTime() - 30 * MINUTE));
      await launchEveryone();
      await startMeeting(running.id, new Date(running.endsAt.getTime() - 60 * MINUTE));
      const early = await post(who.student, running.id, 'rating', { stars: '5' });
      expect(early.status).to.equal(409);
      expect(textOf(await early.text())).to.contain('You can see the Exit resources and rate the session once its meeting has ended.');
      expect(await db().select().from(ratings).where(eq(ratings.occurrenceId, running.id))).to.deep.equal([]);
    });
  });

  it('When a tutor finished feedback with a private note, then the student reads the feedback for them and never the private note, on any page they can open here', async () => {
    const session = await endedSession('Private stays private');
    const secret = 'PRIVATE-NOTE-do-not-show';
    for (const [studentId, note] of [
      [ids['stu-1']!, 'Well done, Priya.'],
      [ids['stu-2']!, 'Keep practising, Chen.'],
    ] as const) {
      const res = await post(who.tutor, session.id, 'feedback', { studentId, forStudent: note, private: `${secret} ${studentId}`, prerequisite: 'adequate', mastery: 'demonstrated', topicTagId: ids['Fractions']!, action: 'finish' });
      expect(res.status).to.equal(200);
    }
    const pages = [
      await get(who.student, session.id, 'rating'),
      await htmx(lms.app, who.student, path(who.student, session.id, 'rating'), { target: 'wrap-rating' }),
      await post(who.student, session.id, 'rating', { stars: '4' }, 'wrap-rating'),
      await post(who.student, session.id, 'rating', { stars: '9' }, 'wrap-rating'),
      await post(who.student, session.id, 'rating', { stars: '4' }),
      await get(who.student, session.id, 'feedback'),
      await post(who.student, session.id, 'feedback', { studentId: ids['stu-1']!, action: 'save' }),
      await post(who.student, session.id, 'end', {}),
      await htmx(lms.app, who.student, `/c/${who.student.courseId}/sessions/${session.id}`, { direct: true }),
      await htmx(lms.app, who.student, `/c/${who.student.courseId}/sessions`, { direct: true }),
    ];
    const rating = await pages[0]!.clone().text();
    expect(textOf(rating)).to.contain('Feedback from your tutor').and.to.contain('Well done, Priya.').and.not.to.contain('Keep practising, Chen.');
    for (const res of pages) {
      const body = await res.text();
      expect(body, res.url).not.to.contain(secret);
    }
    // The tutor's page has it: the text exists, the student's pages leave it out.
    expect(await (await get(who.tutor, session.id, 'feedback')).text()).to.contain(secret);
  });
});
