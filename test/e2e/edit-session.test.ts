// Changing and cancelling one session of a weekly series in a real browser: a tutor in New York
// schedules Tuesdays and Thursdays through the Add sessions form (after one failed save), moves the
// second session to 17:30 under a new name with "This session", cancels the last one, and the
// invited student in Berlin sees the result. The app runs on the real clock, so the dates are
// computed here: the first Tuesday at least two weeks from today in New York.
import { expect } from 'chai';
import { availabilityHours, users } from '../../src/db/schema.js';
import { DateTime } from 'luxon';
import type { Locator, Page } from 'playwright-core';
import { type DemoRole, expectNoAxeViolations, launchFromDemo, openMySessions, openPage, screenshot, unexpectedProblems, useDemoApp, type WatchedPage } from './support.js';

const TUTOR = 'Maya Chen';
const STUDENT = 'Priya Natarajan';
const NAME = 'Organic chemistry review';
const MOVED = `${NAME} (moved)`;
const TUTOR_ZONE = 'America/New_York';
const STUDENT_ZONE = 'Europe/Berlin';

/** Tuesday, Thursday, Tuesday, Thursday from the first Tuesday at least 14 days from today in New York. */
function sessionDates(): DateTime[] {
  let first = DateTime.now().setZone(TUTOR_ZONE).startOf('day').plus({ days: 14 });
  while (first.weekday !== 2) first = first.plus({ days: 1 });
  return [0, 2, 7, 9].map((days) => first.plus({ days }));
}

const DATES = sessionDates();
const FIRST = DATES[0]!;

/** A New York wall-clock time on a session day, seen from `zone`. */
function wallClock(day: DateTime, time: string, zone: string): DateTime {
  const [hour, minute] = time.split(':').map(Number);
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone: TUTOR_ZONE }).setZone(zone).setLocale('en-GB');
}

/**
 * A New York session from `start` to `end` as the calendar's list writes it in `zone`:
 * "22:00–23:00", or "23:30–Fri 11 Dec, 00:30" when it ends on the next day there.
 */
function listRange(day: DateTime, start: string, end: string, zone: string): string {
  const s = wallClock(day, start, zone);
  const e = wallClock(day, end, zone);
  return `${s.toFormat('HH:mm')}–${e.toFormat(s.hasSame(e, 'day') ? 'HH:mm' : 'ccc d LLL, HH:mm')}`;
}

/** The heading of a day in the calendar's list view ("Thursday 18 March 2027"). */
function dayLabel(day: DateTime): string {
  return day.setLocale('en-GB').toFormat('cccc d LLLL yyyy');
}

const NOTICE_ADDED = 'Your session was saved and added to the calendars of everyone invited.';

