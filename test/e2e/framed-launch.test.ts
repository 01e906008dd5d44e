// TutorKit inside an LMS iframe when the browser blocks third-party cookies: the simulated LMS
// (127.0.0.1) frames TutorKit (localhost, another site) and answers the LTI platform storage
// postMessages, or does not. Also the refusals (forged state, replayed id_token) and a launch in
// the top window.
import { expect } from 'chai';
import type { FrameLocator, Page, Request } from 'playwright-core';
import { registerSimulator, startTestApp, type TestApp } from '../support/app.js';
import { getWithToken, people } from '../support/launch.js';
import { PlatformSimulator, ROLES, type BrowserLaunchInput } from '../support/platform-simulator.js';
import { openProfile, readPlatformStorage, startCookieProbe, toolFrame, toolFrameHandle, type ChromiumProfile } from './framed-support.js';
import { expectNoAxeViolations, screenshot, unexpectedProblems } from './support.js';

const STUDENT = people.student();
const ATTACKER = { sub: 'mallory-1', name: 'Mallory Attacker', roles: [ROLES.learner] };
const INSTRUCTOR = people.instructor();
const NEW_WINDOW = 'Open TutorKit in a new window';
const REFUSAL = /^(This launch could not be verified|This launch was already used)$/;
/** Every page a launch can end on (so a wrong outcome fails at once, not by a timeout). */
const OUTCOME = /^(Dashboard|Client portal|This launch could not be verified|This launch was already used|Open TutorKit in a new window)$/;
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g;

