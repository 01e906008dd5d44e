// The Sessions calendar in a real browser: a tutor schedules a weekly session through the Add sessions
// form, finds it on the month, week and list views, moves between them with htmx, and the invited
// student sees it in their own zone. The clock is frozen on Wednesday 3 March 2027, 10:00 New York.
import { expect } from 'chai';
import { eq, inArray } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { availabilityHours, memberships, users } from '../../src/db/schema.js';
import { fixedClock } from '../support/app.js';
import { expectNoAxeViolations, launchFromDemo, openMySessions, openPage, screenshot, unexpectedProblems, useDemoApp, type WatchedPage } from './support.js';

const TUTOR = 'Maya Chen';
const STUDENT = 'Priya Natarajan';
const NAME = 'Cell biology drop-in';

describe('Sessions calendar in a browser', () => {
  const env = useDemoApp({ clock: fixedClock('2027-03-03T15:00:00Z') });
  let watched: WatchedPage;
  let page: Page;

  before(async () => {
    // The tutor schedules and reads in New York, the student reads in Berlin (settings will set these).
    const db = env.app.database.db;
    // This story is about the calendar, not availability: nobody has weekly hours.
    await db.delete(availabilityHours);
    await db.update(users).set({ timeZone: 'America/New_York' }).where(inArray(users.sub, ['demo-tutor-1']));
    await db.update(users).set({ timeZone: 'Europe/Berlin' }).where(inArray(users.sub, ['demo-student-1']));
  });
  beforeEach(async () => {
    watched = await openPage(env.browser);
    page = watched.page;
  });
  afterEach(async () => {
    await watched.context.close();
  });

  const heading = () => page.locator('#calendar-heading');
  const calendar = () => page.locator('#calendar');
  /** The month cell of a day, found by the full date screen readers hear. */
  const cell = (label: string) => page.locator('td.calendar-day', { has: page.locator('.day-label', { hasText: new RegExp(`^${label}$`) }) });
  const entriesOf = async (label: string) => (await cell(label).locator('.calendar-entry a').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  const expectNoProblems = () => expect(unexpectedProblems(watched.problems), 'the browser reported errors').to.deep.equal([]);

  /** Clicks a calendar link and waits until htmx has swapped in the calendar titled `title`. */
  async function navigate(name: string, title: string) {
    const [request] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname.endsWith('/sessions') && r.headers()['hx-target'] === 'calendar'),
      calendar().getByRole('link', { name, exact: true }).first().click(),
    ]);
    expect(request.headers()['authorization'], 'the token travels with the calendar request').to.match(/^Bearer /);
    await heading().filter({ hasText: new RegExp(`^${title}$`) }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'calendar-heading');
  }

  it('When a tutor schedules a weekly session, then the month shows it on Tuesdays and Thursdays at 16:00, and Next, Previous, Today, Week and List work with htmx', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'tutor', TUTOR);
    await openMySessions(page);
    expect(await heading().innerText()).to.equal('March 2027');
    expect(await calendar().innerText()).to.contain('No sessions in this month.');

    await page.getByRole('link', { name: 'Add sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Add sessions' }).waitFor();
    await page.getByLabel('Session name').fill(NAME);
    await page.getByLabel('Start date').fill('2027-03-09');
    await page.getByLabel('Start time').fill('16:00');
    await page.locator('#repeat').selectOption('weekly');
    await page.getByRole('checkbox', { name: 'Tuesday' }).check();
    await page.getByRole('checkbox', { name: 'Thursday' }).check();
    await page.getByRole('radio', { name: 'After' }).check();
    await page.getByLabel('Number of sessions').fill('4');
    await page.getByRole('checkbox', { name: STUDENT }).check();
    await page.getByRole('button', { name: 'Save' }).click();

    await page.getByText('Your session was saved and added to the calendars of everyone invited.').waitFor();
    expect(await page.locator('main h1').innerText()).to.equal('My sessions');
    expect(await heading().innerText()).to.equal('March 2027');
    expect(await calendar().locator('.calendar-zone').innerText()).to.equal('Times in America/New York');
    // New York changes to daylight time on 14 March; the session stays at 16:00 local.
    for (const day of ['Tuesday 9 March 2027', 'Thursday 11 March 2027', 'Tuesday 16 March 2027', 'Thursday 18 March 2027']) {
      expect(await entriesOf(day), day).to.deep.equal([`16:00 ${NAME}`]);
    }
    expect(await entriesOf('Tuesday 23 March 2027'), 'after 4 sessions').to.deep.equal([]);
    expect(await entriesOf('Wednesday 10 March 2027')).to.deep.equal([]);
    expect(await cell('Wednesday 3 March 2027').getAttribute('aria-current')).to.equal('date');
    expect(await page.getByRole('table').locator('caption').innerText()).to.contain('March 2027');
    expect(await page.getByRole('link', { name: 'Month', exact: true }).getAttribute('aria-current')).to.equal('true');
    await screenshot(page, 'calendar-tutor-month');
    await expectNoAxeViolations(page);

    await navigate('Next month', 'April 2027');
    expect(new URL(page.url()).search).to.equal('?view=month&date=2027-04-03');
    expect(await calendar().innerText()).to.contain('No sessions in this month.');
    expect(await page.locator('main h1').innerText(), 'the page around the calendar stays').to.equal('My sessions');
    expect(await page.locator('.notice-ok').count(), 'the saved notice was the page’s').to.equal(1);
    await navigate('Previous month', 'March 2027');
    expect(await entriesOf('Thursday 11 March 2027')).to.deep.equal([`16:00 ${NAME}`]);
    await navigate('Next month', 'April 2027');
    await navigate('Today', 'March 2027');
    expect(new URL(page.url()).search).to.equal('?view=month');

    await navigate('Week', '1–7 March 2027');
    expect(await calendar().innerText()).to.contain('No sessions in this week.');
    expect(await page.getByRole('link', { name: 'Week', exact: true }).getAttribute('aria-current')).to.equal('true');
    await navigate('Next week', '8–14 March 2027');
    const days = calendar().locator('.calendar-week > li');
    expect(await days.count()).to.equal(7);
    expect(await days.nth(1).locator('.calendar-entry').innerText()).to.equal(`16:00–17:00 ${NAME}`);
    expect(await days.nth(3).locator('.calendar-entry').innerText()).to.equal(`16:00–17:00 ${NAME}`);
    expect(await days.nth(2).innerText()).to.contain('No sessions');
    await screenshot(page, 'calendar-tutor-week');
    await expectNoAxeViolations(page);

    await navigate('List', 'Sessions from Wednesday 10 March 2027');
    await navigate('Today', 'Upcoming sessions');
    expect(await calendar().locator('h3').allInnerTexts()).to.deep.equal(['Tuesday 9 March 2027', 'Thursday 11 March 2027', 'Tuesday 16 March 2027', 'Thursday 18 March 2027']);
    expect(await calendar().locator('.calendar-entry').first().innerText()).to.contain(`16:00–17:00 ${NAME}`);
    await screenshot(page, 'calendar-tutor-list');
    await expectNoAxeViolations(page);

    // Back re-fetches the previous address as a whole page (no history cache), with the token.
    await page.goBack();
    await heading().filter({ hasText: /^Sessions from Wednesday 10 March 2027$/ }).waitFor();
    expect(await page.locator('main h1').innerText()).to.equal('My sessions');
    expect(await page.locator('header.site-header .who-name').innerText()).to.equal(TUTOR);

    await calendar().getByRole('link', { name: NAME }).first().click();
    await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
    expectNoProblems();
  });

  it('When a keyboard user presses Enter on Next, then the next month loads and focus moves to its heading', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'tutor', TUTOR);
    await openMySessions(page);
    await calendar().getByRole('link', { name: 'Next month' }).focus();
    await page.keyboard.press('Enter');
    await heading().filter({ hasText: /^April 2027$/ }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'calendar-heading');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.replace(/\s+/g, ' ').trim())).to.equal('‹ Previous month');
    expectNoProblems();
  });

  it('When a day has more sessions than a month cell shows, then "+2 more" opens that day’s week with all five', async () => {
    const db = env.app.database.db;
    const [tutor] = await db.select({ id: users.id }).from(users).where(eq(users.sub, 'demo-tutor-1'));
    const [membership] = await db.select({ courseId: memberships.courseId }).from(memberships).where(eq(memberships.userId, tutor!.id));
    for (const [i, startTime] of ['09:00', '10:00', '11:00', '12:00', '13:00'].entries()) {
      await env.app.built.services.scheduling.addSessions({ userId: tutor!.id }, { name: `Lab clinic ${i + 1}`, courseId: membership!.courseId, startDate: '2027-04-20', startTime, zone: 'America/New_York', lengthValue: '45', lengthUnit: 'minutes', repeat: 'none', tutorIds: tutor!.id, invitedOnly: 'on' });
    }
    await launchFromDemo(page, env.app.baseUrl, 'tutor', TUTOR);
    await openMySessions(page);
    await navigate('Next month', 'April 2027');
    expect(await entriesOf('Tuesday 20 April 2027')).to.deep.equal(['09:00 Lab clinic 1', '10:00 Lab clinic 2', '11:00 Lab clinic 3']);
    const more = cell('Tuesday 20 April 2027').getByRole('link', { name: '+2 more sessions on Tuesday 20 April 2027' });
    await screenshot(page, 'calendar-month-more');
    await expectNoAxeViolations(page);
    await more.click();
    await calendar().getByText('Lab clinic 5').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'calendar-heading');
    expect(new URL(page.url()).search).to.equal('?view=week&date=2027-04-20');
    expectNoProblems();
  });

  it('When the invited student opens My sessions, then they see the session in Berlin time on the month, week and list views', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'student', STUDENT);
    await openMySessions(page);
    expect(await calendar().locator('.calendar-zone').innerText()).to.equal('Times in Europe/Berlin');
    expect(await page.getByRole('link', { name: 'Add sessions' }).count(), 'students do not schedule').to.equal(0);
    // 16:00 New York is 22:00 in Berlin, then 21:00 between New York's change (14 March) and Berlin's (28 March).
    expect(await entriesOf('Tuesday 9 March 2027')).to.deep.equal([`22:00 ${NAME}`]);
    expect(await entriesOf('Thursday 11 March 2027')).to.deep.equal([`22:00 ${NAME}`]);
    expect(await entriesOf('Tuesday 16 March 2027')).to.deep.equal([`21:00 ${NAME}`]);
    expect(await entriesOf('Thursday 18 March 2027')).to.deep.equal([`21:00 ${NAME}`]);
    await screenshot(page, 'calendar-student-month');
    await expectNoAxeViolations(page);

    await navigate('Week', '1–7 March 2027');
    await navigate('Next week', '8–14 March 2027');
    expect(await calendar().locator('.calendar-week > li').nth(1).locator('.calendar-entry').innerText()).to.equal(`22:00–23:00 ${NAME}`);
    await expectNoAxeViolations(page);
    await navigate('List', 'Sessions from Wednesday 10 March 2027');
    expect(await calendar().locator('h3').allInnerTexts()).to.deep.equal(['Thursday 11 March 2027', 'Tuesday 16 March 2027', 'Thursday 18 March 2027']);
    await expectNoAxeViolations(page);
    expectNoProblems();
  });

  it('When the student uses a 375px-wide screen, then the month is a list of the days with sessions and nothing scrolls sideways', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await launchFromDemo(page, env.app.baseUrl, 'student', STUDENT);
    await openMySessions(page);
    await heading().filter({ hasText: /^March 2027$/ }).waitFor();
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px viewport`).to.be.at.most(innerWidth);
    const visibleDays = await page.locator('td.calendar-day:visible .day-label').allInnerTexts();
    expect(visibleDays).to.deep.equal(['Wednesday 3 March 2027', 'Tuesday 9 March 2027', 'Thursday 11 March 2027', 'Tuesday 16 March 2027', 'Thursday 18 March 2027']);
    await screenshot(page, 'calendar-student-month-375');
    await expectNoAxeViolations(page);
    await navigate('Week', '1–7 March 2027');
    await navigate('Next week', '8–14 March 2027');
    expect((await page.evaluate(() => document.documentElement.scrollWidth)) <= 375).to.equal(true);
    await screenshot(page, 'calendar-student-week-375');
    expectNoProblems();
  });
});
