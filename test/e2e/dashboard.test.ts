// The Dashboard and View meeting history in a real browser: a student lands on the Dashboard, sees
// an Active session with Join, answers an RSVP in place (announced, focus kept), then filters their
// history and opens a record; the tutor sees feedback still to write and the private feedback.
// axe-core checks each page. The clock is frozen on Monday 1 March 2027, 15:00 UTC.
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import * as schema from '../../src/db/schema.js';
import { fixedClock } from '../support/app.js';
import { expectNoAxeViolations, launchFromDemo, openPage, screenshot, unexpectedProblems, useDemoApp, type WatchedPage } from './support.js';

const NOW = new Date('2027-03-01T15:00:00Z');
const TUTOR = 'Maya Chen';
const STUDENT = 'Priya Natarajan';
const PRIVATE = 'Guessed on the last three questions';

describe('Dashboard and meeting history in a browser', () => {
  const clock = fixedClock(NOW);
  const env = useDemoApp({ clock });
  let watched: WatchedPage;
  let page: Page;
  const occ = {} as Record<'active' | 'upcoming' | 'past' | 'osmosis', string>;

  const db = () => env.app.database.db;
  const idOf = async (sub: string) => (await db().select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.sub, sub)))[0]!.id;
  const expectNoProblems = () => expect(unexpectedProblems(watched.problems), 'the browser reported errors').to.deep.equal([]);

  before(async () => {
    await db().delete(schema.availabilityHours);
    await db().update(schema.users).set({ timeZone: 'UTC' });
    // Both launch once, so that they are members of the demo course.
    for (const [role, name] of [['tutor', TUTOR], ['student', STUDENT]] as const) {
      const w = await openPage(env.browser);
      await launchFromDemo(w.page, env.app.baseUrl, role, name);
      await w.context.close();
    }
    const tutorId = await idOf('demo-tutor-1');
    const studentId = await idOf('demo-student-1');
    const courseId = (await db().select({ id: schema.courses.id }).from(schema.courses))[0]!.id;
    const scheduling = env.app.built.services.scheduling;
    const add = async (name: string, start: string, minutes = 60) => {
      const at = new Date(start);
      if (at <= NOW) clock.set(new Date(at.getTime() - 86_400_000));
      await scheduling.addSessions(
        { userId: tutorId },
        { name, courseId, startDate: start.slice(0, 10), startTime: start.slice(11, 16), zone: 'UTC', lengthValue: String(minutes), lengthUnit: 'minutes', repeat: 'none', tutorIds: tutorId, studentIds: studentId, invitedOnly: 'on' },
      );
      clock.set(NOW);
      return (await db().select({ id: schema.occurrences.id }).from(schema.occurrences).innerJoin(schema.sessionSeries, eq(schema.sessionSeries.id, schema.occurrences.seriesId)).where(eq(schema.sessionSeries.name, name)))[0]!.id;
    };
    occ.active = await add('Cell biology drop-in', '2027-03-01T15:10:00Z');
    occ.upcoming = await add('Genetics review', '2027-03-03T16:00:00Z');
    occ.past = await add('Photosynthesis clinic', '2027-02-22T16:00:00Z', 45);
    const start = new Date('2027-02-22T16:01:00Z');
    const end = new Date('2027-02-22T16:41:00Z');
    await db().insert(schema.meetings).values({ occurrenceId: occ.past, courseId, startedBy: tutorId, startedAt: start, endedAt: end, endedBy: 'tutor' });
    await db().update(schema.occurrences).set({ status: 'ended' }).where(eq(schema.occurrences.id, occ.past));
    await db().insert(schema.attendance).values([
      { occurrenceId: occ.past, courseId, userId: tutorId, role: 'tutor', firstJoinedAt: start, lastLeftAt: end, lastSeenAt: end },
      { occurrenceId: occ.past, courseId, userId: studentId, role: 'student', firstJoinedAt: start, lastLeftAt: end, lastSeenAt: end },
    ]);
    await db().insert(schema.meetingFeedback).values({ occurrenceId: occ.past, courseId, studentId, authorId: tutorId, forStudent: 'Review the light reactions before Thursday.', private: PRIVATE, prerequisite: 'low', mastery: 'demonstrated', finishedAt: end });
    await db().insert(schema.ratings).values({ occurrenceId: occ.past, courseId, studentId, stars: 5, comment: 'Very clear' });
    // Ran, and the tutor has not written the feedback yet.
    occ.osmosis = await add('Osmosis lab', '2027-02-26T16:00:00Z');
    const osmosis = new Date('2027-02-26T16:00:00Z');
    await db().insert(schema.meetings).values({ occurrenceId: occ.osmosis, courseId, startedBy: tutorId, startedAt: osmosis, endedAt: new Date(osmosis.getTime() + 3_600_000), endedBy: 'tutor' });
    await db().insert(schema.attendance).values({ occurrenceId: occ.osmosis, courseId, userId: studentId, role: 'student', firstJoinedAt: osmosis, lastLeftAt: new Date(osmosis.getTime() + 3_600_000), lastSeenAt: osmosis });
  });
  beforeEach(async () => {
    watched = await openPage(env.browser, { timezoneId: 'UTC' });
    page = watched.page;
  });
  afterEach(async () => {
    await watched.context.close();
  });

  it('When a student launches, then the Dashboard shows the Active session with Join and lets them answer Going in place, announced and with the focus kept', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'student', STUDENT);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const active = page.getByRole('region', { name: 'Active sessions' });
    expect(await active.innerText()).to.contain('Cell biology drop-in').and.contain('Starts in 10 minutes');
    expect(await active.getByRole('link', { name: 'Join Cell biology drop-in' }).getAttribute('href')).to.match(new RegExp(`/sessions/${occ.active}/room$`));
    await screenshot(page, 'student-dashboard-active');
    await expectNoAxeViolations(page);

    const row = page.locator(`#dash-${occ.upcoming}`);
    await row.getByRole('button', { name: 'Going', exact: true }).click();
    await page.locator('#messages').getByText('Saved: your answer for Genetics review').waitFor();
    expect(await row.getByRole('button', { name: 'Going', exact: true }).getAttribute('aria-pressed')).to.equal('true');
    expect(await row.getByRole('button', { name: 'Not going' }).getAttribute('aria-pressed')).to.equal('false');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).to.equal('Going');
    const [stored] = await db().select({ response: schema.rsvps.response }).from(schema.rsvps).where(eq(schema.rsvps.occurrenceId, occ.upcoming));
    expect(stored?.response).to.equal('going');
    await screenshot(page, 'student-dashboard-rsvp');
    await expectNoAxeViolations(page);
    expectNoProblems();
  });

  it('When the student opens View meeting history, filters it and opens a record, then they see their feedback and rating and never the private feedback', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'student', STUDENT);
    await page.getByRole('link', { name: 'View meeting history' }).click();
    await page.getByRole('heading', { level: 1, name: 'Meeting history' }).waitFor();
    expect(await page.locator('table').innerText()).to.contain('Photosynthesis clinic').and.contain('40 minutes').and.contain('You attended');
    await screenshot(page, 'student-history');
    await expectNoAxeViolations(page);

    await page.getByLabel('From').fill('2027-02-27');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No past session matches these filters.').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'history-results-heading');
    expect(new URL(page.url()).search).to.equal('?from=2027-02-27&to=&topic=');
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await page.getByRole('link', { name: 'Photosynthesis clinic' }).click();
    await page.getByRole('heading', { level: 1, name: 'Photosynthesis clinic' }).waitFor();
    const main = await page.locator('main').innerText();
    expect(main).to.contain('Review the light reactions before Thursday.').and.contain('5 out of 5');
    expect(main).not.to.contain(PRIVATE);
    expect(await page.content()).not.to.contain(PRIVATE);
    await screenshot(page, 'student-record');
    await expectNoAxeViolations(page);
    expectNoProblems();
  });

  it('When the tutor opens the Dashboard and a record, then they see the feedback still to write, and the record shows the private feedback, diagnosis and ratings', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'tutor', TUTOR);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expect(await page.getByRole('region', { name: 'Feedback still to write' }).innerText()).to.contain('Osmosis lab').and.contain('1 student without feedback');
    await screenshot(page, 'tutor-dashboard');
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'View meeting history' }).click();
    await page.getByRole('link', { name: 'Photosynthesis clinic' }).click();
    await page.getByRole('heading', { level: 1, name: 'Photosynthesis clinic' }).waitFor();
    const main = await page.locator('main').innerText();
    expect(main).to.contain(PRIVATE).and.contain('Low').and.contain('Finished').and.contain('Very clear');
    await screenshot(page, 'tutor-record');
    await expectNoAxeViolations(page);
    expectNoProblems();
  });
});
