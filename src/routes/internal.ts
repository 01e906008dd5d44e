// Endpoints for TutorKit's own commands on this machine. On the embedded database the server is
// the only process that may open the data directory, so `npm run register-platform` hands its
// change to the running server instead of opening the database a second time (see src/db/lock.ts).
// Only loopback requests signed with a key derived from LTI_KEY get through; answers are JSON.
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { RegisterPlatformArgs } from '../courses/schemas.js';
import type { PlatformRegistration } from '../courses/service.js';
import type { Clock } from '../lib/clock.js';
import { COMMAND_HEADERS, COMMAND_PATHS, type CommandSigner } from '../lib/command-auth.js';

export interface InternalDeps {
  signer: CommandSigner;
  clock: Clock;
  log: Logger;
  registerPlatform(registration: PlatformRegistration): Promise<void>;
}

export function internalRoutes(deps: InternalDeps): Router {
  const router = Router();
  // Raw bytes: the signature covers the body exactly as it was sent.
  router.use('/internal', express.raw({ type: () => true, limit: '32kb' }), onlyLocalCommands(deps));

  router.post(COMMAND_PATHS.registerPlatform, async (req, res) => {
    const parsed = RegisterPlatformArgs.safeParse(parseJson(req.body));
    if (!parsed.success) {
      res.status(422).json({ error: 'invalid', problems: parsed.error.issues.map((i) => i.message) });
      return;
    }
    await deps.registerPlatform(parsed.data);
    const { name, issuer, clientId, deploymentIds } = parsed.data;
    res.json({ registered: { name, issuer, clientId, deploymentIds }, pid: process.pid });
  });

  router.use('/internal', (_req, res) => void res.status(404).json({ error: 'not-found' }));
  router.use('/internal', jsonErrors(deps.log));
  return router;
}

/** Loopback only, not forwarded by a local proxy, and signed with the command key. */
function onlyLocalCommands(deps: InternalDeps): RequestHandler {
  return (req, res, next) => {
    if (!isDirectLoopback(req)) {
      res.status(403).json({ error: 'forbidden', message: 'Only TutorKit commands on this machine may call this endpoint.' });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const headers = { time: req.get(COMMAND_HEADERS.time), signature: req.get(COMMAND_HEADERS.signature) };
    const check = deps.signer.check({ method: req.method, path: req.originalUrl.split('?')[0]!, body }, headers, deps.clock.now());
    if (check !== 'ok') {
      deps.log.warn({ check }, 'internal command refused');
      res.status(401).json({ error: 'unauthorized', reason: check });
      return;
    }
    next();
  };
}

// The socket's own address, not req.ip: `trust proxy` would let X-Forwarded-For choose req.ip, and a
// reverse proxy on this machine connects from loopback on behalf of anyone.
function isDirectLoopback(req: Request): boolean {
  const address = req.socket.remoteAddress ?? '';
  const loopback = address === '::1' || /^(::ffff:)?127\./.test(address);
  return loopback && req.get('x-forwarded-for') === undefined && req.get('forwarded') === undefined;
}

function parseJson(body: unknown): unknown {
  try {
    return JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : '');
  } catch {
    return undefined;
  }
}

function jsonErrors(log: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const status = (err as { status?: number }).status;
    // Body-parser errors (too large) carry their 4xx; anything else is ours.
    if (status && status >= 400 && status < 500) return void res.status(status).json({ error: 'bad-request', message: (err as Error).message });
    log.error({ err }, 'internal command failed');
    res.status(500).json({ error: 'failed', message: (err as Error).message || String(err) });
  };
}
