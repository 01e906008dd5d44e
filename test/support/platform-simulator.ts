// A real LTI 1.3 platform on loopback, so TutorKit's tests exercise the whole
// OIDC third-party-initiated login and signed id_token path instead of
// stubbing the LTI library. It also serves the token, NRPS and AGS endpoints a
// tool calls after a launch, backed by in-memory maps tests can inspect.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  SignJWT,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';
import { CookieJar, getPage, postForm } from './http-client.js';

export { CookieJar } from './http-client.js';

export const ROLES = {
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  teachingAssistant: 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
  mentor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor',
  contentDeveloper: 'http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper',
  contextAdmin: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator',
  institutionAdmin: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
  institutionInstructor: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor',
  institutionStudent: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student',
  systemAdmin: 'http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator',
} as const;

export const LTI_CLAIMS = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  toolPlatform: 'https://purl.imsglobal.org/spec/lti/claim/tool_platform',
  launchPresentation: 'https://purl.imsglobal.org/spec/lti/claim/launch_presentation',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  namesRoleService: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  agsEndpoint: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
} as const;

export const LTI_SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  membershipReadOnly: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

export const MESSAGE_TYPES = {
  resourceLink: 'LtiResourceLinkRequest',
  deepLinking: 'LtiDeepLinkingRequest',
} as const;

// Frozen because every launch without an explicit context shares it.
export const DEFAULT_CONTEXT: Readonly<SimContext> = Object.freeze({
  id: 'course-1',
  label: 'TUT101',
  title: 'Tutoring 101',
});

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const COURSE_OFFERING = 'http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering';
const ACTIVITY_PROGRESS = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
const GRADING_PROGRESS = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];

export interface SimUser {
  sub: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  email?: string;
  roles: string[];
}

export interface SimContext {
  id: string;
  label?: string;
  title?: string;
}

export interface ToolEndpoints {
  loginUrl: string;
  // Used as both redirect_uri and target_link_uri.
  launchUrl: string;
  jwksUrl?: string;
}

export interface IdTokenInput {
  user: SimUser;
  // undefined = DEFAULT_CONTEXT; null = a launch outside any course (no
  // context, NRPS or AGS claims).
  context?: SimContext | null;
  nonce: string;
  aud?: string | string[];
  deploymentId?: string;
  messageType?: string;
  targetLinkUri: string;
  resourceLinkId?: string;
  iatOffsetSeconds?: number;
  // Counted from iat; negative = already expired.
  expiresInSeconds?: number;
  signWith?: 'platform' | 'rogue';
  // Applied after extraClaims.
  omitClaims?: string[];
  // Merged over the standard claims, so it can also override them (nonce, iss...).
  extraClaims?: Record<string, unknown>;
}

export type LaunchInput = Omit<IdTokenInput, 'nonce' | 'targetLinkUri'> & {
  targetLinkUri?: string;
  tamperState?: (state: string) => string;
  dropCookies?: boolean;
};

export interface LaunchResult {
  status: number;
  headers: Headers;
  location: string | null;
  body: string;
  jar: CookieJar;
  idToken: string;
  state: string;
  form: Record<string, string>;
}

export interface AuthorizeResult {
  idToken: string;
  state: string;
  redirectUri: string;
  // The nonce the tool put in the auth request (what the token carries unless
  // extraClaims or omitClaims changed it).
  nonce: string;
}

export interface SimLineItem {
  id: string;
  label: string;
  scoreMaximum: number;
  resourceLinkId?: string;
  resourceId?: string;
  tag?: string;
  startDateTime?: string;
  endDateTime?: string;
}

export interface SimScore {
  lineItemId: string;
  userId: string;
  scoreGiven?: number;
  scoreMaximum?: number;
  comment?: string;
  activityProgress: string;
  gradingProgress: string;
  timestamp: string;
}

export interface DeepLinkResponseRecord {
  jwt: string;
  payload?: JWTPayload;
  error?: string;
}

export interface StartOptions {
  issuer?: string;
  clientId?: string;
  deploymentIds?: string[];
}

interface PendingLaunch {
  tool: ToolEndpoints;
  loginHint: string;
  input: LaunchInput;
}

