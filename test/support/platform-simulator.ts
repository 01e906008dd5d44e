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

// ---- browser launches (an LMS course page framing the tool) ----------------

/** The iframe the course page shows the tool in (name and title). */
export const TOOL_FRAME = { name: 'tool', title: 'TutorKit' } as const;
/** The named frame that answers platform storage messages when `storageFrame` is set (Canvas's name). */
export const STORAGE_FRAME_NAME = 'post_message_forwarding';

export interface BrowserLaunchOptions {
  /**
   * Offer LTI platform storage (1EdTech "LTI Client Side postMessages"): the login form carries
   * lti_storage_target and the course page answers lti.capabilities, lti.put_data, lti.get_data.
   */
  storage: boolean;
  /** Answer from a hidden named frame of the course page (lti_storage_target=post_message_forwarding), not from the page itself. */
  storageFrame?: boolean;
  /** Acknowledge lti.put_data without storing, so the later lti.get_data finds nothing (a state the platform never stored). */
  forgetStoredData?: boolean;
  /** Store something other than what was sent, so lti.get_data answers a different value. */
  tamperStoredData?: boolean;
}

export type BrowserLaunchInput = LaunchInput & BrowserLaunchOptions;

/** One answer of the authorization endpoint: the form it auto-posted to the tool. */
export interface AuthorizationRecord {
  /** The launch id (its lti_message_hint). */
  launchId: string;
  idToken: string;
  /** The state posted to the tool (after tamperState, for a browser launch). */
  state: string;
  nonce: string;
  redirectUri: string;
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
  // Set for launches a browser runs from the course page (prepareBrowserLaunch).
  browser?: BrowserLaunchOptions;
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
  readonly #authorizations: AuthorizationRecord[] = [];
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

  /** What the authorization endpoint posted to the tool, oldest first; for one launch when given its id or course URL. */
  authorizations(launch?: string): AuthorizationRecord[] {
    const launchId = launch === undefined ? undefined : readLaunchId(launch);
    return this.#authorizations.filter((record) => launchId === undefined || record.launchId === launchId);
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
    const messageHint = this.#addPendingLaunch({ tool, input, loginHint: input.user.sub });
    const response = await postForm(tool.loginUrl, this.#loginFields(messageHint), { jar });
    const body = await response.text();
    return { authRequestUrl: this.#readAuthRedirect(tool, response, body) };
  }

  // ---- launch flow in a real browser ---------------------------------------

  /**
   * Registers a launch a browser will run and returns the LMS course page that frames the tool
   * (`/course?launch=<id>`). The id is the lti_message_hint, so /auth finds the launch as usual;
   * the launch stays pending, so its login form can be posted (and authorized) more than once.
   */
  prepareBrowserLaunch(tool: ToolEndpoints, input: BrowserLaunchInput): string {
    const { storage, storageFrame, forgetStoredData, tamperStoredData, ...launchInput } = input;
    const browser: BrowserLaunchOptions = stripUndefined({ storage, storageFrame, forgetStoredData, tamperStoredData }) as BrowserLaunchOptions;
    const launchId = this.#addPendingLaunch({ tool, input: launchInput, loginHint: input.user.sub, browser });
    return `${this.url}/course?launch=${encodeURIComponent(launchId)}`;
  }

  /** The page that starts the same launch in the top window, with no frame and no platform storage. */
  topLevelLaunchUrl(launch: string): string {
    return `${this.url}/launch-top?launch=${encodeURIComponent(readLaunchId(launch))}`;
  }

  /**
   * A platform page that posts a recorded authorization response (id_token and state) to the tool
   * again, as an attacker replaying it would. index counts from the end when negative.
   */
  replayUrl(launch: string, index = -1): string {
    return `${this.url}/replay?launch=${encodeURIComponent(readLaunchId(launch))}&index=${index}`;
  }

  #addPendingLaunch(pending: PendingLaunch): string {
    const messageHint = randomToken();
    this.#pendingLaunches.set(messageHint, pending);
    if (pending.tool.jwksUrl) this.#toolJwksUrl = pending.tool.jwksUrl;
    return messageHint;
  }

  #loginFields(messageHint: string): Record<string, string> {
    const pending = this.#pendingLaunches.get(messageHint);
    if (!pending) throw new Error(`No pending launch ${messageHint}`);
    return {
      iss: this.issuer,
      login_hint: pending.loginHint,
      target_link_uri: pending.input.targetLinkUri ?? pending.tool.launchUrl,
      lti_message_hint: messageHint,
      client_id: this.clientId,
      lti_deployment_id: pending.input.deploymentId ?? this.deploymentId,
    };
  }

