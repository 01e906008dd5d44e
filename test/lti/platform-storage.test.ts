// Launches where the browser returns no cookie but the LMS offers postMessage storage
// (lti_storage_target). The browser side of the exchange is covered in test/e2e/framed-launch.
import { expect } from 'chai';
import { useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { postForm } from '../support/http-client.js';
import { countRows, h1Of, people, readLaunchPage } from '../support/launch.js';
import { CookieJar, type LaunchInput } from '../support/platform-simulator.js';

const unescape = (v: string) => v.replace(/&#34;/g, '"').replace(/&amp;/g, '&').replace(/&#39;/g, "'");
const attr = (html: string, name: string) => {
  const raw = html.match(new RegExp(`${name}="([^"]*)"`))?.[1];
  return raw === undefined ? undefined : unescape(raw);
};

describe('LTI platform storage (no cookies in the LMS frame)', () => {
  const lms = useSimulatedLms();

  /** Runs login (with a storage target) and authorization, as the framed browser would. */
  async function loginWithStorage(input: LaunchInput, target = '_parent') {
    const launchId = new URL(lms.sim.prepareBrowserLaunch(lms.app.tool, { ...input, storage: true })).searchParams.get('launch')!;
    const jar = new CookieJar();
    const login = await postForm(
      lms.app.tool.loginUrl,
      { iss: lms.sim.issuer, login_hint: input.user.sub, target_link_uri: lms.app.tool.launchUrl, lti_message_hint: launchId, client_id: lms.sim.clientId, lti_deployment_id: lms.sim.deploymentId, lti_storage_target: target },
      { jar },
    );
    const html = await login.text();
    const authUrl = attr(html, 'data-auth-url')!;
    const storage = JSON.parse(attr(html, 'data-storage')!) as { target: string; origin: string; keys: { state: string; nonce: string }; state: string; nonce: string };
    const authorized = await lms.sim.authorize(new URL(authUrl), input);
    return { login, html, storage, authorized, jar };
  }

  it('When the LMS offers storage, then the login page asks the LMS window to keep the state and nonce before continuing', async () => {
    const { login, html, storage, authorized, jar } = await loginWithStorage({ user: people.student() }, 'post_message_forwarding');
    expect(login.status).to.equal(200);
    expect(h1Of(html)).to.equal('Opening TutorKit…');
    expect(storage).to.deep.include({ target: 'post_message_forwarding', origin: new URL(lms.sim.authEndpoint).origin });
    expect(storage.keys).to.deep.equal({ state: `tutorkit_state_${storage.state}`, nonce: `tutorkit_nonce_${storage.nonce}` });
    expect(authorized.state).to.equal(storage.state);
    expect(authorized.nonce).to.equal(storage.nonce);
    expect(jar.getCookie(lms.app.tool.launchUrl, `tk_state_${storage.state}`), 'the cookie is still tried').to.be.a('string');
  });

  it('When the cookie does not come back, then the launch page holds the launch, records nothing and asks the LMS window', async () => {
    const input = { user: { ...people.student(), sub: 'storage-held' } };
    const { storage, authorized } = await loginWithStorage(input);
    const baseline = await countRows(lms.app.database.db);
    const held = await lms.sim.postLaunch(lms.app.tool, { id_token: authorized.idToken, state: authorized.state }, new CookieJar());
    expect(held.status).to.equal(200);
    expect(readLaunchPage(held.body), 'no token before the LMS window confirms').to.equal(null);
    expect(held.body).to.contain('action="/lti/launch/confirm"');
    const check = JSON.parse(attr(held.body, 'data-check')!) as Record<string, unknown>;
    expect(check).to.deep.equal({ ...storage, target: '_parent' });
    expect(await countRows(lms.app.database.db)).to.deep.equal(baseline);
  });

  async function holdLaunch(sub: string) {
    const { authorized } = await loginWithStorage({ user: { ...people.student(), sub } });
    await lms.sim.postLaunch(lms.app.tool, { id_token: authorized.idToken, state: authorized.state }, new CookieJar());
    return authorized.state;
  }
  const confirm = (state: string, headers: Record<string, string>) =>
    fetch(`${lms.app.baseUrl}/lti/launch/confirm`, { method: 'POST', body: new URLSearchParams({ state }), headers, redirect: 'manual' });

  it('When our launch page confirms the state, then the launch is recorded and the person gets their token, once', async () => {
    const state = await holdLaunch('storage-confirmed');
    const baseline = await countRows(lms.app.database.db);
    const res = await confirm(state, { 'Sec-Fetch-Site': 'same-origin', Origin: lms.app.baseUrl });
    const page = readLaunchPage(await res.text());
    expect(res.status).to.equal(200);
    expect(page?.home).to.match(/\/dashboard$/);
    expect((await countRows(lms.app.database.db)).users).to.equal(baseline.users + 1);
    const home = await htmx(lms.app, page!, page!.home);
    expect(h1Of(await home.text())).to.equal('Dashboard');
    const again = await confirm(state, { 'Sec-Fetch-Site': 'same-origin' });
    expect(again.status).to.equal(401);
    expect(h1Of(await again.text())).to.equal('This launch could not be verified');
  });

  for (const [label, headers] of [
    ['a form on another site (Sec-Fetch-Site: cross-site)', { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://attacker.example' }],
    ['an older browser posting from another origin', { Origin: 'https://attacker.example' }],
    ['a request with no origin at all', {}],
  ] as const) {
    it(`When ${label} posts the confirmation (login CSRF), then it is refused and nothing is recorded`, async () => {
      const state = await holdLaunch(`storage-csrf-${label.length}`);
      const baseline = await countRows(lms.app.database.db);
      const res = await confirm(state, headers);
      expect(res.status).to.equal(401);
      expect(readLaunchPage(await res.text())).to.equal(null);
      expect(await countRows(lms.app.database.db)).to.deep.equal(baseline);
    });
  }

  it('When an older browser confirms from our own origin, then the Origin header is enough', async () => {
    const state = await holdLaunch('storage-origin-only');
    const res = await confirm(state, { Origin: lms.app.baseUrl });
    expect(res.status).to.equal(200);
    expect(readLaunchPage(await res.text())?.token).to.be.a('string');
  });

  it('When the cookie does come back, then it proves the browser and no LMS window check is needed', async () => {
    const { authorized, jar } = await loginWithStorage({ user: { ...people.student(), sub: 'storage-with-cookie' } });
    const res = await lms.sim.postLaunch(lms.app.tool, { id_token: authorized.idToken, state: authorized.state }, jar);
    expect(readLaunchPage(res.body)?.token).to.be.a('string');
  });

  it('When a held launch is posted again, then the replay is refused', async () => {
    const { authorized } = await loginWithStorage({ user: { ...people.student(), sub: 'storage-replay' } });
    await lms.sim.postLaunch(lms.app.tool, { id_token: authorized.idToken, state: authorized.state }, new CookieJar());
    const replay = await lms.sim.postLaunch(lms.app.tool, { id_token: authorized.idToken, state: authorized.state }, new CookieJar());
    expect(replay.status).to.equal(401);
    expect(h1Of(replay.body)).to.equal('This launch was already used');
  });
});
