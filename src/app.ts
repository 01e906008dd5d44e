// Builds the Express app from its parts. No listen() here: server.ts listens, tests use the app.
// The services are built once here (src/services.ts) and handed to the routers; nothing below the
// routers sees Express, and no router sees the database.
import { fileURLToPath } from 'node:url';
import express, { type Express, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { defaultMailFrom, type Config } from './config.js';
import type { Database } from './db/client.js';
import { registerPlatform as storePlatform, type PlatformRegistration } from './courses/service.js';
import { setUpDemoLms, type DemoLms } from './demo/service.js';
import type { Clock } from './lib/clock.js';
import { CommandSigner } from './lib/command-auth.js';
import { FrameAncestors, securityHeaders } from './lib/csp.js';
import { FORM_LIMITS } from './lib/errors.js';
import { WorkLimiter, type WorkLimits } from './lib/limits.js';
import { withoutQuery } from './lib/logger.js';
import { LaunchTokens } from './lib/session-token.js';
import { createBus, type LiveBus } from './live/bus.js';
import { EventStreams } from './live/sse.js';
import { viewHelpers } from './lib/view-helpers.js';
import { createLtiAdapter, LTI_MOUNT, registerLtijsPlatform, type LtiAdapter } from './lti/provider.js';
import { registrationUrls } from './lti/registration-info.js';
import { createTransport, type MailStore, type Transport } from './notifications/transport.js';
import { startMailWorker, type MailWorker } from './notifications/worker.js';
import { adminRoutes } from './routes/admin.js';
import { assistantRoutes } from './routes/assistant.js';
import { requireLaunch } from './routes/auth.js';
import { calendarRoutes } from './routes/calendar.js';
import { courseRoutes } from './routes/course.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { demoRoutes } from './routes/demo.js';
import { feedRoutes } from './routes/feed.js';
import { errorHandler, formBodiesOnly, notFound } from './routes/http.js';
import { internalRoutes } from './routes/internal.js';
import { createLaunchHandlers } from './routes/launch.js';
import { mailboxRoutes } from './routes/mailbox.js';
import { openRoutes } from './routes/open.js';
import { publicRoutes } from './routes/public.js';
import { roomRoutes } from './routes/room.js';
import { sessionRoutes } from './routes/sessions.js';
import { settingsRoutes } from './routes/settings.js';
import { sitePeopleRoutes } from './routes/site-people.js';
import { tagRoutes } from './routes/tags.js';
import { wrapupRoutes } from './routes/wrapup.js';
import { tutorRoutes } from './routes/tutors.js';
import { createServices, type Services } from './services.js';

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
  /**
   * With the demo on, whether the demo course gets its history and a session to join at every
   * launch (src/demo/history.ts). On unless told otherwise; tests that need an empty demo course
   * turn it off.
   */
  demoContent?: boolean;
}

export interface BuiltApp {
  app: Express;
  lti: LtiAdapter;
  demo: DemoLms | null;
  tokens: LaunchTokens;
  services: Services;
  /** The bounds on expensive work (tests hold a person's turn to see the 429). */
  limiter: WorkLimiter;
  /** The live layer: the bus between instances and the open event streams. */
  live: { bus: LiveBus; streams: EventStreams };
  /** Registers an LMS with TutorKit (our records and the LTI library's). */
  registerPlatform(input: PlatformRegistration & { authConfig?: { method: 'JWK_SET' | 'JWK_KEY'; key: string } }): Promise<void>;
  /** The mail worker (tick() sends what is due) and, without SMTP, the messages written so far. */
  mail: { tick: MailWorker['tick']; store: MailStore | null };
  /** Ends the open live streams: a server cannot finish closing while they run (their pages reconnect, to another instance if there is one). */
  endStreams(): void;
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
  // Every view sees the helpers, and these locals unset until a route sets them.
  Object.assign(app.locals, viewHelpers, { viewer: null, launch: null, current: null, fragment: false });

  // Live updates (the Warmup room): NOTIFY between the instances on one PostgreSQL server, in memory on PGlite.
  const warn = (message: string, err?: unknown) => log.warn({ err }, message);
  const bus = createBus({ url: database.url, warn });
  const streams = new EventStreams();
  const services = createServices({ config, db, clock, live: { bus, warn } });
  const tokens = new LaunchTokens(config.ltiKey, config.sessionMinutes, clock);
  const limiter = new WorkLimiter(deps.workLimits, onceAMinute((personId) => log.warn({ personId }, 'expensive requests refused (429): one person sends more than their turn')));
  const frames = new FrameAncestors(config.frameAncestors);
  const urls = registrationUrls(config.baseUrl);
  const refreshFrames = async () => frames.replace(await services.courses.listFrameOrigins());

