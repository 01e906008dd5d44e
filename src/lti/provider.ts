// The one place TutorKit talks to ltijs. Outside src/lti nothing knows ltijs exists: the rest of
// the app receives a VerifiedLaunch and renders AppError pages.
import type { Request, RequestHandler, Response } from 'express';
import express from 'express';
import ltijs from 'ltijs';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { RoleRules } from '../courses/role-rules.js';
import type { VerifiedLaunch } from '../courses/service.js';
import { AppError } from '../lib/errors.js';
import { toVerifiedLaunch, type LtiToken } from './claims.js';
import { pageForLtiError } from './errors.js';
import { createLoginRouter, storageKeys, type LaunchBinding } from './login.js';
import { deleteExpiredLaunchStates, holdPendingLaunch } from './queries.js';
import { LtiStore } from './store.js';

/** The subset of the ltijs Provider we use (@types/ltijs is out of date). */
interface LtijsProvider {
  app: RequestHandler;
  Database: LtiStore;
  DeepLinking: { createDeepLinkingMessage(token: LtiToken, items: unknown[], options?: Record<string, string>): Promise<string> };
  setup(key: string, database: { plugin: LtiStore }, options: Record<string, unknown>): LtijsProvider;
  onConnect(cb: (token: LtiToken, req: Request, res: Response) => unknown): void;
  onDeepLinking(cb: (token: LtiToken, req: Request, res: Response) => unknown): void;
  onInvalidToken(cb: (req: Request, res: Response) => unknown): void;
  onSessionTimeout(cb: (req: Request, res: Response) => unknown): void;
  onUnregisteredPlatform(cb: (req: Request, res: Response) => unknown): void;
  onInactivePlatform(cb: (req: Request, res: Response) => unknown): void;
  registerPlatform(platform: Record<string, unknown>): Promise<unknown>;
}

const provider = (ltijs as unknown as { Provider: LtijsProvider }).Provider;
let store: LtiStore | undefined;

export const LTI_MOUNT = '/lti';
export const LTI_ROUTES = { login: '/login', launch: '/launch', keys: '/keys' } as const;

export interface LtiHandlers {
  /** A verified launch from this browser: record it and open TutorKit, or throw an AppError. */
  onLaunch(launch: VerifiedLaunch, res: Response): Promise<void>;
  /** A verified deep-linking request; `respond` signs the content items for the platform. */
  onDeepLink(launch: VerifiedLaunch, res: Response, respond: DeepLinkResponder, check: BrowserCheck | null): Promise<void>;
  /** Renders a page (the adapter's own pages: login hand-off, open in a new window). */
  render(res: Response, view: string, locals: Record<string, unknown>, status?: number): Promise<void>;
  /** Renders an error page; the adapter never sends ltijs's JSON to a person. */
  sendError(res: Response, error: AppError): void;
}

/**
 * What the launch page must confirm with the LMS window (postMessage storage) before it opens
 * TutorKit, when the browser could not return the state cookie. Read by public/js/app.js.
 */
export interface BrowserCheck {
  target: string;
  origin: string;
  keys: { state: string; nonce: string };
  state: string;
  nonce: string;
}

export interface DeepLinkResponder {
  returnUrl: string;
  sign(items: unknown[], message: string): Promise<string>;
}

export interface LtiAdapter {
  /** Mount at LTI_MOUNT. */
  router: express.Router;
  store: LtiStore;
  /** Deletes expired launch states and ltijs records; run periodically. */
  purgeExpired(now: Date): Promise<void>;
}

export interface LtiOptions {
  db: Db;
  log: Logger;
  ltiKey: string;
  baseUrl: string;
  handlers: LtiHandlers;
  /** The launching platform's role mapping (cached by the caller: every launch asks); the defaults without it. */
  roleRules?(issuer: string, clientId: string): Promise<RoleRules>;
}

/**
 * ltijs allows one Provider per process, so it is set up once; later calls (tests build several
 * apps in one process) point its store at the new database and replace the handlers.
 *
 * ltijs's deploy() is never called: in serverless mode it only runs the store's setup() (our
 * start-up already checked the database) and installs a SIGINT handler that exits the process,
 * and on a database failure it exits with code 0. server.ts owns start-up and shutdown instead.
 */
export function createLtiAdapter(options: LtiOptions): LtiAdapter {
  const { db, log, handlers } = options;
  if (!store) {
    store = new LtiStore(db, log);
    provider.setup(options.ltiKey, { plugin: store }, {
      appRoute: LTI_ROUTES.launch,
      loginRoute: LTI_ROUTES.login,
      keysetRoute: LTI_ROUTES.keys,
      // Verify the id_token in the POST itself and hand it straight to onConnect: no ltik
      // redirect and no session cookie. TutorKit issues its own short-lived token instead.
      ltiaas: true,
      // ltijs's state cookie is replaced by login.ts, which checks the state before ltijs runs
      // (devMode only makes ltijs skip that cookie; signature, audience, expiry, nonce replay and
      // the LTI claims are still checked by ltijs).
      devMode: true,
      cors: false,
      tokenMaxAge: 60,
    });
  } else {
    store.bind(db);
  }
  const activeStore = store;
  const forgetLaunch = async (token: LtiToken) => {
    await activeStore.Delete('idtoken', { iss: token.iss, clientId: token.clientId, deploymentId: token.deploymentId, user: token.user });
    await activeStore.Delete('contexttoken', { contextId: token.platformContext?.contextId, user: token.user });
  };
  installHandlers(handlers, log, forgetLaunch, db, options.roleRules);

  const router = express.Router();
  router.use(htmlErrorsOnly(handlers, log));
  router.use(
    createLoginRouter({
      db,
      ltiKey: options.ltiKey,
      baseUrl: options.baseUrl,
      launchUrl: `${options.baseUrl}${LTI_MOUNT}${LTI_ROUTES.launch}`,
      render: handlers.render,
      sendError: handlers.sendError,
      onConfirmed: (launch, res) => completeLaunch(handlers, log, () => handlers.onLaunch(launch as VerifiedLaunch, res), res),
    }),
  );
  router.use(provider.app);
  return {
    router,
    store: activeStore,
    purgeExpired: async (now) => {
      await activeStore.purgeExpired(now);
      await deleteExpiredLaunchStates(db, now);
    },
  };
}

