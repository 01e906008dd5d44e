// The demo course's content: a history of about eight weeks on the first start, sessions to come
// with RSVPs, and a session everyone can join at every demo launch. Nothing of it outside the demo
// course, nothing when the demo or its content is off, nothing twice.
import { expect } from 'chai';
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import {
  attendance,
  chatMessages,
  courses,
  meetingFeedback,
  meetings,
  occurrences,
  outbox,
  platforms,
  ratings,
  rsvps,
  seriesInvitees,
  seriesTags,
  sessionSeries,
  settings,
  tags,
  tutorBookings,
  users,
} from '../../src/db/schema.js';
import { HISTORY_SETTING } from '../../src/demo/history.js';
import { TOPICS } from '../../src/demo/history-texts.js';
import { chooseWindow } from '../../src/demo/live-session.js';
import { setUpDemoLms } from '../../src/demo/service.js';
import { fixedClock, startTestApp, useSimulatedLms, type TestApp } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { getPage, postForm } from '../support/http-client.js';
import { launchAs, people, readLaunchPage } from '../support/launch.js';
import { CookieJar } from '../support/platform-simulator.js';
import { textOf } from '../support/text.js';

// Wednesday 10 March 2027, 12:00 in Mexico City (the demo's zone). In the future on purpose: the
// demo LMS signs its id_tokens at the app's clock, and a past one would be refused as expired.
const NOW = new Date('2027-03-10T18:00:00Z');
const DAY = 24 * 60 * 60_000;
const MINUTE = 60_000;
const DEMO_TUTORS = ['demo-tutor-1', 'demo-tutor-2'];
const DEMO_STUDENTS = [1, 2, 3, 4, 5, 6].map((n) => `demo-student-${n}`);

/** Every table the demo content writes, counted. */
async function countAll(db: Db) {
  const tables = { sessionSeries, occurrences, seriesInvitees, seriesTags, tutorBookings, meetings, attendance, chatMessages, meetingFeedback, ratings, rsvps, tags, outbox };
  const counts: Record<string, number> = {};
  for (const [name, table] of Object.entries(tables)) counts[name] = await db.$count(table);
  return counts;
}

async function demoCourseId(db: Db): Promise<string> {
  const [row] = await db.select({ id: courses.id }).from(courses).where(eq(courses.contextId, 'demo-bio-101'));
  return row!.id;
}

async function userIdsBySub(db: Db): Promise<Map<string, string>> {
  const rows = await db.select({ id: users.id, sub: users.sub }).from(users);
  return new Map(rows.map((r) => [r.sub, r.id]));
}

/** Pulls the hidden inputs and action out of an auto-submitting form page. */
function formOf(html: string): { action: string; fields: Record<string, string> } {
  const action = html.match(/<form method="post" action="([^"]+)"/)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[name!] = value!.replace(/&#34;/g, '"').replace(/&amp;/g, '&').replace(/&#39;/g, "'");
  }
  return { action: action.replace(/&amp;/g, '&'), fields };
}

/** "Launch as" on the home page's demo form, through the demo LMS's OIDC hops, to the launch page. */
async function launchFromDemo(app: TestApp, sub: string): Promise<{ token: string; home: string }> {
  const jar = new CookieJar();
  const login = formOf(await (await postForm(`${app.baseUrl}/demo-lms/launch`, { person: sub }, { jar })).text());
  const toAuth = await postForm(login.action, login.fields, { jar });
  const launch = formOf(await (await getPage(new URL(toAuth.headers.get('location')!, app.baseUrl), { jar })).text());
  const page = readLaunchPage(await (await postForm(launch.action, launch.fields, { jar })).text());
  expect(page, 'the launch reached TutorKit').to.not.equal(null);
  return page!;
}

