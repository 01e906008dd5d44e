// Builds the Express app from its parts. No listen() here: server.ts listens, tests use the app.
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { defaultMailFrom, type Config } from './config.js';
import type { Database } from './db/client.js';
import { listFrameOrigins, type PlatformRegistration } from './courses/service.js';
import { setUpDemoLms, type DemoLms } from './demo/service.js';
import type { Clock } from './lib/clock.js';
import { CommandSigner } from './lib/command-auth.js';
import { FrameAncestors, securityHeaders } from './lib/csp.js';
import { TooManyRequestsError, WorkLimiter, type WorkLimits } from './lib/limits.js';
import { AppError, FORM_LIMITS, NotFoundError, requestErrorOf, UnsupportedFormError } from './lib/errors.js';
import { withoutQuery } from './lib/logger.js';
import { isHtmx, renderPage, renderView } from './lib/render.js';
import { SessionTokens } from './lib/session-token.js';
import { createLtiAdapter, LTI_MOUNT, registerLtijsPlatform, type LtiAdapter } from './lti/provider.js';
import { registrationUrls } from './lti/registration-info.js';
import { adminRoutes } from './routes/admin.js';
import { requireSession } from './routes/auth.js';
import { courseRoutes } from './routes/course.js';
import { demoRoutes } from './routes/demo.js';
import { createLaunchHandlers } from './routes/launch.js';
import { internalRoutes } from './routes/internal.js';
import { publicRoutes } from './routes/public.js';
import { settingsRoutes } from './routes/settings.js';
import { tagRoutes } from './routes/tags.js';
import { sessionRoutes } from './routes/sessions.js';
import { calendarRoutes } from './routes/calendar.js';
import { assistantRoutes } from './routes/assistant.js';
import { configureLinks } from './notifications/links.js';
import { openRoutes } from './routes/open.js';
import { feedRoutes } from './routes/feed.js';
import { mailboxRoutes } from './routes/mailbox.js';
import { queueDueReminders } from './notifications/reminders.js';
import { createTransport, type MailStore, type Transport } from './notifications/transport.js';
import { startMailWorker, type MailWorker } from './notifications/worker.js';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

export interface AppDeps {
  config: Config;
  database: Database;
  log: Logger;
  clock: Clock;
  /**
   * Email delivery. With intervalMs the worker runs on a timer (server.ts); without it nothing is
   * sent until `built.mail.tick()` (tests). `transport` replaces the one SMTP_URL/DATA_DIR choose.
   */
  mail?: { intervalMs?: number; transport?: Transport };
  /** Bounds on expensive work per person and overall (src/lib/limits.ts); the defaults unless given. */
  workLimits?: WorkLimits;
}

export interface BuiltApp {
  app: Express;
  lti: LtiAdapter;
  demo: DemoLms | null;
  tokens: SessionTokens;
  /** The bounds on expensive work (tests hold a person's turn to see the 429). */
  limiter: WorkLimiter;
  /** Registers an LMS with TutorKit (our records and the LTI library's). */
  registerPlatform(input: PlatformRegistration & { authConfig?: { method: 'JWK_SET' | 'JWK_KEY'; key: string } }): Promise<void>;
  /** The mail worker (tick() sends what is due) and, without SMTP, the messages written so far. */
  mail: { tick: MailWorker['tick']; store: MailStore | null };
  /** Stops background timers and waits for the email in flight; the caller closes the database. */
  stop(): Promise<void>;
}