interface SigningKeys {
  kid: string;
  platform: CryptoKey;
  rogue: CryptoKey;
  publicJwk: JWK;
}

interface AccessGrant {
  scopes: Set<string>;
  expiresAt: number;
}

interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

interface RouteRequest {
  req: IncomingMessage;
  url: URL;
  params: string[];
  body: string;
}

interface Route {
  method: string;
  pattern: RegExp;
  handle: (request: RouteRequest) => Reply | Promise<Reply>;
}

export class PlatformSimulator {
  readonly url: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly deploymentIds: readonly string[];
  readonly deploymentId: string;
  readonly authEndpoint: string;
  readonly tokenEndpoint: string;
  readonly jwksUrl: string;
  readonly platformGuid = randomUUID();

  readonly #server: Server;
  readonly #keys: SigningKeys;
  readonly #routes: Route[];
  readonly #pendingLaunches = new Map<string, PendingLaunch>();
  readonly #contexts = new Map<string, SimContext>();
  readonly #rosters = new Map<string, SimUser[]>();
  readonly #lineItems = new Map<string, SimLineItem[]>();
  readonly #scores = new Map<string, SimScore[]>();
  readonly #accessGrants = new Map<string, AccessGrant>();
  readonly #usedAssertionIds = new Set<string>();
  readonly #deepLinkResponses: DeepLinkResponseRecord[] = [];
  #toolJwksUrl: string | undefined;
  #nextLineItemNumber = 1;

  static async start(options: StartOptions = {}): Promise<PlatformSimulator> {
    const keys = await generateSigningKeys();
    const server = createServer();
    const url = await listenOnLoopback(server);
    return new PlatformSimulator(server, url, keys, options);
  }