describe('Editing and cancelling one session of a series in a browser', () => {
  const env = useDemoApp();
  let watched: WatchedPage;
  let page: Page;

  before(async () => {
    // This story is about editing, not availability: nobody has weekly hours or a zone yet.
    await env.app.database.db.delete(availabilityHours);
    await env.app.database.db.update(users).set({ timeZone: null });
  });
  afterEach(async () => {
    await watched?.context.close();
  });

  /**
   * A context in the person's zone, launched from the demo LMS. Nobody has a stored zone at first:
   * the first page stores the browser's and loads itself again, so wait until the calendar says so.
   */
  async function launchAs(role: DemoRole, person: string, zone: string): Promise<void> {
    watched = await openPage(env.browser, { viewport: { width: 1280, height: 800 }, timezoneId: zone, locale: 'en-GB' });
    page = watched.page;
    await launchFromDemo(page, env.app.baseUrl, role, person);
    if (role !== 'instructor') await openMySessions(page);
    await calendar()
      .locator('.calendar-zone')
      .filter({ hasText: new RegExp(`^Times in ${zone.replace(/_/g, ' ')}$`) })
      .waitFor();
  }

  const calendar = () => page.locator('#calendar');
  const h1 = () => page.locator('main h1');
  /** The failed save answers 422 on purpose; Chromium logs that as a console error. */
  const expectNoProblems = () =>
    expect(
      unexpectedProblems(watched.problems).filter((p) => !/status of 422/.test(p)),
      'the browser reported errors',
    ).to.deep.equal([]);

  /** Switches the calendar to its list view (from today) with htmx. */
  async function openList() {
    await calendar().getByRole('link', { name: 'List', exact: true }).click();
    await page.locator('#calendar-heading').filter({ hasText: /^Upcoming sessions$/ }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'calendar-heading');
  }

  const listDay = (day: DateTime): Locator => calendar().locator('section.calendar-list-day', { has: page.locator('h3', { hasText: new RegExp(`^${dayLabel(day)}`) }) });

  /** The list view as text: one line per session, "day: time–end name [Cancelled]". */
  async function listLines(): Promise<string[]> {
    return calendar()
      .locator('section.calendar-list-day')
      .evaluateAll((sections) =>
        sections.flatMap((s) => {
          const day = s.querySelector('h3')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
          return [...s.querySelectorAll('.calendar-entry')].map((e) => `${day}: ${(e as HTMLElement).innerText.replace(/\s+/g, ' ').replace(/ ,/g, ',').trim()}`);
        }),
      );
  }

  /** Opens a session from the list view and waits for its page. */
  async function openSession(day: DateTime, name: string) {
    await listDay(day).getByRole('link', { name: new RegExp(name.replace(/[()]/g, '\\$&')) }).click();
    await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
  }

  /** "Tue 16 Mar 2027, 16:00–17:00 (America/New York)" as the session page writes it. */
  function whenText(day: DateTime, start: string, end: string, zone: string): string {
    // The session page formats in the server's default locale (not the calendar's en-GB).
    const locale = DateTime.now().locale ?? 'en-US';
    const s = wallClock(day, start, zone).setLocale(locale);
    const e = wallClock(day, end, zone).setLocale(locale);
    return `${s.toFormat('ccc d LLL yyyy, HH:mm')}–${e.toFormat(s.hasSame(e, 'day') ? 'HH:mm' : 'ccc d LLL yyyy, HH:mm')} (${zone.replace(/_/g, ' ')})`;
  }

  it('When a tutor saves the Add sessions form once without a name, then the name is asked for next to the field and nothing typed is lost, and the corrected form schedules a weekly session', async () => {
    await launchAs('tutor', TUTOR, TUTOR_ZONE);
    await page.getByRole('link', { name: 'Add sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Add sessions' }).waitFor();

    await page.getByLabel('Start date').fill(FIRST.toISODate()!);
    await page.getByLabel('Start time').fill('16:00');
    await page.getByLabel('Time zone').selectOption({ label: 'America/New York' });
    const weekdays = page.locator('#weekdays');
    expect(await weekdays.isVisible(), 'no weekdays before Weekly is chosen').to.equal(false);
    await page.getByRole('combobox', { name: 'Repeat' }).selectOption({ label: 'Weekly' });
    await weekdays.waitFor({ state: 'visible' });
    await page.getByRole('checkbox', { name: 'Tuesday' }).check();
    await page.getByRole('checkbox', { name: 'Thursday' }).check();
    await page.getByRole('radio', { name: 'After' }).check();
    await page.getByLabel('Number of sessions').fill('4');
    expect(await page.getByRole('checkbox', { name: TUTOR }).isChecked(), 'the tutor runs what they schedule').to.equal(true);
    await page.getByRole('checkbox', { name: STUDENT }).check();
    await expectNoAxeViolations(page);

    await page.getByRole('button', { name: 'Save' }).click();
    const nameError = page.locator('#name-error');
    await nameError.waitFor();
    expect(await nameError.innerText()).to.equal('Give the session a name');
    const name = page.getByLabel('Session name');
    expect(await name.getAttribute('aria-invalid')).to.equal('true');
    expect(await name.getAttribute('aria-describedby')).to.equal('name-error');
    expect(await name.evaluate((el) => el.nextElementSibling?.id), 'the message follows the field').to.equal('name-error');
    expect(await page.getByRole('alert').innerText()).to.contain('Give the session a name');
    expect(await h1().innerText()).to.equal('Add sessions');
    // Everything typed is still there, and the weekdays still show for Weekly.
    expect(await page.getByLabel('Start date').inputValue()).to.equal(FIRST.toISODate());
    expect(await page.getByLabel('Start time').inputValue()).to.equal('16:00');
    expect(await page.getByLabel('Time zone').inputValue()).to.equal(TUTOR_ZONE);
    expect(await page.getByRole('combobox', { name: 'Repeat' }).inputValue()).to.equal('weekly');
    expect(await weekdays.isVisible(), 'weekdays still shown for Weekly').to.equal(true);
    expect(await page.getByRole('checkbox', { name: 'Tuesday' }).isChecked()).to.equal(true);
    expect(await page.getByRole('checkbox', { name: 'Thursday' }).isChecked()).to.equal(true);
    expect(await page.getByRole('checkbox', { name: 'Monday' }).isChecked()).to.equal(false);
    expect(await page.getByRole('radio', { name: 'After' }).isChecked()).to.equal(true);
    expect(await page.getByLabel('Number of sessions').inputValue()).to.equal('4');
    expect(await page.getByRole('checkbox', { name: STUDENT }).isChecked()).to.equal(true);
    await screenshot(page, 'edit-session-form-errors');
    await expectNoAxeViolations(page);

    await name.fill(NAME);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(NOTICE_ADDED).waitFor();
    expect(await h1().innerText()).to.equal('My sessions');
    expectNoProblems();
  });

  it('When the tutor opens the second session from the List view, then its page shows the name, the weekly rule and the time in New York', async () => {
    await launchAs('tutor', TUTOR, TUTOR_ZONE);
    await openList();
    expect(await listLines()).to.deep.equal(DATES.map((d) => `${dayLabel(d)}: 16:00–17:00 ${NAME}`));

    await openSession(DATES[1]!, NAME);
    expect(DATES[1]!.weekday, 'the second session is a Thursday').to.equal(4);
    const details = page.locator('dl.details');
    const valueOf = (term: string) => details.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]').innerText();
    expect(await valueOf('Repeat')).to.equal('Weekly on Tuesday and Thursday, 4 times');
    expect(await valueOf('When')).to.equal(whenText(DATES[1]!, '16:00', '17:00', TUTOR_ZONE));
    expect(await valueOf('Students')).to.contain(STUDENT);
    expect(await page.getByRole('link', { name: 'Edit', exact: true }).isVisible()).to.equal(true);
    expect(await page.getByRole('link', { name: 'Cancel session' }).isVisible()).to.equal(true);
    await screenshot(page, 'edit-session-page');
    await expectNoAxeViolations(page);
    expectNoProblems();
  });

  it('When the tutor edits "This session" to a new name at 17:30, then only that session moves and the other three keep their name and 16:00', async () => {
    await launchAs('tutor', TUTOR, TUTOR_ZONE);
    await openList();
    await openSession(DATES[1]!, NAME);

    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    const question = page.getByRole('group', { name: 'Which sessions do you want to change?' });
    await question.waitFor();
    expect(await h1().innerText()).to.equal(`Edit ${NAME}`);
    expect(await question.getByRole('radio', { name: 'This session' }).isChecked(), 'This session is the default').to.equal(true);
    expect(await question.getByRole('radio').count()).to.equal(3);
    await screenshot(page, 'edit-session-scope');
    await expectNoAxeViolations(page);

    await question.getByRole('radio', { name: 'This session' }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit session' }).waitFor();
    expect(await page.locator('main .lead').innerText()).to.contain('this session only');
    expect(await page.locator('#repeat-fields').count(), 'no Repeat fieldset for one session').to.equal(0);
    expect(await page.getByRole('group', { name: 'Repeat' }).count()).to.equal(0);
    expect(await page.getByLabel('Session name').inputValue()).to.equal(NAME);
    expect(await page.getByLabel('Start date').inputValue()).to.equal(DATES[1]!.toISODate());
    expect(await page.getByLabel('Start time').inputValue()).to.equal('16:00');
    expect(await page.getByRole('checkbox', { name: STUDENT }).isChecked(), 'the invited student stays invited').to.equal(true);
    await expectNoAxeViolations(page);

    await page.getByLabel('Session name').fill(MOVED);
    await page.getByLabel('Start time').fill('17:30');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
    await page.getByText('Your changes were saved. Sessions that already took place were not changed.').waitFor();

    await openList();
    expect(await calendar().locator('.calendar-zone').innerText()).to.equal('Times in America/New York');
    expect(await listLines()).to.deep.equal([
      `${dayLabel(DATES[0]!)}: 16:00–17:00 ${NAME}`,
      `${dayLabel(DATES[1]!)}: 17:30–18:30 ${MOVED}`,
      `${dayLabel(DATES[2]!)}: 16:00–17:00 ${NAME}`,
      `${dayLabel(DATES[3]!)}: 16:00–17:00 ${NAME}`,
    ]);
    await screenshot(page, 'edit-session-calendar-after-edit');
    await expectNoAxeViolations(page);

    await openSession(DATES[1]!, MOVED);
    const when = page.locator('dl.details dt', { hasText: /^When$/ }).locator('xpath=following-sibling::dd[1]');
    expect(await when.innerText()).to.equal(whenText(DATES[1]!, '17:30', '18:30', TUTOR_ZONE));
    await screenshot(page, 'edit-session-moved-page');
    expectNoProblems();
  });

  it('When the tutor cancels the last session with "This session", then its page says it was cancelled and the list marks only it as Cancelled', async () => {
    await launchAs('tutor', TUTOR, TUTOR_ZONE);
    await openList();
    await openSession(DATES[3]!, NAME);

    await page.getByRole('link', { name: 'Cancel session' }).click();
    const question = page.getByRole('group', { name: 'Which sessions do you want to cancel?' });
    await question.waitFor();
    expect(await h1().innerText()).to.equal(`Cancel ${NAME}`);
    await screenshot(page, 'edit-session-cancel');
    await expectNoAxeViolations(page);
    await question.getByRole('radio', { name: 'This session' }).check();
    await page.getByRole('button', { name: 'Cancel the chosen sessions' }).click();

    await page.getByText('This session was cancelled.').waitFor();
    expect(await h1().innerText()).to.equal(NAME);
    expect(await page.getByRole('link', { name: 'Edit', exact: true }).count(), 'a cancelled session cannot be edited').to.equal(0);
    expect(await page.getByRole('link', { name: 'Cancel session' }).count()).to.equal(0);
    await screenshot(page, 'edit-session-cancelled-page');
    await expectNoAxeViolations(page);

    await page.getByRole('link', { name: 'My sessions' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
    await openList();
    expect(await listLines()).to.deep.equal([
      `${dayLabel(DATES[0]!)}: 16:00–17:00 ${NAME}`,
      `${dayLabel(DATES[1]!)}: 17:30–18:30 ${MOVED}`,
      `${dayLabel(DATES[2]!)}: 16:00–17:00 ${NAME}`,
      `${dayLabel(DATES[3]!)}: 16:00–17:00 ${NAME}, cancelled Cancelled`,
    ]);
    expect(await listDay(DATES[3]!).locator('.calendar-entry').getAttribute('class')).to.contain('is-cancelled');
    expect(await calendar().locator('.calendar-entry.is-cancelled').count()).to.equal(1);
    expectNoProblems();
  });

  it('When the invited student opens My sessions in Berlin, then they see the three sessions still on, the moved one under its new name, and no Edit button', async () => {
    await launchAs('student', STUDENT, STUDENT_ZONE);
    await openList();
    const at = (i: number, start: string, end: string) => listRange(DATES[i]!, start, end, STUDENT_ZONE);
    expect(await listLines()).to.deep.equal([
      `${dayLabel(DATES[0]!)}: ${at(0, '16:00', '17:00')} ${NAME}`,
      `${dayLabel(DATES[1]!)}: ${at(1, '17:30', '18:30')} ${MOVED}`,
      `${dayLabel(DATES[2]!)}: ${at(2, '16:00', '17:00')} ${NAME}`,
      `${dayLabel(DATES[3]!)}: ${at(3, '16:00', '17:00')} ${NAME}, cancelled Cancelled`,
    ]);
    await screenshot(page, 'edit-session-student-list');
    await expectNoAxeViolations(page);

    await openSession(DATES[1]!, MOVED);
    const when = page.locator('dl.details dt', { hasText: /^When$/ }).locator('xpath=following-sibling::dd[1]');
    expect(await when.innerText()).to.contain(whenText(DATES[1]!, '17:30', '18:30', STUDENT_ZONE));
    expect(await page.getByRole('link', { name: 'Edit', exact: true }).count(), 'students do not edit').to.equal(0);
    expect(await page.getByRole('link', { name: 'Cancel session' }).count()).to.equal(0);
    await screenshot(page, 'edit-session-student-page');
    await expectNoAxeViolations(page);
    expectNoProblems();
  });
});
