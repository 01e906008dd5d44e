import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { runInNewContext } from 'node:vm';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  SignJWT,
  createRemoteJWKSet,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';
import {
  CookieJar,
  DEFAULT_CONTEXT,
  LTI_CLAIMS,
  LTI_SCOPES,
  MESSAGE_TYPES,
  PlatformSimulator,
  ROLES,
  STORAGE_FRAME_NAME,
  TOOL_FRAME,
  parseAutoPostForm,
  renderPlatformStorageScript,
  type LaunchResult,
  type SimUser,
  type ToolEndpoints,
} from '../support/platform-simulator.js';
import { getPage, postForm } from '../support/http-client.js';

const learner: SimUser = {
  sub: 'user-learner-1',
  name: 'Lena Learner',
  givenName: 'Lena',
  familyName: 'Learner',
  email: 'lena@example.edu',
  roles: [ROLES.learner],
};

const instructor: SimUser = {
  sub: 'user-instructor-1',
  name: 'Ivan Instructor',
  roles: [ROLES.instructor, ROLES.institutionInstructor],
};

const STATE_COOKIE = 'fake_tool_state';

interface FakeToolLaunchEcho {
  claims: JWTPayload;
  expectedNonce: string;
  stateCookie: string;
}

// Just enough of an LTI tool to prove the simulator speaks the protocol: the
// checks mirror what a real tool must do (state cookie, signature, nonce).
class FakeTool {
  readonly endpoints: ToolEndpoints;
  readonly #server: Server;
  readonly #sim: PlatformSimulator;
  readonly #keys: { kid: string; privateKey: CryptoKey; publicJwk: JWK };
  readonly #noncesByState = new Map<string, string>();
  readonly #platformJwks: ReturnType<typeof createRemoteJWKSet>;

  static async start(sim: PlatformSimulator): Promise<FakeTool> {
    const pair = await generateKeyPair('RS256');
    const kid = randomUUID();
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
    const server = createServer();
    const url = await listenOnLoopback(server);
    return new FakeTool(server, url, sim, { kid, privateKey: pair.privateKey, publicJwk });
  }

