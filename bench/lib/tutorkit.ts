// A TutorKit environment for one database mode: a fresh database (a temporary PGlite folder, or a
// throwaway database on the PostgreSQL server), the large seed, a platform simulator registered
// as the seeded LMS, the people the scenarios launch as, and TutorKit instances as child processes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, asc, eq, gte, sql } from 'drizzle-orm';
import pg from 'pg';
import { registerPlatform } from '../../src/courses/service.js';
import { openDatabase, type Database, type Db } from '../../src/db/client.js';
import { availabilityExceptions, availabilityHours, courses, memberships, occurrences, outbox, seriesInvitees, users } from '../../src/db/schema.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { createLogger } from '../../src/lib/logger.js';
import { createLtiAdapter, registerLtijsPlatform } from '../../src/lti/provider.js';
import { createLinks } from '../../src/notifications/links.js';
import { queueDueReminders } from '../../src/notifications/reminders.js';
import { PlatformSimulator, ROLES, type SimUser } from '../../test/support/platform-simulator.js';
import { seedLarge, type SeedOptions, type SeedSummary } from '../seed-large.js';
import type { LaunchPerson, LaunchTarget } from './load.js';
import { ChildServer, freePort } from './processes.js';
import { createRoomFixtures, type RoomFixtures, type RoomSizes } from './rooms.js';

/** One key for every process of the run: it encrypts ltijs's stored keys, so all must agree. */
export const BENCH_LTI_KEY = 'bench-lti-key-0123456789abcdef0123456789abcdef';

export type DbMode = 'pglite' | 'postgres';

/** A student who sees a session: their calendar month and that session's page. */
export interface PageVisitor extends LaunchPerson {
  courseId: string;
  occurrenceId: string;
  /** YYYY-MM-DD in the month of the occurrence. */
  date: string;
}

export interface SaveFixture {
  tutor: LaunchPerson;
  courseId: string;
  tutorId: string;
  studentIds: string[];
  /** A Monday after the seeded years: the saved sessions meet nothing seeded. */
  firstMonday: string;
}

/** One tutor who sends the availability check of a long series over and over, and its 30 invitees. */
export interface HammerFixture {
  scheduler: LaunchPerson;
  courseId: string;
  tutorId: string;
  /** 29 students of the course, with their weekly hours and sessions: the check has work to do. */
  studentIds: string[];
  /** The first seeded day: a daily series of 500 from here meets the seeded sessions. */
  startDate: string;
}

export interface Fixtures {
  /** Students with one of their courses each: the launch scenario cycles through them. */
  launchPeople: LaunchPerson[];
  pageVisitors: PageVisitor[];
  save: SaveFixture;
  hammer: HammerFixture;
  /** LIVE 101's rooms, open now (issue 14's scenarios). */
  rooms: RoomFixtures;
}

export interface Environment {
  mode: DbMode;
  sim: PlatformSimulator;
  seed: SeedSummary;
  fixtures: Fixtures;
  /** DATABASE_URL or DATA_DIR for TutorKit. */
  databaseEnv: Record<string, string>;
  /** Where the data lives, for messages (no password). */
  where: string;
  /** The database, for in-process scenarios; PGlite only while no TutorKit instance runs (one process owns it). */
  openDatabase(): Promise<Database>;
  startInstance(name: string): Promise<TutorKitInstance>;
  close(): Promise<void>;
}

export interface TutorKitInstance {
  server: ChildServer;
  target: LaunchTarget;
}

export interface EnvironmentOptions {
  mode: DbMode;
  /** Server URL whose database is used to create and drop the throwaway one (postgres mode). */
  pgUrl?: string;
  seed: SeedOptions;
  /** How many distinct students the launch scenario cycles through (at most). */
  launchPeople: number;
  /** How many students' tokens the page scenarios spread their requests over. */
  pageVisitors: number;
  nodeEnv: 'production' | 'development';
  rooms: RoomSizes;
  /** Folder for V8 CPU profiles of the instances; none when absent. */
  cpuProfDir?: string;
  log: (line: string) => void;
}