  private constructor(server: Server, url: string, keys: SigningKeys, options: StartOptions) {
    this.#server = server;
    this.#keys = keys;
    this.url = url;
    this.issuer = options.issuer ?? url;
    this.clientId = options.clientId ?? 'tutorkit-test-client';
    this.deploymentIds = options.deploymentIds?.length ? [...options.deploymentIds] : ['deployment-1'];
    this.deploymentId = this.deploymentIds[0] ?? 'deployment-1';
    this.authEndpoint = `${url}/auth`;
    this.tokenEndpoint = `${url}/token`;
    this.jwksUrl = `${url}/jwks`;
    this.#routes = this.#defineRoutes();
    server.on('request', (req, res) => void this.#dispatch(req, res));
  }

  get kid(): string {
    return this.#keys.kid;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.close((error) => (error ? reject(error) : resolve()));
      // fetch keeps sockets alive; without this close() waits for them to idle out.
      this.#server.closeAllConnections();
    });
  }

  // ---- test-facing state -------------------------------------------------

  setToolJwksUrl(jwksUrl: string): void {
    this.#toolJwksUrl = jwksUrl;
  }

  setRoster(contextId: string, users: SimUser[]): void {
    this.#rosters.set(contextId, [...users]);
  }

  scores(contextId: string): SimScore[] {
    return [...(this.#scores.get(contextId) ?? [])];
  }

  lineItems(contextId: string): SimLineItem[] {
    return [...(this.#lineItems.get(contextId) ?? [])];
  }

  deepLinkResponses(): DeepLinkResponseRecord[] {
    return [...this.#deepLinkResponses];
  }

  // ---- id_token ----------------------------------------------------------

  async buildIdToken(input: IdTokenInput): Promise<string> {
    const claims = this.#assembleClaims(input);
    const key = input.signWith === 'rogue' ? this.#keys.rogue : this.#keys.platform;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.#keys.kid, typ: 'JWT' })
      .sign(key);
  }

  #assembleClaims(input: IdTokenInput): Record<string, unknown> {
    const iat = Math.floor(Date.now() / 1000) - (input.iatOffsetSeconds ?? 0);
    const messageType = input.messageType ?? MESSAGE_TYPES.resourceLink;
    const context = input.context === undefined ? DEFAULT_CONTEXT : input.context;
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: input.aud ?? this.clientId,
      azp: this.clientId,
      sub: input.user.sub,
      iat,
      exp: iat + (input.expiresInSeconds ?? 300),
      nonce: input.nonce,
      ...describeUserClaims(input.user),
      [LTI_CLAIMS.messageType]: messageType,
      [LTI_CLAIMS.version]: '1.3.0',
      [LTI_CLAIMS.deploymentId]: input.deploymentId ?? this.deploymentId,
      [LTI_CLAIMS.targetLinkUri]: input.targetLinkUri,
      [LTI_CLAIMS.roles]: [...input.user.roles],
      [LTI_CLAIMS.toolPlatform]: { guid: this.platformGuid, name: 'Simulated LMS', product_family_code: 'tutorkit-sim' },
      [LTI_CLAIMS.launchPresentation]: { document_target: 'iframe', return_url: `${this.url}/return` },
      ...this.#describeMessageClaims(messageType, input.resourceLinkId),
      ...(context ? this.#describeContextClaims(context) : {}),
      ...input.extraClaims,
    };
    for (const name of input.omitClaims ?? []) delete claims[name];
    return claims;
  }

  #describeMessageClaims(messageType: string, resourceLinkId: string | undefined): Record<string, unknown> {
    if (messageType === MESSAGE_TYPES.deepLinking) {
      return {
        [LTI_CLAIMS.deepLinkingSettings]: {
          deep_link_return_url: `${this.url}/deep-link-return`,
          accept_types: ['ltiResourceLink'],
          accept_presentation_document_targets: ['iframe', 'window'],
          accept_multiple: false,
        },
      };
    }
    return { [LTI_CLAIMS.resourceLink]: { id: resourceLinkId ?? 'resource-link-1', title: 'TutorKit' } };
  }

  #describeContextClaims(context: SimContext): Record<string, unknown> {
    // Remembered so NRPS can describe the context the same way the launch did.
    this.#contexts.set(context.id, context);
    const contextPath = `${this.url}/ags/${encodeURIComponent(context.id)}`;
    return {
      [LTI_CLAIMS.context]: { ...stripUndefined({ ...context }), type: [COURSE_OFFERING] },
      [LTI_CLAIMS.namesRoleService]: {
        context_memberships_url: `${this.url}/nrps/${encodeURIComponent(context.id)}/memberships`,
        service_versions: ['2.0'],
      },
      [LTI_CLAIMS.agsEndpoint]: {
        scope: [LTI_SCOPES.lineItem, LTI_SCOPES.lineItemReadOnly, LTI_SCOPES.resultReadOnly, LTI_SCOPES.score],
        lineitems: `${contextPath}/lineitems`,
      },
    };
  }

  // ---- launch flow (the browser's side) ----------------------------------

  async launch(tool: ToolEndpoints, input: LaunchInput, jar: CookieJar = new CookieJar()): Promise<LaunchResult> {
    const { authRequestUrl } = await this.initiateLogin(tool, input, jar);
    const authorized = await this.authorize(authRequestUrl, input);
    const state = input.tamperState ? input.tamperState(authorized.state) : authorized.state;
    const form = { id_token: authorized.idToken, state };
    return this.#sendLaunch(tool, form, jar, !input.dropCookies);
  }

  async initiateLogin(tool: ToolEndpoints, input: LaunchInput, jar: CookieJar): Promise<{ authRequestUrl: URL }> {
    const messageHint = randomToken();
    this.#pendingLaunches.set(messageHint, { tool, input, loginHint: input.user.sub });
    if (tool.jwksUrl) this.#toolJwksUrl = tool.jwksUrl;
    const response = await postForm(
      tool.loginUrl,
      {
        iss: this.issuer,
        login_hint: input.user.sub,
        target_link_uri: input.targetLinkUri ?? tool.launchUrl,
        lti_message_hint: messageHint,
        client_id: this.clientId,
        lti_deployment_id: input.deploymentId ?? this.deploymentId,
      },
      { jar },
    );
    const body = await response.text();
    return { authRequestUrl: this.#readAuthRedirect(tool, response, body) };
  }

  #readAuthRedirect(tool: ToolEndpoints, response: Response, body: string): URL {
    const location = response.headers.get('location');
    const expectation = `expected a 302 to ${this.authEndpoint}`;
    if (response.status !== 302 && response.status !== 303) {
      throw new Error(`Login initiation at ${tool.loginUrl} answered ${response.status} (${expectation}): ${body}`);
    }
    const target = location ? new URL(location, tool.loginUrl) : null;
    if (!target || `${target.origin}${target.pathname}` !== this.authEndpoint) {
      throw new Error(`Login initiation at ${tool.loginUrl} redirected to ${location ?? '(no Location)'} (${expectation})`);
    }
    return target;
  }

  async authorize(authRequestUrl: URL, input: LaunchInput): Promise<AuthorizeResult> {
    // Lets a test swap what gets signed (rogue key, expired...) after a
    // genuine login, while the auth endpoint still validates the request.
    const pending = this.#pendingLaunches.get(authRequestUrl.searchParams.get('lti_message_hint') ?? '');
    if (pending) pending.input = input;
    const response = await getPage(authRequestUrl);
    const body = await response.text();
    if (response.status !== 200) {
      throw new Error(`Authorization endpoint answered ${response.status}: ${body}`);
    }
    const { action, fields } = parseAutoPostForm(body);
    return {
      idToken: fields.id_token ?? '',
      state: fields.state ?? '',
      redirectUri: action,
      nonce: authRequestUrl.searchParams.get('nonce') ?? '',
    };
  }

  postLaunch(tool: ToolEndpoints, form: Record<string, string>, jar: CookieJar): Promise<LaunchResult> {
    return this.#sendLaunch(tool, form, jar, true);
  }

  async #sendLaunch(
    tool: ToolEndpoints,
    form: Record<string, string>,
    jar: CookieJar,
    sendCookies: boolean,
  ): Promise<LaunchResult> {
    const response = await postForm(tool.launchUrl, form, { jar, sendCookies });
    return {
      status: response.status,
      headers: response.headers,
      location: response.headers.get('location'),
      body: await response.text(),
      jar,
      idToken: form.id_token ?? '',
      state: form.state ?? '',
      form: { ...form },
    };
  }

  // ---- HTTP server -------------------------------------------------------

  #defineRoutes(): Route[] {
    return [
      { method: 'GET', pattern: /^\/jwks$/, handle: () => this.#serveJwks() },
      { method: 'GET', pattern: /^\/auth$/, handle: ({ url }) => this.#serveAuthorization(url) },
      { method: 'POST', pattern: /^\/token$/, handle: ({ body }) => this.#serveToken(body) },
      { method: 'GET', pattern: /^\/nrps\/([^/]+)\/memberships$/, handle: (r) => this.#serveMemberships(r) },
      { method: 'GET', pattern: /^\/ags\/([^/]+)\/lineitems$/, handle: (r) => this.#serveLineItemList(r) },
      { method: 'POST', pattern: /^\/ags\/([^/]+)\/lineitems$/, handle: (r) => this.#createLineItem(r) },
      { method: 'GET', pattern: /^\/ags\/([^/]+)\/lineitems\/([^/]+)$/, handle: (r) => this.#serveLineItem(r) },
      { method: 'POST', pattern: /^\/ags\/([^/]+)\/lineitems\/([^/]+)\/scores$/, handle: (r) => this.#recordScore(r) },
      { method: 'GET', pattern: /^\/ags\/([^/]+)\/lineitems\/([^/]+)\/results$/, handle: (r) => this.#serveResults(r) },
      { method: 'POST', pattern: /^\/deep-link-return$/, handle: ({ body }) => this.#receiveDeepLinkResponse(body) },
      { method: 'GET', pattern: /^\/return$/, handle: () => replyText(200, 'Returned to the simulated LMS.') },
    ];
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      const url = new URL(req.url ?? '/', this.url);
      const body = await readBody(req);
      reply = await this.#route({ req, url, params: [], body });
    } catch (error) {
      // Surface simulator bugs in the failing test rather than as a hung socket.
      reply = replyText(500, `Simulator error: ${error instanceof Error ? error.stack : String(error)}`);
    }
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
  }

  #route(request: RouteRequest): Reply | Promise<Reply> {
    let pathMatched = false;
    for (const route of this.#routes) {
      const match = route.pattern.exec(request.url.pathname);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== request.req.method) continue;
      const params = match.slice(1).map((part) => decodeURIComponent(part));
      return route.handle({ ...request, params });
    }
    return pathMatched ? replyText(405, 'Method not allowed') : replyText(404, 'Not found');
  }

  #serveJwks(): Reply {
    return replyJson(200, { keys: [this.#keys.publicJwk] });
  }

  // ---- OIDC authorization endpoint ---------------------------------------

  async #serveAuthorization(url: URL): Promise<Reply> {
    const params = url.searchParams;
    const problem = this.#findAuthRequestProblem(params);
    if (problem) return replyText(400, `invalid_request: ${problem}`);
    const pending = this.#pendingLaunches.get(params.get('lti_message_hint') ?? '');
    if (!pending) return replyText(400, 'invalid_request: unknown lti_message_hint');
    const { tamperState: _tamper, dropCookies: _drop, targetLinkUri, ...tokenInput } = pending.input;
    const idToken = await this.buildIdToken({
      ...tokenInput,
      nonce: params.get('nonce') ?? '',
      targetLinkUri: targetLinkUri ?? pending.tool.launchUrl,
    });
    const redirectUri = params.get('redirect_uri') ?? '';
    return replyHtml(200, renderAutoPostForm(redirectUri, { id_token: idToken, state: params.get('state') ?? '' }));
  }

  #findAuthRequestProblem(params: URLSearchParams): string | null {
    const scopes = (params.get('scope') ?? '').split(' ');
    if (!scopes.includes('openid')) return 'scope must include openid';
    const exact: Array<[string, string]> = [
      ['response_type', 'id_token'],
      ['response_mode', 'form_post'],
      ['prompt', 'none'],
      ['client_id', this.clientId],
    ];
    for (const [name, expected] of exact) {
      const actual = params.get(name);
      if (actual !== expected) return `${name} must be ${expected}, got ${actual ?? '(missing)'}`;
    }
    for (const name of ['redirect_uri', 'nonce', 'state', 'login_hint', 'lti_message_hint']) {
      if (!params.get(name)) return `${name} is required`;
    }
    return this.#findPendingLaunchProblem(params);
  }

  #findPendingLaunchProblem(params: URLSearchParams): string | null {
    const pending = this.#pendingLaunches.get(params.get('lti_message_hint') ?? '');
    if (!pending) return 'lti_message_hint does not match a login this platform initiated';
    if (params.get('login_hint') !== pending.loginHint) return 'login_hint does not match the initiated login';
    // Real platforms only post to registered redirect URIs. The launch URL and
    // the target_link_uri both count, because some tool libraries (ltijs) send
    // the target_link_uri, minus its query, as redirect_uri.
    const redirectUri = params.get('redirect_uri') ?? '';
    const registered = [pending.tool.launchUrl, stripQuery(pending.input.targetLinkUri ?? pending.tool.launchUrl)];
    if (!registered.includes(redirectUri)) {
      return `redirect_uri ${redirectUri} is not registered (expected one of ${registered.join(', ')})`;
    }
    return null;
  }

  // ---- OAuth2 token endpoint ---------------------------------------------

  async #serveToken(body: string): Promise<Reply> {
    const params = new URLSearchParams(body);
    if (params.get('grant_type') !== 'client_credentials') {
      return replyOAuthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    }
    if (params.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE) {
      return replyOAuthError(401, 'invalid_client', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
    }
    const problem = await this.#findClientAssertionProblem(params.get('client_assertion') ?? '');
    if (problem) return replyOAuthError(401, 'invalid_client', problem);
    const scopes = selectGrantedScopes(params.get('scope'));
    if (scopes.length === 0) return replyOAuthError(400, 'invalid_scope', 'none of the requested scopes is offered');
    const accessToken = randomToken();
    this.#accessGrants.set(accessToken, { scopes: new Set(scopes), expiresAt: Date.now() + 3600_000 });
    return replyJson(
      200,
      { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, scope: scopes.join(' ') },
      { 'cache-control': 'no-store' },
    );
  }

  async #findClientAssertionProblem(assertion: string): Promise<string | null> {
    if (!assertion) return 'client_assertion is required';
    if (!this.#toolJwksUrl) return 'no tool JWKS URL is registered (launch with jwksUrl or call setToolJwksUrl)';
    try {
      const { payload } = await jwtVerify(assertion, createRemoteJWKSet(new URL(this.#toolJwksUrl)), {
        issuer: this.clientId,
        subject: this.clientId,
        audience: this.tokenEndpoint,
        requiredClaims: ['exp', 'iat', 'jti'],
      });
      const jti = String(payload.jti);
      if (this.#usedAssertionIds.has(jti)) return `client_assertion jti ${jti} was already used`;
      this.#usedAssertionIds.add(jti);
      return null;
    } catch (error) {
      return `client_assertion rejected: ${describeError(error)}`;
    }
  }

  #checkBearer(req: IncomingMessage, acceptedScopes: string[]): Reply | null {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return replyBearerError(401, 'invalid_request', 'a Bearer access token is required');
    const grant = this.#accessGrants.get(match[1] ?? '');
    if (!grant || grant.expiresAt <= Date.now()) {
      return replyBearerError(401, 'invalid_token', 'the access token is unknown or expired');
    }
    if (!acceptedScopes.some((scope) => grant.scopes.has(scope))) {
      return replyBearerError(403, 'insufficient_scope', `one of these scopes is required: ${acceptedScopes.join(' ')}`);
    }
    return null;
  }

  // ---- NRPS --------------------------------------------------------------

  #serveMemberships({ req, url, params }: RouteRequest): Reply {
    const denied = this.#checkBearer(req, [LTI_SCOPES.membershipReadOnly]);
    if (denied) return denied;
    const contextId = params[0] ?? '';
    const roster = this.#rosters.get(contextId);
    if (!roster) return replyText(404, `No roster for context ${contextId}`);
    const role = url.searchParams.get('role');
    const members = roster.filter((user) => !role || hasRole(user, role)).map(describeMember);
    const context = this.#contexts.get(contextId) ?? { id: contextId };
    return replyJson(
      200,
      { id: url.href, context: stripUndefined({ ...context }), members },
      { 'content-type': 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json' },
    );
  }

  // ---- AGS ---------------------------------------------------------------

  #serveLineItemList({ req, url, params }: RouteRequest): Reply {
    const denied = this.#checkBearer(req, [LTI_SCOPES.lineItem, LTI_SCOPES.lineItemReadOnly]);
    if (denied) return denied;
    const query = url.searchParams;
    const items = this.lineItems(params[0] ?? '').filter(
      (item) =>
        matchesFilter(item.resourceLinkId, query.get('resource_link_id')) &&
        matchesFilter(item.resourceId, query.get('resource_id')) &&
        matchesFilter(item.tag, query.get('tag')),
    );
    return replyJson(200, items, { 'content-type': 'application/vnd.ims.lis.v2.lineitemcontainer+json' });
  }

  #createLineItem({ req, params, body }: RouteRequest): Reply {
    const denied = this.#checkBearer(req, [LTI_SCOPES.lineItem]);
    if (denied) return denied;
    const parsed = parseJsonObject(body);
    if (!parsed) return replyText(400, 'Body must be a JSON object');
    const { label, scoreMaximum } = parsed;
    if (typeof label !== 'string' || !label) return replyText(400, 'label is required');
    if (typeof scoreMaximum !== 'number' || scoreMaximum <= 0) return replyText(400, 'scoreMaximum must be a number > 0');
    const contextId = params[0] ?? '';
    const id = `${this.url}/ags/${encodeURIComponent(contextId)}/lineitems/${this.#nextLineItemNumber++}`;
    const item: SimLineItem = { id, label, scoreMaximum, ...pickOptionalStrings(parsed, LINE_ITEM_OPTIONAL_FIELDS) };
    appendTo(this.#lineItems, contextId, item);
    return replyJson(201, item, { 'content-type': 'application/vnd.ims.lis.v2.lineitem+json' });
  }

  #serveLineItem({ req, url, params }: RouteRequest): Reply {
    const denied = this.#checkBearer(req, [LTI_SCOPES.lineItem, LTI_SCOPES.lineItemReadOnly]);
    if (denied) return denied;
    const item = this.#findLineItem(params[0] ?? '', url);
    if (!item) return replyText(404, 'No such line item');
    return replyJson(200, item, { 'content-type': 'application/vnd.ims.lis.v2.lineitem+json' });
  }

  #recordScore({ req, url, params, body }: RouteRequest): Reply {
    const denied = this.#checkBearer(req, [LTI_SCOPES.score]);
    if (denied) return denied;
    const contextId = params[0] ?? '';
    const item = this.#findLineItem(contextId, url, '/scores');
    if (!item) return replyText(404, 'No such line item');
    const parsed = parseJsonObject(body);
    if (!parsed) return replyText(400, 'Body must be a JSON object');
    const scoreOrProblem = readScore(item.id, parsed);
    if (typeof scoreOrProblem === 'string') return replyText(400, scoreOrProblem);
    appendTo(this.#scores, contextId, scoreOrProblem);
    return { status: 204, body: '' };
  }

  #serveResults({ req, url, params }: RouteRequest): Reply {
    const denied = this.#checkBearer(req, [LTI_SCOPES.resultReadOnly]);
    if (denied) return denied;
    const contextId = params[0] ?? '';
    const item = this.#findLineItem(contextId, url, '/results');
    if (!item) return replyText(404, 'No such line item');
    const latestByUser = new Map<string, SimScore>();
    for (const score of this.scores(contextId).filter((s) => s.lineItemId === item.id)) {
      const previous = latestByUser.get(score.userId);
      if (!previous || previous.timestamp <= score.timestamp) latestByUser.set(score.userId, score);
    }
    const results = [...latestByUser.values()].map((score) => describeResult(item, score));
    return replyJson(200, results, { 'content-type': 'application/vnd.ims.lis.v2.resultcontainer+json' });
  }

  #findLineItem(contextId: string, url: URL, suffix = ''): SimLineItem | undefined {
    const itemUrl = `${this.url}${url.pathname.slice(0, url.pathname.length - suffix.length)}`;
    return this.#lineItems.get(contextId)?.find((item) => item.id === itemUrl);
  }

  // ---- Deep linking return -----------------------------------------------

  async #receiveDeepLinkResponse(body: string): Promise<Reply> {
    const jwt = new URLSearchParams(body).get('JWT') ?? '';
    try {
      if (!this.#toolJwksUrl) throw new Error('no tool JWKS URL is registered');
      const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(this.#toolJwksUrl)), {
        issuer: this.clientId,
        audience: this.issuer,
      });
      this.#deepLinkResponses.push({ jwt, payload });
      return replyHtml(200, '<!doctype html><title>Content selected</title><p>Content selected.</p>');
    } catch (error) {
      this.#deepLinkResponses.push({ jwt, error: describeError(error) });
      return replyText(400, `Deep linking response rejected: ${describeError(error)}`);
    }
  }
}

// ---- helpers -------------------------------------------------------------

const LINE_ITEM_OPTIONAL_FIELDS = ['resourceLinkId', 'resourceId', 'tag', 'startDateTime', 'endDateTime'] as const;

async function generateSigningKeys(): Promise<SigningKeys> {
  const kid = randomToken();
  const [platform, rogue] = await Promise.all([
    generateKeyPair('RS256', { extractable: true }),
    generateKeyPair('RS256', { extractable: true }),
  ]);
  const publicJwk: JWK = { ...(await exportJWK(platform.publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, platform: platform.privateKey, rogue: rogue.privateKey, publicJwk };
}

function listenOnLoopback(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
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

function stripQuery(url: string): string {
  return url.split('?')[0] ?? url;
}

function randomToken(): string {
  return randomBytes(16).toString('base64url');
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function describeUserClaims(user: SimUser): Record<string, string> {
  return stripUndefined({
    name: user.name,
    given_name: user.givenName,
    family_name: user.familyName,
    email: user.email,
  }) as Record<string, string>;
}

function describeMember(user: SimUser): Record<string, unknown> {
  return { user_id: user.sub, ...describeUserClaims(user), roles: [...user.roles], status: 'Active' };
}

// NRPS lets the role filter be a full URI or its short name ("Learner").
function hasRole(user: SimUser, role: string): boolean {
  return user.roles.some((uri) => uri === role || uri.split('#')[1] === role);
}

function describeResult(item: SimLineItem, score: SimScore): Record<string, unknown> {
  return stripUndefined({
    id: `${item.id}/results/${encodeURIComponent(score.userId)}`,
    scoreOf: item.id,
    userId: score.userId,
    resultScore: score.scoreGiven,
    resultMaximum: score.scoreMaximum,
    comment: score.comment,
  });
}

function readScore(lineItemId: string, body: Record<string, unknown>): SimScore | string {
  const { userId, activityProgress, gradingProgress, timestamp, scoreGiven, scoreMaximum, comment } = body;
  if (typeof userId !== 'string' || !userId) return 'userId is required';
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) return 'timestamp must be an ISO 8601 date';
  if (typeof activityProgress !== 'string' || !ACTIVITY_PROGRESS.includes(activityProgress)) {
    return `activityProgress must be one of ${ACTIVITY_PROGRESS.join(', ')}`;
  }
  if (typeof gradingProgress !== 'string' || !GRADING_PROGRESS.includes(gradingProgress)) {
    return `gradingProgress must be one of ${GRADING_PROGRESS.join(', ')}`;
  }
  if (scoreGiven !== undefined && typeof scoreGiven !== 'number') return 'scoreGiven must be a number';
  if (scoreGiven !== undefined && (typeof scoreMaximum !== 'number' || scoreMaximum <= 0)) {
    return 'scoreMaximum must be a number > 0 when scoreGiven is sent';
  }
  const score: SimScore = { lineItemId, userId, activityProgress, gradingProgress, timestamp };
  if (typeof scoreGiven === 'number') score.scoreGiven = scoreGiven;
  if (typeof scoreMaximum === 'number') score.scoreMaximum = scoreMaximum;
  if (typeof comment === 'string') score.comment = comment;
  return score;
}

function selectGrantedScopes(requested: string | null): string[] {
  const offered: string[] = Object.values(LTI_SCOPES);
  // OAuth2 lets the server grant a subset; no scope parameter means "everything".
  if (!requested) return offered;
  return requested.split(' ').filter((scope) => offered.includes(scope));
}

function matchesFilter(value: string | undefined, filter: string | null): boolean {
  return filter === null || value === filter;
}

function pickOptionalStrings(source: Record<string, unknown>, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = source[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

function appendTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

function parseJsonObject(body: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

function unescapeHtml(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

// The same page a real browser would get, so the endpoint also works when a
// Playwright test drives the launch.
function renderAutoPostForm(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n    ');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Launching tool</title></head>
<body>
  <form id="lti-launch" method="post" action="${escapeHtml(action)}">
    ${inputs}
    <noscript><button type="submit">Continue to the tool</button></noscript>
  </form>
  <script>document.getElementById('lti-launch').submit();</script>
</body>
</html>
`;
}

function parseAutoPostForm(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*\baction="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) throw new Error(`Authorization response has no form: ${html}`);
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[unescapeHtml(match[1] ?? '')] = unescapeHtml(match[2] ?? '');
  }
  return { action: unescapeHtml(action), fields };
}

function replyText(status: number, text: string): Reply {
  return { status, body: text, headers: { 'content-type': 'text/plain; charset=utf-8' } };
}

function replyHtml(status: number, html: string): Reply {
  return { status, body: html, headers: { 'content-type': 'text/html; charset=utf-8' } };
}

function replyJson(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    body: JSON.stringify(value),
    headers: { 'content-type': 'application/json', ...headers },
  };
}

function replyOAuthError(status: number, error: string, description: string): Reply {
  return replyJson(status, { error, error_description: description }, { 'cache-control': 'no-store' });
}

function replyBearerError(status: number, error: string, description: string): Reply {
  return replyJson(
    status,
    { error, error_description: description },
    { 'www-authenticate': `Bearer error="${error}", error_description="${description}"` },
  );
}