/** Runs a launch handler, turning a refusal into its page. */
async function completeLaunch(handlers: LtiHandlers, log: Logger, run: () => Promise<void>, res: Response): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof AppError) return handlers.sendError(res, err);
    log.error({ err }, 'LTI launch failed');
    handlers.sendError(res, pageForLtiError('INTERNAL'));
  }
}

function installHandlers(handlers: LtiHandlers, log: Logger, forget: (token: LtiToken) => Promise<void>, db: Db, roleRules: LtiOptions['roleRules']): void {
  const fail = (res: Response, code: string) => {
    log.warn({ ltiError: code }, 'LTI launch refused');
    handlers.sendError(res, pageForLtiError(code));
  };
  const verified = (kind: 'launch' | 'deepLink') => async (token: LtiToken, _req: Request, res: Response) => {
    try {
      const launch = toVerifiedLaunch(token, await roleRules?.(token.iss, token.clientId));
      const check = browserCheck(res.locals.ltiBinding as LaunchBinding | undefined);
      if (kind === 'launch' && check) {
        // Nothing is recorded and no session exists until the LMS window confirms the state.
        await holdPendingLaunch(db, check.state, launch);
        return await handlers.render(res, 'pages/lti/launched', { title: 'Opening TutorKit…', check, refusal: pageForLtiError('STATE_NOT_IN_PLATFORM_STORAGE').page });
      }
      if (kind === 'launch') return await handlers.onLaunch(launch, res);
      const responder: DeepLinkResponder = {
        returnUrl: token.platformContext?.deepLinkingSettings?.deep_link_return_url ?? '',
        sign: (items, message) => provider.DeepLinking.createDeepLinkingMessage(token, items, { message }),
      };
      return await handlers.onDeepLink(launch, res, responder, check);
    } catch (err) {
      // ltijs stored the launch before asking us; a launch we refuse must leave nothing behind.
      await forget(token);
      if (err instanceof AppError) {
        log.warn({ status: err.status, reason: err.page.title }, 'LTI launch refused');
        return handlers.sendError(res, err);
      }
      log.error({ err }, 'LTI launch failed');
      return fail(res, 'INTERNAL');
    }
  };
  provider.onConnect(verified('launch'));
  provider.onDeepLinking(verified('deepLink'));
  provider.onInvalidToken((_req, res) => fail(res, errorCode(res)));
  provider.onSessionTimeout((_req, res) => fail(res, errorCode(res)));
  provider.onUnregisteredPlatform((_req, res) => fail(res, 'UNREGISTERED_PLATFORM'));
  provider.onInactivePlatform((_req, res) => fail(res, 'PLATFORM_NOT_ACTIVATED'));
}

function browserCheck(binding: LaunchBinding | undefined): BrowserCheck | null {
  if (binding?.mode !== 'storage') return null;
  return { target: binding.target, origin: binding.platformOrigin, keys: storageKeys(binding.state, binding.nonce), state: binding.state, nonce: binding.nonce };
}

function errorCode(res: Response): string {
  const err = res.locals.err as { details?: { message?: string } } | undefined;
  return err?.details?.message ?? 'UNKNOWN';
}

/**
 * A few ltijs paths answer with a JSON error body directly (bad login parameters, an undecodable
 * URL, internal errors). Catch those on their way out and render a page instead.
 */
function htmlErrorsOnly(handlers: LtiHandlers, log: Logger): RequestHandler {
  return (_req, res, next) => {
    const send = res.send.bind(res);
    res.send = ((body?: unknown) => {
      if (isLtijsError(body)) {
        res.send = send;
        const code = String(body.details?.message ?? body.error);
        log.warn({ ltiError: code }, 'LTI request refused');
        handlers.sendError(res, pageForLtiError(code));
        return res;
      }
      return send(body);
    }) as Response['send'];
    next();
  };
}

function isLtijsError(body: unknown): body is { status: number; error: string; details?: { message?: string } } {
  return typeof body === 'object' && body !== null && typeof (body as { status?: unknown }).status === 'number' && 'error' in body;
}

/** Registers (or updates) a platform in ltijs's own records; see platforms.ts for ours. */
export async function registerLtijsPlatform(input: {
  issuer: string;
  clientId: string;
  name: string;
  authEndpoint: string;
  tokenEndpoint: string;
  authConfig: { method: 'JWK_SET' | 'JWK_KEY'; key: string };
}): Promise<void> {
  if (!store) throw new Error('createLtiAdapter must run before platforms are registered');
  await provider.registerPlatform({
    url: input.issuer,
    clientId: input.clientId,
    name: input.name,
    authenticationEndpoint: input.authEndpoint,
    accesstokenEndpoint: input.tokenEndpoint,
    authConfig: input.authConfig,
  });
}