export async function prepareEnvironment(options: EnvironmentOptions): Promise<Environment> {
  const { mode, log } = options;
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const undo of cleanups.reverse()) await undo().catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
  };
  try {
    let databaseEnv: Record<string, string>;
    let where: string;
    let open: () => Promise<Database>;
    // Each instance's development mail (.eml files) goes to this folder, never into ./data.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tutorkit-bench-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    if (mode === 'pglite') {
      databaseEnv = { DATA_DIR: dataDir };
      where = `PGlite in ${dataDir}`;
      open = () => openDatabase({ dataDir, owner: 'bench' });
    } else {
      if (!options.pgUrl) throw new Error('postgres mode needs --pg-url or DATABASE_URL');
      const { url, drop, name } = await createThrowawayDatabase(options.pgUrl);
      cleanups.push(drop);
      databaseEnv = { DATABASE_URL: url, DATA_DIR: dataDir };
      where = `PostgreSQL database ${name} at ${new URL(url).host}`;
      open = () => openDatabase({ url });
    }
    const database = await open();
    let seed: SeedSummary;
    let fixtures: Fixtures;
    const platform = options.seed.platform!;
    const sim = await PlatformSimulator.start({ issuer: platform.issuer, clientId: platform.clientId, deploymentIds: [platform.deploymentId] });
    cleanups.push(() => sim.close());
    try {
      await applyMigrations(database);
      log(`Seeding ${where} ...`);
      seed = await seedLarge(database, options.seed, (line) => log(`  ${line}`));
      log(`Seeded ${seed.occurrences.toLocaleString('en-US')} occurrences in ${(seed.ms / 1000).toFixed(1)} s.`);
      await registerSimulator(database.db, sim);
      fixtures = await loadFixtures(database.db, seed, options);
      await settleReminders(database.db);
    } finally {
      // PGlite belongs to one process: the runner lets go before TutorKit opens it.
      await database.close();
    }
    const instances: ChildServer[] = [];
    cleanups.push(async () => {
      for (const server of instances) await server.stop();
    });
    return {
      mode,
      sim,
      seed,
      fixtures,
      databaseEnv,
      where,
      openDatabase: open,
      startInstance: async (name) => {
        const port = await freePort();
        const baseUrl = `http://127.0.0.1:${port}`;
        const server = await ChildServer.start({
          name,
          // The compiled server, as `npm start` runs it (the runner builds it first: buildServer).
          script: 'dist/server.js',
          port,
          healthPath: '/healthz',
          // As `npm start` runs it.
          nodeArgs: ['--enable-source-maps', ...(options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [])],
          env: {
            ...databaseEnv,
            // production (as deployed) makes Express cache compiled views; LTI_KEY and BASE_URL are set.
            NODE_ENV: options.nodeEnv,
            PORT: String(port),
            BASE_URL: baseUrl,
            LTI_KEY: BENCH_LTI_KEY,
            LOG_LEVEL: 'warn',
            DEMO: 'false',
          },
        });
        instances.push(server);
        return { server, target: { kind: 'tutorkit', baseUrl, tool: { loginUrl: `${baseUrl}/lti/login`, launchUrl: `${baseUrl}/lti/launch`, jwksUrl: `${baseUrl}/lti/keys` } } };
      },
      close: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** The seeded platform's endpoints are placeholders: point them at the simulator, in our records and ltijs's. */
async function registerSimulator(db: Db, sim: PlatformSimulator): Promise<void> {
  // ltijs is set up once per process; a second environment only rebinds its store to this database.
  createLtiAdapter({ db, log: createLogger('warn'), ltiKey: BENCH_LTI_KEY, baseUrl: 'http://127.0.0.1', handlers: noHandlers });
  await registerPlatform(
    db,
    {
      issuer: sim.issuer,
      clientId: sim.clientId,
      name: 'Bench University LMS (simulated)',
      authEndpoint: sim.authEndpoint,
      tokenEndpoint: sim.tokenEndpoint,
      keysetUrl: sim.jwksUrl,
      isDemo: false,
      deploymentIds: [...sim.deploymentIds],
    },
    (p) => registerLtijsPlatform({ ...p, authConfig: { method: 'JWK_SET', key: sim.jwksUrl } }),
  );
}

const noHandlers = {
  onLaunch: async () => undefined,
  onDeepLink: async () => undefined,
  render: async () => undefined,
  sendError: () => undefined,
};

const personColumns = {
  userId: users.id,
  sub: users.sub,
  name: users.name,
  givenName: users.givenName,
  familyName: users.familyName,
  email: users.email,
  courseId: courses.id,
  contextId: courses.contextId,
  title: courses.title,
  label: courses.label,
};

type PersonRow = { sub: string; name: string; givenName: string | null; familyName: string | null; email: string | null; contextId: string; title: string; label: string | null };

/** The claims a launch of this person carries: the seeded ones, so a launch changes nothing but its timestamps. */
function personFrom(row: PersonRow, role: string): LaunchPerson {
  const user: SimUser = { sub: row.sub, name: row.name, roles: [role] };
  if (row.givenName) user.givenName = row.givenName;
  if (row.familyName) user.familyName = row.familyName;
  if (row.email) user.email = row.email;
  return { user, context: { id: row.contextId, title: row.title, ...(row.label ? { label: row.label } : {}) } };
}

async function loadFixtures(db: Db, seed: SeedSummary, options: EnvironmentOptions): Promise<Fixtures> {
  const bench = eq(courses.platformId, seed.platformId);
  // One course per student, students in a spread order (by id, which the seed draws at random).
  const launchRows = await db
    .selectDistinctOn([users.id], personColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(courses, eq(courses.id, memberships.courseId))
    .where(and(bench, eq(memberships.role, 'student')))
    .orderBy(asc(users.id), asc(courses.contextId))
    .limit(options.launchPeople);
  if (launchRows.length === 0) throw new Error('the seed has no students to launch as');

  // Students invited to a session that has not happened yet: their next one, and its month.
  const visitorQuery = (upcoming: boolean) =>
    db
      .selectDistinctOn([users.id], { ...personColumns, occurrenceId: occurrences.id, startsAt: occurrences.startsAt })
      .from(seriesInvitees)
      .innerJoin(users, eq(users.id, seriesInvitees.userId))
      .innerJoin(courses, eq(courses.id, seriesInvitees.courseId))
      .innerJoin(occurrences, eq(occurrences.seriesId, seriesInvitees.seriesId))
      .where(and(bench, eq(seriesInvitees.role, 'student'), eq(occurrences.status, 'scheduled'), upcoming ? gte(occurrences.startsAt, sql`now()`) : undefined))
      .orderBy(asc(users.id), asc(occurrences.startsAt))
      .limit(options.pageVisitors);
  let visitorRows = await visitorQuery(true);
  if (visitorRows.length === 0) visitorRows = await visitorQuery(false);
  if (visitorRows.length === 0) throw new Error('the seed has no student invited to a session');
  const pageVisitors = visitorRows.map((row) => ({
    ...personFrom(row, ROLES.learner),
    courseId: row.courseId,
    occurrenceId: row.occurrenceId,
    date: row.startsAt.toISOString().slice(0, 10),
  }));

  const save = await loadSaveFixture(db, seed, options.seed);
  const rooms = await createRoomFixtures(db, seed.platformId, options.rooms, new Date());
  return { launchPeople: launchRows.map((row) => personFrom(row, ROLES.learner)), pageVisitors, save, hammer: await loadHammerFixture(db, save, options.seed), rooms };
}

/** The save scenario's tutor and course, with up to 29 of the course's students (hours and all). */
async function loadHammerFixture(db: Db, save: SaveFixture, options: SeedOptions): Promise<HammerFixture> {
  const students = await db
    .select({ userId: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.courseId, save.courseId), eq(memberships.role, 'student')))
    .orderBy(asc(users.sub))
    .limit(29);
  return { scheduler: save.tutor, courseId: save.courseId, tutorId: save.tutorId, studentIds: students.map((s) => s.userId), startDate: options.startDate };
}

/**
 * A tutor and nine students of one course, the ten invitees of the saved session: people without
 * weekly hours (available at any time), so a save meets no conflict as long as its times are new
 * (see runSave). Where every tutor has weekly hours (small seeds), the chosen tutor's are removed.
 */
async function loadSaveFixture(db: Db, seed: SeedSummary, options: SeedOptions): Promise<SaveFixture> {
  const noHours = sql`not exists (select 1 from ${availabilityHours} where ${availabilityHours.userId} = ${users.id})`;
  const members = (courseId: string, role: 'tutor' | 'student', limit: number, free: boolean) =>
    db
      .select(personColumns)
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .innerJoin(courses, eq(courses.id, memberships.courseId))
      .where(and(eq(memberships.courseId, courseId), eq(memberships.role, role), free ? noHours : undefined))
      .orderBy(asc(users.sub))
      .limit(limit);
  const firstMonday = mondayAfterSeed(options);
  for (const free of [true, false]) {
    for (const course of seed.courses) {
      const [tutor] = await members(course.id, 'tutor', 1, free);
      const students = await members(course.id, 'student', 9, true);
      if (!tutor || students.length < 9) continue;
      if (!free) {
        await db.delete(availabilityHours).where(eq(availabilityHours.userId, tutor.userId));
        await db.delete(availabilityExceptions).where(eq(availabilityExceptions.userId, tutor.userId));
      }
      return { tutor: personFrom(tutor, ROLES.teachingAssistant), courseId: course.id, tutorId: tutor.userId, studentIds: students.map((s) => s.userId), firstMonday };
    }
  }
  throw new Error('no seeded course has a tutor and nine students without weekly hours (seed more students)');
}

/** The first Monday a year after the seeded years end. */
function mondayAfterSeed(options: SeedOptions): string {
  const day = new Date(`${options.startDate}T00:00:00Z`);
  day.setUTCFullYear(day.getUTCFullYear() + options.years + 1);
  day.setUTCDate(day.getUTCDate() + ((8 - day.getUTCDay()) % 7));
  return day.toISOString().slice(0, 10);
}

async function createThrowawayDatabase(serverUrl: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `tutorkit_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * The seed spans today, so its sessions of the coming hours are due for reminder emails: a fresh
 * instance would compose and send a day's worth in its first seconds, in the middle of a
 * measurement. They are queued here for the next two hours of the run, and marked sent.
 */
async function settleReminders(db: Db): Promise<void> {
  const links = createLinks({ baseUrl: 'http://127.0.0.1', key: BENCH_LTI_KEY, from: 'bench@bench.tutorkit.test' });
  const now = Date.now();
  for (let minutes = 0; minutes <= 120; minutes += 5) await queueDueReminders(db, links, new Date(now + minutes * 60_000));
  await db.update(outbox).set({ status: 'sent', sentAt: new Date() }).where(and(eq(outbox.kind, 'reminder'), eq(outbox.status, 'queued')));
}
