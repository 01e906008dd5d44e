// The demo launch in a real browser: the home page, the OIDC flow through the built-in demo LMS,
// each role's landing page, htmx-boosted navigation with the token, reloads and a phone-sized screen.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { expectNoAxeViolations, launchFromDemo, openPage, screenshot, unexpectedProblems, useDemoApp, type WatchedPage } from './support.js';

const STUDENT = "Liam O'Connor"; // not the first in the list, and an apostrophe to escape
const INSTRUCTOR = 'Amara Okafor';
const COURSE = 'BIO 101: Introduction to Biology';

describe('Demo launch in a browser', () => {
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

  const h1 = () => page.locator('main h1');
  const header = () => page.locator('header.site-header');

  function expectTokenNotInAddressBar() {
    const url = new URL(page.url());
    expect(url.searchParams.has('lt'), `address bar still shows the token: ${url.pathname}${url.search.replace(/lt=[^&]+/, 'lt=…')}`).to.equal(false);
  }

  function expectNoProblems(problems = watched.problems) {
    expect(problems, 'the browser reported errors').to.deep.equal([]);
  }

  it('When someone opens the home page, then they see TutorKit, the registration URLs and the demo forms, with no accessibility violations', async () => {
    await page.goto(`${env.app.baseUrl}/`);

    expect(await page.title()).to.equal('TutorKit');
    expect(await h1().textContent()).to.equal('TutorKit');
    const urls = page.locator('dl.urls');
    const valueOf = (term: string) => urls.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]').innerText();
    expect(await valueOf('OIDC login initiation URL')).to.equal(`${env.app.baseUrl}/lti/login`);
    expect(await valueOf('Launch URL (target link URI)')).to.equal(`${env.app.baseUrl}/lti/launch`);
    expect(await valueOf('Redirect URIs')).to.contain(`${env.app.baseUrl}/lti/launch`);
    expect(await valueOf('Public keyset (JWKS) URL')).to.equal(`${env.app.baseUrl}/lti/keys`);
    expect(await valueOf('Deep linking URL')).to.equal(`${env.app.baseUrl}/lti/launch`);
    expect(await page.getByRole('link', { name: `${env.app.baseUrl}/lti-config.json` }).getAttribute('href')).to.equal('/lti-config.json');

    for (const role of ['instructor', 'tutor', 'student'] as const) {
      await page.getByRole('button', { name: `Launch as ${role}` }).waitFor();
      expect(await page.locator(`#demo-${role} option`).count(), `${role} choices`).to.be.greaterThan(0);
    }
    expect(await page.locator('#demo-student option').allTextContents()).to.include(STUDENT);
    expect(await page.locator('#demo-instructor option').allTextContents()).to.include(INSTRUCTOR);

    await screenshot(page, 'home');
    await expectNoAxeViolations(page);
    expectNoProblems();
  });

  it('When a student launches from the demo form, then they land on their Dashboard with their name and role, and the token is gone from the address bar', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'student', STUDENT);

    expect(new URL(page.url()).pathname).to.match(/^\/c\/[^/]+\/dashboard$/);
    expectTokenNotInAddressBar();
    expect(await page.title()).to.equal('Dashboard · TutorKit');
    expect(await h1().textContent()).to.equal('Dashboard');
    expect(await header().locator('.who-name').textContent()).to.equal(STUDENT);
    expect(await header().locator('.who-role').textContent()).to.equal('Student');
    expect(await header().locator('.who-course').textContent()).to.equal(COURSE);
    expect(await header().getByRole('link', { name: 'Dashboard' }).getAttribute('aria-current')).to.equal('page');
    expect(await header().getByRole('link', { name: 'Client portal' }).count(), 'students have no Client portal link').to.equal(0);
    for (const section of ['Active sessions', 'Upcoming sessions']) {
      expect(await page.getByRole('region', { name: section }).isVisible(), `${section} section`).to.equal(true);
    }
    expect(await page.getByRole('link', { name: 'View meeting history' }).isVisible()).to.equal(true);

    await screenshot(page, 'student-dashboard');
    await expectNoAxeViolations(page);
    expectNoProblems();
  });

  it('When an instructor launches and follows the My sessions link, then both pages show without an error and the token travels in the Authorization header', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'instructor', INSTRUCTOR);

    expect(new URL(page.url()).pathname).to.match(/^\/c\/[^/]+\/portal$/);
    expectTokenNotInAddressBar();
    expect(await h1().textContent()).to.equal('Client portal');
    expect(await header().locator('.who-name').textContent()).to.equal(INSTRUCTOR);
    expect(await header().locator('.who-role').textContent()).to.equal('Instructor');
    for (const section of ['Dashboard', 'On-Demand Reports', 'Early Alerts']) {
      expect(await page.getByRole('region', { name: section }).isVisible(), `${section} section`).to.equal(true);
    }
    const facts = page.getByRole('region', { name: 'Dashboard' }).locator('dl.facts');
    expect(await facts.locator('dt').allTextContents()).to.deep.equal(['Students', 'Tutors', 'Instructors']);
    await screenshot(page, 'instructor-portal');
    await expectNoAxeViolations(page);

    const portalPath = new URL(page.url()).pathname;
    const sessionsPath = portalPath.replace(/portal$/, 'sessions');
    const [request] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname === sessionsPath),
      header().getByRole('link', { name: 'My sessions' }).click(),
    ]);
    const response = await request.response();
    expect(request.headers()['hx-boosted'], 'an hx-boost navigation').to.equal('true');
    expect(request.headers()['authorization'], 'the token in the Authorization header').to.match(/^Bearer \S+$/);
    expect(new URL(request.url()).searchParams.has('lt'), 'no token in the URL').to.equal(false);
    expect(response?.status()).to.equal(200);

    await page.waitForURL((url) => url.pathname === sessionsPath);
    await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
    expect(await page.title()).to.equal('My sessions · TutorKit');
    expect(await page.locator('#messages').innerText(), 'no error notice').to.equal('');
    expect(await header().locator('.who-name').textContent()).to.equal(INSTRUCTOR);
    expect(await header().getByRole('link', { name: 'My sessions' }).getAttribute('aria-current')).to.equal('page');
    expect(await header().getByRole('link', { name: 'Client portal' }).getAttribute('aria-current')).to.equal(null);
    expect(await page.locator('main').innerText()).to.contain('No sessions in this month.');

    await screenshot(page, 'instructor-sessions');
    await expectNoAxeViolations(page);
    expectNoProblems();
  });

  it('When a person reloads their role page, then they still see it with their name, and the token stays out of the address bar', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'student', STUDENT);
    const path = new URL(page.url()).pathname;

    // The reloaded URL has no token, so the server answers 401 and public/js/app.js retries once
    // with the token this tab kept in sessionStorage.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.waitForLoadState('load');

    expect(new URL(page.url()).pathname).to.equal(path);
    expectTokenNotInAddressBar();
    expect(await header().locator('.who-name').textContent()).to.equal(STUDENT);
    expect(await header().locator('.who-role').textContent()).to.equal('Student');
    expect(await page.locator('main').innerText()).to.not.contain('session has ended');
    await screenshot(page, 'student-dashboard-reloaded');
    expectNoProblems(unexpectedProblems(watched.problems));
  });

  it('When a tab without a remembered token reloads a role page, then it shows the session-ended page with what to do next', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'student', STUDENT);
    await page.evaluate(() => sessionStorage.clear());

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Your TutorKit session has ended' }).waitFor();

    expect(await page.getByRole('heading', { level: 2, name: 'What to do next' }).isVisible()).to.equal(true);
    expect(await header().locator('.who-name').count(), 'no one is shown as signed in').to.equal(0);
    expectTokenNotInAddressBar();
    await screenshot(page, 'session-ended');
    await expectNoAxeViolations(page);
    expectNoProblems(unexpectedProblems(watched.problems));
  });

  it('When a student uses a 375px-wide screen, then the page does not scroll sideways', async () => {
    await page.setViewportSize({ width: 375, height: 700 });
    await launchFromDemo(page, env.app.baseUrl, 'student', STUDENT);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px viewport`).to.be.at.most(innerWidth);
    await screenshot(page, 'student-dashboard-375');
    await expectNoAxeViolations(page);
    expectNoProblems();
  });

  it('When the home page is 375px wide, then the registration URLs and demo forms fit without sideways scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 700 });
    await page.goto(`${env.app.baseUrl}/`);

    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px viewport`).to.be.at.most(innerWidth);
    await screenshot(page, 'home-375');
    expectNoProblems();
  });

  it('When a keyboard user presses Tab on a role page, then the first stop is a visible skip link that moves focus to the main content', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'student', STUDENT);

    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    expect(await skip.evaluate((el) => el === document.activeElement)).to.equal(true);
    const box = await skip.boundingBox();
    expect(box && box.x >= 0 && box.y >= 0, 'the focused skip link is on screen').to.equal(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('main');
    expectNoProblems();
  });

  it('When JavaScript is off, then the demo LMS hand-off pages offer an accessible Continue button and the launch page says TutorKit needs JavaScript', async () => {
    const noScript = await openPage(env.browser, { javaScriptEnabled: false });
    const p = noScript.page;
    try {
      await p.goto(`${env.app.baseUrl}/`);
      await p.locator('#demo-student').selectOption({ label: STUDENT });
      await p.getByRole('button', { name: 'Launch as student' }).click();
      for (const step of ['login initiation', 'id_token']) {
        await p.getByRole('heading', { level: 1, name: 'Opening TutorKit…' }).waitFor();
        expect(await p.locator('main p').first().innerText(), step).to.contain(step === 'login initiation' ? 'OIDC login initiation' : 'signed id_token');
        if (step === 'login initiation') await screenshot(p, 'demo-lms-handoff');
        await p.getByRole('button', { name: 'Continue' }).click();
      }
      // Chromium's script switch does not make the parser render <noscript>, so read its markup.
      await p.getByRole('heading', { level: 1, name: 'Opening TutorKit…' }).waitFor();
      expect(new URL(p.url()).pathname).to.equal('/lti/launch');
      expect(await p.locator('noscript').last().evaluate((el) => el.textContent)).to.contain('TutorKit needs JavaScript');
      expect(p.url()).not.to.contain('lt=');
      expect(await p.content()).not.to.contain(STUDENT);
    } finally {
      await noScript.context.close();
    }
  });

  it('When a person reloads their role page twice, then they still see it', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'student', STUDENT);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.reload();
    await page.waitForLoadState('load');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor({ timeout: 5000 });
    expect(new URL(page.url()).search).to.equal('');
  });

  it('When an instructor goes Back after following a nav link, then the previous page shows again', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'instructor', INSTRUCTOR);
    await header().getByRole('link', { name: 'My sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
    // Focus moves to the new content once htmx has settled the swap.
    await page.waitForFunction(() => document.activeElement?.id === 'main', undefined, { timeout: 5000 });
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Client portal' }).waitFor({ timeout: 5000 });
  });

  it('When a keyboard user looks at the demo forms, then each person picker is named by its role', async () => {
    await page.goto(`${env.app.baseUrl}/`);
    for (const role of ['Instructor', 'Tutor', 'Student']) {
      expect(await page.getByLabel(role, { exact: true }).count(), role).to.equal(1);
    }
  });
});
