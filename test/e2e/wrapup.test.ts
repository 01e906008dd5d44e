// The end of a session in a real browser, launched through the demo LMS: the tutor ends the
// meeting, finishes one student's feedback and diagnosis (after a refused Finish for another),
// then the student reads the feedback meant for them, sees the Exit resources and rates the session
// by keyboard. The Warmup room is another part's work: the session, its meeting and attendance are
// stored directly, an hour ago on the real clock.
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { attendance, courses, meetingFeedback, meetings, occurrences, ratings, seriesInvitees, seriesTags, sessionResources, sessionSeries, tags, users } from '../../src/db/schema.js';
import { expectNoAxeViolations, launchFromDemo, openPage, screenshot, unexpectedProblems, useDemoApp, type WatchedPage } from './support.js';

const SECRET = 'Private: check the photosynthesis misconception next time.';

describe('The end of a session in a browser: End meeting, feedback, rating', () => {
  const env = useDemoApp();
  let watched: WatchedPage;
  let page: Page;
  const ids = {} as Record<string, string>;

  before(async () => {
    const db = env.app.database.db;
    const idOf = async (sub: string) => (await db.select({ id: users.id, platformId: users.platformId }).from(users).where(eq(users.sub, sub)))[0]!;
    const tutor = await idOf('demo-tutor-1');
    const [priya, liam] = [await idOf('demo-student-1'), await idOf('demo-student-2')];
    const [course] = await db.select({ id: courses.id }).from(courses).where(eq(courses.contextId, 'demo-bio-101'));
    Object.assign(ids, { tutor: tutor.id, priya: priya.id, liam: liam.id, course: course!.id });
    const [topic] = await db.insert(tags).values({ platformId: tutor.platformId, category: 'topic', name: 'Photosynthesis' }).returning({ id: tags.id });
    const now = Date.now();
    const [series] = await db
      .insert(sessionSeries)
      .values({ courseId: ids.course!, createdBy: ids.tutor!, name: 'Cell biology review', timeZone: 'UTC', startDate: '2000-01-01', startTime: '00:00', durationMinutes: 60, repeat: { freq: 'none' } })
      .returning({ id: sessionSeries.id });
    const seriesId = series!.id;
    await db.insert(seriesInvitees).values([
      { seriesId, courseId: ids.course!, userId: ids.tutor!, role: 'tutor' },
      { seriesId, courseId: ids.course!, userId: ids.priya!, role: 'student' },
      { seriesId, courseId: ids.course!, userId: ids.liam!, role: 'student' },
    ]);
    await db.insert(seriesTags).values({ seriesId, courseId: ids.course!, tagId: topic!.id });
    await db.insert(sessionResources).values({ seriesId, courseId: ids.course!, kind: 'exit', title: 'Chloroplast quiz', url: 'https://example.edu/chloroplast-quiz', position: 0 });
    const startsAt = new Date(now - 60 * 60_000);
    const [occ] = await db.insert(occurrences).values({ seriesId, courseId: ids.course!, startsAt, endsAt: new Date(now), originalStartsAt: startsAt }).returning({ id: occurrences.id });
    ids.occurrence = occ!.id;
    await db.insert(meetings).values({ occurrenceId: ids.occurrence, courseId: ids.course!, startedBy: ids.tutor!, startedAt: new Date(now - 55 * 60_000) });
    await db.insert(attendance).values(
      [ids.tutor!, ids.priya!, ids.liam!].map((userId, i) => ({
        occurrenceId: ids.occurrence!,
        courseId: ids.course!,
        userId,
        role: i === 0 ? ('tutor' as const) : ('student' as const),
        firstJoinedAt: new Date(now - 55 * 60_000),
        lastSeenAt: new Date(now),
      })),
    );
  });
  afterEach(async () => {
    await watched?.context.close();
  });

  /** Opens a TutorKit page in this tab with its token, as the launch page does for the home page. */
  async function open(path: string) {
    await page.evaluate(async (to) => {
      const htmx = (window as unknown as { htmx: { ajax(method: string, path: string, options: unknown): Promise<void> } }).htmx;
      await htmx.ajax('GET', to, { target: 'body', swap: 'innerHTML' });
      window.history.replaceState(null, '', to);
    }, path);
  }

  async function launch(role: 'tutor' | 'student', person: string) {
    watched = await openPage(env.browser, { viewport: { width: 1100, height: 900 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    page = watched.page;
    await launchFromDemo(page, env.app.baseUrl, role, person);
  }

  const section = (name: string) => page.getByRole('region', { name, exact: true });
  /** 422 and 409 answers are expected where the story refuses something; Chromium logs them. */
  const expectNoProblems = () => expect(unexpectedProblems(watched.problems).filter((p) => !/status of 422/.test(p)), 'the browser reported errors').to.deep.equal([]);

  it('When the tutor ends the meeting and writes feedback, then the meeting is ended, a refused Finish shows its errors, and a finished one is stored', async () => {
    await launch('tutor', 'Maya Chen');
    await open(`/c/${ids.course}/sessions/${ids.occurrence}/feedback`);
    await page.getByRole('heading', { level: 1, name: 'Feedback: Cell biology review' }).waitFor();
    await expectNoAxeViolations(page);
    await screenshot(page, 'wrapup-feedback-running');

    await page.getByRole('button', { name: 'End meeting' }).click();
    await page.getByText('The meeting has ended. Leave feedback for each student who attended.').waitFor();
    expect((await env.app.database.db.select().from(meetings).where(eq(meetings.occurrenceId, ids.occurrence!)))[0]!.endedBy).to.equal('tutor');
    expect(await page.getByRole('button', { name: 'End meeting' }).count()).to.equal(0);

    // Liam: Finish without the diagnosis is refused; the summary takes the focus and links to each field.
    const liam = section("Liam O'Connor");
    await liam.getByLabel('Feedback for the student').fill('Good questions about the Calvin cycle.');
    await liam.getByRole('button', { name: 'Finish' }).click();
    await section("Liam O'Connor").getByText('This feedback was not saved.').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal(`wrap-errors-${ids.liam}`);
    expect(await section("Liam O'Connor").getByLabel('Feedback for the student').inputValue(), 'what was typed is kept').to.equal('Good questions about the Calvin cycle.');
    await expectNoAxeViolations(page);
    await screenshot(page, 'wrapup-feedback-refused');

    // Priya: feedback, private feedback and the diagnosis (radios by keyboard), then Finish.
    const priya = section('Priya Natarajan');
    await priya.getByLabel('Feedback for the student').fill('You explained light reactions clearly.');
    await priya.getByLabel('Private feedback').fill(SECRET);
    await priya.getByRole('group', { name: 'Prerequisite knowledge' }).getByLabel('Adequate').focus();
    await page.keyboard.press('ArrowDown');
    await priya.getByRole('group', { name: 'Content mastery' }).getByLabel('Demonstrated', { exact: true }).check();
    expect(await priya.getByLabel('Topic tag').locator('option:checked').innerText()).to.equal('Photosynthesis');
    await priya.getByRole('button', { name: 'Finish' }).click();
    await page.locator('#wrap-status').getByText('Feedback finished. (Priya Natarajan)').waitFor();
    const [row] = await env.app.database.db.select().from(meetingFeedback).where(and(eq(meetingFeedback.occurrenceId, ids.occurrence!), eq(meetingFeedback.studentId, ids.priya!)));
    expect(row).to.include({ prerequisite: 'low', mastery: 'demonstrated', private: SECRET });
    expect(row!.finishedAt).to.be.instanceOf(Date);
    await expectNoAxeViolations(page);
    await screenshot(page, 'wrapup-feedback-finished');
    expectNoProblems();
  });

  it('When the student opens the rating, then they see the Exit resources and their feedback (never the private note) and rate by keyboard', async () => {
    await launch('student', 'Priya Natarajan');
    await open(`/c/${ids.course}/sessions/${ids.occurrence}/rating`);
    await page.getByRole('heading', { level: 1, name: 'Rate Cell biology review' }).waitFor();
    const main = await page.locator('main').innerText();
    expect(main).to.contain('Chloroplast quiz').and.to.contain('You explained light reactions clearly.');
    expect(await page.content()).not.to.contain(SECRET);
    await expectNoAxeViolations(page);

    const stars = page.getByRole('group', { name: 'How was this session?' });
    await stars.getByLabel('1 star').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Tab');
    await page.keyboard.type('The diagrams helped.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('#wrap-rating-status').getByText('Thank you: your rating was saved.').waitFor();
    const rows = await env.app.database.db.select().from(ratings).where(eq(ratings.occurrenceId, ids.occurrence!));
    expect(rows.map((r) => [r.stars, r.comment])).to.deep.equal([[4, 'The diagrams helped.']]);
    expect(await page.getByRole('button', { name: 'Change rating' }).count()).to.equal(1);
    expect(await page.content()).not.to.contain(SECRET);
    await expectNoAxeViolations(page);
    await screenshot(page, 'wrapup-rating-saved');
    expectNoProblems();
  });
});
