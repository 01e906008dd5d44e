// The conflict alert on Add sessions in a real browser, launched through the demo LMS. The demo
// course gives Diego (tutor, Mexico City) weekdays 08:00-12:00 and Tue/Thu 15:00-19:00, and
// Priya (student, Kolkata) weekdays 17:00-23:00 (05:30-11:30 in Mexico City). Maya schedules in
// Mexico City time; the clock is frozen on Wednesday 3 March 2027.
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { sessionSeries } from '../../src/db/schema.js';
import { fixedClock } from '../support/app.js';
import { expectNoAxeViolations, launchFromDemo, openMySessions, openPage, screenshot, unexpectedProblems, useDemoApp, type WatchedPage } from './support.js';


describe('Conflict alerts in a browser', () => {
  const env = useDemoApp({ clock: fixedClock('2027-03-03T16:00:00Z') });
  let watched: WatchedPage;
  let page: Page;

  before(async () => {
    watched = await openPage(env.browser);
    page = watched.page;
  });
  after(async () => {
    await watched?.context.close();
  });

  const alert = () => page.locator('#conflicts');
  const conflictLines = () => alert().locator('.conflict-line').allInnerTexts();
  /** The browser reports the 409 answer as a failed resource; the form showing it is the point. */
  const problems = () => unexpectedProblems(watched.problems).filter((p) => !/status of 409/.test(p));

  it('When a tutor picks a time Diego and Priya can’t make, then the alert names them as the form changes, Save asks for confirmation, and the ticked box saves', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'tutor', 'Maya Chen');
    await openMySessions(page);
    await page.getByRole('link', { name: 'Add sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Add sessions' }).waitFor();
    await alert().getByText('checks here whether everyone invited can make it').waitFor();

    await page.getByLabel('Session name').fill('Cell signalling review');
    await page.getByLabel('Time zone').selectOption('America/Mexico_City');
    await page.getByLabel('Start date').fill('2027-03-09');
    await page.getByLabel('Start time').fill('09:00');
    await page.getByRole('checkbox', { name: 'Diego Ramírez' }).check();
    await page.getByRole('checkbox', { name: 'Priya Natarajan' }).check();
    await alert().getByText('Everyone invited is available.').waitFor();

    // 13:00 on a Tuesday is Diego's lunch gap and 00:30 in Kolkata.
    await page.getByLabel('Start time').fill('13:00');
    await page.getByLabel('Start time').dispatchEvent('change');
    await alert().getByRole('heading', { name: 'Scheduling conflicts' }).waitFor();
    expect(await conflictLines()).to.deep.equal(['Diego Ramírez is unavailable on Tue 9 Mar 2027 13:00–14:00', 'Priya Natarajan is unavailable on Tue 9 Mar 2027 13:00–14:00']);
    expect(await alert().getAttribute('aria-live')).to.equal('polite');
    await expectNoAxeViolations(page);

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Some invited people can’t make it.').waitFor();
    expect(await env.app.database.db.select().from(sessionSeries).where(eq(sessionSeries.name, 'Cell signalling review'))).to.have.length(0);
    expect(await page.getByLabel('Session name').inputValue(), 'nothing typed is lost').to.equal('Cell signalling review');
    await screenshot(page, 'conflicts-confirm');
    await expectNoAxeViolations(page);

    // Keyboard: reach the box and tick it with Space; the alert is not re-rendered under the focus.
    const confirm = page.getByRole('checkbox', { name: 'Schedule anyway, although these people can’t make it' });
    await confirm.focus();
    await page.keyboard.press('Space');
    expect(await confirm.isChecked()).to.equal(true);
    await page.waitForTimeout(600);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).to.equal('confirmConflicts');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
    const [saved] = await env.app.database.db.select().from(sessionSeries).where(eq(sessionSeries.name, 'Cell signalling review'));
    expect(saved).to.include({ startTime: '13:00:00', timeZone: 'America/Mexico_City' });
    expect(problems()).to.deep.equal([]);
  });

  it('When the tutor picks Diego again at the same time, then the alert says he already tutors it and offers no way to save anyway', async () => {
    await page.getByRole('link', { name: 'Add sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Add sessions' }).waitFor();
    await page.getByLabel('Session name').fill('Second room');
    await page.getByLabel('Time zone').selectOption('America/Mexico_City');
    await page.getByLabel('Start date').fill('2027-03-09');
    await page.getByLabel('Start time').fill('13:30');
    await page.getByRole('checkbox', { name: 'Maya Chen' }).uncheck();
    await page.getByRole('checkbox', { name: 'Diego Ramírez' }).check();
    await alert().getByText('A tutor can’t run two sessions at once.').waitFor();
    expect(await conflictLines()).to.include('Diego Ramírez already tutors “Cell signalling review” on Tue 9 Mar 2027 13:00–14:00');
    expect(await alert().getByRole('checkbox').count()).to.equal(0);
    await screenshot(page, 'conflicts-blocking');
    await expectNoAxeViolations(page);
  });
});
