// POST /internal/platforms: how npm run register-platform hands its change to the server that owns
// the embedded database. Only signed requests from this machine get through, and every answer is JSON.
import { expect } from 'chai';
import { COMMAND_HEADERS, COMMAND_PATHS, CommandSigner } from '../../src/lib/command-auth.js';
import { startTestApp, TEST_LTI_KEY, type TestApp } from '../support/app.js';
import { launchAs, people } from '../support/launch.js';
import { PlatformSimulator } from '../support/platform-simulator.js';

const PATH = COMMAND_PATHS.registerPlatform;

function argsFor(sim: PlatformSimulator) {
  return {
    issuer: sim.issuer,
    'client-id': sim.clientId,
    'auth-endpoint': sim.authEndpoint,
    'token-endpoint': sim.tokenEndpoint,
    'keyset-url': sim.jwksUrl,
    'deployment-id': [...sim.deploymentIds],
    name: 'Registered through the server',
  };
}

/** POSTs `payload` signed with `key` (or not at all), as the CLI does. */
async function send(app: TestApp, payload: unknown, options: { key?: string | null; at?: Date; headers?: Record<string, string> } = {}) {
  const body = JSON.stringify(payload);
  const key = options.key === undefined ? TEST_LTI_KEY : options.key;
  const signed = key ? new CommandSigner(key).sign({ method: 'POST', path: PATH, body }, options.at ?? new Date()) : {};
  const res = await fetch(new URL(PATH, app.baseUrl), { method: 'POST', body, headers: { 'content-type': 'application/json', ...signed, ...options.headers } });
  expect(res.headers.get('content-type')).to.match(/^application\/json/);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Internal command endpoint', () => {
  let app: TestApp;
  let sim: PlatformSimulator;
  before(async () => {
    sim = await PlatformSimulator.start();
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
    await sim?.close();
  });

  const refusedSoFar = async () => {
    const result = await sim.launch(app.tool, { user: people.student() }).catch((err: Error) => err.message);
    expect(result, 'the LMS is still unregistered').to.be.a('string').that.contains('This LMS is not registered with TutorKit');
  };

  it('When the request carries no signature, then it gets 401 and nothing is registered', async () => {
    expect(await send(app, argsFor(sim), { key: null })).to.deep.include({ status: 401, body: { error: 'unauthorized', reason: 'missing' } });
    await refusedSoFar();
  });

  it('When it is signed with another key, then it gets 401 and nothing is registered', async () => {
    const answer = await send(app, argsFor(sim), { key: 'another-lti-key-0123456789abcdef0123456789' });
    expect(answer).to.deep.include({ status: 401, body: { error: 'unauthorized', reason: 'mismatch' } });
    await refusedSoFar();
  });

  it('When the signature is two minutes old, then it gets 401 (a recorded request cannot be replayed later)', async () => {
    const answer = await send(app, argsFor(sim), { at: new Date(Date.now() - 120_000) });
    expect(answer).to.deep.include({ status: 401, body: { error: 'unauthorized', reason: 'expired' } });
    await refusedSoFar();
  });

  it('When the body is changed after signing, then it gets 401', async () => {
    const body = JSON.stringify(argsFor(sim));
    const signed = new CommandSigner(TEST_LTI_KEY).sign({ method: 'POST', path: PATH, body }, new Date());
    const res = await fetch(new URL(PATH, app.baseUrl), { method: 'POST', body: body.replace('Registered through', 'Changed by'), headers: { 'content-type': 'application/json', ...signed } });
    expect(res.status).to.equal(401);
    await refusedSoFar();
  });

  it('When a proxy on this machine forwarded it, then it gets 403 even when signed', async () => {
    expect(await send(app, argsFor(sim), { headers: { 'X-Forwarded-For': '203.0.113.9' } })).to.deep.include({ status: 403 });
    await refusedSoFar();
  });

  it('When a signed request lacks arguments, then it gets 422 naming each, in the CLI’s words', async () => {
    const { 'keyset-url': _k, 'deployment-id': _d, ...incomplete } = argsFor(sim);
    const answer = await send(app, incomplete);
    expect(answer.status).to.equal(422);
    expect(answer.body.problems).to.include.members(['--keyset-url must be an absolute URL', 'at least one --deployment-id is required']);
    await refusedSoFar();
  });

  it('When a signed request registers the LMS, then it answers what it registered and a launch from it works at once', async () => {
    const answer = await send(app, argsFor(sim));
    expect(answer.status).to.equal(200);
    expect(answer.body.registered).to.deep.equal({ name: 'Registered through the server', issuer: sim.issuer, clientId: sim.clientId, deploymentIds: [...sim.deploymentIds] });
    await launchAs(app, sim, { user: people.instructor() });
  });

  it('When a signed request names no known command, then it gets a JSON 404', async () => {
    const res = await fetch(new URL('/internal/nothing', app.baseUrl), { method: 'POST', headers: new CommandSigner(TEST_LTI_KEY).sign({ method: 'POST', path: '/internal/nothing', body: '' }, new Date()) });
    expect(res.status).to.equal(404);
    expect(await res.json()).to.deep.equal({ error: 'not-found' });
  });
});

describe('CommandSigner', () => {
  const signer = new CommandSigner(TEST_LTI_KEY);
  const request = { method: 'POST', path: PATH, body: '{}' };
  const now = new Date('2026-03-02T10:00:00Z');
  const headersOf = (h: Record<string, string>) => ({ time: h[COMMAND_HEADERS.time], signature: h[COMMAND_HEADERS.signature] });

  it('When a request is checked within a minute of signing, then it passes; for another path it does not', () => {
    const signed = headersOf(signer.sign(request, now));
    expect(signer.check(request, signed, new Date(now.getTime() + 59_000))).to.equal('ok');
    expect(signer.check({ ...request, path: '/internal/other' }, signed, now)).to.equal('mismatch');
    expect(signer.check(request, { ...signed, signature: 'abcd' }, now)).to.equal('mismatch');
  });
});
