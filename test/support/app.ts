// Starts TutorKit for a test file: a fresh database (in-memory PGlite, or a throwaway database on
// the server named by DATABASE_URL), migrations, the real app on a loopback port.
import { randomBytes } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp, type BuiltApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { fixedClock, systemClock, type Clock } from '../../src/lib/clock.js';
import type { WorkLimits } from '../../src/lib/limits.js';
import { PlatformSimulator, type ToolEndpoints } from './platform-simulator.js';

/** One key for the whole test process: ltijs is set up once per process with the first key. */
export const TEST_LTI_KEY = 'test-lti-key-0123456789abcdef0123456789abcdef';

export interface TestApp {
  baseUrl: string;
  database: Database;
  built: BuiltApp;
  tool: ToolEndpoints;
  /** Everything the app logged, as JSON lines. */
  logs: string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  demo?: boolean;
  /** With the demo on, its history and live session in the demo course (off: the demo course starts empty). */
  demoContent?: boolean;
  /** The host name in BASE_URL; 'localhost' makes TutorKit another site than a simulator on 127.0.0.1. */
  hostname?: '127.0.0.1' | 'localhost';
  clock?: Clock;
  sessionMinutes?: number;
  /** Sends email to this SMTP server (a test server on loopback); without it, mail stays in memory. */
  smtpUrl?: string;
  /** Bounds on expensive work per person (src/lib/limits.ts); the app's defaults unless given. */
  workLimits?: WorkLimits;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { database, drop } = await openTestDatabase();
  await applyMigrations(database);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  let handler: RequestListener = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://${options.hostname ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  const config: Config = {
    env: 'test',
    port: 0,
    baseUrl,
    databaseUrl: undefined,
    dataDir: 'memory',
    ltiKey: TEST_LTI_KEY,
    smtpUrl: options.smtpUrl,
    demo: options.demo ?? false,
    logLevel: 'debug',
    sessionMinutes: options.sessionMinutes ?? 120,
    frameAncestors: [],
  };
  const built = await buildApp({ config, database, log, clock: options.clock ?? systemClock, workLimits: options.workLimits, demoContent: options.demoContent ?? false });
  handler = built.app as unknown as RequestListener;
  return {
    baseUrl,
    database,
    built,
    tool: { loginUrl: `${baseUrl}/lti/login`, launchUrl: `${baseUrl}/lti/launch`, jwksUrl: `${baseUrl}/lti/keys` },
    logs,
    close: async () => {
      built.stop();
      await closeServer(server);
      try {
        await database.close();
      } finally {
        await drop();
      }
    },
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A database of its own for each test app, so files never see each other's rows. */
export async function openTestDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return { database: await openDatabase({ dataDir: 'memory' }), drop: async () => undefined };
  const name = `tutorkit_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  return {
    database,
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** Registers the simulator as an LMS, with its deployments (or the ones given). */
export async function registerSimulator(app: TestApp, sim: PlatformSimulator, deploymentIds: string[] = [...sim.deploymentIds]): Promise<void> {
  sim.setToolJwksUrl(app.tool.jwksUrl!);
  await app.built.registerPlatform({
    issuer: sim.issuer,
    clientId: sim.clientId,
    name: 'Simulated LMS',
    authEndpoint: sim.authEndpoint,
    tokenEndpoint: sim.tokenEndpoint,
    keysetUrl: sim.jwksUrl,
    isDemo: false,
    deploymentIds,
  });
}

export { fixedClock };

/**
 * Registers mocha hooks that start a platform simulator and TutorKit with the simulator
 * registered as an LMS, and stop both afterwards. Read `lms.app` and `lms.sim` inside tests.
 */
export function useSimulatedLms(options: { app?: TestAppOptions; sim?: Parameters<typeof PlatformSimulator.start>[0]; deploymentIds?: string[] } = {}) {
  const lms = {} as { app: TestApp; sim: PlatformSimulator };
  before(async () => {
    lms.sim = await PlatformSimulator.start(options.sim);
    lms.app = await startTestApp(options.app);
    await registerSimulator(lms.app, lms.sim, options.deploymentIds);
  });
  after(async () => {
    await lms.app?.close();
    await lms.sim?.close();
  });
  return lms;
}
