import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { canvasDeveloperKey, TEMPLATE_BASE_URL } from '../../src/lti/registration-info.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { h1Of } from '../support/launch.js';

describe('Public pages', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ demo: true });
  });
  after(async () => app.close());

  it('When an LMS admin opens the home page, then it lists every URL needed to register TutorKit', async () => {
    const html = await (await fetch(app.baseUrl + '/')).text();
    expect(h1Of(html)).to.equal('TutorKit');
    for (const [label, url] of [
      ['OIDC login initiation URL', '/lti/login'],
      ['Launch URL (target link URI)', '/lti/launch'],
      ['Redirect URIs', '/lti/launch'],
      ['Public keyset (JWKS) URL', '/lti/keys'],
      ['Deep linking URL', '/lti/launch'],
    ]) {
      expect(html).to.contain(`<dt>${label}</dt><dd><code>${app.baseUrl}${url}</code>`);
    }
    expect(html).to.contain('href="/lti-config.json"');
  });

  it('When demo mode is on, then the home page offers a launch as instructor, tutor and student with the demo people', async () => {
    const html = await (await fetch(app.baseUrl + '/')).text();
    for (const role of ['instructor', 'tutor', 'student']) expect(html).to.contain(`Launch as ${role}</button>`);
    for (const name of ['Amara Okafor', 'Maya Chen', 'Diego Ramírez', 'Priya Natarajan', 'Yuki Tanaka']) expect(html).to.contain(name);
  });

  it('When Canvas fetches /lti-config.json, then it gets a developer key built from BASE_URL', async () => {
    const key = (await (await fetch(app.baseUrl + '/lti-config.json')).json()) as ReturnType<typeof canvasDeveloperKey>;
    expect(key.oidc_initiation_url).to.equal(`${app.baseUrl}/lti/login`);
    expect(key.target_link_uri).to.equal(`${app.baseUrl}/lti/launch`);
    expect(key.public_jwk_url).to.equal(`${app.baseUrl}/lti/keys`);
    expect(key.extensions[0]!.domain).to.equal(new URL(app.baseUrl).host);
    expect(key.extensions[0]!.settings.placements.map((p) => p.message_type)).to.deep.equal(['LtiResourceLinkRequest', 'LtiDeepLinkingRequest']);
  });

  it('When the committed lti-config.json template is compared with the generator, then they match', () => {
    const committed = JSON.parse(readFileSync(new URL('../../lti-config.json', import.meta.url), 'utf8')) as unknown;
    expect(committed).to.deep.equal(canvasDeveloperKey(TEMPLATE_BASE_URL));
  });

  it('When the tool keyset is fetched, then it holds the RSA public key ltijs generated for each platform', async () => {
    const { keys } = (await (await fetch(app.baseUrl + '/lti/keys')).json()) as { keys: { kty: string; kid: string; n: string; d?: string }[] };
    expect(keys.length).to.be.greaterThan(0);
    expect(keys[0]).to.include({ kty: 'RSA' });
    expect(keys[0]!.d, 'no private part').to.equal(undefined);
  });

  it('When /healthz is called, then it reports the database as reachable, and the live streams and topics open', async () => {
    const res = await fetch(app.baseUrl + '/healthz');
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ status: 'ok', database: app.database.kind, live: { streams: 0, topics: 0 } });
  });

  it('When the database is down, then /healthz answers 503', async () => {
    const other = await startTestApp();
    await other.database.close();
    const res = await fetch(other.baseUrl + '/healthz');
    expect(res.status).to.equal(503);
    expect(await res.json()).to.include({ status: 'unavailable' });
    await other.close().catch(() => undefined);
  });

  it('When a page does not exist, then a 404 page says so', async () => {
    const res = await fetch(app.baseUrl + '/no/such/page');
    expect(res.status).to.equal(404);
    expect(h1Of(await res.text())).to.equal('Not found');
  });

  it('When any page is served, then a strict CSP limits scripts to our origin and framing to registered LMSes', async () => {
    const csp = (await fetch(app.baseUrl + '/')).headers.get('content-security-policy')!;
    expect(csp).to.contain("script-src 'self'");
    expect(csp).to.contain("style-src 'self'");
    expect(csp).to.match(/frame-ancestors 'self'/);
    expect(csp).not.to.contain('*');
  });

  it('When htmx and Chart.js are requested, then our server serves them from node_modules', async () => {
    const htmx = await fetch(app.baseUrl + '/vendor/htmx.min.js');
    expect(htmx.status).to.equal(200);
    expect(await htmx.text()).to.contain('htmx');
    const chart = await fetch(app.baseUrl + '/vendor/chart.umd.min.js');
    expect(chart.status).to.equal(200);
  });
});

describe('Public pages of a server with the demo off (a public BASE_URL)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ demo: false });
  });
  after(async () => app.close());

  it('When anyone opens the home page, the demo LMS and the development mailbox, then there is no launch button and no mailbox', async () => {
    const home = await (await fetch(app.baseUrl + '/')).text();
    expect(home).not.to.contain('Launch as');
    expect(home).not.to.contain('href="/dev/mailbox"');
    for (const path of ['/dev/mailbox', '/demo-lms/auth']) expect((await fetch(app.baseUrl + path)).status, path).to.equal(404);
    const launch = await fetch(app.baseUrl + '/demo-lms/launch', { method: 'POST', body: new URLSearchParams({ person: 'demo-instructor-1' }) });
    expect(launch.status).to.equal(404);
  });
});