/** Occurrences of the course that are active at `now` (the Warmup room's rule) with everyone invited. */
async function activeForEveryone(db: Db, courseId: string, now: Date) {
  const ids = await userIdsBySub(db);
  const everyone = [...DEMO_TUTORS, ...DEMO_STUDENTS].map((s) => ids.get(s)!);
  const rows = await db
    .select({ id: occurrences.id, seriesId: occurrences.seriesId, startsAt: occurrences.startsAt, endsAt: occurrences.endsAt, status: occurrences.status, name: sessionSeries.name })
    .from(occurrences)
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .where(and(eq(occurrences.courseId, courseId), eq(occurrences.status, 'scheduled')));
  const active = [];
  for (const o of rows) {
    if (o.startsAt.getTime() > now.getTime() + 15 * MINUTE || o.endsAt <= now) continue;
    const invited = await db.select({ userId: seriesInvitees.userId }).from(seriesInvitees).where(eq(seriesInvitees.seriesId, o.seriesId));
    if (everyone.every((id) => invited.some((i) => i.userId === id))) active.push(o);
  }
  return active;
}

describe('Demo course history', function () {
  // Each starts TutorKit (and stores the history): slow on a busy machine.
  this.timeout(60_000);
  let app: TestApp;
  let db: Db;
  let courseId: string;
  before(async () => {
    app = await startTestApp({ demo: true, demoContent: true, clock: fixedClock(NOW) });
    db = app.database.db;
    courseId = await demoCourseId(db);
  });
  after(async () => app?.close());

  it('When the demo starts for the first time, then BIO 101 has about eight weeks of past sessions across five topics, run by both tutors, and two weeks to come', async () => {
    const all = await db.select().from(occurrences).where(eq(occurrences.courseId, courseId));
    const past = all.filter((o) => o.endsAt < NOW);
    const upcoming = all.filter((o) => o.startsAt > NOW);
    expect(past.length).to.be.within(20, 30);
    const earliest = Math.min(...past.map((o) => o.startsAt.getTime()));
    expect((NOW.getTime() - earliest) / DAY).to.be.within(49, 63);
    for (let week = 1; week <= 8; week++) {
      const inWeek = past.filter((o) => o.startsAt.getTime() <= NOW.getTime() - (week - 1) * 7 * DAY && o.startsAt.getTime() > NOW.getTime() - week * 7 * DAY);
      expect(inWeek.length, `sessions ${week} weeks back`).to.be.at.least(2);
    }
    expect(upcoming.length).to.be.within(5, 10);
    expect(upcoming.every((o) => o.startsAt.getTime() <= NOW.getTime() + 14 * DAY)).to.equal(true);

    const topicNames = await db.selectDistinct({ name: tags.name }).from(seriesTags).innerJoin(tags, eq(tags.id, seriesTags.tagId)).where(eq(seriesTags.courseId, courseId));
    expect(topicNames.map((t) => t.name).sort()).to.deep.equal([...TOPICS].sort());
    const ids = await userIdsBySub(db);
    const runners = await db.selectDistinct({ startedBy: meetings.startedBy }).from(meetings).where(eq(meetings.courseId, courseId));
    expect(runners.map((r) => r.startedBy).sort()).to.deep.equal(DEMO_TUTORS.map((s) => ids.get(s)!).sort());
    const invitedStudents = await db.selectDistinct({ userId: seriesInvitees.userId }).from(seriesInvitees).where(and(eq(seriesInvitees.courseId, courseId), eq(seriesInvitees.role, 'student')));
    expect(invitedStudents).to.have.length(6);

    const answers = await db.select({ response: rsvps.response, occurrenceId: rsvps.occurrenceId }).from(rsvps).where(eq(rsvps.courseId, courseId));
    expect(new Set(answers.map((a) => a.response))).to.deep.equal(new Set(['going', 'maybe', 'declined']));
    expect(answers.every((a) => upcoming.some((o) => o.id === a.occurrenceId)), 'RSVPs on sessions to come').to.equal(true);
  });

  it('When a past session was run, then it has its meeting, attendance, a short transcript during the meeting, feedback and ratings from those who came, and the irregular ones are there too', async () => {
    const past = await db.select().from(occurrences).where(and(eq(occurrences.courseId, courseId), sql`${occurrences.endsAt} < ${NOW}`));
    const runs = await db.select().from(meetings).where(eq(meetings.courseId, courseId));
    const ended = past.filter((o) => o.status === 'ended');
    expect(ended.length).to.equal(runs.length);
    expect(runs.every((m) => m.endedAt && m.endedAt > m.startedAt && m.endedAt <= NOW)).to.equal(true);
    expect(runs.filter((m) => m.endedBy === 'auto').length).to.be.within(1, 4);
    for (const m of runs.filter((r) => r.endedBy === 'auto')) {
      const o = past.find((p) => p.id === m.occurrenceId)!;
      expect(m.endedAt!.getTime() - o.endsAt.getTime(), 'ended itself an hour after its scheduled end').to.equal(60 * MINUTE);
    }

    let noShows = 0;
    for (const m of runs) {
      const came = await db.select().from(attendance).where(eq(attendance.occurrenceId, m.occurrenceId));
      const lines = await db.select().from(chatMessages).where(eq(chatMessages.occurrenceId, m.occurrenceId));
      const notes = await db.select().from(meetingFeedback).where(eq(meetingFeedback.occurrenceId, m.occurrenceId));
      const stars = await db.select().from(ratings).where(eq(ratings.occurrenceId, m.occurrenceId));
      const invited = await db
        .select({ userId: seriesInvitees.userId, role: seriesInvitees.role })
        .from(seriesInvitees)
        .innerJoin(occurrences, eq(occurrences.seriesId, seriesInvitees.seriesId))
        .where(eq(occurrences.id, m.occurrenceId));
      const students = came.filter((a) => a.role === 'student').map((a) => a.userId);
      expect(came.some((a) => a.role === 'tutor' && a.userId === m.startedBy)).to.equal(true);
      expect(lines.length).to.be.within(4, 7);
      expect(lines.every((l) => l.sentAt >= m.startedAt && l.sentAt <= m.endedAt!)).to.equal(true);
      expect(lines.every((l) => came.some((a) => a.userId === l.authorId))).to.equal(true);
      expect(notes.map((n) => n.studentId).sort()).to.deep.equal([...students].sort());
      expect(stars.every((r) => students.includes(r.studentId))).to.equal(true);
      noShows += invited.filter((i) => i.role === 'student' && !students.includes(i.userId)).length;
    }
    expect(noShows, 'invited students who never joined').to.be.within(3, 8);

    const allStars = (await db.select({ stars: ratings.stars, comment: ratings.comment }).from(ratings).where(eq(ratings.courseId, courseId))).map((r) => r.stars);
    expect(allStars.filter((s) => s >= 4).length / allStars.length).to.be.at.least(0.7);
    expect(allStars.some((s) => s <= 3)).to.equal(true);

    // A tutor who never started: the occurrence is over, still scheduled, without a meeting; students waited in the room.
    const unstarted = past.filter((o) => o.status === 'scheduled' && !runs.some((m) => m.occurrenceId === o.id));
    expect(unstarted).to.have.length(1);
    expect(await db.$count(attendance, eq(attendance.occurrenceId, unstarted[0]!.id))).to.equal(2);
    const cancelled = past.filter((o) => o.status === 'cancelled');
    expect(cancelled).to.have.length(1);
    expect(await db.$count(attendance, eq(attendance.occurrenceId, cancelled[0]!.id))).to.equal(0);
    expect(await db.$count(tutorBookings, eq(tutorBookings.occurrenceId, cancelled[0]!.id))).to.equal(0);
  });

  it('When tutors wrote feedback, then most diagnoses are adequate and demonstrated, some are low, one student has several, and each tutor has drafts still to finish', async () => {
    const rows = await db.select().from(meetingFeedback).where(eq(meetingFeedback.courseId, courseId));
    const finished = rows.filter((f) => f.finishedAt);
    expect(finished.every((f) => f.forStudent && f.private && f.prerequisite && f.mastery && f.topicTagId)).to.equal(true);
    const fine = finished.filter((f) => f.prerequisite === 'adequate' && f.mastery === 'demonstrated');
    expect(fine.length / finished.length).to.be.within(0.6, 0.95);
    expect(finished.some((f) => f.prerequisite === 'low')).to.equal(true);
    expect(finished.some((f) => f.mastery === 'not_demonstrated')).to.equal(true);
    const lowsByStudent = new Map<string, number>();
    for (const f of finished.filter((r) => r.prerequisite === 'low' || r.mastery === 'not_demonstrated')) lowsByStudent.set(f.studentId, (lowsByStudent.get(f.studentId) ?? 0) + 1);
    expect(Math.max(...lowsByStudent.values()), 'one student with several low diagnoses').to.be.at.least(4);

    const drafts = rows.filter((f) => !f.finishedAt);
    expect(drafts.length).to.be.within(2, 4);
    const ids = await userIdsBySub(db);
    expect(new Set(drafts.map((d) => d.authorId))).to.deep.equal(new Set(DEMO_TUTORS.map((s) => ids.get(s)!)));
    expect(drafts.every((d) => d.private === ''), 'a draft has no private note yet').to.equal(true);
  });

  it('When the history is stored, then every session keeps its tutors booked, nobody was emailed, and nothing is outside the demo course and its site', async () => {
    const live = await db.select({ id: occurrences.id, seriesId: occurrences.seriesId }).from(occurrences).where(ne(occurrences.status, 'cancelled'));
    for (const o of live) {
      const tutorCount = await db.$count(seriesInvitees, and(eq(seriesInvitees.seriesId, o.seriesId), eq(seriesInvitees.role, 'tutor')));
      expect(await db.$count(tutorBookings, eq(tutorBookings.occurrenceId, o.id))).to.equal(tutorCount);
    }
    expect(await db.$count(outbox)).to.equal(0);
    for (const table of [sessionSeries, occurrences, seriesInvitees, seriesTags, meetings, attendance, chatMessages, meetingFeedback, ratings, rsvps]) {
      expect(await db.$count(table, ne(table.courseId, courseId))).to.equal(0);
    }
    const [demoPlatform] = await db.select({ id: platforms.id }).from(platforms).where(eq(platforms.isDemo, true));
    expect(await db.$count(tags, ne(tags.platformId, demoPlatform!.id))).to.equal(0);
  });

  it('When TutorKit starts again, even a week later, then the history is not stored twice', async () => {
    const before = await countAll(db);
    await setUpDemoLms(db, app.baseUrl, async () => undefined, () => NOW, { content: true });
    await setUpDemoLms(db, app.baseUrl, async () => undefined, () => new Date(NOW.getTime() + 7 * DAY), { content: true });
    expect(await countAll(db)).to.deep.equal(before);
  });
});