export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const { config, database, log, clock } = deps;
  const { db } = database;
  const app = express();
  app.disable('x-powered-by');
  app.set('view engine', 'ejs');
  app.set('views', root('views'));
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');

  const tokens = new SessionTokens(config.ltiKey, config.sessionMinutes, clock);
  const limiter = new WorkLimiter(deps.workLimits);
  const frames = new FrameAncestors(config.frameAncestors);
  const urls = registrationUrls(config.baseUrl);
  const refreshFrames = async () => frames.replace(await listFrameOrigins(db));

  const renderStandalone = async (res: Response, view: string, locals: Record<string, unknown>, status = 200) => {
    // ltijs answers from its own Express app, which has no view engine: render with ours.
    const body = await renderAppView(app, view, locals);
    const html = await renderAppView(app, 'layouts/main', { ...locals, body });
    res.status(status).type('html').send(html);
  };

  const lti = createLtiAdapter({
    db,
    log,
    ltiKey: config.ltiKey,
    baseUrl: config.baseUrl,
    handlers: createLaunchHandlers({ db, tokens, clock, frames, launchUrl: urls.launchUrl, renderStandalone }),
  });

  const registerPlatform: BuiltApp['registerPlatform'] = async (input) => {
    const { registerPlatform: register } = await import('./courses/service.js');
    await register(db, input, (p) =>
      registerLtijsPlatform({ ...p, authConfig: input.authConfig ?? { method: 'JWK_SET', key: p.keysetUrl ?? '' } }),
    );
    await refreshFrames();
  };

  const demo = config.demo
    ? await setUpDemoLms(db, config.baseUrl, (p) => registerLtijsPlatform({ ...p, authConfig: { method: 'JWK_KEY', key: JSON.stringify(p.publicJwk) } }), () => clock.now())
    : null;
  await refreshFrames();
  const purge = setInterval(() => void lti.purgeExpired(clock.now()).catch((err: unknown) => log.warn({ err }, 'LTI purge failed')), 10 * 60_000);
  purge.unref();
  const local = createTransport(config);
  const mailer = startMailWorker({
    db,
    transport: deps.mail?.transport ?? local.transport,
    clock,
    log,
    from: config.mailFrom ?? defaultMailFrom(config.baseUrl),
    intervalMs: deps.mail?.intervalMs,
    beforeTick: async (now) => void (await queueDueReminders(db, now)),
  });
  // A development mailbox without sign-in: only beside the demo (a loopback server, or DEMO=true),
  // never in production, never when real mail goes out.
  const mailbox = config.demo && config.env !== 'production' && !config.smtpUrl ? local.store : null;
  if (config.env === 'production' && !config.smtpUrl) log.warn({ folder: `${config.dataDir}/mail` }, 'SMTP_URL is not set: email is written to files, not sent');

  app.use(
    pinoHttp({
      logger: log,
      // The first page after a launch carries the token in its query string: log paths only.
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: withoutQuery(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    }),
  );
  app.use(securityHeaders(frames));
  app.use('/static', express.static(root('public'), { maxAge: '1h' }));
  app.get('/vendor/htmx.min.js', (_req, res) => res.sendFile(root('node_modules/htmx.org/dist/htmx.min.js')));
  app.get('/vendor/chart.umd.min.js', (_req, res) => res.sendFile(root('node_modules/chart.js/dist/chart.umd.min.js')));
  app.use(LTI_MOUNT, lti.router);
  // npm run register-platform hands its change to us while we own the embedded database (signed JSON, its own parser).
  app.use(internalRoutes({ signer: new CommandSigner(config.ltiKey), clock, log, registerPlatform }));
  app.use(express.urlencoded({ extended: false, limit: FORM_LIMITS.bytes, parameterLimit: FORM_LIMITS.fields }));
  app.use(formBodiesOnly);

  app.use(publicRoutes({ baseUrl: config.baseUrl, database, demo }));
  // Email links and calendar feeds: public, their signature or secret is the permission.
  configureLinks({ baseUrl: config.baseUrl, key: config.ltiKey, from: config.mailFrom ?? defaultMailFrom(config.baseUrl) });
  app.use(openRoutes(db, clock));
  app.use(feedRoutes(db, clock));
  if (demo) app.use(demoRoutes(demo, urls.loginUrl));
  if (mailbox) {
    app.locals.devMailbox = true;
    app.use(mailboxRoutes(mailbox));
  }
  app.use(['/c', '/admin'], requireSession(tokens));
  app.use(courseRoutes(db));
  app.use(tagRoutes({ db, clock }));
  app.use(settingsRoutes(db, clock));
  // Before the session routes: /c/:courseId/sessions/assistant is not an occurrence id.
  app.use(assistantRoutes(db, clock, limiter));
  app.use(sessionRoutes(db, clock, limiter));
  app.use(calendarRoutes(db, clock));
  app.use(adminRoutes(db));

  app.use((_req, _res, next) => next(new NotFoundError()));
  app.use(errorHandler(log));

  const stop = async () => {
    clearInterval(purge);
    await mailer.stop();
  };
  return { app, lti, demo, tokens, limiter, registerPlatform, mail: { tick: mailer.tick, store: mailbox }, stop };
}

/**
 * Every page that takes input takes a web form. Anything else (JSON, plain text) is refused with a
 * page that says so; a request with no body at all reads as an empty form, which the page's own
 * validation then answers.
 */
const formBodiesOnly: RequestHandler = (req, _res, next) => {
  if (req.method !== 'GET' && req.method !== 'HEAD' && hasBody(req) && !req.is('application/x-www-form-urlencoded')) return next(new UnsupportedFormError());
  req.body ??= {};
  next();
};

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && Number(length) > 0);
}

function renderAppView(app: Express, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => app.render(view, locals, (err, html) => (err ? reject(err) : resolve(html))));
}

function errorHandler(log: Logger): ErrorRequestHandler {
  return async (err: unknown, req, res, _next) => {
    const error = err instanceof AppError ? err : requestErrorOf(err);
    if (!error) log.error({ err }, 'unhandled error');
    const status = error?.status ?? 500;
    const page = error?.page ?? {
      title: 'Something went wrong',
      message: 'TutorKit could not complete this request. Nothing you saved before was lost.',
      next: 'Try again in a moment. If it keeps happening, tell your LMS administrator.',
    };
    if (res.headersSent) return;
    if (error instanceof TooManyRequestsError) res.set('Retry-After', String(error.retryAfterSeconds));
    try {
      if (isHtmx(req)) {
        // An expired session sends the whole page to the relaunch notice; other errors show in place.
        if (status === 401) {
          res.set('HX-Redirect', '/expired').status(401).end();
          return;
        }
        const html = await renderView(res, 'partials/_error', { error: page });
        res.set({ 'HX-Retarget': '#messages', 'HX-Reswap': 'innerHTML' }).status(status).type('html').send(html);
        return;
      }
      await renderPage(res, 'pages/error', { title: page.title, error: page, needsToken: status === 401 }, status);
    } catch (renderErr) {
      log.error({ err: renderErr }, 'error page failed to render');
      res.status(status).type('text').send(`${page.title}\n\n${page.message}\n\n${page.next ?? ''}`);
    }
  };
}
