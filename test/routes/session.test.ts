// The bearer token after launch: where it travels, when it ends, and that it is never logged.
import { expect } from 'chai';
import { fixedClock, useSimulatedLms, type TestApp } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';

describe('Session token after launch', () => {
  const clock = fixedClock(new Date());
  const lms = useSimulatedLms({ app: { clock, sessionMinutes: 60 } });
  let app: TestApp;
  let launched: Launched;

  beforeEach(async () => {
    app = lms.app;
    clock.set(new Date());
    launched = await launchAs(app, lms.sim, { user: people.student() });
  });

  it('When a launch succeeds, then the token is only inside the launch page, never in a URL or a cookie', async () => {
    expect(launched.result.location).to.equal(null);
    expect(launched.result.headers.get('set-cookie') ?? '').not.to.contain(launched.token);
    expect(launched.result.body).to.contain(`data-token="${launched.token}"`);
    expect(launched.result.headers.get('referrer-policy')).to.equal('no-referrer');
  });

  it('When someone sends a link with a token in its URL or a form, then it is not accepted (no login CSRF)', async () => {
    const viaQuery = await fetch(new URL(`${launched.path}?lt=${launched.token}`, app.baseUrl));
    expect(viaQuery.status).to.equal(401);
    const viaForm = await fetch(new URL(launched.path, app.baseUrl), { method: 'POST', body: new URLSearchParams({ lt: launched.token }) });
    expect([401, 404]).to.include(viaForm.status);
    expect(await viaForm.text()).not.to.contain('Priya Natarajan');
  });

  it('When a page is requested with the token in the Authorization header (htmx), then it is served', async () => {
    const res = await htmx(app, launched, launched.path, { headers: { 'HX-Boosted': 'true' } });
    expect(res.status).to.equal(200);
    expect(await res.text()).to.contain('Priya Natarajan');
  });

  it('When the session has expired, then a full page says to relaunch from the course', async () => {
    clock.set(new Date(Date.now() + 61 * 60_000));
    const res = await htmx(app, launched, launched.path, { direct: true });
    const html = await res.text();
    expect(res.status).to.equal(401);
    expect(h1Of(html)).to.equal('Your TutorKit session has ended');
    expect(html).to.contain('open TutorKit again');
    expect(html).not.to.contain('Priya Natarajan');
  });

  it('When an htmx request carries an expired token, then it answers 401 with HX-Redirect to the relaunch page', async () => {
    clock.set(new Date(Date.now() + 61 * 60_000));
    const res = await htmx(app, launched, launched.path);
    expect(res.status).to.equal(401);
    expect(res.headers.get('hx-redirect')).to.equal('/expired');
    const notice = await fetch(new URL('/expired', app.baseUrl));
    expect(h1Of(await notice.text())).to.equal('Your TutorKit session has ended');
  });

  it('When a forged token is sent, then the request is refused like an expired one', async () => {
    const [header, payload] = launched.token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    const res = await htmx(app, { token: forged }, launched.path);
    expect(res.status).to.equal(401);
  });

  it('When more than half the session has passed, then the response carries a fresh token that keeps working', async () => {
    clock.set(new Date(Date.now() + 40 * 60_000));
    const early = await htmx(app, launched, launched.path);
    const fresh = early.headers.get('x-tutorkit-token');
    expect(fresh).to.be.a('string').and.not.equal(launched.token);
    clock.set(new Date(Date.now() + 90 * 60_000));
    expect((await htmx(app, launched, launched.path)).status, 'old token expired').to.equal(401);
    expect((await htmx(app, { token: fresh! }, launched.path)).status, 'fresh token works').to.equal(200);
  });

  it('When early in the session, then no new token is sent', async () => {
    const res = await htmx(app, launched, launched.path);
    expect(res.headers.get('x-tutorkit-token')).to.equal(null);
  });

  it('When launches and pages have been served, then no token or id_token appears in the logs', async () => {
    await htmx(app, launched, launched.path);
    const logs = app.logs.join('');
    expect(logs).to.contain(launched.path);
    expect(logs).not.to.contain(launched.token);
    expect(logs).not.to.contain(launched.result.idToken);
    expect(logs).not.to.contain(launched.result.idToken.split('.')[1]!);
  });
});