describe('Demo course history beside another course', function () {
  // Each starts TutorKit (and stores the history): slow on a busy machine.
  this.timeout(60_000);
  const lms = useSimulatedLms({ app: { demo: true, clock: fixedClock(NOW) } });

  it('When a real course exists first and the demo content is turned on later (by two instances at once), then the history goes only into the demo course, once', async () => {
    const tutor = await launchAs(lms.app, lms.sim, { user: people.tutor() });
    const db = lms.app.database.db;
    expect(await db.$count(sessionSeries), 'the test default leaves the demo course empty').to.equal(0);
    // Two instances starting on one database at once store it once.
    const start = () => setUpDemoLms(db, lms.app.baseUrl, async () => undefined, () => NOW, { content: true });
    await Promise.all([start(), start()]);
    const demo = await demoCourseId(db);
    expect(await db.$count(sessionSeries)).to.equal(await db.$count(sessionSeries, eq(sessionSeries.courseId, demo)));
    expect(await db.$count(sessionSeries, eq(sessionSeries.courseId, demo))).to.be.greaterThan(20);
    expect(await db.$count(sessionSeries, eq(sessionSeries.courseId, tutor.courseId))).to.equal(0);
    const [simPlatform] = await db.select({ id: platforms.id }).from(platforms).where(eq(platforms.isDemo, false));
    expect(await db.$count(tags, eq(tags.platformId, simPlatform!.id))).to.equal(0);
  });
});

