// Edit settings in a real browser, launched through the demo LMS: a tutor in New York moves to
// Berlin, sets up Monday and Wednesday hours (part by keyboard only, with one mistake to fix),
// adds a day off and extra hours, sets a meeting URL, and finds all of it again after a reload.
// The app runs on the real clock, so the exception dates are computed from today.
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { availabilityExceptions, availabilityHours, users } from '../../src/db/schema.js';
import { expectNoAxeViolations, launchFromDemo, openMySessions, openPage, screenshot, unexpectedProblems, useDemoApp, type WatchedPage } from './support.js';

const TUTOR = 'Maya Chen';
const ZONE = 'Europe/Berlin';
/** Four and five weeks from today in Berlin: upcoming whatever day the test runs. */
const DAY_OFF = DateTime.now().setZone(ZONE).plus({ weeks: 4 }).startOf('day');
const EXTRA = DAY_OFF.plus({ days: 1 });
const label = (d: DateTime) => d.setLocale('en-GB').toFormat('cccc d LLLL yyyy');


describe('Edit settings: time zone, availability and meeting URL in a browser', () => {
  const env = useDemoApp();
  let watched: WatchedPage;
  let page: Page;

  afterEach(async () => {
    await watched?.context.close();
  });

  /** An en-GB browser in New York, launched as the tutor, on Edit settings. */
  async function openSettings(width = 1280): Promise<void> {
    watched = await openPage(env.browser, { viewport: { width, height: 900 }, timezoneId: 'America/New_York', locale: 'en-GB' });
    page = watched.page;
    await launchFromDemo(page, env.app.baseUrl, 'tutor', TUTOR);
    await openMySessions(page);
    // On the first visit the page stores the browser's zone, then loads itself again.
    await page.locator('.calendar-zone').waitFor();
    await page.waitForFunction(() => !document.getElementById('zone-probe'));
    await page.locator('header.site-header').getByRole('link', { name: 'Edit settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit settings' }).waitFor();
  }

  const region = (name: string) => page.getByRole('region', { name, exact: true });
  const status = (part: string) => page.locator(`#${part}-status`);
  const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
  /** The failed saves answer 422 on purpose; Chromium logs that as a console error. */
  const expectNoProblems = () => expect(unexpectedProblems(watched.problems).filter((p) => !/status of 422/.test(p)), 'the browser reported errors').to.deep.equal([]);

  it('When a tutor sets zone, weekly hours, exceptions and meeting URL (fixing two mistakes), then each shows in place and all of it is there after a reload', async () => {
    await openSettings();
    const main = page.locator('main');
    expect(await main.innerText()).to.contain('Availability not set up: you count as available at any time.');
    expect(await main.innerText()).not.to.contain('Coming with the availability feature');

    // Time zone.
    const zone = region('Time zone');
    expect(await zone.getByLabel('Time zone').inputValue()).to.equal('America/New_York');
    await zone.getByLabel('Time zone').selectOption(ZONE);
    await zone.getByRole('button', { name: 'Save time zone' }).click();
    await status('time-zone').getByText('Saved: your time zone is now Europe/Berlin.').waitFor();
    expect(await page.locator('#availability-zone').innerText()).to.equal('Europe/Berlin');

    // Weekly hours: Monday's first range, then Add hours from the keyboard; the new row gets focus.
    // (Times are filled in: how a time input takes keys is the browser's, and depends on its language.)
    const weekly = region('Weekly hours');
    await weekly.getByLabel('From (Monday, row 1)').fill('09:00');
    await weekly.getByLabel('To (Monday, row 1)').fill('12:00');
    await weekly.getByRole('button', { name: 'Add hours on Monday' }).focus();
    await page.keyboard.press('Enter');
    await status('weekly-hours').getByText('Added a row to Monday. Press Save weekly hours to keep your changes.').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'hours-1-1-from');
    expect(await weekly.getByLabel('To (Monday, row 1)').inputValue(), 'what was typed is kept').to.equal('12:00');
    await weekly.getByLabel('From (Monday, row 2)').fill('13:00');
    await weekly.getByLabel('To (Monday, row 2)').fill('17:00');

    // Wednesday with a mistake: the end before the start. Enter in the field saves.
    await weekly.getByLabel('From (Wednesday, row 1)').fill('20:00');
    await weekly.getByLabel('To (Wednesday, row 1)').fill('18:00');
    await weekly.getByLabel('To (Wednesday, row 1)').press('Enter');
    const summary = weekly.locator('#weekly-hours-errors');
    await summary.waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'weekly-hours-errors');
    expect(await summary.innerText()).to.contain('Wednesday: the end (18:00) must be after the start (20:00).');
    expect(await weekly.locator('#hours-3-0-error').innerText()).to.equal('Wednesday: the end (18:00) must be after the start (20:00).');
    expect(await weekly.getByLabel('To (Wednesday, row 1)').getAttribute('aria-invalid')).to.equal('true');
    expect(await weekly.getByLabel('From (Monday, row 2)').inputValue(), 'what was typed is kept').to.equal('13:00');
    expect(await page.locator('#availability').innerText()).to.contain('Availability not set up', 'nothing was saved');
    await screenshot(page, 'settings-weekly-error');
    await expectNoAxeViolations(page);

    // Fix it from the error summary: Tab to the link, Enter goes to the field; Enter there saves.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await focusedId()).to.equal('hours-3-0-to');
    await weekly.getByLabel('To (Wednesday, row 1)').fill('21:30');
    await page.keyboard.press('Enter');
    await status('weekly-hours').getByText('Saved your weekly hours.').waitFor();
    expect(await weekly.locator('.saved-week').innerText()).to.match(/Monday\s+09:00–12:00, 13:00–17:00\s+Wednesday\s+20:00–21:30/);
    await page.waitForFunction(() => document.activeElement?.id === 'save-weekly-hours');

    // Date exceptions: a day off, then extra hours until midnight.
    const exceptions = region('Date exceptions');
    await exceptions.getByLabel('Date').fill(DAY_OFF.toISODate()!);
    expect(await exceptions.getByLabel('From').isVisible(), 'From and To are for extra hours only').to.equal(false);
    await exceptions.getByRole('button', { name: 'Add exception' }).click();
    await status('exceptions').getByText(`Added a day off on ${label(DAY_OFF)}.`).waitFor();
    await exceptions.getByLabel('Date').fill(EXTRA.toISODate()!);
    await exceptions.getByLabel('Extra hours').check();
    await exceptions.getByLabel('From').fill('18:00');
    await exceptions.getByLabel('To').fill('00:00');
    await exceptions.getByRole('button', { name: 'Add exception' }).click();
    await status('exceptions').getByText(`Added extra hours (18:00–24:00) on ${label(EXTRA)}.`).waitFor();
    expect(await exceptions.locator('.exception-date').allInnerTexts()).to.deep.equal([label(DAY_OFF), label(EXTRA)]);
    expect(await exceptions.locator('.exception-kind').allInnerTexts()).to.deep.equal(['Day off', 'Extra hours 18:00–24:00']);

    // Meeting URL by keyboard only: type a link without https://, Enter, fix it from the summary.
    const meeting = region('Meeting URL');
    await page.locator('#save-time-zone').focus();
    while ((await focusedId()) !== 'meetingUrl') await page.keyboard.press('Tab');
    await page.keyboard.type('zoom.us/j/123456789');
    await page.keyboard.press('Enter');
    await meeting.locator('#meetingUrl-error').getByText('Enter a full web address starting with https://').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'meeting-url-errors');
    expect(await meeting.getByLabel('Meeting URL').inputValue()).to.equal('zoom.us/j/123456789');
    await screenshot(page, 'settings-meeting-error');
    await expectNoAxeViolations(page);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await focusedId()).to.equal('meetingUrl');
    await page.keyboard.press('Home');
    await page.keyboard.type('https://');
    await page.keyboard.press('Enter');
    await status('meeting-url').getByText('Saved your meeting URL.').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'save-meeting-url');
    await screenshot(page, 'settings-saved');
    await expectNoAxeViolations(page);

    // A reload shows what is stored.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Edit settings' }).waitFor();
    await region('Weekly hours').getByLabel('From (Monday, row 1)').waitFor();
    expect(await region('Time zone').getByLabel('Time zone').inputValue()).to.equal(ZONE);
    const values = await page.locator('#weekly-hours input[type="time"]').evaluateAll((inputs) => inputs.map((i) => `${i.id}=${(i as HTMLInputElement).value}`).filter((v) => !v.endsWith('=')));
    expect(values).to.deep.equal(['hours-1-0-from=09:00', 'hours-1-0-to=12:00', 'hours-1-1-from=13:00', 'hours-1-1-to=17:00', 'hours-3-0-from=20:00', 'hours-3-0-to=21:30']);
    expect(await region('Date exceptions').locator('.exception-date').allInnerTexts()).to.deep.equal([label(DAY_OFF), label(EXTRA)]);
    expect(await region('Meeting URL').getByLabel('Meeting URL').inputValue()).to.equal('https://zoom.us/j/123456789');

    const db = env.app.database.db;
    const [me] = await db.select({ id: users.id, zone: users.timeZone, url: users.meetingUrl }).from(users).where(eq(users.sub, 'demo-tutor-1'));
    expect([me!.zone, me!.url]).to.deep.equal([ZONE, 'https://zoom.us/j/123456789']);
    const hours = await db.select().from(availabilityHours).where(eq(availabilityHours.userId, me!.id));
    expect(hours.map((h) => `${h.weekday} ${h.startTime}-${h.endTime} ${h.timeZone}`).sort()).to.deep.equal([
      `1 09:00:00-12:00:00 ${ZONE}`,
      `1 13:00:00-17:00:00 ${ZONE}`,
      `3 20:00:00-21:30:00 ${ZONE}`,
    ]);
    const stored = await db.select().from(availabilityExceptions).where(eq(availabilityExceptions.userId, me!.id));
    expect(stored.map((e) => `${e.date} ${e.kind} ${e.startTime ?? ''}-${e.endTime ?? ''}`).sort()).to.deep.equal([
      `${DAY_OFF.toISODate()} day_off -`,
      `${EXTRA.toISODate()} extra_hours 18:00:00-24:00:00`,
    ]);
    expectNoProblems();
  });

  it('When a tutor removes an exception with the keyboard, then it is gone and focus lands in the form', async () => {
    await openSettings();
    const exceptions = region('Date exceptions');
    await exceptions.getByRole('button', { name: `Remove the day off on ${label(DAY_OFF)}` }).focus();
    await page.keyboard.press('Enter');
    await status('exceptions').getByText(`Removed the day off on ${label(DAY_OFF)}.`).waitFor();
    expect(await exceptions.locator('.exception-date').allInnerTexts()).to.deep.equal([label(EXTRA)]);
    expect(await focusedId()).to.equal('exception-date');
    expectNoProblems();
  });

  for (const width of [400, 1280]) {
    it(`When Edit settings is ${width}px wide with an error shown, then nothing scrolls sideways and there are no accessibility violations`, async () => {
      await openSettings(width);
      await region('Weekly hours').getByLabel('From (Friday, row 1)').fill('10:00');
      await region('Weekly hours').getByRole('button', { name: 'Save weekly hours' }).click();
      await region('Weekly hours').locator('#weekly-hours-errors').waitFor();
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
      expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px viewport`).to.be.at.most(innerWidth);
      await screenshot(page, `settings-${width}`);
      await expectNoAxeViolations(page);
      expectNoProblems();
    });
  }
});