describe('Framed launch with third-party cookies blocked', () => {
  let app: TestApp;
  let sim: PlatformSimulator;
  let profile: ChromiumProfile | undefined;
  let page: Page;

  before(async () => {
    [app, sim] = await Promise.all([startTestApp({ hostname: 'localhost' }), PlatformSimulator.start()]);
    await registerSimulator(app, sim);
  });
  after(async () => {
    await sim?.close();
    await app?.close();
  });
  afterEach(async () => {
    await profile?.close();
    profile = undefined;
  });

  async function open(cookies: 'blocked' | 'allowed'): Promise<ChromiumProfile> {
    await profile?.close();
    profile = await openProfile(cookies);
    page = profile.page;
    return profile;
  }

  const frame = () => toolFrame(page);
  const frameH1 = () => frame().locator('main h1');

  /** Opens the simulated course page for a new launch and returns its URL. */
  async function openCourse(input: BrowserLaunchInput): Promise<string> {
    const courseUrl = sim.prepareBrowserLaunch(app.tool, input);
    await page.goto(courseUrl);
    return courseUrl;
  }

  /** Waits until the frame (or a page) shows where the launch ended, and returns its h1. */
  async function landsOn(where: Page | FrameLocator = frame()): Promise<string> {
    const heading = where.getByRole('heading', { level: 1, name: OUTCOME });
    try {
      await heading.waitFor({ timeout: 20_000 });
    } catch {
      const shown = await where.locator('body').innerText({ timeout: 1000 }).catch(() => '(nothing)');
      expect.fail(`no launch outcome (an h1 matching ${OUTCOME}) appeared; the page shows:\n${shown}`);
    }
    return (await heading.textContent())?.trim() ?? '';
  }

  /** Navigates the tool's frame from the course page (frame.goto fails when the frame changes process). */
  async function navigateFrame(url: string) {
    await page.locator(`iframe[title="TutorKit"]`).evaluate((iframe: HTMLIFrameElement, src) => (iframe.src = src), url);
  }

  /**
   * Session tokens a refused page still hands out: any JWT in the frame's HTML that TutorKit accepts
   * for a course page. A refusal must leave nothing usable behind, not only hide the page.
   */
  async function usableTokensInFrame(): Promise<string[]> {
    const html = await frame().locator('html').evaluate((el) => el.outerHTML);
    const usable: string[] = [];
    for (const [jwt] of html.matchAll(JWT)) {
      const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { cid?: unknown };
      if (typeof claims.cid !== 'string') continue;
      const response = await getWithToken(app, `/c/${claims.cid}/sessions`, jwt);
      if (response.status === 200) usable.push(`a token for course ${claims.cid}`);
    }
    return usable;
  }

  /**
   * Login CSRF: the attacker runs a launch in their own browser up to the authorization answer
   * but never posts it, so its state is fresh. Returns their course URL (for replayUrl).
   */
  async function startAttackerLaunch(framed: boolean): Promise<string> {
    const attacker = await openProfile(framed ? 'blocked' : 'allowed');
    try {
      await attacker.page.route('**/lti/launch', (route) => route.abort());
      const courseUrl = sim.prepareBrowserLaunch(app.tool, { user: ATTACKER, storage: framed });
      await attacker.page.goto(framed ? courseUrl : sim.topLevelLaunchUrl(courseUrl));
      for (let i = 0; i < 200 && sim.authorizations(courseUrl).length === 0; i++) await attacker.page.waitForTimeout(50);
      expect(sim.authorizations(courseUrl), 'the attacker got an authorization').to.have.length(1);
      return courseUrl;
    } finally {
      await attacker.close();
    }
  }

  async function expectRefusedInFrame(expected: RegExp) {
    expect(await landsOn()).to.match(expected);
    expect(await frame().locator('header.site-header .who-name').count(), 'nobody is signed in').to.equal(0);
    expect(await usableTokensInFrame(), 'usable session tokens in the refused page').to.deep.equal([]);
  }

  function expectNoProblems() {
    expect(unexpectedProblems(profile?.problems ?? []), 'the browser reported errors').to.deep.equal([]);
  }

  function expectNoTokenIn(url: string) {
    const parsed = new URL(url);
    expect(parsed.searchParams.has('lt'), `token in the address ${parsed.pathname}${parsed.search}`).to.equal(false);
    expect(url, 'a JWT in the address').not.to.match(JWT);
  }

  it('When a profile blocks third-party cookies, then a cross-site frame keeps no cookie (and a profile that allows them does)', async () => {
    const probe = await startCookieProbe();
    try {
      await open('blocked');
      const blocked = await probe.probe(page);
      expect(blocked.headerInFrame, 'cookie header in the frame').to.equal('');
      expect(blocked.documentCookieInFrame, 'document.cookie in the frame').to.equal('');
      expect(blocked.headerTopLevel, 'the same site at the top keeps its cookies').to.contain('by_header=1').and.contain('by_script=1');
      await open('allowed');
      const allowed = await probe.probe(page);
      expect(allowed.headerInFrame, 'cookie header in the frame').to.contain('by_header=1').and.contain('by_script=1');
      expect(allowed.documentCookieInFrame).to.contain('by_script=1');
    } finally {
      await probe.close();
    }
  });

  it('When the platform offers storage, then a student lands on their Dashboard in the frame and the state went through the platform', async () => {
    await open('blocked');
    await openCourse({ user: STUDENT, storage: true });

    expect(await landsOn()).to.equal('Dashboard');
    expect(await frame().locator('header.site-header .who-name').textContent()).to.equal(STUDENT.name);
    expectNoTokenIn(toolFrameHandle(page).url());

    const storage = await readPlatformStorage(page);
    const toolOrigin = new URL(app.baseUrl).origin;
    expect(Object.keys(storage.stored), 'origins that stored data').to.deep.equal([toolOrigin]);
    const keys = Object.keys(storage.stored[toolOrigin] ?? {});
    expect(keys, 'keys TutorKit stored').to.have.length.greaterThan(0);
    for (const key of keys) expect(key).to.match(/^tutorkit_/);
    const subjects = storage.messages.map((m) => m.subject);
    expect(subjects, 'messages the platform received').to.include('lti.put_data').and.include('lti.get_data');
    expect(storage.messages.every((m) => m.fromTool && m.answered && m.origin === toolOrigin), JSON.stringify(storage.messages)).to.equal(true);
    const read = storage.messages.filter((m) => m.subject === 'lti.get_data').map((m) => m.key);
    for (const key of read) expect(keys, 'TutorKit reads back only keys it stored').to.include(key);

    await screenshot(page, 'framed-student-dashboard');
    expectNoProblems();
  });

  it('When the platform offers storage, then an instructor lands on Client portal in the frame and moves to My sessions with the token, not a cookie', async () => {
    await open('blocked');
    await openCourse({ user: INSTRUCTOR, storage: true });

    expect(await landsOn()).to.equal('Client portal');
    expect(await frame().locator('header.site-header .who-name').textContent()).to.equal(INSTRUCTOR.name);
    await screenshot(page, 'framed-instructor-portal');

    const isSessions = (r: Request) => r.frame().name() === 'tool' && /\/sessions$/.test(new URL(r.url()).pathname);
    const [request] = await Promise.all([page.waitForRequest(isSessions), frame().locator('header.site-header').getByRole('link', { name: 'My sessions' }).click()]);
    const headers = await request.allHeaders();
    expect(headers['hx-boosted'], 'an hx-boost navigation').to.equal('true');
    expect(headers['authorization'], 'the token in the Authorization header').to.match(/^Bearer \S+$/);
    expect(headers['cookie'], 'no cookie is sent from the frame').to.equal(undefined);
    expect(new URL(request.url()).searchParams.has('lt'), 'no token in the URL').to.equal(false);
    expect((await request.response())?.status()).to.equal(200);

    await frame().getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
    expect(await frame().locator('header.site-header .who-name').textContent()).to.equal(INSTRUCTOR.name);
    expect(await frameH1().textContent()).to.equal('My sessions');
    await screenshot(page, 'framed-instructor-sessions');
    expectNoProblems();
  });

  it('When the platform offers storage from a named frame, then the launch succeeds in the tool frame', async () => {
    await open('blocked');
    await openCourse({ user: STUDENT, storage: true, storageFrame: true });

    expect(await landsOn()).to.equal('Dashboard');
    const storage = await readPlatformStorage(page);
    expect(Object.keys(storage.stored[new URL(app.baseUrl).origin] ?? {})).to.have.length.greaterThan(0);
    await expectNoAxeViolations(page.frame({ name: 'tool' })!);
    expectNoProblems();
  });

  it('When the platform offers no storage, then the frame offers a new window, and the launch there lands on the Dashboard', async () => {
    const { context } = await open('blocked');
    await openCourse({ user: STUDENT, storage: false });

    // The contract says a button; a link that opens a new window is as good.
    const opener = frame().getByRole('button', { name: NEW_WINDOW }).or(frame().getByRole('link', { name: NEW_WINDOW }));
    await opener.waitFor({ timeout: 20_000 });
    expect(await frame().getByRole('heading', { name: 'Dashboard' }).count(), 'no role page in the frame').to.equal(0);
    await screenshot(page, 'framed-new-window-offer');
    await expectNoAxeViolations(page.frame({ name: 'tool' })!);

    const [popup] = await Promise.all([context.waitForEvent('page'), opener.click()]);
    expect(await landsOn(popup)).to.equal('Dashboard');
    expect(await popup.locator('header.site-header .who-name').textContent()).to.equal(STUDENT.name);
    expectNoTokenIn(popup.url());
    expect(new URL(popup.url()).origin, 'the new window is TutorKit itself').to.equal(new URL(app.baseUrl).origin);
    await screenshot(popup, 'framed-new-window-popup');

    await frame().getByRole('status').filter({ hasText: /new window/i }).waitFor();
    expect(await frame().getByRole('heading', { name: 'Dashboard' }).count(), 'the frame does not show the role page').to.equal(0);
    await screenshot(page, 'framed-new-window-opened');
    expectNoProblems();
  });

  it('When the platform acknowledges but never stores the state, then the frame refuses the launch', async () => {
    await open('blocked');
    await openCourse({ user: STUDENT, storage: true, forgetStoredData: true });

    await expectRefusedInFrame(/^This launch could not be verified$/);
    await screenshot(page, 'framed-refused-unstored-state');
  });

  it('When the state posted to the launch is forged, then the frame refuses the launch', async () => {
    await open('blocked');
    await openCourse({ user: STUDENT, storage: true, tamperState: (state) => `${state}x` });

    await expectRefusedInFrame(/^This launch could not be verified$/);
    await screenshot(page, 'framed-refused-forged-state');
  });

  it('When the platform answers another value than the one stored, then the frame refuses the launch', async () => {
    await open('blocked');
    await openCourse({ user: STUDENT, storage: true, tamperStoredData: true });

    await expectRefusedInFrame(/^This launch could not be verified$/);
  });

  it('When an id_token and state that already launched are posted again in the frame, then the replay is refused', async () => {
    await open('blocked');
    const courseUrl = await openCourse({ user: STUDENT, storage: true });
    expect(await landsOn()).to.equal('Dashboard');
    expect(sim.authorizations(courseUrl), 'one authorization').to.have.length(1);

    // The platform still holds the stored state, so only the used id_token/nonce can give it away.
    await navigateFrame(sim.replayUrl(courseUrl));
    await frame().getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor({ state: 'detached' });
    await expectRefusedInFrame(REFUSAL);
    await screenshot(page, 'framed-refused-replay');
  });

  it('When a launch the attacker started in their browser is posted in the victim\'s frame, then nobody is signed in', async () => {
    const attackerCourse = await startAttackerLaunch(true);
    await open('blocked');
    await openCourse({ user: STUDENT, storage: true });
    expect(await landsOn()).to.equal('Dashboard');

    await navigateFrame(sim.replayUrl(attackerCourse));
    await frame().getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor({ state: 'detached' });
    await expectRefusedInFrame(/^This launch could not be verified$/);
    expect(await frame().getByText(ATTACKER.name).count(), 'the attacker\'s name').to.equal(0);
  });

  it('When a launch the attacker started in their browser is posted in the victim\'s top window, then nobody is signed in', async () => {
    const attackerCourse = await startAttackerLaunch(false);
    await open('allowed');
    await page.goto(sim.replayUrl(attackerCourse));

    // A top window cannot be helped by another window: TutorKit refuses.
    expect(await landsOn(page)).to.equal('This launch could not be verified');
    expect(await page.locator('header.site-header .who-name').count(), 'nobody is signed in').to.equal(0);
    expect(await page.getByText(ATTACKER.name).count(), 'the attacker\'s name').to.equal(0);
    const html = await page.content();
    for (const [jwt] of html.matchAll(JWT)) {
      const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { cid?: unknown };
      if (typeof claims.cid === 'string') expect((await getWithToken(app, `/c/${claims.cid}/sessions`, jwt)).status, 'a usable token').not.to.equal(200);
    }
    await screenshot(page, 'top-level-foreign-state');
    await expectNoAxeViolations(page);
  });

  it('When a launch runs in the top window, then it lands on the Dashboard with no token in the address bar, and its replay is refused', async () => {
    await open('allowed');
    const courseUrl = sim.prepareBrowserLaunch(app.tool, { user: STUDENT, storage: false });
    await page.goto(sim.topLevelLaunchUrl(courseUrl));

    expect(await landsOn(page)).to.equal('Dashboard');
    expect(await page.locator('header.site-header .who-name').textContent()).to.equal(STUDENT.name);
    expect(new URL(page.url()).origin).to.equal(new URL(app.baseUrl).origin);
    expectNoTokenIn(page.url());
    expectNoProblems();

    await page.goto(sim.replayUrl(courseUrl));
    expect(await landsOn(page)).to.match(REFUSAL);
    expect(await page.locator('header.site-header .who-name').count(), 'nobody is signed in').to.equal(0);
    await expectNoAxeViolations(page);
  });

  it('When a top-window launch runs with third-party cookies blocked, then it works too (its cookie is first-party)', async () => {
    await open('blocked');
    const courseUrl = sim.prepareBrowserLaunch(app.tool, { user: INSTRUCTOR, storage: false });
    await page.goto(sim.topLevelLaunchUrl(courseUrl));

    expect(await landsOn(page)).to.equal('Client portal');
    expectNoTokenIn(page.url());
    expectNoProblems();
  });
});
