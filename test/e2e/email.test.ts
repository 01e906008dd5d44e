// Email in a real browser, launched through the demo LMS: a tutor turns reminders off and makes,
// replaces and turns off a calendar feed link in Edit settings; schedules a session whose
// invitation shows in the development mailbox; the demo LMS's site administrator (its instructor)
// reads the delivery log; and the invited student follows the email's link to the
// session. The app runs on the real clock (mail in memory), so the session date is computed here.
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { availabilityHours, occurrences, sessionSeries, users } from '../../src/db/schema.js';
import { expectNoAxeViolations, launchFromDemo, openMySessions, openPage, screenshot, unexpectedProblems, useDemoApp, type WatchedPage } from './support.js';

const TUTOR = 'Maya Chen';
const STUDENT = 'Priya Natarajan';
const STUDENT_EMAIL = 'priya.natarajan@demo.tutorkit.test';
const NAME = 'Genetics exam prep';
const ZONE = 'America/New_York';
/** A Tuesday at least two weeks from today in New York: upcoming whatever day the test runs. */
const DAY = (() => {
  let d = DateTime.now().setZone(ZONE).startOf('day').plus({ days: 14 });
  while (d.weekday !== 2) d = d.plus({ days: 1 });
  return d;
})();

describe('Email in a browser: reminders, calendar feed, dev mailbox, delivery log and the session link', () => {
  const env = useDemoApp();
  let watched: WatchedPage | undefined;
  let page: Page;

  before(async () => {
    // This story is about email, not availability: nobody's hours conflict with the session.
    await env.app.database.db.delete(availabilityHours);
    await env.app.database.db.update(users).set({ timeZone: null });
  });
  afterEach(async () => {
    await watched?.context.close();
    watched = undefined;
  });

  async function open(): Promise<void> {
    watched = await openPage(env.browser, { viewport: { width: 1280, height: 900 }, timezoneId: ZONE, locale: 'en-GB' });
    page = watched.page;
  }

  /** Launches as the tutor and waits until the first page has stored the browser's zone. */
  async function launchTutor(): Promise<void> {
    await open();
    await launchFromDemo(page, env.app.baseUrl, 'tutor', TUTOR);
    await openMySessions(page);
    await page.locator('.calendar-zone').waitFor();
    await page.waitForFunction(() => !document.getElementById('zone-probe'));
  }

  const expectNoProblems = (allowed: RegExp[] = []) =>
    expect(
      unexpectedProblems(watched!.problems).filter((p) => !allowed.some((a) => a.test(p))),
      'the browser reported errors',
    ).to.deep.equal([]);
  const status = () => page.locator('#notifications-status');
  const tutorRow = async () => (await env.app.database.db.select().from(users).where(eq(users.sub, 'demo-tutor-1')))[0]!;

  it('When a tutor turns reminders off and creates, replaces and turns off a calendar feed link, then it is stored and only the newest link works until it is turned off', async () => {
    await launchTutor();
    await page.locator('header.site-header').getByRole('link', { name: 'Edit settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit settings' }).waitFor();
    const section = page.getByRole('region', { name: 'Notifications and calendar' });
    await section.scrollIntoViewIfNeeded();
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'email-settings-before', { fullPage: false });
    await expectNoAxeViolations(page);

    // Reminders off, by keyboard: Space unticks the box, Enter on the button saves.
    const reminders = section.getByRole('checkbox', { name: 'Email reminders before my sessions' });
    expect(await reminders.isChecked(), 'reminders are on by default').to.equal(true);
    await reminders.focus();
    await page.keyboard.press('Space');
    expect(await reminders.isChecked()).to.equal(false);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('save-reminders');
    await page.keyboard.press('Enter');
    await status().getByText('Reminders are off.').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'save-reminders');
    expect((await tutorRow()).remindersEnabled).to.equal(false);
    await expectNoAxeViolations(page);

    // A feed link: shown once, a real calendar.
    expect((await tutorRow()).feedTokenHash).to.equal(null);
    await section.getByRole('button', { name: 'Create link', exact: true }).click();
    await status().getByText('Created your calendar link.').waitFor();
    const urlField = section.getByLabel(/Your calendar link/);
    const first = await urlField.inputValue();
    expect(first).to.match(new RegExp(`^${env.app.baseUrl}/feed/[^/]+\\.ics$`));
    await page.waitForFunction(() => document.activeElement?.id === 'feed-url');
    const feed = await fetch(first);
    expect(feed.status).to.equal(200);
    expect(feed.headers.get('content-type')).to.match(/^text\/calendar/);
    expect(await feed.text()).to.match(/^BEGIN:VCALENDAR\r?\n/);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'email-settings-feed-created', { fullPage: false });
    await expectNoAxeViolations(page);

    // A new link: the old one stops working.
    await section.getByRole('button', { name: 'Create a new link' }).click();
    await status().getByText('Created a new calendar link. The old link no longer works.').waitFor();
    const second = await urlField.inputValue();
    expect(second).to.not.equal(first);
    expect((await fetch(first)).status, 'the old link').to.equal(404);
    expect((await fetch(second)).status, 'the new link').to.equal(200);

    // Turn off: the newest link stops working, the URL is no longer shown.
    await section.getByRole('button', { name: 'Turn off' }).click();
    await status().getByText('Turned off your calendar feed.', { exact: false }).waitFor();
    expect(await section.getByLabel(/Your calendar link/).count()).to.equal(0);
    expect(await section.getByRole('button', { name: 'Create link', exact: true }).isVisible()).to.equal(true);
    expect((await fetch(second)).status, 'the turned-off link').to.equal(404);
    expect((await tutorRow()).feedTokenHash).to.equal(null);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'email-settings-feed-off', { fullPage: false });
    await expectNoAxeViolations(page);
    expectNoProblems();
  });

  it('When the tutor schedules a session with a student and the mail worker runs, then the dev mailbox (linked from the home page) shows the invitation with its text and calendar part', async () => {
    await launchTutor();
    await page.getByRole('link', { name: 'Add sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Add sessions' }).waitFor();
    await page.getByLabel('Session name').fill(NAME);
    await page.getByLabel('Time zone').selectOption(ZONE);
    await page.getByLabel('Start date').fill(DAY.toISODate()!);
    await page.getByLabel('Start time').fill('16:00');
    await page.getByRole('checkbox', { name: STUDENT }).check();
    await page.locator('#conflicts').getByText('Everyone invited is available.').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Your session was saved and added to the calendars of everyone invited.').waitFor();
    expectNoProblems();

    await env.app.built.mail.tick();

    await page.goto(`${env.app.baseUrl}/`);
    await page.getByRole('link', { name: 'development mailbox' }).click();
    await page.getByRole('heading', { level: 1, name: 'Development mailbox' }).waitFor();
    const rows = await page.locator('table tbody tr').allInnerTexts();
    const invitation = rows.find((r) => r.includes(STUDENT_EMAIL) && r.includes(`You're invited: ${NAME}`));
    expect(invitation, `an invitation to ${STUDENT} among:\n${rows.join('\n')}`).to.not.equal(undefined);
    await screenshot(page, 'email-mailbox');
    await expectNoAxeViolations(page);

    await page.locator('table tbody tr', { hasText: STUDENT_EMAIL }).getByRole('link', { name: `You're invited: ${NAME}` }).click();
    await page.getByRole('heading', { level: 1, name: `You're invited: ${NAME}` }).waitFor();
    const details = await page.locator('dl.urls').innerText();
    expect(details).to.contain(STUDENT_EMAIL);
    const text = await page.getByRole('region', { name: 'Text part' }).innerText();
    expect(text).to.contain(`“${NAME}”`);
    expect(text).to.contain(`${env.app.baseUrl}/open/sessions/`);
    const attachment = page.locator('details', { hasText: 'invite.ics' });
    await attachment.locator('summary').click();
    const ics = await attachment.locator('pre').innerText();
    expect(ics).to.match(/BEGIN:VCALENDAR[\s\S]*METHOD:REQUEST[\s\S]*BEGIN:VEVENT[\s\S]*SUMMARY:Genetics exam prep/);
    await screenshot(page, 'email-mailbox-message');
    await expectNoAxeViolations(page);
    expectNoProblems();
  });

  it('When the demo LMS’s site administrator opens Site settings, then the email delivery log lists the invitation as sent', async () => {
    await open();
    await launchFromDemo(page, env.app.baseUrl, 'instructor', 'Amara Okafor');
    await page.getByRole('link', { name: 'Site settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Site settings' }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Email delivery log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Email delivery log' }).waitFor();
    const row = page.locator('table tbody tr', { hasText: `You're invited: ${NAME}` }).filter({ hasText: STUDENT_EMAIL });
    expect(await row.count(), 'the invitation to the student').to.be.greaterThan(0);
    expect(await row.first().locator('.delivery-status').innerText()).to.equal('sent');
    await screenshot(page, 'email-deliveries');
    await expectNoAxeViolations(page);

    // The filter: no failed messages.
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('heading', { level: 2, name: 'No failed messages' }).waitFor();
    await expectNoAxeViolations(page);
    expectNoProblems();
  });

  it('When the student opens the link from the email and then launches from the course, then they land on the session; a tampered link gives a clear error', async () => {
    const db = env.app.database.db;
    const [student] = await db.select().from(users).where(eq(users.sub, 'demo-student-1'));
    const [occurrence] = await db
      .select({ id: occurrences.id, endsAt: occurrences.endsAt })
      .from(occurrences)
      .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
      .where(eq(sessionSeries.name, NAME));
    const link = env.app.built.services.notifications.links.sessionLink(student!.id, occurrence!.id, occurrence!.endsAt);

    await open();
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Open TutorKit from your course' }).waitFor();
    expect(await page.getByRole('status').innerText()).to.contain('BIO 101: Introduction to Biology');
    await screenshot(page, 'email-open-link');
    await expectNoAxeViolations(page);

    // The launch lands on the session instead of the student's home.
    await page.goto(`${env.app.baseUrl}/`);
    await page.locator('#demo-student').selectOption({ label: STUDENT });
    await page.getByRole('button', { name: 'Launch as student' }).click();
    await page.locator('header.site-header .who-name').waitFor();
    await page.waitForURL((url) => url.pathname.endsWith(`/sessions/${occurrence!.id}`));
    expect(await page.locator('main h1').innerText()).to.equal(NAME);
    await screenshot(page, 'email-open-link-session');
    await expectNoAxeViolations(page);

    // A signature changed by one character.
    const tampered = new URL(link);
    const s = tampered.searchParams.get('s')!;
    tampered.searchParams.set('s', `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`);
    const response = await page.goto(tampered.toString());
    expect(response!.status()).to.equal(404);
    expect(await page.locator('main h1').innerText()).to.equal('This link can’t open the session');
    expect(await page.locator('main').innerText()).to.contain('This link is not valid: it may be incomplete, or the session no longer exists.');
    await screenshot(page, 'email-open-link-tampered');
    await expectNoAxeViolations(page);
    expectNoProblems([/status of 404/]);
  });
});
