// TutorKit's own OIDC login step and the check of the state a launch brings back. ltijs's version
// keeps the state only in a cookie, which browsers drop inside a cross-site LMS frame. Here the
// state lives in the database and the browser proves it started the login in one of two ways:
// the state cookie (when cookies work), or the LMS window's postMessage storage
// (`lti_storage_target`), checked by the launch page before it opens TutorKit.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import type { AppError } from '../lib/errors.js';
import { pageForLtiError } from './errors.js';
import * as q from './queries.js';

const STATE_LIFETIME_SECONDS = 600;
const COOKIE_PREFIX = 'tk_state_';

/** How the launch proved it belongs to this browser. */
export type LaunchBinding =
  | { mode: 'cookie' }
  | { mode: 'storage'; state: string; nonce: string; target: string; platformOrigin: string };

export interface LoginOptions {
  db: Db;
  ltiKey: string;
  baseUrl: string;
  launchUrl: string;
  render(res: Response, view: string, locals: Record<string, unknown>, status?: number): Promise<void>;
  sendError(res: Response, error: AppError): void;
  /** A held launch whose state the LMS window confirmed: complete it now. */
  onConfirmed(launch: unknown, res: Response): Promise<void>;
}

const LoginParamsSchema = z.object({
  iss: z.string().min(1),
  login_hint: z.string().min(1),
  target_link_uri: z.url(),
  client_id: z.string().min(1).optional(),
  lti_deployment_id: z.string().min(1).optional(),
  lti_message_hint: z.string().min(1).optional(),
  lti_storage_target: z.string().min(1).max(200).optional(),
});

/** Storage keys in the LMS window; the prefix keeps ours apart from other tools'. */
export const storageKeys = (state: string, nonce: string) => ({ state: `tutorkit_state_${state}`, nonce: `tutorkit_nonce_${nonce}` });

