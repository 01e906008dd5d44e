// The Scheduling assistant in a real browser, launched through the demo LMS. The tutor (New York)
// proposes Tuesday 9 March 2027 at 16:00 and invites a student in Berlin. The tutor is available
// 09:00-17:00 New York, the student 14:00-22:00 Berlin (08:00-16:00 New York), so at 16:00 the
// student is unavailable; from 12:00 to 13:00 she is in another session. The clock is frozen on Wednesday 3 March 2027, 10:00 New York.
import { expect } from 'chai';
import { eq, inArray } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { availabilityHours, memberships, users } from '../../src/db/schema.js';
import { fixedClock } from '../support/app.js';
import { expectNoAxeViolations, launchFromDemo, openMySessions, openPage, screenshot, unexpectedProblems, useDemoApp, type WatchedPage } from './support.js';

const TUTOR = 'Maya Chen';
const STUDENT = 'Priya Natarajan';
const DAY_LABEL = 'Tuesday 9 March 2027';


describe('Scheduling assistant in a browser', () => {
  const env = useDemoApp({ clock: fixedClock('2027-03-03T15:00:00Z') });
  let watched: WatchedPage;
  let page: Page;

  before(async () => {
    const db = env.app.database.db;
    await db.update(users).set({ timeZone: 'America/New_York' }).where(inArray(users.sub, ['demo-tutor-1']));
    await db.update(users).set({ timeZone: 'Europe/Berlin' }).where(inArray(users.sub, ['demo-student-1']));
    const idOf = async (sub: string) => (await db.select({ id: users.id }).from(users).where(eq(users.sub, sub)))[0]!.id;
    const [tutor, student, otherTutor] = [await idOf('demo-tutor-1'), await idOf('demo-student-1'), await idOf('demo-tutor-2')];
    // Replace the hours the demo course gives some of its people with this story's.
    await db.delete(availabilityHours);
    // The student is already in another tutor's session from 12:00 to 13:00 that Tuesday.
    const [course] = await db.select({ id: memberships.courseId }).from(memberships).where(eq(memberships.userId, student));
    await env.app.built.services.scheduling.addSessions({ userId: otherTutor }, {
      name: 'Lab prep', courseId: course!.id, startDate: '2027-03-09', startTime: '12:00', zone: 'America/New_York', lengthValue: '60', lengthUnit: 'minutes',
      repeat: 'none', tutorIds: otherTutor, studentIds: student,
    });
    const weekdays = [1, 2, 3, 4, 5];
    await db.insert(availabilityHours).values([
      ...weekdays.map((weekday) => ({ userId: tutor, weekday, startTime: '09:00', endTime: '17:00', timeZone: 'America/New_York' })),
      ...weekdays.map((weekday) => ({ userId: student, weekday, startTime: '14:00', endTime: '22:00', timeZone: 'Europe/Berlin' })),
    ]);
  });
  afterEach(async () => {
    await watched?.context.close();
  });

  const dialog = () => page.getByRole('dialog', { name: 'Scheduling assistant' });
  const block = () => page.getByRole('slider', { name: 'Proposed session' });
  const status = () => page.locator('#assistant-status');
  const field = (label: 'Start date' | 'Time' | 'Duration') => dialog().getByLabel(label, { exact: label !== 'Duration' });
  const expectNoProblems = () => expect(unexpectedProblems(watched.problems), 'the browser reported errors').to.deep.equal([]);
  const expectStatus = async (text: string) => {
    await status().filter({ hasText: new RegExp(`^${text.replace(/[.()+]/g, '\\$&')}$`) }).waitFor({ timeout: 5000 });
  };
  const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');

  /** Launches as the tutor and fills the schedule and the student into Add sessions. */
  async function openForm(width: number, repeat = false) {
    watched = await openPage(env.browser, { viewport: { width, height: 800 } });
    page = watched.page;
    await launchFromDemo(page, env.app.baseUrl, 'tutor', TUTOR);
    await openMySessions(page);
    await page.getByRole('link', { name: 'Add sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Add sessions' }).waitFor();
    await page.getByLabel('Session name').fill('Genetics review');
    await page.getByLabel('Start date').fill('2027-03-09');
    await page.getByLabel('Start time').fill('16:00');
    await page.getByLabel('Time zone').selectOption('America/New_York');
    if (repeat) {
      await page.locator('#repeat').selectOption('weekly');
      await page.getByRole('checkbox', { name: 'Tuesday' }).check();
      await page.getByLabel('Number of sessions').fill('4');
    }
    await page.getByRole('checkbox', { name: STUDENT }).check();
  }

  /** Opens the dialog from the form's button; returns the request that loaded it. */
  async function openAssistant() {
    const [request] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname.endsWith('/sessions/assistant')),
      page.getByRole('button', { name: 'Scheduling assistant', exact: true }).click(),
    ]);
    await dialog().waitFor();
    await page.locator('#assistant-view').waitFor();
    return request;
  }

  /** Drags from the middle of `box` by `dx` pixels with the mouse, in small steps. */
  async function dragBy(x: number, y: number, dx: number) {
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + dx / 2, y, { steps: 4 });
    await page.mouse.move(x + dx, y, { steps: 4 });
    await page.mouse.up();
  }

  const slotWidth = () => page.locator('.assistant-hours .slot').first().evaluate((el) => el.getBoundingClientRect().width);

  it('When the tutor opens the Scheduling assistant from the form, then the dialog shows each invitee’s day, and the block moves and resizes with the mouse, the keyboard and the fields', async () => {
    await openForm(1100);
    const request = await openAssistant();
    expect(request.headers()['authorization'], 'the token travels with the request').to.match(/^Bearer /);
    const sent = new URL(request.url()).searchParams;
    expect(sent.get('startDate')).to.equal('2027-03-09');
    expect(sent.getAll('studentIds')).to.have.length(1);
    expect(sent.has('name'), 'only the schedule and the invitees are sent, not the text fields').to.equal(false);
    expect(await focusedId(), 'focus starts on Start date').to.equal('assistant-date');
    expect(await field('Start date').inputValue()).to.equal('2027-03-09');
    expect(await field('Time').inputValue()).to.equal('16:00');
    expect(await field('Duration').inputValue()).to.equal('60');
    // What shows in each row header (the screen-reader summary of the row is left out).
    const rows = await dialog()
      .locator('.assistant-lanes .assistant-person')
      .evaluateAll((cells) =>
        cells.map((cell) => {
          const shown = cell.cloneNode(true) as HTMLElement;
          shown.querySelectorAll('.visually-hidden, [hidden]').forEach((el) => el.remove());
          return (shown.textContent ?? '').replace(/\s+/g, ' ').trim();
        }),
      );
    expect(rows).to.deep.equal([
      `${TUTOR} (tutor)`,
      `${STUDENT} (student) · Europe/Berlin, 22:00 there Unavailable`,
    ]);
    await expectStatus(`16:00 to 17:00, ${DAY_LABEL}. Unavailable: ${STUDENT}.`);
    expect(await block().getAttribute('aria-valuetext')).to.equal(`16:00 to 17:00, ${DAY_LABEL}`);
    await screenshot(page, 'assistant-1100', { fullPage: false });
    await expectNoAxeViolations(page);

    // Keyboard: arrows move by 15 minutes, Shift+arrows change the length.
    await block().focus();
    await page.keyboard.press('ArrowLeft');
    await expectStatus(`15:45 to 16:45. Unavailable: ${STUDENT}.`);
    expect(await field('Time').inputValue()).to.equal('15:45');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    await expectStatus('15:00 to 16:00. Everyone is free.');
    expect(await dialog().locator('[data-unavailable]:visible').count(), 'nobody is flagged').to.equal(0);
    await page.keyboard.press('Shift+ArrowRight');
    await expectStatus(`15:00 to 16:15. Unavailable: ${STUDENT}.`);
    expect(await field('Duration').inputValue()).to.equal('75');
    await page.keyboard.press('Shift+ArrowLeft');
    await expectStatus('15:00 to 16:00. Everyone is free.');
    await page.keyboard.press('ArrowUp');
    await expectStatus(`15:15 to 16:15. Unavailable: ${STUDENT}.`);
    await page.keyboard.press('ArrowDown');
    expect(await block().getAttribute('aria-valuenow')).to.equal(String(15 * 4));
    expect(await block().getAttribute('aria-valuetext')).to.equal(`15:00 to 16:00, ${DAY_LABEL}`);

    // Mouse: drag the block an hour earlier, then its right edge half an hour later.
    const slot = await slotWidth();
    let box = (await block().boundingBox())!;
    await dragBy(box.x + box.width / 3, box.y + box.height / 2, -4 * slot);
    await expectStatus('14:00 to 15:00. Everyone is free.');
    expect(await field('Time').inputValue()).to.equal('14:00');
    const handle = (await dialog().locator('.assistant-handle').boundingBox())!;
    await dragBy(handle.x + handle.width / 2, handle.y + handle.height / 2, 2 * slot);
    await expectStatus('14:00 to 15:30. Everyone is free.');
    expect(await field('Duration').inputValue()).to.equal('90');
    box = (await block().boundingBox())!;
    expect(Math.round(box.width / slot), 'the block is six quarter hours wide').to.equal(6);

    // Fields: typing a time or a duration moves or resizes the block.
    await field('Time').fill('10:00');
    expect(await block().getAttribute('aria-valuenow')).to.equal('40');
    expect(await block().getAttribute('aria-valuetext')).to.equal(`10:00 to 11:30, ${DAY_LABEL}`);
    await field('Duration').fill('30');
    expect(await block().getAttribute('aria-valuetext')).to.equal(`10:00 to 10:30, ${DAY_LABEL}`);
    const start = await block().evaluate((el) => (el as HTMLElement).style.getPropertyValue('--start'));
    expect(start).to.equal('40');
    box = (await block().boundingBox())!;
    expect(Math.round(box.width / slot)).to.equal(2);

    // "Next time everyone is free" from 16:00: the student's day is over, so Wednesday at 09:00.
    await field('Time').fill('16:00');
    await field('Time').dispatchEvent('change');
    await expectStatus(`16:00 to 16:30. Unavailable: ${STUDENT}.`);
    await dialog().getByRole('button', { name: 'Next time everyone is free' }).click();
    await expectStatus('Everyone is free 09:00 to 09:30, Wednesday 10 March 2027.');
    expect(await field('Start date').inputValue()).to.equal('2027-03-10');
    expect(await field('Time').inputValue()).to.equal('09:00');
    expect(await field('Duration').inputValue()).to.equal('30');
    expect(await focusedId(), 'focus stays on the button').to.equal('assistant-next-free');

    // Previous day keeps the time and the length.
    await dialog().getByRole('button', { name: 'Previous day' }).click();
    await expectStatus(`09:00 to 09:30, ${DAY_LABEL}. Everyone is free.`);
    expect(await field('Start date').inputValue()).to.equal('2027-03-09');
    expect(await field('Time').inputValue()).to.equal('09:00');

    // Apply returns Start date, Time and Duration to the form.
    await dialog().getByRole('button', { name: 'Apply' }).click();
    await dialog().waitFor({ state: 'hidden' });
    const form = page.locator('#session-form');
    expect(await form.getByLabel('Start date').inputValue()).to.equal('2027-03-09');
    expect(await form.getByLabel('Start time').inputValue()).to.equal('09:00');
    expect(await form.getByLabel('Session length').inputValue()).to.equal('30');
    expect(await form.getByLabel('Unit', { exact: true }).inputValue()).to.equal('minutes');
    expect(await focusedId(), 'focus is back on the button that opened it').to.equal('assistant-open');
    expect(await page.locator('#session-form #assistant-date').count(), 'the dialog’s fields are not the form’s').to.equal(0);
    expectNoProblems();
  });

  it('When the tutor opens the assistant from the conflict alert on a 420px-wide screen, then the grid scrolls sideways, later weekly sessions are checked, and Escape returns to the alert', async () => {
    await openForm(420, true);
    const alertButton = page.locator('#conflicts').getByRole('button', { name: 'Open the Scheduling assistant' });
    await alertButton.waitFor();
    await alertButton.click();
    await dialog().waitFor();
    await page.locator('#assistant-view').waitFor();
    await expectStatus(`16:00 to 17:00, ${DAY_LABEL}. Unavailable: ${STUDENT}.`);
    const later = dialog().getByRole('region', { name: 'Later sessions with conflicts' });
    // Berlin moves its clocks on 28 March: from then on 16:00 New York is 22:00 there, after the student's hours.
    expect(await later.innerText()).to.contain('Session 4: Tue 30 Mar 2027 16:00–17:00');
    expect(await later.innerText()).not.to.match(/Session [23]:/);
    const { scrollWidth, clientWidth } = await dialog().locator('.assistant-scroll').evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
    expect(scrollWidth).to.be.greaterThan(clientWidth);
    const dialogBox = (await dialog().boundingBox())!;
    expect(dialogBox.width, 'the dialog fits the screen').to.be.at.most(420);
    expect(await block().isVisible()).to.equal(true);
    await screenshot(page, 'assistant-420', { fullPage: false });
    await expectNoAxeViolations(page);

    // Moving the block to 10:00 rechecks the later sessions: the student is free then every Tuesday.
    await field('Time').fill('10:00');
    await field('Time').dispatchEvent('change');
    await later.getByText('No conflicts in later sessions.').waitFor();
    await screenshot(page, 'assistant-420-free', { fullPage: false });

    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'hidden' });
    expect(await alertButton.evaluate((el) => el === document.activeElement), 'focus is back on the alert’s button').to.equal(true);
    expect(await page.getByLabel('Start time').inputValue(), 'Escape changes nothing').to.equal('16:00');
    expectNoProblems();
  });
});