describe('Demo content switched off', function () {
  // Each starts TutorKit (and stores the history): slow on a busy machine.
  this.timeout(60_000);
  it('When DEMO is off, then no history, no tags and no marker are stored, even with demo content asked for', async () => {
    const app = await startTestApp({ demo: false, demoContent: true, clock: fixedClock(NOW) });
    try {
      const db = app.database.db;
      expect(await db.$count(sessionSeries)).to.equal(0);
      expect(await db.$count(tags)).to.equal(0);
      expect(await db.$count(settings, eq(settings.key, HISTORY_SETTING))).to.equal(0);
    } finally {
      await app.close();
    }
  });

  it('When the demo is on without its content (the tests’ default), then launches find the demo course empty', async () => {
    const app = await startTestApp({ demo: true, clock: fixedClock(NOW) });
    try {
      await launchFromDemo(app, 'demo-tutor-1');
      expect(await app.database.db.$count(sessionSeries)).to.equal(0);
      expect(await app.database.db.$count(settings, eq(settings.key, HISTORY_SETTING))).to.equal(0);
    } finally {
      await app.close();
    }
  });
});

describe('A session to join at every demo launch', function () {
  // Each starts TutorKit (and stores the history): slow on a busy machine.
  this.timeout(60_000);
  const clock = fixedClock(NOW);
  let app: TestApp;
  let db: Db;
  let courseId: string;
  before(async () => {
    app = await startTestApp({ demo: true, demoContent: true, clock });
    db = app.database.db;
    courseId = await demoCourseId(db);
  });
  after(async () => app?.close());

  const dropIns = () => db.select().from(sessionSeries).where(and(eq(sessionSeries.courseId, courseId), eq(sessionSeries.name, 'Drop-in help: ask a tutor')));

  it('When a newcomer launches as a tutor and then as a student, then one session with both tutors and all six students is on, and the student sees it', async () => {
    expect(await activeForEveryone(db, courseId, NOW), 'nothing is on before the first launch').to.have.length(0);
    await launchFromDemo(app, 'demo-tutor-1');
    const student = await launchFromDemo(app, 'demo-student-2');
    const active = await activeForEveryone(db, courseId, NOW);
    expect(active).to.have.length(1);
    expect(active[0]!.startsAt.getTime()).to.be.at.most(NOW.getTime());
    expect(active[0]!.endsAt.getTime() - active[0]!.startsAt.getTime()).to.equal(60 * MINUTE);
    const added = await dropIns();
    expect(added).to.have.length(1);
    expect(added[0]!.meetingUrl, 'Start meeting has a link to open').to.equal('https://meet.jit.si/TutorKit-BIO101-demo-drop-in');
    const home = textOf(await (await htmx(app, student, student.home)).text());
    expect(home).to.contain('Drop-in help: ask a tutor');
    expect(await db.$count(outbox, eq(outbox.kind, 'invitation')), 'no invitation emails').to.equal(0);
  });

  it('When the demo is launched a day later, then the old drop-in is over and a new one is on', async () => {
    const tomorrow = new Date(NOW.getTime() + DAY + 7 * MINUTE + 30_000);
    clock.set(tomorrow);
    expect(await activeForEveryone(db, courseId, tomorrow)).to.have.length(0);
    await launchFromDemo(app, 'demo-student-5');
    const active = await activeForEveryone(db, courseId, tomorrow);
    expect(active).to.have.length(1);
    expect(active[0]!.startsAt.toISOString()).to.equal(new Date(NOW.getTime() + DAY + 7 * MINUTE).toISOString());
    expect(await dropIns()).to.have.length(2);
  });

  it('When the tutor ended the drop-in early, then the next launch gives its unused time back and starts a new one with both tutors at once', async () => {
    const [current] = await activeForEveryone(db, courseId, clock.now());
    const ids = await userIdsBySub(db);
    const endedAt = new Date(current!.startsAt.getTime() + 10 * MINUTE + 20_000);
    await db.insert(meetings).values({ occurrenceId: current!.id, courseId, startedBy: ids.get('demo-tutor-1')!, startedAt: current!.startsAt, endedAt, endedBy: 'tutor' });
    await db.update(occurrences).set({ status: 'ended' }).where(eq(occurrences.id, current!.id));
    const later = new Date(current!.startsAt.getTime() + 12 * MINUTE);
    clock.set(later);
    await launchFromDemo(app, 'demo-tutor-2');
    const [fresh] = await activeForEveryone(db, courseId, later);
    expect(fresh, 'a new session is on').to.not.equal(undefined);
    expect(fresh!.id).to.not.equal(current!.id);
    const [old] = await db.select().from(occurrences).where(eq(occurrences.id, current!.id));
    expect(old!.endsAt.toISOString(), 'scheduled end moved to the minute it ended').to.equal(new Date(current!.startsAt.getTime() + 11 * MINUTE).toISOString());
    const booked = await db.select().from(tutorBookings).where(eq(tutorBookings.occurrenceId, fresh!.id));
    expect(booked).to.have.length(2);
  });

  it('When two windows launch at the same moment with nothing on, then one drop-in is added', async () => {
    const before = (await dropIns()).length;
    clock.set(new Date(NOW.getTime() + 2 * DAY));
    await Promise.all([launchFromDemo(app, 'demo-tutor-1'), launchFromDemo(app, 'demo-student-3')]);
    expect(await dropIns()).to.have.length(before + 1);
    expect(await activeForEveryone(db, courseId, clock.now())).to.have.length(1);
  });

  it('When someone launches again while the drop-in is on, then no second one is added', async () => {
    const before = (await dropIns()).length;
    expect(before, 'the earlier launches added drop-ins').to.be.at.least(1);
    await launchFromDemo(app, 'demo-instructor-1');
    await launchFromDemo(app, 'demo-student-1');
    expect(await dropIns()).to.have.length(before);
    expect(await db.$count(seriesInvitees, inArray(seriesInvitees.seriesId, (await dropIns()).map((s) => s.id)))).to.equal(before * 8);
  });
});