  #findBrowserLaunch(url: URL): { launchId: string; pending: PendingLaunch; browser: BrowserLaunchOptions } | null {
    const launchId = url.searchParams.get('launch') ?? '';
    const pending = this.#pendingLaunches.get(launchId);
    return pending?.browser ? { launchId, pending, browser: pending.browser } : null;
  }

  // The LMS page with the tool in an iframe, and (when storage is offered) the platform's side of
  // the LTI Client Side postMessages.
  #serveCoursePage(url: URL): Reply {
    const found = this.#findBrowserLaunch(url);
    if (!found) return replyText(404, 'No such browser launch');
    const { launchId, pending, browser } = found;
    const context = pending.input.context === undefined ? DEFAULT_CONTEXT : pending.input.context;
    const title = context ? context.title ?? context.label ?? context.id : 'Dashboard';
    const id = encodeURIComponent(launchId);
    const storage = !browser.storage
      ? ''
      : browser.storageFrame
        ? `<iframe name="${STORAGE_FRAME_NAME}" title="Platform storage" src="/storage-frame?launch=${id}" hidden></iframe>`
        : renderPlatformStorageScript({ ...describeStorageBehaviour(browser), inStorageFrame: false });
    return replyHtml(
      200,
      `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)} · Simulated LMS</title>
  <style>
    body { margin: 0; font-family: system-ui, sans-serif; background: #f5f5f5; color: #2d3b45; }
    .lms-bar { background: #2d3b45; color: #fff; padding: 0.5rem 1rem; font-weight: bold; }
    main { padding: 0.5rem 1rem; }
    h1 { font-size: 1.25rem; margin: 0.5rem 0; }
    iframe[name="${TOOL_FRAME.name}"] { display: block; border: 1px solid #c7cdd1; background: #fff; }
  </style>
</head>
<body>
  <div class="lms-bar">Simulated LMS</div>
  <main>
    <h1>${escapeHtml(title)}</h1>
    <iframe name="${TOOL_FRAME.name}" title="${TOOL_FRAME.title}" src="/frame-launch?launch=${id}" width="1000" height="700"></iframe>
    ${storage}
  </main>
</body>
</html>
`,
    );
  }

  #serveStorageFrame(url: URL): Reply {
    const found = this.#findBrowserLaunch(url);
    if (!found?.browser.storage || !found.browser.storageFrame) return replyText(404, 'No storage frame for this launch');
    const script = renderPlatformStorageScript({ ...describeStorageBehaviour(found.browser), inStorageFrame: true });
    return replyHtml(200, `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Platform storage</title></head>\n<body>\n${script}\n</body>\n</html>\n`);
  }

  // The login initiation the LMS runs: in the tool's frame (with lti_storage_target when storage
  // is offered) or in the top window (never with storage: there is no platform window to ask).
  #serveLoginInitiation(url: URL, where: 'frame' | 'top'): Reply {
    const found = this.#findBrowserLaunch(url);
    if (!found) return replyText(404, 'No such browser launch');
    const fields = this.#loginFields(found.launchId);
    if (where === 'frame' && found.browser.storage) {
      fields.lti_storage_target = found.browser.storageFrame ? STORAGE_FRAME_NAME : '_parent';
    }
    return replyHtml(200, renderAutoPostForm(found.pending.tool.loginUrl, fields, { id: 'lti-login', title: 'Opening the tool' }));
  }

  #serveReplay(url: URL): Reply {
    const records = this.authorizations(url.searchParams.get('launch') ?? '');
    const index = Number.parseInt(url.searchParams.get('index') ?? '-1', 10);
    const record = records.at(Number.isNaN(index) ? -1 : index);
    if (!record) return replyText(404, 'No recorded authorization for this launch');
    return replyHtml(200, renderAutoPostForm(record.redirectUri, { id_token: record.idToken, state: record.state }));
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
      { method: 'GET', pattern: /^\/course$/, handle: ({ url }) => this.#serveCoursePage(url) },
      { method: 'GET', pattern: /^\/storage-frame$/, handle: ({ url }) => this.#serveStorageFrame(url) },
      { method: 'GET', pattern: /^\/frame-launch$/, handle: ({ url }) => this.#serveLoginInitiation(url, 'frame') },
      { method: 'GET', pattern: /^\/launch-top$/, handle: ({ url }) => this.#serveLoginInitiation(url, 'top') },
      { method: 'GET', pattern: /^\/replay$/, handle: ({ url }) => this.#serveReplay(url) },
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
    const { tamperState, dropCookies: _drop, targetLinkUri, ...tokenInput } = pending.input;
    const nonce = params.get('nonce') ?? '';
    const idToken = await this.buildIdToken({ ...tokenInput, nonce, targetLinkUri: targetLinkUri ?? pending.tool.launchUrl });
    const redirectUri = params.get('redirect_uri') ?? '';
    // launch() tampers with the state itself; a browser launch has only this page to do it.
    const requested = params.get('state') ?? '';
    const state = pending.browser && tamperState ? tamperState(requested) : requested;
    const launchId = params.get('lti_message_hint') ?? '';
    this.#authorizations.push({ launchId, idToken, state, nonce, redirectUri });
    return replyHtml(200, renderAutoPostForm(redirectUri, { id_token: idToken, state }));
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
function renderAutoPostForm(
  action: string,
  fields: Record<string, string>,
  page: { id: string; title: string } = { id: 'lti-launch', title: 'Launching tool' },
): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n    ');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title></head>
<body>
  <form id="${page.id}" method="post" action="${escapeHtml(action)}">
    ${inputs}
    <noscript><button type="submit">Continue to the tool</button></noscript>
  </form>
  <script>document.getElementById('${page.id}').submit();</script>
</body>
</html>
`;
}

// Accepts a launch id or any URL carrying ?launch=<id> (the course page prepareBrowserLaunch returns).
function readLaunchId(launch: string): string {
  if (!/^https?:\/\//.test(launch)) return launch;
  const launchId = new URL(launch).searchParams.get('launch');
  if (!launchId) throw new Error(`${launch} names no launch`);
  return launchId;
}

interface StorageBehaviour {
  forget: boolean;
  tamper: boolean;
}

function describeStorageBehaviour(browser: BrowserLaunchOptions): StorageBehaviour {
  return { forget: browser.forgetStoredData === true, tamper: browser.tamperStoredData === true };
}

/**
 * The platform's side of "LTI Client Side postMessages": answers lti.capabilities, lti.put_data and
 * lti.get_data from the tool's frame (or any window inside it), only ever to the sender's origin,
 * keeping data apart per origin. Runs in the course page or in its named storage frame. Exposes
 * what it stored as window.__storage (of the course page) and every lti.* message it received as
 * window.__ltiMessages, for assertions. Plain ES5 so unit tests can run it in node:vm.
 */
export function renderPlatformStorageScript(options: StorageBehaviour & { inStorageFrame: boolean }): string {
  const config = JSON.stringify({ ...options, toolFrameName: TOOL_FRAME.name, storageFrameName: STORAGE_FRAME_NAME });
  return `<script id="lti-platform-storage">
(function () {
  'use strict';
  var config = ${config.replaceAll('<', '\\u003c')};
  var host = config.inStorageFrame ? window.parent : window;
  var stored = Object.create(null);
  var received = [];
  host.__storage = window.__storage = stored;
  host.__ltiMessages = window.__ltiMessages = received;

  function toolWindow() {
    var frame = host.document.querySelector('iframe[name="' + config.toolFrameName + '"]');
    return frame ? frame.contentWindow : null;
  }
  function isFromTool(source) {
    var tool = toolWindow();
    var current = source;
    for (var depth = 0; tool && current && depth < 16; depth++) {
      if (current === tool) return true;
      if (current === current.parent) return false;
      current = current.parent;
    }
    return false;
  }
  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }
  function answer(data, origin) {
    var reply = { subject: data.subject + '.response', message_id: data.message_id };
    function fail(code, message) {
      reply.error = { code: code, message: message };
      return reply;
    }
    if (data.message_id === undefined || data.message_id === null || data.message_id === '') return fail('bad_request', 'message_id is required');
    if (data.subject === 'lti.capabilities') {
      var frame = config.inStorageFrame ? { frame: config.storageFrameName } : {};
      reply.supported_messages = ['lti.capabilities', 'lti.put_data', 'lti.get_data'].map(function (subject) {
        return Object.assign({ subject: subject }, subject === 'lti.capabilities' ? {} : frame);
      });
      return reply;
    }
    if (data.subject !== 'lti.put_data' && data.subject !== 'lti.get_data') return fail('unsupported_subject', 'unsupported subject ' + data.subject);
    if (typeof data.key !== 'string' || data.key === '') return fail('bad_request', 'key is required');
    reply.key = data.key;
    var forOrigin = has(stored, origin) ? stored[origin] : (stored[origin] = Object.create(null));
    if (data.subject === 'lti.put_data') {
      if (typeof data.value !== 'string') return fail('bad_request', 'value must be a string');
      if (!config.forget) forOrigin[data.key] = config.tamper ? 'tampered-' + data.value : data.value;
      reply.value = data.value;
      return reply;
    }
    if (!has(forOrigin, data.key)) return fail('bad_request', 'no data for key');
    reply.value = forOrigin[data.key];
    return reply;
  }

  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!data || typeof data !== 'object' || typeof data.subject !== 'string') return;
    if (data.subject.indexOf('lti.') !== 0 || /\\.response$/.test(data.subject)) return;
    var fromTool = isFromTool(event.source);
    var record = { subject: data.subject, message_id: data.message_id, key: data.key, origin: event.origin, fromTool: fromTool, answered: false };
    received.push(record);
    // Only the tool may use the storage, and a reply goes only to the origin that asked.
    if (!fromTool || !event.origin || event.origin === 'null') return;
    event.source.postMessage(answer(data, event.origin), event.origin);
    record.answered = true;
  });
})();
</script>`;
}

export function parseAutoPostForm(html: string): { action: string; fields: Record<string, string> } {
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
