import { expect } from 'chai';
import { registerSimulator, startTestApp, type TestApp } from '../support/app.js';
import { countRows, h1Of, people, readLaunchPage } from '../support/launch.js';
import { CookieJar, LTI_CLAIMS, MESSAGE_TYPES, PlatformSimulator, type LaunchInput, type LaunchResult } from '../support/platform-simulator.js';

/** A refused launch: a 4xx HTML page a person can act on, no JSON, no stack trace, no token. */
function expectRefusal(result: LaunchResult, status: number, heading: RegExp) {
  expect(result.status, result.body.slice(0, 300)).to.equal(status);
  expect(result.headers.get('content-type')).to.match(/^text\/html/);
  expect(h1Of(result.body)).to.match(heading);
  expect(result.body).to.match(/course|administrator/i);
  expect(result.body.trimStart()).to.match(/^<!doctype html>/i);
  expect(result.body, 'no stack trace').not.to.match(/\bat \S+ \(?[^)]*:\d+:\d+\)?/);
  expect(result.body, 'no ltijs error code').not.to.match(/[A-Z]+_[A-Z_]+/);
  expect(result.location).to.equal(null);
}

describe('LTI launch rejections', () => {
  let app: TestApp;
  let sim: PlatformSimulator;
  let stranger: PlatformSimulator;
  let baseline: Awaited<ReturnType<typeof countRows>>;

  const launch = (input: Partial<LaunchInput>, from: PlatformSimulator = sim) => from.launch(app.tool, { user: people.student(), ...input });

  beforeEach(async () => {
    baseline = await countRows(app.database.db);
  });
  afterEach(async () => {
    expect(await countRows(app.database.db), 'nothing stored by a refused launch').to.deep.equal(baseline);
  });

  // The hooks above need the app; create it before any test runs.
  before(async () => {
    sim = await PlatformSimulator.start({ deploymentIds: ['deployment-1', 'deployment-2'] });
    stranger = await PlatformSimulator.start({ clientId: 'stranger-client' });
    app = await startTestApp();
    // Only deployment-1 is registered with TutorKit.
    await registerSimulator(app, sim, ['deployment-1']);
  });
  after(async () => {
    await app.close();
    await sim.close();
    await stranger.close();
  });

  it('When the id_token is signed with a key that is not the platform key, then the launch is refused', async () => {
    expectRefusal(await launch({ signWith: 'rogue' }), 401, /signature is not valid/);
  });

  it('When the id_token is meant for another client (wrong audience), then the launch is refused', async () => {
    expectRefusal(await launch({ aud: 'some-other-tool' }), 403, /not registered/);
  });

  it('When the id_token has expired, then the launch is refused', async () => {
    expectRefusal(await launch({ iatOffsetSeconds: 600, expiresInSeconds: 60 }), 401, /expired/);
  });

  it('When the id_token was issued too long ago, then the launch is refused', async () => {
    expectRefusal(await launch({ iatOffsetSeconds: 3600, expiresInSeconds: 7200 }), 401, /expired/);
  });

  it('When an id_token is posted a second time (replayed nonce), then the replay is refused', async () => {
    const jar = new CookieJar();
    const input: LaunchInput = { user: { ...people.student(), sub: 'replayer' } };
    const { authRequestUrl } = await sim.initiateLogin(app.tool, input, jar);
    const form = await sim.authorize(authRequestUrl, input);
    const cookies = jar.getCookieHeader(app.tool.launchUrl)!;
    const first = await sim.postLaunch(app.tool, { id_token: form.idToken, state: form.state }, jar);
    expect(first.status).to.equal(200);
    baseline = await countRows(app.database.db);
    // An attacker holding the same browser cookies replays the captured form.
    const replayJar = new CookieJar();
    for (const pair of cookies.split('; ')) replayJar.storeSetCookie(app.tool.launchUrl, pair);
    expectRefusal(await sim.postLaunch(app.tool, { id_token: form.idToken, state: form.state }, replayJar), 401, /already used/);
  });

  it('When a captured id_token is posted with a state from a new login (replayed nonce), then it is refused', async () => {
    const input: LaunchInput = { user: { ...people.student(), sub: 'replayer-2' } };
    const first = await sim.launch(app.tool, input);
    expect(first.status).to.equal(200);
    baseline = await countRows(app.database.db);
    // The attacker starts a fresh login of their own to get a valid state and cookie...
    const jar = new CookieJar();
    const { authRequestUrl } = await sim.initiateLogin(app.tool, input, jar);
    const freshState = authRequestUrl.searchParams.get('state')!;
    // ...and posts the old id_token (its nonce belongs to the first login) with it.
    expectRefusal(await sim.postLaunch(app.tool, { id_token: first.idToken, state: freshState }, jar), 401, /could not be verified/);
  });

  it('When a state is posted that TutorKit never issued, then the launch is refused', async () => {
    const jar = new CookieJar();
    const input: LaunchInput = { user: people.student() };
    const { authRequestUrl } = await sim.initiateLogin(app.tool, input, jar);
    const form = await sim.authorize(authRequestUrl, input);
    expectRefusal(await sim.postLaunch(app.tool, { id_token: form.idToken, state: 'f'.repeat(64) }, jar), 401, /could not be verified/);
  });

  it('When the launch comes from an unknown issuer, then the login is refused', async () => {
    const res = await fetch(app.tool.loginUrl, {
      method: 'POST',
      body: new URLSearchParams({ iss: stranger.issuer, client_id: stranger.clientId, login_hint: 'x', target_link_uri: app.tool.launchUrl, lti_deployment_id: 'deployment-1' }),
      redirect: 'manual',
    });
    const html = await res.text();
    expect(res.status).to.equal(403);
    expect(h1Of(html)).to.equal('This LMS is not registered with TutorKit');
    expect(res.headers.get('location')).to.equal(null);
  });

  it('When the deployment id is not registered, then the launch is refused with a 403 page', async () => {
    const result = await launch({ deploymentId: 'deployment-2' });
    expectRefusal(result, 403, /not set up for this course/);
    expect(result.body).to.contain('deployment');
  });

  for (const [claim, label] of [
    [LTI_CLAIMS.version, 'version'],
    [LTI_CLAIMS.roles, 'roles'],
    [LTI_CLAIMS.deploymentId, 'deployment id'],
    [LTI_CLAIMS.resourceLink, 'resource link'],
    [LTI_CLAIMS.targetLinkUri, 'target link URI'],
  ] as const) {
    it(`When the ${label} claim is missing, then the launch is refused as incomplete`, async () => {
      expectRefusal(await launch({ omitClaims: [claim] }), 400, /incomplete/);
    });
  }

  it('When the LTI version is not 1.3.0, then the launch is refused as incomplete', async () => {
    expectRefusal(await launch({ extraClaims: { [LTI_CLAIMS.version]: '1.1' } }), 400, /incomplete/);
  });

  it('When the message type is not one TutorKit handles, then the launch is refused', async () => {
    expectRefusal(await launch({ messageType: 'LtiSubmissionReviewRequest' }), 400, /incomplete/);
  });

  it('When the launch has no course context, then the person is told to open TutorKit from a course', async () => {
    expectRefusal(await launch({ context: null }), 400, /from a course/);
  });

  it('When the person has no role TutorKit supports, then the launch is refused', async () => {
    expectRefusal(await launch({ user: { sub: 'guest-1', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Member'] } }), 403, /role is not supported/);
  });

  it('When the browser does not return the state cookie and the LMS offers no storage, then no session is given and a new window is offered', async () => {
    const result = await launch({ dropCookies: true });
    expect(result.status).to.equal(200);
    expect(h1Of(result.body)).to.equal('Open TutorKit in a new window');
    expect(readLaunchPage(result.body), 'no token on this page').to.equal(null);
    const link = result.body.match(/id="open-new-window" href="([^"]+)"/)?.[1]?.replace(/&amp;/g, '&');
    const again = new URL(link!);
    expect(again.pathname).to.equal('/lti/login');
    expect(again.searchParams.get('iss')).to.equal(sim.issuer);
    expect(again.searchParams.get('login_hint')).to.equal(people.student().sub);
    expect(again.searchParams.get('lti_deployment_id')).to.equal('deployment-1');
  });

  it('When a top-level window (not a frame) returns no state cookie, then the launch is refused without offering a new window', async () => {
    const jar = new CookieJar();
    const input: LaunchInput = { user: people.student() };
    const { authRequestUrl } = await sim.initiateLogin(app.tool, input, jar);
    const form = await sim.authorize(authRequestUrl, input);
    const res = await fetch(app.tool.launchUrl, {
      method: 'POST',
      body: new URLSearchParams({ id_token: form.idToken, state: form.state }),
      headers: { 'Sec-Fetch-Dest': 'document', 'Sec-Fetch-Site': 'cross-site' },
      redirect: 'manual',
    });
    const html = await res.text();
    expect(res.status).to.equal(401);
    expect(h1Of(html)).to.equal('This launch could not be verified');
    expect(html).to.contain('allow them for TutorKit');
    expect(html).not.to.contain('open-new-window');
  });

  it('When the new-window login runs in a browser with working cookies, then the launch succeeds there', async () => {
    const refused = await launch({ dropCookies: true, user: { ...people.student(), sub: 'new-window-student' } });
    const link = refused.body.match(/id="open-new-window" href="([^"]+)"/)![1]!.replace(/&amp;/g, '&');
    baseline = await countRows(app.database.db);
    const jar = new CookieJar();
    const toAuth = await fetch(link, { redirect: 'manual' });
    expect(toAuth.status).to.equal(302);
    jar.storeResponseCookies(link, toAuth.headers);
    const form = await sim.authorize(new URL(toAuth.headers.get('location')!), { user: { ...people.student(), sub: 'new-window-student' } });
    const landed = await sim.postLaunch(app.tool, { id_token: form.idToken, state: form.state }, jar);
    expect(landed.status).to.equal(200);
    expect(readLaunchPage(landed.body)?.home).to.match(/\/dashboard$/);
    baseline = await countRows(app.database.db);
  });

  it('When the state posted back is not the one the login started, then the launch is refused', async () => {
    expectRefusal(await launch({ tamperState: (s) => s.split('').reverse().join('') }), 401, /could not be verified/);
  });

  it('When the launch URL is opened without an id_token, then the page says to open TutorKit from the course', async () => {
    const res = await fetch(app.tool.launchUrl);
    expect(res.status).to.equal(400);
    expect(h1Of(await res.text())).to.equal('Open TutorKit from your course');
  });

  it('When login initiation lacks its required parameters, then an HTML page (not JSON) explains it', async () => {
    const res = await fetch(app.tool.loginUrl, { method: 'POST', body: new URLSearchParams({ iss: sim.issuer }) });
    expect(res.status).to.equal(400);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    expect(h1Of(await res.text())).to.match(/incomplete/);
  });

  it('When a deep linking request carries a student role, then it is refused', async () => {
    expectRefusal(await launch({ messageType: MESSAGE_TYPES.deepLinking }), 403, /Only course staff/);
  });
});