describe('When the drop-in can start (chooseWindow)', () => {
  const maya = 'maya';
  const diego = 'diego';
  const at = (minutes: number) => new Date(NOW.getTime() + minutes * MINUTE);
  const booking = (tutorId: string, from: number, to: number) => ({ tutorId, startsAt: at(from), endsAt: at(to) });

  it('When both tutors are free, then it starts this minute for an hour with both', () => {
    const now = new Date(NOW.getTime() + 25_000);
    expect(chooseWindow([], [maya, diego], now)).to.deep.equal({ start: NOW, end: at(60), tutorIds: [maya, diego] });
  });

  it('When a tutor has another session starting in 40 minutes, then the drop-in ends when it starts', () => {
    expect(chooseWindow([booking(diego, 40, 100)], [maya, diego], NOW)).to.deep.equal({ start: NOW, end: at(40), tutorIds: [maya, diego] });
  });

  it('When both tutors finish other sessions in five minutes, then it starts then with both', () => {
    expect(chooseWindow([booking(maya, -55, 5), booking(diego, -30, 5)], [maya, diego], NOW)).to.deep.equal({ start: at(5), end: at(65), tutorIds: [maya, diego] });
  });

  it('When one tutor is busy for the next half hour, then it starts now with the other', () => {
    expect(chooseWindow([booking(maya, -10, 30)], [maya, diego], NOW)).to.deep.equal({ start: NOW, end: at(60), tutorIds: [diego] });
  });

  it('When one tutor is busy and the other has a session in ten minutes, then there is no drop-in', () => {
    expect(chooseWindow([booking(maya, -10, 50), booking(diego, 10, 70)], [maya, diego], NOW)).to.equal(null);
  });
});