  private constructor(
    server: Server,
    url: string,
    sim: PlatformSimulator,
    keys: { kid: string; privateKey: CryptoKey; publicJwk: JWK },
  ) {
    this.#server = server;
    this.#sim = sim;
    this.#keys = keys;
    this.#platformJwks = createRemoteJWKSet(new URL(sim.jwksUrl));
    this.endpoints = { loginUrl: `${url}/login`, launchUrl: `${url}/launch`, jwksUrl: `${url}/jwks` };
    server.on('request', (req, res) => void this.#handle(req, res));
  }

  get kid(): string {
    return this.#keys.kid;
  }

  signClientAssertion(options: { key?: CryptoKey; audience?: string } = {}): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: this.#keys.kid })
      .setIssuer(this.#sim.clientId)
      .setSubject(this.#sim.clientId)
      .setAudience(options.audience ?? this.#sim.tokenEndpoint)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(options.key ?? this.#keys.privateKey);
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.close((error) => (error ? reject(error) : resolve()));
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? '/', 'http://tool').pathname;
      const form = new URLSearchParams(await readBody(req));
      if (req.method === 'POST' && path === '/login') return this.#initiateLogin(form, res);
      if (req.method === 'POST' && path === '/launch') return await this.#acceptLaunch(req, form, res);
      if (req.method === 'GET' && path === '/jwks') return sendJson(res, 200, { keys: [this.#keys.publicJwk] });
      sendText(res, 404, 'not found');
    } catch (error) {
      sendText(res, 500, String(error));
    }
  }

  #initiateLogin(form: URLSearchParams, res: ServerResponse): void {
    if (form.get('iss') !== this.#sim.issuer || form.get('client_id') !== this.#sim.clientId) {
      return sendText(res, 400, 'unknown platform');
    }
    const state = randomBytes(12).toString('hex');
    const nonce = randomBytes(12).toString('hex');
    this.#noncesByState.set(state, nonce);
    const auth = new URL(this.#sim.authEndpoint);
    const params: Record<string, string> = {
      scope: 'openid',
      response_type: 'id_token',
      client_id: this.#sim.clientId,
      redirect_uri: this.endpoints.launchUrl,
      login_hint: form.get('login_hint') ?? '',
      state,
      nonce,
      response_mode: 'form_post',
      prompt: 'none',
      lti_message_hint: form.get('lti_message_hint') ?? '',
    };
    for (const [name, value] of Object.entries(params)) auth.searchParams.set(name, value);
    res.writeHead(302, {
      location: auth.href,
      'set-cookie': `${STATE_COOKIE}=${state}; Path=/; HttpOnly; Secure; SameSite=None`,
    });
    res.end();
  }

  async #acceptLaunch(req: IncomingMessage, form: URLSearchParams, res: ServerResponse): Promise<void> {
    const stateCookie = readCookie(req, STATE_COOKIE);
    const state = form.get('state') ?? '';
    if (!stateCookie || stateCookie !== state) return sendText(res, 400, 'state mismatch');
    try {
      const { payload } = await jwtVerify(form.get('id_token') ?? '', this.#platformJwks, {
        issuer: this.#sim.issuer,
        audience: this.#sim.clientId,
      });
      const expectedNonce = this.#noncesByState.get(state) ?? '';
      if (payload.nonce !== expectedNonce) return sendText(res, 401, 'nonce mismatch');
      res.setHeader('set-cookie', [
        `${STATE_COOKIE}=; Path=/; Max-Age=0`,
        'fake_tool_session=s1; Path=/; HttpOnly; Secure; SameSite=None',
      ]);
      const echo: FakeToolLaunchEcho = { claims: payload, expectedNonce, stateCookie };
      sendJson(res, 200, echo);
    } catch (error) {
      sendText(res, 401, `${(error as { code?: string }).code ?? 'ERR'}: ${String(error)}`);
    }
  }
}

function listenOnLoopback(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function parseEcho(result: LaunchResult): FakeToolLaunchEcho {
  expect(result.status, result.body).to.equal(200);
  return JSON.parse(result.body) as FakeToolLaunchEcho;
}

async function requestToken(sim: PlatformSimulator, assertion: string, scope?: string): Promise<Response> {
  const fields: Record<string, string> = {
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  };
  if (scope) fields.scope = scope;
  return postForm(sim.tokenEndpoint, fields);
}

async function obtainAccessToken(sim: PlatformSimulator, tool: FakeTool, scope: string): Promise<string> {
  const response = await requestToken(sim, await tool.signClientAssertion(), scope);
  expect(response.status).to.equal(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('PlatformSimulator', function () {
  let sim: PlatformSimulator;
  let tool: FakeTool;

  before(async function () {
    this.timeout(20_000);
    sim = await PlatformSimulator.start();
    tool = await FakeTool.start(sim);
  });

  after(async function () {
    await tool.close();
    await sim.close();
  });

  describe('When a learner launches into a course', function () {
    let result: LaunchResult;
    let echo: FakeToolLaunchEcho;

    before(async function () {
      result = await sim.launch(tool.endpoints, { user: learner });
      echo = parseEcho(result);
    });

    it('then the tool verifies the id_token signature against the platform JWKS', function () {
      expect(decodeJwt(result.idToken).sub).to.equal(learner.sub);
      expect(echo.claims.iss).to.equal(sim.issuer);
      expect(echo.claims.aud).to.equal(sim.clientId);
      expect(echo.claims.azp).to.equal(sim.clientId);
    });

    it('then the claims carry the user, roles, context and deployment id', function () {
      const claims = echo.claims;
      expect(claims.sub).to.equal(learner.sub);
      expect(claims).to.include({ name: 'Lena Learner', given_name: 'Lena', family_name: 'Learner', email: 'lena@example.edu' });
      expect(claims[LTI_CLAIMS.roles]).to.deep.equal([ROLES.learner]);
      expect(claims[LTI_CLAIMS.context]).to.deep.include({ id: DEFAULT_CONTEXT.id, label: DEFAULT_CONTEXT.label });
      expect(claims[LTI_CLAIMS.deploymentId]).to.equal(sim.deploymentId);
      expect(claims[LTI_CLAIMS.messageType]).to.equal(MESSAGE_TYPES.resourceLink);
      expect(claims[LTI_CLAIMS.version]).to.equal('1.3.0');
      expect(claims[LTI_CLAIMS.targetLinkUri]).to.equal(tool.endpoints.launchUrl);
      expect(claims[LTI_CLAIMS.resourceLink]).to.deep.include({ id: 'resource-link-1' });
    });

    it('then the service claims point at the simulator', function () {
      expect(echo.claims[LTI_CLAIMS.namesRoleService]).to.deep.equal({
        context_memberships_url: `${sim.url}/nrps/${DEFAULT_CONTEXT.id}/memberships`,
        service_versions: ['2.0'],
      });
      expect(echo.claims[LTI_CLAIMS.agsEndpoint]).to.deep.include({ lineitems: `${sim.url}/ags/${DEFAULT_CONTEXT.id}/lineitems` });
    });

    it('then the nonce is the one the tool chose at login', function () {
      expect(echo.expectedNonce).to.have.length.greaterThan(0);
      expect(echo.claims.nonce).to.equal(echo.expectedNonce);
    });

    it('then the state cookie set at login is sent back with the launch', function () {
      expect(echo.stateCookie).to.equal(result.state);
      expect(result.jar.getCookie(tool.endpoints.launchUrl, STATE_COOKIE)).to.equal(undefined);
      expect(result.jar.getCookie(tool.endpoints.launchUrl, 'fake_tool_session')).to.equal('s1');
    });
  });

  describe('When an instructor launches outside any course', function () {
    it('then the context, NRPS and AGS claims are absent', async function () {
      const claims = parseEcho(await sim.launch(tool.endpoints, { user: instructor, context: null })).claims;
      expect(claims[LTI_CLAIMS.roles]).to.deep.equal(instructor.roles);
      expect(claims).not.to.have.any.keys(LTI_CLAIMS.context, LTI_CLAIMS.namesRoleService, LTI_CLAIMS.agsEndpoint);
    });
  });

  describe('When the id_token is signed with the rogue key', function () {
    it('then the tool rejects the signature', async function () {
      const result = await sim.launch(tool.endpoints, { user: learner, signWith: 'rogue' });
      expect(result.status).to.equal(401);
      expect(result.body).to.contain('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    });

    it('then jwtVerify against the platform JWKS fails although the kid matches', async function () {
      const token = await sim.buildIdToken({ user: learner, nonce: 'n', targetLinkUri: tool.endpoints.launchUrl, signWith: 'rogue' });
      const jwks = createRemoteJWKSet(new URL(sim.jwksUrl));
      const jwkSet = (await (await fetch(sim.jwksUrl)).json()) as { keys: JWK[] };
      expect(jwkSet.keys[0]?.kid).to.equal(sim.kid);
      await expectRejection(jwtVerify(token, jwks), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    });
  });

  describe('When the id_token has expired', function () {
    it('then jwtVerify rejects it as expired', async function () {
      const token = await sim.buildIdToken({
        user: learner,
        nonce: 'n',
        targetLinkUri: tool.endpoints.launchUrl,
        iatOffsetSeconds: 600,
      });
      await expectRejection(jwtVerify(token, createRemoteJWKSet(new URL(sim.jwksUrl))), 'ERR_JWT_EXPIRED');
    });

    it('then a launch with it is refused by the tool', async function () {
      const result = await sim.launch(tool.endpoints, { user: learner, expiresInSeconds: -60 });
      expect(result.status).to.equal(401);
      expect(result.body).to.contain('ERR_JWT_EXPIRED');
    });
  });

  describe('When the state is tampered with or cookies are dropped', function () {
    it('then the tool sees a state mismatch for a tampered state', async function () {
      const result = await sim.launch(tool.endpoints, { user: learner, tamperState: (state) => `${state}x` });
      expect(result.status).to.equal(400);
      expect(result.form.state).to.match(/x$/);
    });

    it('then the tool sees no state cookie when the browser drops cookies', async function () {
      const result = await sim.launch(tool.endpoints, { user: learner, dropCookies: true });
      expect(result.status).to.equal(400);
      expect(result.body).to.equal('state mismatch');
    });
  });

  describe('When claims are omitted or overridden', function () {
    it('then the token lacks the omitted claim and carries the extra ones', async function () {
      const token = await sim.buildIdToken({
        user: learner,
        nonce: 'n',
        targetLinkUri: tool.endpoints.launchUrl,
        omitClaims: [LTI_CLAIMS.version],
        extraClaims: { [LTI_CLAIMS.custom]: { topic: 'algebra' } },
      });
      const claims = decodeJwt(token);
      expect(claims).not.to.have.property(LTI_CLAIMS.version);
      expect(claims[LTI_CLAIMS.custom]).to.deep.equal({ topic: 'algebra' });
    });
  });

  describe('When a deep linking request is built', function () {
    it('then it carries deep linking settings and no resource link', async function () {
      const token = await sim.buildIdToken({
        user: instructor,
        nonce: 'n',
        targetLinkUri: tool.endpoints.launchUrl,
        messageType: MESSAGE_TYPES.deepLinking,
      });
      const claims = decodeJwt(token);
      expect(claims[LTI_CLAIMS.deepLinkingSettings]).to.deep.include({
        deep_link_return_url: `${sim.url}/deep-link-return`,
        accept_multiple: false,
      });
      expect(claims).not.to.have.property(LTI_CLAIMS.resourceLink);
    });
  });

  describe('When the auth request is not what the platform expects', function () {
    it('then a wrong client_id is answered with 400', async function () {
      const { authRequestUrl } = await sim.initiateLogin(tool.endpoints, { user: learner }, new CookieJar());
      authRequestUrl.searchParams.set('client_id', 'someone-else');
      const response = await fetch(authRequestUrl, { redirect: 'manual' });
      expect(response.status).to.equal(400);
      expect(await response.text()).to.contain('client_id');
    });

    it('then authorize() throws with the status for an unregistered redirect_uri', async function () {
      const { authRequestUrl } = await sim.initiateLogin(tool.endpoints, { user: learner }, new CookieJar());
      authRequestUrl.searchParams.set('redirect_uri', 'http://127.0.0.1:1/elsewhere');
      await expectRejection(sim.authorize(authRequestUrl, { user: learner }), '400');
    });

    it('then a redirect_uri equal to the target_link_uri without its query is accepted', async function () {
      const targetLinkUri = `${tool.endpoints.launchUrl}/deep?topic=algebra`;
      const input = { user: learner, targetLinkUri };
      const { authRequestUrl } = await sim.initiateLogin(tool.endpoints, input, new CookieJar());
      authRequestUrl.searchParams.set('redirect_uri', `${tool.endpoints.launchUrl}/deep`);
      const authorized = await sim.authorize(authRequestUrl, input);
      expect(authorized.redirectUri).to.equal(`${tool.endpoints.launchUrl}/deep`);
      expect(decodeJwt(authorized.idToken)[LTI_CLAIMS.targetLinkUri]).to.equal(targetLinkUri);
    });

    it('then a valid request returns an auto-submitting form to the redirect_uri', async function () {
      const { authRequestUrl } = await sim.initiateLogin(tool.endpoints, { user: learner }, new CookieJar());
      const html = await (await fetch(authRequestUrl)).text();
      expect(html).to.contain(`<form id="lti-launch" method="post" action="${tool.endpoints.launchUrl}">`);
      expect(html).to.contain('.submit()');
      const authorized = await sim.authorize(authRequestUrl, { user: learner });
      expect(authorized.redirectUri).to.equal(tool.endpoints.launchUrl);
      expect(authorized.nonce).to.equal(authRequestUrl.searchParams.get('nonce'));
      expect(decodeJwt(authorized.idToken).nonce).to.equal(authorized.nonce);
    });
  });

  describe('When the tool asks for an access token', function () {
    before(function () {
      sim.setToolJwksUrl(tool.endpoints.jwksUrl ?? '');
    });

    it('then an assertion signed by a key outside the tool JWKS is rejected with 401', async function () {
      const stranger = await generateKeyPair('RS256');
      const response = await requestToken(sim, await tool.signClientAssertion({ key: stranger.privateKey }));
      expect(response.status).to.equal(401);
      expect(await response.json()).to.include({ error: 'invalid_client' });
    });

    it('then an assertion with the wrong audience is rejected with 401', async function () {
      const response = await requestToken(sim, await tool.signClientAssertion({ audience: sim.issuer }));
      expect(response.status).to.equal(401);
    });

    it('then a correct assertion gets a Bearer token for the requested scopes', async function () {
      const response = await requestToken(sim, await tool.signClientAssertion(), LTI_SCOPES.membershipReadOnly);
      expect(response.status).to.equal(200);
      expect(await response.json())
        .to.include({ token_type: 'Bearer', expires_in: 3600, scope: LTI_SCOPES.membershipReadOnly })
        .and.to.have.property('access_token');
    });

    it('then replaying the same assertion is rejected', async function () {
      const assertion = await tool.signClientAssertion();
      expect((await requestToken(sim, assertion)).status).to.equal(200);
      expect((await requestToken(sim, assertion)).status).to.equal(401);
    });
  });

  describe('When the tool reads the course roster', function () {
    const membershipsUrl = (): string => `${sim.url}/nrps/${DEFAULT_CONTEXT.id}/memberships`;

    before(function () {
      sim.setToolJwksUrl(tool.endpoints.jwksUrl ?? '');
      sim.setRoster(DEFAULT_CONTEXT.id, [learner, instructor]);
    });

    it('then a request without a bearer token gets 401', async function () {
      const response = await fetch(membershipsUrl());
      expect(response.status).to.equal(401);
    });

    it('then a token without the membership scope gets 403', async function () {
      const token = await obtainAccessToken(sim, tool, LTI_SCOPES.score);
      const response = await fetch(membershipsUrl(), { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).to.equal(403);
    });

    it('then a valid token returns the roster', async function () {
      const token = await obtainAccessToken(sim, tool, LTI_SCOPES.membershipReadOnly);
      const response = await fetch(membershipsUrl(), { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).to.equal(200);
      const body = (await response.json()) as { context: { id: string }; members: Array<Record<string, unknown>> };
      expect(body.context.id).to.equal(DEFAULT_CONTEXT.id);
      expect(body.members).to.have.length(2);
      expect(body.members[0]).to.deep.equal({
        user_id: learner.sub,
        name: 'Lena Learner',
        given_name: 'Lena',
        family_name: 'Learner',
        email: 'lena@example.edu',
        roles: [ROLES.learner],
        status: 'Active',
      });
    });

    it('then the role filter keeps only matching members', async function () {
      const token = await obtainAccessToken(sim, tool, LTI_SCOPES.membershipReadOnly);
      const response = await fetch(`${membershipsUrl()}?role=Instructor`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await response.json()) as { members: Array<{ user_id: string }> };
      expect(body.members.map((member) => member.user_id)).to.deep.equal([instructor.sub]);
    });
  });

  describe('When the tool creates a line item and posts a score', function () {
    it('then the simulator stores both and serves the result', async function () {
      sim.setToolJwksUrl(tool.endpoints.jwksUrl ?? '');
      const token = await obtainAccessToken(sim, tool, `${LTI_SCOPES.lineItem} ${LTI_SCOPES.score} ${LTI_SCOPES.resultReadOnly}`);
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const created = await fetch(`${sim.url}/ags/${DEFAULT_CONTEXT.id}/lineitems`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ label: 'Session attendance', scoreMaximum: 10, tag: 'attendance' }),
      });
      expect(created.status).to.equal(201);
      const lineItem = (await created.json()) as { id: string };
      const scored = await fetch(`${lineItem.id}/scores`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          userId: learner.sub,
          scoreGiven: 7,
          scoreMaximum: 10,
          activityProgress: 'Completed',
          gradingProgress: 'FullyGraded',
          timestamp: new Date().toISOString(),
        }),
      });
      expect(scored.status).to.equal(204);
      expect(sim.lineItems(DEFAULT_CONTEXT.id)).to.have.length(1);
      expect(sim.scores(DEFAULT_CONTEXT.id)).to.have.length(1);
      expect(sim.scores(DEFAULT_CONTEXT.id)[0]).to.include({ lineItemId: lineItem.id, userId: learner.sub, scoreGiven: 7 });
      const results = (await (await fetch(`${lineItem.id}/results`, { headers: auth })).json()) as unknown[];
      expect(results).to.deep.equal([
        { id: `${lineItem.id}/results/${learner.sub}`, scoreOf: lineItem.id, userId: learner.sub, resultScore: 7, resultMaximum: 10 },
      ]);
    });

    it('then a score without activityProgress is rejected with 400', async function () {
      const token = await obtainAccessToken(sim, tool, LTI_SCOPES.score);
      const [lineItem] = sim.lineItems(DEFAULT_CONTEXT.id);
      const response = await fetch(`${lineItem?.id ?? ''}/scores`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: learner.sub, gradingProgress: 'FullyGraded', timestamp: new Date().toISOString() }),
      });
      expect(response.status).to.equal(400);
    });
  });

  describe('When the simulator is started with options', function () {
    it('then issuer, client id and deployment id follow them', async function () {
      const custom = await PlatformSimulator.start({
        issuer: 'https://lms.example.edu',
        clientId: 'client-42',
        deploymentIds: ['dep-a', 'dep-b'],
      });
      try {
        expect(custom).to.include({ issuer: 'https://lms.example.edu', clientId: 'client-42', deploymentId: 'dep-a' });
        expect(custom.authEndpoint).to.equal(`${custom.url}/auth`);
        const claims = decodeJwt(await custom.buildIdToken({ user: learner, nonce: 'n', targetLinkUri: 'http://x/launch' }));
        expect(claims).to.include({ iss: 'https://lms.example.edu', aud: 'client-42' });
      } finally {
        await custom.close();
      }
    });
  });
});

describe('PlatformSimulator in a browser launch', function () {
  let sim: PlatformSimulator;
  let tool: FakeTool;

  before(async function () {
    sim = await PlatformSimulator.start();
    tool = await FakeTool.start(sim);
  });

  after(async function () {
    await tool.close();
    await sim.close();
  });

  async function getHtml(url: string): Promise<{ status: number; html: string }> {
    const response = await getPage(url);
    return { status: response.status, html: await response.text() };
  }

  async function getForm(url: string): Promise<{ action: string; fields: Record<string, string> }> {
    const { status, html } = await getHtml(url);
    expect(status, html).to.equal(200);
    return parseAutoPostForm(html);
  }

  // The browser's part after the login form: the tool's redirect, then the platform's answer.
  async function postLoginAndAuthorize(form: { action: string; fields: Record<string, string> }) {
    const jar = new CookieJar();
    const login = await postForm(form.action, form.fields, { jar });
    expect(login.status).to.equal(302);
    const authRequestUrl = new URL(login.headers.get('location') ?? '');
    return { authRequestUrl, answer: await getForm(authRequestUrl.href) };
  }

  const launchIdOf = (courseUrl: string) => new URL(courseUrl).searchParams.get('launch') ?? '';

  describe('When a launch with platform storage is prepared', function () {
    let courseUrl: string;
    before(function () {
      courseUrl = sim.prepareBrowserLaunch(tool.endpoints, { user: learner, storage: true });
    });

    it('then the course page on the platform frames the login page and answers storage messages itself', async function () {
      expect(courseUrl).to.match(new RegExp(`^${sim.url}/course\\?launch=[\\w-]+$`));
      const { status, html } = await getHtml(courseUrl);
      expect(status).to.equal(200);
      const iframe = /<iframe name="tool"[^>]*>/.exec(html)?.[0] ?? '';
      expect(iframe).to.contain(`title="${TOOL_FRAME.title}"`);
      expect(iframe).to.contain(`src="/frame-launch?launch=${launchIdOf(courseUrl)}"`);
      expect(iframe).to.contain('width="1000"').and.contain('height="700"');
      expect(html).to.contain('<script id="lti-platform-storage">');
      expect(html).not.to.contain(`<iframe name="${STORAGE_FRAME_NAME}"`);
    });

    it('then the frame posts the login parameters with lti_storage_target=_parent to the tool', async function () {
      const { action, fields } = await getForm(`${sim.url}/frame-launch?launch=${launchIdOf(courseUrl)}`);
      expect(action).to.equal(tool.endpoints.loginUrl);
      expect(fields).to.deep.equal({
        iss: sim.issuer,
        login_hint: learner.sub,
        target_link_uri: tool.endpoints.launchUrl,
        lti_message_hint: launchIdOf(courseUrl),
        client_id: sim.clientId,
        lti_deployment_id: sim.deploymentId,
        lti_storage_target: '_parent',
      });
    });

    it('then the top-level launch page posts the same parameters without a storage target', async function () {
      const topUrl = sim.topLevelLaunchUrl(courseUrl);
      expect(topUrl).to.equal(`${sim.url}/launch-top?launch=${launchIdOf(courseUrl)}`);
      expect(sim.topLevelLaunchUrl(launchIdOf(courseUrl))).to.equal(topUrl);
      const { action, fields } = await getForm(topUrl);
      expect(action).to.equal(tool.endpoints.loginUrl);
      expect(fields).to.include({ lti_message_hint: launchIdOf(courseUrl), login_hint: learner.sub });
      expect(fields).not.to.have.property('lti_storage_target');
    });

    it('then the login can run twice, each authorization is answered and recorded with its own state and nonce', async function () {
      const form = await getForm(`${sim.url}/frame-launch?launch=${launchIdOf(courseUrl)}`);
      const first = await postLoginAndAuthorize(form);
      const second = await postLoginAndAuthorize(form);
      const records = sim.authorizations(courseUrl);
      expect(records).to.have.length(2);
      for (const [i, { authRequestUrl, answer }] of [first, second].entries()) {
        const record = records[i]!;
        expect(answer.action).to.equal(tool.endpoints.launchUrl);
        expect(answer.fields).to.deep.equal({ id_token: record.idToken, state: record.state });
        expect(record).to.include({
          launchId: launchIdOf(courseUrl),
          state: authRequestUrl.searchParams.get('state'),
          nonce: authRequestUrl.searchParams.get('nonce'),
          redirectUri: tool.endpoints.launchUrl,
        });
        expect(decodeJwt(record.idToken).nonce).to.equal(record.nonce);
        expect(decodeJwt(record.idToken).sub).to.equal(learner.sub);
      }
      expect(records[0]!.nonce).not.to.equal(records[1]!.nonce);
      expect(records[0]!.state).not.to.equal(records[1]!.state);
      expect(sim.authorizations(launchIdOf(courseUrl))).to.deep.equal(records);
    });

    it('then the replay page posts a recorded id_token and state to the tool again', async function () {
      const records = sim.authorizations(courseUrl);
      expect(records.length, 'the previous test authorized twice').to.equal(2);
      const last = await getForm(sim.replayUrl(courseUrl));
      expect(last).to.deep.equal({ action: tool.endpoints.launchUrl, fields: { id_token: records[1]!.idToken, state: records[1]!.state } });
      const first = await getForm(sim.replayUrl(courseUrl, 0));
      expect(first.fields.state).to.equal(records[0]!.state);
    });
  });

  describe('When a launch without platform storage is prepared', function () {
    it('then the course page has no storage script and the login carries no storage target', async function () {
      const courseUrl = sim.prepareBrowserLaunch(tool.endpoints, { user: instructor, storage: false, context: null });
      const { html } = await getHtml(courseUrl);
      expect(html).to.contain('<iframe name="tool"');
      expect(html).not.to.contain('lti-platform-storage');
      const { fields } = await getForm(`${sim.url}/frame-launch?launch=${launchIdOf(courseUrl)}`);
      expect(fields).to.include({ login_hint: instructor.sub });
      expect(fields).not.to.have.property('lti_storage_target');
      expect((await getHtml(`${sim.url}/storage-frame?launch=${launchIdOf(courseUrl)}`)).status).to.equal(404);
    });
  });

  describe('When the platform answers storage messages from a named frame', function () {
    it('then the course page holds that hidden frame and the login names it as lti_storage_target', async function () {
      const courseUrl = sim.prepareBrowserLaunch(tool.endpoints, { user: learner, storage: true, storageFrame: true });
      const id = launchIdOf(courseUrl);
      const { html } = await getHtml(courseUrl);
      expect(html).to.contain(`<iframe name="${STORAGE_FRAME_NAME}" title="Platform storage" src="/storage-frame?launch=${id}" hidden></iframe>`);
      expect(html).not.to.contain('<script id="lti-platform-storage">');
      const frame = await getHtml(`${sim.url}/storage-frame?launch=${id}`);
      expect(frame.status).to.equal(200);
      expect(frame.html).to.contain('<script id="lti-platform-storage">').and.contain('"inStorageFrame":true');
      const { fields } = await getForm(`${sim.url}/frame-launch?launch=${id}`);
      expect(fields.lti_storage_target).to.equal(STORAGE_FRAME_NAME);
    });
  });

  describe('When a browser launch tampers with the state', function () {
    it('then the authorization endpoint posts (and records) the tampered state with an untouched id_token', async function () {
      const courseUrl = sim.prepareBrowserLaunch(tool.endpoints, { user: learner, storage: true, tamperState: (s) => `${s}-forged` });
      const { authRequestUrl, answer } = await postLoginAndAuthorize(await getForm(`${sim.url}/frame-launch?launch=${launchIdOf(courseUrl)}`));
      const requested = authRequestUrl.searchParams.get('state');
      expect(answer.fields.state).to.equal(`${requested}-forged`);
      expect(sim.authorizations(courseUrl)[0]!.state).to.equal(`${requested}-forged`);
      expect(decodeJwt(answer.fields.id_token!).nonce).to.equal(authRequestUrl.searchParams.get('nonce'));
    });
  });

  describe('When a page asks for a launch the platform does not know', function () {
    it('then the course, login, top-level, storage and replay pages answer 404', async function () {
      for (const path of ['course', 'frame-launch', 'launch-top', 'storage-frame', 'replay']) {
        expect((await getHtml(`${sim.url}/${path}?launch=nope`)).status, path).to.equal(404);
      }
      // An HTTP-only launch (launch()) has no pages either.
      const { authRequestUrl } = await sim.initiateLogin(tool.endpoints, { user: learner }, new CookieJar());
      const hint = authRequestUrl.searchParams.get('lti_message_hint') ?? '';
      expect((await getHtml(`${sim.url}/course?launch=${hint}`)).status).to.equal(404);
    });
  });
});

// The platform storage script, run in node:vm against stand-in windows: what it answers, to whom.
interface FakeWindow {
  parent: FakeWindow;
  document?: { querySelector(selector: string): { contentWindow: FakeWindow } | null };
  addEventListener?: (type: string, listener: (event: unknown) => void) => void;
  postMessage(message: unknown, targetOrigin: string): void;
  [name: string]: unknown;
}

interface Delivered {
  to: FakeWindow;
  message: Record<string, unknown>;
  targetOrigin: string;
}

function startStorageScript(options: { forget?: boolean; tamper?: boolean; inStorageFrame?: boolean } = {}) {
  const html = renderPlatformStorageScript({ forget: false, tamper: false, inStorageFrame: false, ...options });
  const source = /<script id="lti-platform-storage">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const delivered: Delivered[] = [];
  const makeWindow = (parent?: FakeWindow): FakeWindow => {
    const w: FakeWindow = {
      get parent(): FakeWindow {
        return parent ?? w;
      },
      postMessage(message: unknown, targetOrigin: string) {
        // Structured clone, roughly: the reply is built in another realm.
        delivered.push({ to: w, message: JSON.parse(JSON.stringify(message)) as Record<string, unknown>, targetOrigin });
      },
    };
    return w;
  };
  const top = makeWindow();
  const toolFrame = makeWindow(top);
  const insideTool = makeWindow(toolFrame);
  const elsewhere = makeWindow(top);
  top.document = { querySelector: (selector) => (selector === 'iframe[name="tool"]' ? { contentWindow: toolFrame } : null) };
  const scriptWindow = options.inStorageFrame ? makeWindow(top) : top;
  const listeners: Array<(event: unknown) => void> = [];
  scriptWindow.addEventListener = (type, listener) => {
    if (type === 'message') listeners.push(listener);
  };
  runInNewContext(source, { window: scriptWindow });
  const send = (from: FakeWindow, origin: string, data: unknown): Delivered | undefined => {
    const before = delivered.length;
    for (const listener of listeners) listener({ source: from, origin, data });
    expect(delivered.length - before, 'at most one reply per message').to.be.at.most(1);
    return delivered.length > before ? delivered.at(-1) : undefined;
  };
  const snapshot = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
  return {
    top,
    toolFrame,
    insideTool,
    elsewhere,
    send,
    stored: () => snapshot(top.__storage) as Record<string, Record<string, string>>,
    messages: () => snapshot(top.__ltiMessages) as Array<Record<string, unknown>>,
  };
}

describe('The platform storage script', function () {
  const TOOL = 'http://localhost:3000';
  const OTHER = 'http://evil.example';

  it('When the tool frame asks for capabilities, then it lists the three messages, answered to the tool origin', function () {
    const page = startStorageScript();
    const reply = page.send(page.toolFrame, TOOL, { subject: 'lti.capabilities', message_id: 'm1' });
    expect(reply?.to).to.equal(page.toolFrame);
    expect(reply?.targetOrigin).to.equal(TOOL);
    expect(reply?.message).to.deep.equal({
      subject: 'lti.capabilities.response',
      message_id: 'm1',
      supported_messages: [{ subject: 'lti.capabilities' }, { subject: 'lti.put_data' }, { subject: 'lti.get_data' }],
    });
  });

  it('When the tool stores a value and reads it back, then both replies carry the message id, key and value', function () {
    const page = startStorageScript();
    const put = page.send(page.toolFrame, TOOL, { subject: 'lti.put_data', message_id: 'p1', key: 'tutorkit_state', value: 'abc' });
    expect(put?.message).to.deep.equal({ subject: 'lti.put_data.response', message_id: 'p1', key: 'tutorkit_state', value: 'abc' });
    expect(page.stored()).to.deep.equal({ [TOOL]: { tutorkit_state: 'abc' } });
    const get = page.send(page.toolFrame, TOOL, { subject: 'lti.get_data', message_id: 'g1', key: 'tutorkit_state' });
    expect(get?.message).to.deep.equal({ subject: 'lti.get_data.response', message_id: 'g1', key: 'tutorkit_state', value: 'abc' });
    expect(get?.targetOrigin).to.equal(TOOL);
  });

  it('When a page inside the tool frame asks, then it is answered too, at its own window', function () {
    const page = startStorageScript();
    const reply = page.send(page.insideTool, TOOL, { subject: 'lti.put_data', message_id: 'p1', key: 'k', value: 'v' });
    expect(reply?.to).to.equal(page.insideTool);
  });

  it('When a key was never stored, then get_data answers a bad_request error', function () {
    const page = startStorageScript();
    const reply = page.send(page.toolFrame, TOOL, { subject: 'lti.get_data', message_id: 'g1', key: 'tutorkit_missing' });
    expect(reply?.message).to.deep.equal({
      subject: 'lti.get_data.response',
      message_id: 'g1',
      key: 'tutorkit_missing',
      error: { code: 'bad_request', message: 'no data for key' },
    });
  });

  it('When another origin asks for a key the tool stored, then it does not get it', function () {
    const page = startStorageScript();
    page.send(page.toolFrame, TOOL, { subject: 'lti.put_data', message_id: 'p1', key: 'k', value: 'secret' });
    const reply = page.send(page.toolFrame, OTHER, { subject: 'lti.get_data', message_id: 'g1', key: 'k' });
    expect(reply?.targetOrigin).to.equal(OTHER);
    expect(reply?.message).to.have.property('error');
    expect(reply?.message).not.to.have.property('value');
  });

  it('When a window outside the tool frame sends messages, then nothing is answered or stored, and they are logged', function () {
    const page = startStorageScript();
    expect(page.send(page.elsewhere, OTHER, { subject: 'lti.put_data', message_id: 'p1', key: 'k', value: 'v' })).to.equal(undefined);
    expect(page.send(page.top, OTHER, { subject: 'lti.capabilities', message_id: 'c1' })).to.equal(undefined);
    expect(page.stored()).to.deep.equal({});
    expect(page.messages().map((m) => [m.subject, m.fromTool, m.answered])).to.deep.equal([
      ['lti.put_data', false, false],
      ['lti.capabilities', false, false],
    ]);
  });

  it('When messages are responses, not LTI, malformed or of an unknown subject, then only the unknown LTI subject gets an error', function () {
    const page = startStorageScript();
    for (const data of [{ subject: 'lti.get_data.response', message_id: 'x' }, { subject: 'other' }, 'lti.put_data', null]) {
      expect(page.send(page.toolFrame, TOOL, data), JSON.stringify(data)).to.equal(undefined);
    }
    const unknown = page.send(page.toolFrame, TOOL, { subject: 'lti.close_message', message_id: 'u1' });
    expect(unknown?.message).to.deep.include({ subject: 'lti.close_message.response', message_id: 'u1' });
    expect((unknown?.message.error as { code: string }).code).to.equal('unsupported_subject');
    const noId = page.send(page.toolFrame, TOOL, { subject: 'lti.put_data', key: 'k', value: 'v' });
    expect((noId?.message.error as { code: string }).code).to.equal('bad_request');
    expect(page.stored()).to.deep.equal({});
  });

  it('When the platform forgets stored data, then put_data is acknowledged but get_data finds nothing', function () {
    const page = startStorageScript({ forget: true });
    const put = page.send(page.toolFrame, TOOL, { subject: 'lti.put_data', message_id: 'p1', key: 'k', value: 'v' });
    expect(put?.message).to.deep.equal({ subject: 'lti.put_data.response', message_id: 'p1', key: 'k', value: 'v' });
    const get = page.send(page.toolFrame, TOOL, { subject: 'lti.get_data', message_id: 'g1', key: 'k' });
    expect((get?.message.error as { code: string }).code).to.equal('bad_request');
  });

  it('When the platform tampers with stored data, then get_data answers another value', function () {
    const page = startStorageScript({ tamper: true });
    page.send(page.toolFrame, TOOL, { subject: 'lti.put_data', message_id: 'p1', key: 'k', value: 'v' });
    const get = page.send(page.toolFrame, TOOL, { subject: 'lti.get_data', message_id: 'g1', key: 'k' });
    expect(get?.message.value).to.equal('tampered-v');
  });

  it('When the script runs in the storage frame, then it finds the tool frame in the course page and exposes the storage there', function () {
    const page = startStorageScript({ inStorageFrame: true });
    const caps = page.send(page.toolFrame, TOOL, { subject: 'lti.capabilities', message_id: 'c1' });
    expect(caps?.message.supported_messages).to.deep.equal([
      { subject: 'lti.capabilities' },
      { subject: 'lti.put_data', frame: STORAGE_FRAME_NAME },
      { subject: 'lti.get_data', frame: STORAGE_FRAME_NAME },
    ]);
    page.send(page.toolFrame, TOOL, { subject: 'lti.put_data', message_id: 'p1', key: 'k', value: 'v' });
    expect(page.stored()).to.deep.equal({ [TOOL]: { k: 'v' } });
  });
});

describe('CookieJar', function () {
  it('When a Secure cookie was set over http on loopback, then it is still sent back', function () {
    const jar = new CookieJar();
    jar.storeSetCookie('http://127.0.0.1:4000/login', 'a=1; Path=/; Secure; HttpOnly; SameSite=None');
    expect(jar.getCookieHeader('http://127.0.0.1:5000/launch')).to.equal('a=1');
    expect(jar.getCookieHeader('http://localhost:4000/')).to.equal(undefined);
  });

  it('When a cookie is set with Max-Age=0 or a past Expires, then it is deleted', function () {
    const jar = new CookieJar();
    jar.storeSetCookie('http://127.0.0.1/', 'a=1');
    jar.storeSetCookie('http://127.0.0.1/', 'b=2=3');
    jar.storeSetCookie('http://127.0.0.1/', 'c=3');
    jar.storeSetCookie('http://127.0.0.1/', 'a=; Max-Age=0');
    jar.storeSetCookie('http://127.0.0.1/', 'c=; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(jar.getCookieHeader('http://127.0.0.1/')).to.equal('b=2=3');
  });

  it('When Max-Age is positive but Expires is past, then Max-Age wins', function () {
    const jar = new CookieJar();
    jar.storeSetCookie('http://127.0.0.1/', 'a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60');
    expect(jar.getCookie('http://127.0.0.1/', 'a')).to.equal('1');
  });
});

async function expectRejection(promise: Promise<unknown>, expectedText: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    const text = `${(error as { code?: string }).code ?? ''} ${String(error)}`;
    expect(text).to.contain(expectedText);
    return;
  }
  expect.fail(`expected a rejection containing ${expectedText}`);
}