export function createLoginRouter(options: LoginOptions): express.Router {
  const { db } = options;
  const cookieKey = Buffer.from(hkdfSync('sha256', options.ltiKey, 'tutorkit', 'state-cookie', 32));
  const cookieValue = (state: string) => createHmac('sha256', cookieKey).update(state).digest('base64url');
  const cookieAttributes = sameSiteNoneAllowed(options.baseUrl) ? 'Path=/lti; HttpOnly; Secure; SameSite=None' : 'Path=/lti; HttpOnly; SameSite=Lax';
  const refuse = (res: Response, code: string) => options.sendError(res, pageForLtiError(code));
  const router = express.Router();
  const parseForm = express.urlencoded({ extended: false, limit: '64kb' });

  router.all('/login', parseForm, async (req, res) => {
    const parsed = LoginParamsSchema.safeParse({ ...req.query, ...(req.body as object) });
    if (!parsed.success) return refuse(res, 'MISSING_LOGIN_PARAMETERS');
    const { lti_storage_target: storageTarget, ...loginParams } = parsed.data;
    const platform = await q.findPlatformForLogin(db, loginParams.iss, loginParams.client_id);
    if (!platform) return refuse(res, 'UNREGISTERED_PLATFORM');
    const state = randomBytes(32).toString('hex');
    const nonce = randomBytes(24).toString('hex');
    await q.insertLaunchState(db, { state, nonce, platformId: platform.id, loginParams, storageTarget: storageTarget ?? null, lifetimeSeconds: STATE_LIFETIME_SECONDS });
    res.append('Set-Cookie', `${COOKIE_PREFIX}${state}=${cookieValue(state)}; Max-Age=${STATE_LIFETIME_SECONDS}; ${cookieAttributes}`);
    const authUrl = authRequestUrl(platform.authEndpoint, { ...loginParams, client_id: platform.clientId }, options.launchUrl, state, nonce);
    if (!storageTarget) return res.redirect(302, authUrl);
    // Store state and nonce in the LMS window first; the page continues to authUrl afterwards.
    await options.render(res, 'pages/lti/login', {
      title: 'Opening TutorKit…',
      authUrl,
      storage: { target: storageTarget, origin: new URL(platform.authEndpoint).origin, keys: storageKeys(state, nonce), state, nonce },
    });
  });

  router.post('/launch', parseForm, async (req, res, next) => {
    // ltijs reads the body again with its own body-parser 1.x, which skips a parsed request only by this flag.
    (req as Request & { _body?: boolean })._body = true;
    const { id_token: idToken, state } = req.body as { id_token?: unknown; state?: unknown };
    if (typeof idToken !== 'string') return next();
    if (typeof state !== 'string' || state === '') return refuse(res, 'STATE_MISSING');
    const row = await q.consumeLaunchState(db, state);
    if (!row) return refuse(res, (await q.wasLaunchStateUsed(db, state)) ? 'NONCE_ALREADY_RECEIVED' : 'STATE_UNKNOWN');
    if (nonceOf(idToken) !== row.nonce) return refuse(res, 'STATE_NONCE_MISMATCH');
    const cookie = readCookie(req, COOKIE_PREFIX + state);
    res.append('Set-Cookie', `${COOKIE_PREFIX}${state}=; Max-Age=0; ${cookieAttributes}`);
    let binding: LaunchBinding;
    if (cookie && safeEqual(cookie, cookieValue(state))) binding = { mode: 'cookie' };
    else if (row.storageTarget) {
      binding = { mode: 'storage', state, nonce: row.nonce, target: row.storageTarget, platformOrigin: new URL(row.authEndpoint).origin };
    } else if (req.get('sec-fetch-dest') === 'document') {
      // A top-level window without the cookie: cookies are off for this site, or the launch was
      // started in another browser. Either way a new window would not help.
      return refuse(res, 'STATE_COOKIE_MISSING');
    } else {
      // Inside the LMS frame the browser dropped the cookie and the LMS offers no storage: the
      // frame cannot prove the launch is its own, but a first-party window can, so offer one.
      const again = new URL(`${options.baseUrl}/lti/login`);
      for (const [k, v] of Object.entries(row.loginParams)) if (v) again.searchParams.set(k, v);
      return options.render(res, 'pages/lti/new-window', { title: 'Open TutorKit in a new window', loginUrl: again.toString() });
    }
    res.locals.ltiBinding = binding;
    next();
  });

  // The launch page posts here after the LMS window confirmed the state. Only our own page may:
  // a form on another site posting here (login CSRF) is refused by its origin.
  router.post('/launch/confirm', parseForm, async (req, res) => {
    if (!isSameOrigin(req, options.baseUrl)) return refuse(res, 'STATE_CONFIRMED_CROSS_SITE');
    const state = (req.body as { state?: unknown }).state;
    const launch = typeof state === 'string' ? await q.takePendingLaunch(db, state) : undefined;
    if (!launch) return refuse(res, 'STATE_NOT_PENDING');
    await options.onConfirmed(launch, res);
  });

  return router;
}

/** Sec-Fetch-Site where the browser sends it, else the Origin header. */
function isSameOrigin(req: Request, baseUrl: string): boolean {
  const site = req.get('sec-fetch-site');
  if (site) return site === 'same-origin';
  return req.get('origin') === new URL(baseUrl).origin;
}

function authRequestUrl(endpoint: string, p: z.infer<typeof LoginParamsSchema>, launchUrl: string, state: string, nonce: string): string {
  const url = new URL(endpoint);
  const query = {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: p.client_id ?? '',
    redirect_uri: launchUrl,
    login_hint: p.login_hint,
    state,
    nonce,
    ...(p.lti_message_hint ? { lti_message_hint: p.lti_message_hint } : {}),
  };
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.toString();
}

function nonceOf(idToken: string): unknown {
  try {
    return decodeJwt(idToken).nonce;
  } catch {
    return undefined;
  }
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** SameSite=None needs Secure, which browsers accept on https and on loopback hosts. */
function sameSiteNoneAllowed(baseUrl: string): boolean {
  const { protocol, hostname } = new URL(baseUrl);
  return protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
}