  const lti = createLtiAdapter({
    db,
    log,
    ltiKey: config.ltiKey,
    baseUrl: config.baseUrl,
    roleRules: services.courses.roleRulesFor,
    handlers: createLaunchHandlers({ services, tokens, clock, frames, launchUrl: urls.launchUrl, renderStandalone: standaloneRenderer(app) }),
  });
  const registerPlatform: BuiltApp['registerPlatform'] = async (input) => {
    await storePlatform(db, input, (p) => registerLtijsPlatform({ ...p, authConfig: input.authConfig ?? { method: 'JWK_SET', key: p.keysetUrl ?? '' } }));
    await refreshFrames();
  };
  const demo = config.demo
    ? await setUpDemoLms(db, config.baseUrl, (p) => registerLtijsPlatform({ ...p, authConfig: { method: 'JWK_KEY', key: JSON.stringify(p.publicJwk) } }), () => clock.now(), {
        content: deps.demoContent ?? true,
        log,
      })
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
    // Reminders and the end of overdue meetings: each runs even when the other fails.
    beforeTick: async (now) => firstFailure(await Promise.allSettled([services.notifications.queueDueReminders(now), services.wrapup.endOverdue(now)])),
  });
  // A development mailbox without sign-in: only beside the demo (a loopback server, or DEMO=true),
  // never in production, never when real mail goes out.
  const mailbox = config.demo && config.env !== 'production' && !config.smtpUrl ? local.store : null;
  if (config.env === 'production' && !config.smtpUrl) log.warn({ folder: `${config.dataDir}/mail` }, 'SMTP_URL is not set: email is written to files, not sent');

  app.use(requestLog(log));
  app.use(securityHeaders(frames));
  app.use('/static', express.static(root('public'), { maxAge: '1h' }));
  app.get('/vendor/htmx.min.js', (_req, res) => res.sendFile(root('node_modules/htmx.org/dist/htmx.min.js')));
  app.get('/vendor/chart.umd.min.js', (_req, res) => res.sendFile(root('node_modules/chart.js/dist/chart.umd.min.js')));
  app.use(LTI_MOUNT, lti.router);
  // npm run register-platform hands its change to us while we own the embedded database (signed JSON, its own parser).
  app.use(internalRoutes({ signer: new CommandSigner(config.ltiKey), clock, log, registerPlatform }));
  app.use(express.urlencoded({ extended: false, limit: FORM_LIMITS.bytes, parameterLimit: FORM_LIMITS.fields }));
  app.use(formBodiesOnly);

  app.use(publicRoutes({ baseUrl: config.baseUrl, health: database, demo, live: () => ({ streams: streams.count, topics: bus.topicCount() }) }));
  // Email links and calendar feeds: public, their signature or secret is the permission.
  app.use(openRoutes(services));
  app.use(feedRoutes(services));
  if (demo) app.use(demoRoutes(demo, urls.loginUrl));
  if (mailbox) {
    app.locals.devMailbox = true;
    app.use(mailboxRoutes(mailbox));
  }
  app.use(['/c', '/admin'], requireLaunch(tokens));
  app.use(courseRoutes(services));
  app.use(tagRoutes(services));
  app.use(settingsRoutes(services));
  // Before the session routes: /c/:courseId/sessions/assistant is not an occurrence id.
  app.use(assistantRoutes(services, limiter));
  // The end of a session (feedback, End meeting, rating): before the session routes too.
  app.use(wrapupRoutes(services));
  app.use(roomRoutes(services, streams));
  app.use(dashboardRoutes(services));
  app.use(sessionRoutes(services, limiter));
  app.use(calendarRoutes(services));
  app.use(tutorRoutes(services));
  app.use(sitePeopleRoutes(services));
  app.use(adminRoutes(services));
  app.use(notFound);
  app.use(errorHandler(log));

  const stop = async () => {
    clearInterval(purge);
    // Before any await: a caller that does not wait closes the database next.
    const leaving = services.rooms.stop();
    streams.stop();
    const closing = bus.close();
    await Promise.all([leaving, closing]);
    await mailer.stop();
  };
  return { app, lti, demo, tokens, services, limiter, live: { bus, streams }, registerPlatform, mail: { tick: mailer.tick, store: mailbox }, endStreams: () => streams.stop(), stop };
}

/** ltijs answers from its own Express app, which has no view engine: its pages are rendered with ours. */
function standaloneRenderer(app: Express) {
  const render = (view: string, locals: Record<string, unknown>) =>
    new Promise<string>((resolve, reject) => app.render(view, locals, (err, html) => (err ? reject(err) : resolve(html))));
  return async (res: Response, view: string, locals: Record<string, unknown>, status = 200) => {
    const body = await render(view, locals);
    res.status(status).type('html').send(await render('layouts/main', { ...locals, body }));
  };
}

/** One JSON line per request: method, path (never the query, where tokens and signatures travel) and status. */
function requestLog(log: Logger) {
  return pinoHttp({
    logger: log,
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: withoutQuery(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // A flood of 429s is logged once a minute per person by the limiter, not once per request.
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode === 429 ? 'debug' : res.statusCode >= 400 ? 'warn' : 'info'),
  });
}

/** Rethrows the first failure of work that was run side by side, once all of it has finished. */
function firstFailure(results: PromiseSettledResult<unknown>[]): void {
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Calls `report` for a key at most once a minute. */
function onceAMinute(report: (key: string) => void): (key: string) => void {
  const last = new Map<string, number>();
  return (key) => {
    const now = Date.now();
    if ((last.get(key) ?? 0) > now - 60_000) return;
    if (last.size > 10_000) last.clear();
    last.set(key, now);
    report(key);
  };
}
