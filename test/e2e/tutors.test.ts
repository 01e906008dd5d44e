// The Tutors page in a real browser, launched through the demo LMS: the instructor searches,
// makes a student a tutor and takes it back, each step in place with the outcome in the status
// region; the student's next launch opens TutorKit as a tutor. And the site administrator's
// pages about roles, each free of accessibility violations.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { expectNoAxeViolations, launchFromDemo, openPage, screenshot, useDemoApp, type WatchedPage } from './support.js';

const INSTRUCTOR = 'Amara Okafor';
const STUDENT = 'Kwame Mensah';

describe('Tutors page in a browser', () => {
  const env = useDemoApp();
  let watched: WatchedPage;
  let page: Page;

  beforeEach(async () => {
    watched = await openPage(env.browser);
    page = watched.page;
  });
  afterEach(async () => {
    await watched.context.close();
  });

  const people = () => page.locator('#people');
  const row = (name: string) => people().locator('tbody tr', { hasText: name });
  const messages = () => page.locator('#messages');
  const focusedText = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

  it('When the instructor searches, makes a student a tutor and takes it back, then each step shows in place and is announced, with no accessibility violations', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'instructor', INSTRUCTOR);
    await page.locator('header.site-header').getByRole('link', { name: 'Tutors' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tutors' }).waitFor();
    expect(await page.title()).to.equal('Tutors: BIO 101: Introduction to Biology · TutorKit');
    expect(await people().locator('caption').innerText()).to.equal('9 people. Showing 1–9.');
    expect(await row('Maya Chen').innerText()).to.contain('Teaching assistant').and.contain('Tutor (from the LMS role)');
    await screenshot(page, 'tutors-page');
    await expectNoAxeViolations(page);

    // Search as you type: the list narrows in place and the status region says how many match.
    await page.getByLabel('Search by name or email').fill('kwa');
    await messages().getByText('1 person matches “kwa”. Showing 1–1.').waitFor();
    expect(await people().locator('tbody tr').count()).to.equal(1);
    expect(await row(STUDENT).innerText()).to.contain('Learner').and.contain('Student (from the LMS role)');

    // Make tutor: the row changes in place, the outcome is announced, focus lands on the way back.
    await row(STUDENT).getByRole('button', { name: `Make tutor ${STUDENT}` }).click();
    await row(STUDENT).getByText('Tutor (made a tutor in TutorKit)').waitFor();
    await messages().getByText(`${STUDENT} is now a tutor of BIO 101: Introduction to Biology.`, { exact: false }).waitFor();
    await page.waitForFunction(() => document.activeElement?.textContent?.trim().startsWith('Remove tutor role'));
    expect(await focusedText()).to.equal(`Remove tutor role of ${STUDENT}`);
    await screenshot(page, 'tutors-made-tutor');
    await expectNoAxeViolations(page);

    // Take it back with the keyboard: Enter on the focused button.
    await page.keyboard.press('Enter');
    await row(STUDENT).getByText('Student (from the LMS role)').waitFor();
    await messages().getByText(`${STUDENT} is no longer a tutor of BIO 101: Introduction to Biology: they are a student again, as in the LMS.`).waitFor();
    await page.waitForFunction(() => document.activeElement?.textContent?.trim().startsWith('Make tutor'));
    await expectNoAxeViolations(page);

    // Tutors only.
    await page.getByLabel('Search by name or email').fill('');
    await page.getByLabel('Show', { exact: true }).selectOption('tutors');
    await messages().getByText('2 tutors. Showing 1–2.').waitFor();
    expect(await people().locator('tbody th').allInnerTexts()).to.deep.equal(['Diego Ramírez\ndiego.ramirez@demo.tutorkit.test', 'Maya Chen\nmaya.chen@demo.tutorkit.test']);
    expect(watched.problems).to.deep.equal([]);
  });

  it('When the instructor makes a student a tutor, then the student’s next launch opens TutorKit as a tutor', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'instructor', INSTRUCTOR);
    await page.locator('header.site-header').getByRole('link', { name: 'Tutors' }).click();
    await row('Hannah Schmidt').getByRole('button', { name: 'Make tutor Hannah Schmidt' }).click();
    await row('Hannah Schmidt').getByText('Tutor (made a tutor in TutorKit)').waitFor();

    const student = await openPage(env.browser);
    try {
      await launchFromDemo(student.page, env.app.baseUrl, 'student', 'Hannah Schmidt');
      expect(await student.page.locator('.who-role').innerText()).to.equal('Tutor');
      await student.page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      expect(new URL(student.page.url()).pathname).to.match(/\/dashboard$/);
    } finally {
      await student.context.close();
    }
  });

  it('When the site administrator chooses a site tutor’s communities and opens Communities, Site tutors, Role mapping and Role changes, then each page reads well and has no accessibility violations', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'instructor', INSTRUCTOR);
    const toSiteSettingsLink = async (link: string) => {
      await page.locator('header.site-header').getByRole('link', { name: 'Site settings' }).click();
      await page.getByRole('heading', { level: 1, name: 'Site settings' }).waitFor();
      await page.getByRole('main').getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: link }).waitFor();
    };

    // A site tutor's communities: the demo site has one community, ticked and saved.
    await toSiteSettingsLink('Site tutors');
    await page.getByRole('link', { name: 'Choose communities for Maya Chen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Site tutor: Maya Chen' }).waitFor();
    await page.getByLabel('BIO 101: Introduction to Biology').check();
    await page.getByRole('button', { name: 'Save communities' }).click();
    await page.getByText('Maya Chen is a site tutor of BIO 101: Introduction to Biology.').waitFor();
    await screenshot(page, 'admin-site-tutor');
    await expectNoAxeViolations(page);

    for (const link of ['Communities', 'Site tutors', 'Role mapping', 'Role changes']) {
      await toSiteSettingsLink(link);
      await screenshot(page, `admin-${link.toLowerCase().replace(' ', '-')}`);
      await expectNoAxeViolations(page);
    }
    expect(await page.getByRole('main').innerText()).to.contain('Site tutor communities\tMaya Chen\tWhole site\tno communities\tBIO 101: Introduction to Biology\tAmara Okafor');
  });
});
