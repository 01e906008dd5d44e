// npm run bench -- [--quick] [--db pglite|postgres|both] [--pg-url URL] [--duration S] [--connections N] [--calls N] [--scenario NAME]
// Starts TutorKit on loopback against a fresh, seeded database, loads it, and reports requests per
// second, p50/p95/p99 latency, errors and the server's peak RSS for each scenario, beside the
// references measured in the same run; the availability services (conflict check, Scheduling
// assistant) are timed in process against their targets. Errors fail the run (exit code 1);
// speed never does. See BENCHMARKS.md.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../src/db/client.js';
import { PlatformSimulator, ROLES } from '../test/support/platform-simulator.js';
import { assistantCall, AVAILABILITY_TARGETS, conflictCall, findAvailabilityFixture, measureCalls, type AvailabilityFixture } from './lib/availability.js';
import { spawnSync } from 'node:child_process';
import { launchOnce, runHttpLoad, stopAllLoad, runLaunchLoop, type LaunchPerson, type LaunchTarget } from './lib/load.js';
import { ChildServer, freePort, PeakRss, ROOT } from './lib/processes.js';
import { FULL_ROOM_SIZES, holdStreams, measureChat, QUICK_ROOM_SIZES, ROOM_TARGETS, streamTokens, type RoomSizes } from './lib/rooms.js';
import { readOptions, REFERENCE_OF, USAGE, UsageError, type BenchOptions, type ScenarioName } from './lib/options.js';
import { describeMachine, markdownTable, recordedOptions, summaryLines, writeJson, type Failure, type ResultRow, type TargetCheck } from './lib/report.js';
import { saveForm } from './lib/save-session.js';
import type { Measurement } from './lib/stats.js';
import { BENCH_LTI_KEY, prepareEnvironment, type DbMode, type Environment, type TutorKitInstance } from './lib/tutorkit.js';
import { DEFAULT_SEED, type SeedOptions, type SeedSummary } from './seed-large.js';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
/** The p99 target holds at this many concurrent launches. */
const TARGET_CONCURRENCY = 100;
const TARGET_P99_MS = 1500;
/** The availability targets are stated for a database holding this many occurrences. */
const TARGET_OCCURRENCES = 100_000;

const log = (line: string) => process.stderr.write(`${line}\n`);
/** Scenarios that need a running TutorKit instance (the availability ones run in process). */
const HTTP_SCENARIOS: ScenarioName[] = ['launch', 'calendar', 'session-page', 'dashboard', 'save-session', 'scale-out', 'hammer', 'room-chat', 'room-streams'];
/** Issue 11: /healthz and other people's pages while one person hammers the conflict check. */
const HAMMER_TARGET_P99_MS = 200;

/** Everything to undo if the run is interrupted: environments (servers, databases, temp folders) and reference servers. */
const openResources = new Set<{ close(): Promise<void> }>();

class Bench {
  readonly rows: ResultRow[] = [];
  readonly failures: Failure[] = [];
  readonly seeds: Partial<Record<DbMode, SeedSummary>> = {};

  constructor(readonly options: BenchOptions) {}

  want(scenario: ScenarioName): boolean {
    return this.options.scenarios.includes(scenario);
  }

  get load() {
    return { connections: this.options.connections, durationS: this.options.durationS, warmupS: this.options.warmupS };
  }

  /** Runs one scenario; a failure is recorded with its reason and the run goes on. */
  async attempt(scenario: string, db: string, work: () => Promise<void>): Promise<void> {
    log(`\n== ${scenario} (${db})`);
    try {
      await work();
    } catch (err) {
      const reason = (err as Error).message ?? String(err);
      log(`   failed: ${reason}`);
      this.failures.push({ scenario, db, reason });
    }
  }

  /** Measures `run` while following the peak RSS of `servers`; a server that died fails the scenario. */
  async measure(servers: ChildServer[], row: Omit<ResultRow, 'measurement' | 'peakRss'>, run: () => Promise<Measurement>): Promise<ResultRow> {
    const probes = servers.map((s) => new PeakRss(s.pid));
    const stopProbes = () => probes.reduce((sum, probe) => sum + probe.stop(), 0);
    let measurement: Measurement;
    try {
      measurement = await run();
    } catch (err) {
      stopProbes();
      throw err;
    }
    const peakRss = stopProbes();
    for (const server of servers) if (!server.alive) throw new Error(`${server.describeExit()} during the scenario:\n${server.tail()}`);
    const result: ResultRow = { ...row, measurement, peakRss };
    this.rows.push(result);
    const m = measurement;
    log(`   ${m.rps.toFixed(1)} ${row.unit}/s, p50 ${m.p50.toFixed(1)} ms, p95 ${m.p95.toFixed(1)} ms, p99 ${m.p99.toFixed(1)} ms, ${m.errors} errors, peak RSS ${(peakRss / 1048576).toFixed(0)} MB, runner CPU ${m.clientCpuPercent.toFixed(0)}%`);
    if (m.errors > 0) {
      const samples = m.errorSamples.map((e) => `${e.count}× ${e.message}`).join('; ');
      this.failures.push({ scenario: row.label, db: row.db, reason: `${m.errors} errors: ${samples}` });
    }
    return result;
  }

  /** Records an in-process row (no server to follow: its peak RSS is not measured). */
  record(row: Omit<ResultRow, 'peakRss'>): void {
    this.rows.push({ ...row, peakRss: null });
    const m = row.measurement;
    log(`   ${m.count} calls, p50 ${m.p50.toFixed(1)} ms, p95 ${m.p95.toFixed(1)} ms, p99 ${m.p99.toFixed(1)} ms, ${m.errors} errors${row.note ? `; ${row.note}` : ''}`);
    if (m.errors > 0) {
      const samples = m.errorSamples.map((e) => `${e.count}× ${e.message}`).join('; ');
      this.failures.push({ scenario: row.label, db: row.db, reason: `${m.errors} errors: ${samples}` });
    }
  }
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof readOptions>;
  try {
    parsed = readOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parsed;
  const bench = new Bench(options);
  const started = new Date();
  const machine = describeMachine();
  log(`TutorKit benchmark: ${options.quick ? 'quick' : 'full'} run on ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}`);
  log(`Scenarios: ${options.scenarios.join(', ')}; databases: ${options.modes.join(', ')}; ${options.connections} connections, ${options.durationS} s each after ${options.warmupS} s warm-up; TutorKit with NODE_ENV=${options.nodeEnv}`);
  for (const note of options.notes) log(`Note: ${note}`);

  if (bench.want('http-bare')) await bench.attempt('http-bare', 'none', () => runHttpBare(bench));
  if (bench.want('ltijs-bare')) await bench.attempt('ltijs-bare', 'memory', () => runLtijsBare(bench));
  if (bench.want('sse-bare')) await bench.attempt('sse-bare', 'none', () => runSseBare(bench));

  const tutorKitScenarios: ScenarioName[] = [...HTTP_SCENARIOS, 'assistant', 'conflict-check', 'conflict-check-500'];
  if (tutorKitScenarios.some((s) => bench.want(s))) {
    const seed = scaledSeed(options.scale);
    if (HTTP_SCENARIOS.some((s) => bench.want(s))) await bench.attempt('build TutorKit (npm run build)', 'none', async () => buildServer());
    if (bench.failures.length === 0) for (const mode of options.modes) await runTutorKit(bench, mode, seed);
  }

  addRatios(bench.rows);
  const targets = checkTargets(bench.rows, options, bench.seeds);
  const finished = new Date();
  const table = markdownTable(bench.rows);
  const summary = summaryLines(machine, finished, options, targets, bench.failures);
  process.stdout.write(`\n${table}\n\n${summary.join('\n')}\n`);
  const file = writeJson(RESULTS_DIR, finished, {
    date: finished.toISOString(),
    startedAt: started.toISOString(),
    machine,
    options: recordedOptions(options),
    seed: { options: scaledSeed(options.scale), summaries: stripCourseLists(bench.seeds) },
    results: bench.rows.map((r) => ({ ...r, peakRssMb: r.peakRss === null ? null : Math.round(r.peakRss / 1048576) })),
    targets,
    failures: bench.failures,
    markdown: table,
  });
  log(`\nResults written to ${file}`);
  if (bench.failures.length > 0) {
    log(`\nThe benchmark found ${bench.failures.length} problem(s):`);
    for (const f of bench.failures) log(`  - ${f.scenario} (${f.db}): ${f.reason}`);
    return 1;
  }
  return 0;
}

// ---- References ---------------------------------------------------------------------------

async function runHttpBare(bench: Bench): Promise<void> {
  const port = await freePort();
  const server = await ChildServer.start({ name: 'http-bare', script: 'bench/http-bare.ts', port, healthPath: '/', env: { PORT: String(port) } });
  const resource = { close: () => server.stop() };
  openResources.add(resource);
  try {
    await bench.measure([server], { scenario: 'http-bare', label: 'http-bare (Node http "ok")', db: 'none', unit: 'requests', connections: bench.options.connections }, () =>
      runHttpLoad({ url: server.url, requests: [{ method: 'GET', path: '/' }], expectStatus: 200, ...bench.load }),
    );
  } finally {
    await server.stop();
    openResources.delete(resource);
  }
}

async function runLtijsBare(bench: Bench): Promise<void> {
  const platform = DEFAULT_SEED.platform!;
  const sim = await PlatformSimulator.start({ issuer: platform.issuer, clientId: platform.clientId, deploymentIds: [platform.deploymentId] });
  const port = await freePort();
  let server: ChildServer | undefined;
  const resource = { close: async () => { await server?.stop(); await sim.close(); } };
  openResources.add(resource);
  try {
    server = await ChildServer.start({
      name: 'ltijs-bare',
      script: 'bench/ltijs-bare.ts',
      port,
      healthPath: '/healthz',
      env: {
        PORT: String(port),
        LTI_KEY: BENCH_LTI_KEY,
        BENCH_PLATFORM: JSON.stringify({ issuer: sim.issuer, clientId: sim.clientId, authEndpoint: sim.authEndpoint, tokenEndpoint: sim.tokenEndpoint, jwksUrl: sim.jwksUrl }),
      },
    });
    const target: LaunchTarget = { kind: 'ltijs', baseUrl: server.url, tool: { loginUrl: `${server.url}/lti/login`, launchUrl: `${server.url}/lti/launch` } };
    // As many distinct people as TutorKit's launch scenario cycles through.
    const courses = Math.max(1, scaledSeed(bench.options.scale).courses);
    const people: LaunchPerson[] = Array.from({ length: launchPeopleCount(bench.options) }, (_, i) => ({
      user: { sub: `bench-user-${i + 1}`, name: `Bench User ${i + 1}`, email: `bench-user-${i + 1}@bench.tutorkit.test`, roles: [ROLES.learner] },
      context: { id: `course-${(i % courses) + 1}`, title: `Course ${(i % courses) + 1}` },
    }));
    const live = server;
    await bench.measure([live], { scenario: 'ltijs-bare', label: 'ltijs-bare launch (in-memory store)', db: 'memory', unit: 'launches', connections: bench.options.connections }, () =>
      runLaunchLoop({ sim, targets: [target], people, ...bench.load }),
    );
  } finally {
    await resource.close();
    openResources.delete(resource);
  }
}

/**
 * The bare SSE fan-out (bench/sse-bare.ts), measured as the room scenarios are: one message after
 * another to as many listeners as the chat room has, then as many streams as the room scenario
 * holds, in as many rooms.
 */
async function runSseBare(bench: Bench): Promise<void> {
  const sizes = roomSizes(bench.options);
  const port = await freePort();
  const server = await ChildServer.start({ name: 'sse-bare', script: 'bench/sse-bare.ts', port, healthPath: '/healthz', env: { PORT: String(port) } });
  const resource = { close: () => server.stop() };
  openResources.add(resource);
  try {
    await bench.measure([server], { scenario: 'sse-bare', label: `sse-bare chat: a message to ${sizes.chatStudents} streams`, db: 'none', unit: 'deliveries', connections: sizes.chatStudents }, async () => {
      const post = async (text: string) => {
        const res = await fetch(`${server.url}/rooms/chat/chat`, { method: 'POST', body: new URLSearchParams({ message: text }) });
        if (res.status !== 200) throw new Error(`sse-bare chat answered ${res.status}`);
        await res.arrayBuffer();
      };
      const run = await measureChat({ streamUrl: `${server.url}/rooms/chat/stream`, listenerTokens: Array.from({ length: sizes.chatStudents }, () => null), post, ...chatPace(bench.options) });
      return run.measurement;
    });
  } finally {
    await server.stop();
    openResources.delete(resource);
  }
  // A fresh process for the streams, as TutorKit gets one: the chat's garbage does not count.
  const port2 = await freePort();
  const fresh = await ChildServer.start({ name: 'sse-bare', script: 'bench/sse-bare.ts', port: port2, healthPath: '/healthz', env: { PORT: String(port2) } });
  const resource2 = { close: () => fresh.stop() };
  openResources.add(resource2);
  try {
    const holders = Array.from({ length: sizes.rooms * sizes.perRoom }, (_, i) => ({ url: `${fresh.url}/rooms/r${Math.floor(i / sizes.perRoom)}/stream`, token: null }));
    await bench.measure([fresh], streamsRow('sse-bare', sizes, 'none'), async () => (await holdStreams({ holders, ...streamPace(bench.options) })).measurement);
  } finally {
    await fresh.stop();
    openResources.delete(resource2);
  }
}

/** The room sizes of this run: the issue's (500 listeners; 2,000 streams in 50 rooms), or small ones in quick mode. */
function roomSizes(options: BenchOptions): RoomSizes {
  return options.quick ? QUICK_ROOM_SIZES : FULL_ROOM_SIZES;
}

/** 20 messages 1.25 s apart (TutorKit lets a person send 5 per 5 s); 5 in quick mode. */
function chatPace(options: BenchOptions): { messages: number; intervalMs: number } {
  return { messages: options.quick ? 5 : 20, intervalMs: 1250 };
}

function streamPace(options: BenchOptions): { openPerSecond: number; churnPerSecond: number; holdS: number } {
  return { openPerSecond: 100, churnPerSecond: 20, holdS: options.durationS };
}

function streamsRow(scenario: 'sse-bare' | 'room-streams', sizes: RoomSizes, db: ResultRow['db']): Omit<ResultRow, 'measurement' | 'peakRss'> {
  const streams = sizes.rooms * sizes.perRoom;
  return { scenario, label: `${scenario === 'sse-bare' ? 'sse-bare' : 'room'} streams: ${streams} open in ${sizes.rooms} rooms, 20/s reconnecting`, db, unit: 'streams', connections: streams };
}

/** Compiles TutorKit (tsc → dist/) so the instances run as `npm start` runs them. */
function buildServer(): void {
  log('   npm run build ...');
  const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build failed:\n${(built.stdout + built.stderr).slice(-2000)}`);
}

// ---- TutorKit -----------------------------------------------------------------------------

async function runTutorKit(bench: Bench, mode: DbMode, seed: SeedOptions): Promise<void> {
  let env: Environment | undefined;
  await bench.attempt(`prepare ${mode}`, mode, async () => {
    env = await prepareEnvironment({
      mode,
      pgUrl: bench.options.pgUrl,
      seed,
      launchPeople: launchPeopleCount(bench.options),
      pageVisitors: bench.options.quick ? 10 : 50,
      rooms: roomSizes(bench.options),
      nodeEnv: bench.options.nodeEnv,
      ...(bench.options.cpuProf ? { cpuProfDir: path.join(RESULTS_DIR, 'profiles') } : {}),
      log: (line) => log(`   ${line}`),
    });
  });
  if (!env) return;
  const environment = env;
  openResources.add(environment);
  bench.seeds[mode] = environment.seed;
  try {
    if (bench.want('assistant') || bench.want('conflict-check') || bench.want('conflict-check-500')) await runAvailability(bench, environment, seed);
    if (!HTTP_SCENARIOS.some((s) => bench.want(s))) return;
    let first: TutorKitInstance | undefined;
    await bench.attempt(`start TutorKit`, mode, async () => {
      first = await environment.startInstance(`TutorKit (${mode}) #1`);
    });
    if (!first) return;
    const one = first;
    const row = (scenario: ScenarioName, label: string, unit: ResultRow['unit']) => ({ scenario, label, db: mode, unit, connections: bench.options.connections });

    if (bench.want('launch')) {
      await bench.attempt('launch', mode, async () => {
        await bench.measure([one.server], row('launch', 'launch (login → auth → id_token → landing)', 'launches'), () =>
          runLaunchLoop({ sim: environment.sim, targets: [one.target], people: environment.fixtures.launchPeople, ...bench.load }),
        );
      });
    }
    if (bench.want('calendar') || bench.want('session-page') || bench.want('dashboard')) await runPages(bench, environment, one);
    if (bench.want('save-session')) await runSave(bench, environment, one);
    if (bench.want('hammer')) await runHammer(bench, environment, one);
    if (bench.want('room-chat')) await runRoomChat(bench, environment, one);
    if (bench.want('scale-out') && mode === 'postgres') await runScaleOut(bench, environment, one);
    // Last: it stops the first instance (PGlite has one owner) and starts a fresh one.
    if (bench.want('room-streams')) await runRoomStreams(bench, environment, one);
  } finally {
    await environment.close();
    openResources.delete(environment);
  }
}

/** A student's Sessions calendar (month view) and a session page, over many students' tokens. */
async function runPages(bench: Bench, env: Environment, instance: TutorKitInstance): Promise<void> {
  const requests = { calendar: [] as { path: string; token: string }[], session: [] as { path: string; token: string }[], dashboard: [] as { path: string; token: string }[] };
  await bench.attempt('pages: launch the students', env.mode, async () => {
    for (const visitor of env.fixtures.pageVisitors) {
      const launched = await launchOnce(env.sim, instance.target, visitor);
      if (launched.courseId !== visitor.courseId) throw new Error(`${visitor.user.sub} landed in course ${launched.courseId}, not ${visitor.courseId}`);
      requests.calendar.push({ path: `/c/${visitor.courseId}/sessions?view=month&date=${visitor.date}`, token: launched.token });
      requests.session.push({ path: `/c/${visitor.courseId}/sessions/${visitor.occurrenceId}`, token: launched.token });
      requests.dashboard.push({ path: `/c/${visitor.courseId}/dashboard`, token: launched.token });
    }
    // Every URL answers before it is loaded: a 404 under load would only show up as errors.
    for (const { path, token } of [...requests.calendar, ...requests.session, ...requests.dashboard]) {
      const res = await fetch(new URL(path, instance.target.baseUrl), { headers: pageHeaders(token), redirect: 'manual' });
      const html = await res.text();
      if (res.status !== 200 || !html.includes('<h1')) throw new Error(`GET ${path.replace(/[0-9a-f-]{36}/g, '<id>')} answered ${res.status}`);
    }
  });
  if (requests.calendar.length === 0) return;
  for (const [scenario, list, label] of [
    ['calendar', requests.calendar, 'calendar (month view)'],
    ['session-page', requests.session, 'session page'],
    ['dashboard', requests.dashboard, 'Dashboard (a student’s)'],
  ] as const) {
    if (!bench.want(scenario)) continue;
    await bench.attempt(scenario, env.mode, async () => {
      await bench.measure([instance.server], { scenario, label, db: env.mode, unit: 'requests', connections: bench.options.connections }, () =>
        runHttpLoad({ url: instance.target.baseUrl, requests: list.map(({ path, token }) => ({ method: 'GET', path, headers: pageHeaders(token) })), expectStatus: 200, ...bench.load }),
      );
    });
  }
}

/**
 * Saving a weekly session (two days a week, 12 meetings) with 10 invitees: 1 tutor and 9 students.
 * Each request asks for times no earlier save took (saveForm), so none meets a conflict. The saves
 * come from as many schedulers as connections (the tutor and instructors of the course, each
 * launched once), as when a department's staff schedule at once: one person sending ten saves at
 * a time meets the per-person work limit (one running, two waiting, then 429), as it should.
 */
async function runSave(bench: Bench, env: Environment, instance: TutorKitInstance): Promise<void> {
  await bench.attempt('save-session', env.mode, async () => {
    const { save } = env.fixtures;
    const schedulers = [save.tutor, ...Array.from({ length: Math.max(0, bench.options.connections - 1) }, (_, i) => benchInstructor(save.tutor, i))];
    const tokens: string[] = [];
    for (const person of schedulers) {
      const launched = await launchOnce(env.sim, instance.target, person);
      if (launched.courseId !== save.courseId) throw new Error(`${person.user.name} landed in course ${launched.courseId}, not ${save.courseId}`);
      tokens.push(launched.token);
    }
    let saves = 0;
    const path = `/c/${save.courseId}/sessions`;
    const headersOf = (n: number) => ({ ...pageHeaders(tokens[n % tokens.length]!), 'Content-Type': 'application/x-www-form-urlencoded' });
    const check = await fetch(new URL(path, instance.target.baseUrl), { method: 'POST', headers: headersOf(saves), body: saveForm(save, saves++), redirect: 'manual' });
    const text = await check.text();
    if (check.status !== 303) throw new Error(`saving the session answered ${check.status}: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
    // autocannon builds each request anew through setupRequest: every one gets the next times and
    // the next scheduler, round-robin.
    const request = {
      method: 'POST' as const,
      path,
      headers: headersOf(0),
      setupRequest: (req: object) => {
        const n = saves++;
        return { ...req, headers: headersOf(n), body: saveForm(save, n).toString() };
      },
    };
    await bench.measure([instance.server], { scenario: 'save-session', label: 'save weekly session, 10 invitees', db: env.mode, unit: 'requests', connections: bench.options.connections }, () =>
      runHttpLoad({ url: instance.target.baseUrl, requests: [request], expectStatus: 303, ...bench.load }),
    );
  });
}

/** The i-th instructor the save scenario adds to the tutor's course: a new LMS user, launched once. */
function benchInstructor(tutor: LaunchPerson, i: number): LaunchPerson {
  return { user: { sub: `bench-save-instructor-${i + 1}`, name: `Bench Instructor ${i + 1}`, roles: [ROLES.instructor] }, context: tutor.context };
}

/**
 * The availability services in process (src/availability/service.ts), one call at a time on the
 * seeded database, before any TutorKit instance opens it: the Scheduling assistant's week and the
 * conflict check of a weekly series, for 30 busy invitees.
 */
async function runAvailability(bench: Bench, env: Environment, seed: SeedOptions): Promise<void> {
  let database: Database | undefined;
  try {
    let fixture: AvailabilityFixture | undefined;
    await bench.attempt('availability: open the seeded database', env.mode, async () => {
      database = await env.openDatabase();
      fixture = await findAvailabilityFixture(database.db, env.seed, seed.startDate);
    });
    if (!database || !fixture) return;
    const { db } = database;
    const scenarios = [
      ['assistant', 'assistant data: 30 invitees × 7 days', assistantCall(db, fixture), AVAILABILITY_TARGETS.assistant[env.mode]],
      ['conflict-check', 'conflict check: weekly × 52, 30 invitees', conflictCall(db, fixture), env.mode === 'postgres' ? AVAILABILITY_TARGETS.conflictCheck.postgres : undefined],
      ['conflict-check-500', 'conflict check: daily × 500, 30 invitees', conflictCall(db, fixture, fixture.daily500), env.mode === 'postgres' ? AVAILABILITY_TARGETS.conflictCheck500.postgres : undefined],
    ] as const;
    for (const [scenario, label, call, targetMs] of scenarios) {
      if (!bench.want(scenario)) continue;
      await bench.attempt(scenario, env.mode, async () => {
        const { measurement, shape } = await measureCalls(call, { warmup: bench.options.calls.warmup, iterations: bench.options.calls.measured });
        const quantile = scenario === 'conflict-check-500' ? 'p95' : 'p50';
        const target = targetMs === undefined ? { text: 'no target on PGlite', met: null } : judgeAvailability(env.seed, measurement, targetMs, quantile);
        bench.record({ scenario, label, db: env.mode, unit: 'calls', connections: 1, measurement, target, ...(shape ? { note: shape.describe } : {}) });
      });
    }
  } finally {
    await database?.close();
  }
}

/** The targets hold with 100,000 occurrences in the database: a smaller seed's figures are not judged. */
function judgeAvailability(seed: SeedSummary, m: Measurement, targetMs: number, quantile: 'p50' | 'p95' = 'p50'): { text: string; met: boolean | null } {
  if (seed.occurrences < TARGET_OCCURRENCES) return { text: `target ${quantile} < ${targetMs} ms at ${TARGET_OCCURRENCES.toLocaleString('en-US')} occurrences (seeded ${seed.occurrences.toLocaleString('en-US')}): not judged`, met: null };
  return { text: `target ${quantile} < ${targetMs} ms`, met: m[quantile] < targetMs };
}

/**
 * One tutor sends the availability check of a 500-session, 30-invitee series on 20 connections
 * without pause (most are told 429 and to retry), while others load /healthz and their session
 * pages: those must stay quick (issue 11). The hammering person's own answers are 200 or 429.
 */
async function runHammer(bench: Bench, env: Environment, instance: TutorKitInstance): Promise<void> {
  await bench.attempt('hammer', env.mode, async () => {
    const { hammer } = env.fixtures;
    const launched = await launchOnce(env.sim, instance.target, hammer.scheduler);
    if (launched.courseId !== hammer.courseId) throw new Error(`the tutor landed in course ${launched.courseId}, not ${hammer.courseId}`);
    const form = new URLSearchParams({ startDate: hammer.startDate, startTime: '16:00', zone: 'America/New_York', lengthValue: '60', lengthUnit: 'minutes', repeat: 'daily', interval: '1', endType: 'count', count: '500', tutorIds: hammer.tutorId });
    for (const id of hammer.studentIds) form.append('studentIds', id);
    const path = `/c/${hammer.courseId}/sessions/conflicts`;
    const headers = { ...pageHeaders(launched.token), 'Content-Type': 'application/x-www-form-urlencoded' };
    const probe = await fetch(new URL(path, instance.target.baseUrl), { method: 'POST', headers, body: form, redirect: 'manual' });
    const text = await probe.text();
    if (probe.status !== 200 || !text.includes('conflict')) throw new Error(`the availability check answered ${probe.status}: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
    const visitors = env.fixtures.pageVisitors.slice(0, 10);
    const pages: { path: string; token: string }[] = [];
    for (const visitor of visitors) {
      const other = await launchOnce(env.sim, instance.target, visitor);
      pages.push({ path: `/c/${visitor.courseId}/sessions/${visitor.occurrenceId}`, token: other.token });
    }
    const base = instance.target.baseUrl;
    const load = { durationS: bench.options.durationS, warmupS: bench.options.warmupS };
    const check = { method: 'POST' as const, path, headers, body: form.toString() };
    /** Loads `requests` on 5 connections while the tutor hammers on 20; the row notes how the tutor was answered. */
    const during = async (label: string, requests: Parameters<typeof runHttpLoad>[0]['requests']) => {
      const hammering = runHttpLoad({ url: base, requests: [check], expectStatus: [200, 429], connections: 20, ...load });
      const result = await bench.measure([instance.server], { scenario: 'hammer', label, db: env.mode, unit: 'requests', connections: 5 }, () =>
        runHttpLoad({ url: base, requests, expectStatus: 200, connections: 5, ...load }),
      );
      const answers = (await hammering).statuses;
      result.note = `meanwhile the tutor's checks: ${answers['200'] ?? 0} answered, ${answers['429'] ?? 0} told 429 (retry)`;
    };
    await during('hammer: /healthz while one tutor sends 500-session checks on 20 connections', [{ method: 'GET', path: '/healthz' }]);
    await during('hammer: others’ session pages meanwhile', pages.map((p) => ({ method: 'GET', path: p.path, headers: pageHeaders(p.token) })));
  });
}

/**
 * Issue 14: a tutor chats to the one open room of LIVE 101 while every student of the chat size
 * has the room's stream open; each message's delay from the tutor's POST to its arrival on each
 * stream. Everyone comes in through a real LTI launch.
 */
async function runRoomChat(bench: Bench, env: Environment, instance: TutorKitInstance): Promise<void> {
  await bench.attempt('room-chat', env.mode, async () => {
    const { rooms } = env.fixtures;
    const room = `/c/${rooms.courseId}/sessions/${rooms.chat.occurrenceId}/room`;
    const tokens: string[] = [];
    for (const person of [rooms.chat.tutor, ...rooms.chat.students]) {
      const launched = await launchOnce(env.sim, instance.target, person);
      if (launched.courseId !== rooms.courseId) throw new Error(`${person.user.name} landed in course ${launched.courseId}, not LIVE 101`);
      tokens.push(launched.token);
    }
    const [tutorToken, ...studentTokens] = tokens as [string, ...string[]];
    const post = async (text: string) => {
      const res = await fetch(new URL(`${room}/chat`, instance.target.baseUrl), { method: 'POST', headers: { ...pageHeaders(tutorToken), 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ message: text }) });
      const html = await res.text();
      if (res.status !== 200) throw new Error(`the tutor's chat message answered ${res.status}: ${html.replace(/\s+/g, ' ').slice(0, 200)}`);
    };
    const listeners = studentTokens.length;
    await bench.measure([instance.server], { scenario: 'room-chat', label: `room chat: a tutor's message to ${listeners} students' streams`, db: env.mode, unit: 'deliveries', connections: listeners }, async () => {
      const run = await measureChat({ streamUrl: new URL(`${room}/stream`, instance.target.baseUrl).toString(), listenerTokens: studentTokens, post, ...chatPace(bench.options) });
      return run.measurement;
    });
  });
}

/**
 * Issue 14: every student of LIVE 101's invited-only rooms holds their room's stream, on an
 * instance started for this scenario (its memory is the streams', not earlier scenarios' garbage;
 * the first instance stops before, as PGlite lets one process open its folder).
 * The holders' tokens are signed as a launch signs them (see streamTokens).
 */
async function runRoomStreams(bench: Bench, env: Environment, first: TutorKitInstance): Promise<void> {
  await bench.attempt('room-streams', env.mode, async () => {
    const sizes = roomSizes(bench.options);
    await first.server.stop();
    const instance = await env.startInstance(`TutorKit (${env.mode}) rooms`);
    try {
      const { rooms } = env.fixtures;
      const all = rooms.streams.flatMap((r) => r.studentIds);
      const tokens = await streamTokens(BENCH_LTI_KEY, rooms.courseId, all);
      const holders = rooms.streams.flatMap((r) => r.studentIds.map((id) => ({ url: `${instance.target.baseUrl}/c/${rooms.courseId}/sessions/${r.occurrenceId}/room/stream`, token: tokens.get(id)! })));
      const row = await bench.measure([instance.server], streamsRow('room-streams', sizes, env.mode), async () => (await holdStreams({ holders, ...streamPace(bench.options) })).measurement);
      const health = (await (await fetch(`${instance.target.baseUrl}/healthz`)).json()) as { live?: { streams?: number } };
      row.note = `after the run the instance reported ${health.live?.streams ?? '?'} open streams (all closed by then)`;
    } finally {
      await instance.server.stop();
    }
  });
}

/** Launch throughput of one instance, then of two instances on the same PostgreSQL database. */
async function runScaleOut(bench: Bench, env: Environment, one: TutorKitInstance): Promise<void> {
  await bench.attempt('scale-out', env.mode, async () => {
    const two = await env.startInstance(`TutorKit (${env.mode}) #2`);
    const people = env.fixtures.launchPeople;
    const row = (label: string) => ({ scenario: 'scale-out' as const, label, db: env.mode, unit: 'launches' as const, connections: bench.options.connections });
    await bench.measure([one.server], row('scale-out: 1 instance'), () => runLaunchLoop({ sim: env.sim, targets: [one.target], people, ...bench.load }));
    await bench.measure([one.server, two.server], { ...row('scale-out: 2 instances'), note: 'peak RSS is the sum of both instances' }, () =>
      runLaunchLoop({ sim: env.sim, targets: [one.target, two.target], people, ...bench.load }),
    );
    await two.server.stop();
  });
}

// ---- Results ------------------------------------------------------------------------------

/** Each row beside its reference measured in the same run (two instances beside one). */
function addRatios(rows: ResultRow[]): void {
  const find = (scenario: ScenarioName, label?: string) => rows.find((r) => r.scenario === scenario && (!label || r.label === label));
  for (const row of rows) {
    let reference: ResultRow | undefined;
    if (row.label === 'scale-out: 2 instances') reference = find('scale-out', 'scale-out: 1 instance');
    // The room rows are judged by latency and memory against the bare SSE rows (checkRoomTargets), not by a rate.
    else if (row.scenario.startsWith('room-')) continue;
    else {
      const name = REFERENCE_OF[row.scenario];
      reference = name ? find(name) : undefined;
    }
    if (!reference || reference.measurement.rps === 0) continue;
    const label = reference.scenario === 'scale-out' ? '1 instance' : reference.scenario;
    row.reference = { label, rps: reference.measurement.rps, ratio: row.measurement.rps / reference.measurement.rps };
  }
}

function checkTargets(rows: ResultRow[], options: BenchOptions, seeds: Partial<Record<DbMode, SeedSummary>>): TargetCheck[] {
  return [...checkLaunchTargets(rows, options), ...checkAvailabilityTargets(rows, seeds), ...checkHammerTargets(rows), ...checkRoomTargets(rows, options)];
}

/**
 * Issue 14, at the issue's sizes (a quick run's smaller rooms are reported, not judged): a chat
 * message reaches 500 students' streams with p95 under 200 ms; 2,000 streams in 50 rooms hold
 * under 300 MB of server RSS. Each beside the bare SSE fan-out of the same run.
 */
function checkRoomTargets(rows: ResultRow[], options: BenchOptions): TargetCheck[] {
  const bare = (kind: 'chat' | 'streams') => rows.find((r) => r.scenario === 'sse-bare' && r.label.startsWith(`sse-bare ${kind}`));
  const judged = !options.quick;
  const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;
  return rows.flatMap((r): TargetCheck[] => {
    if (r.scenario === 'room-chat') {
      const ref = bare('chat');
      const value = `p95 ${r.measurement.p95.toFixed(1)} ms${ref ? ` (bare SSE ${ref.measurement.p95.toFixed(1)} ms)` : ''}`;
      const check = { name: `${r.label} (${r.db})`, value, target: `p95 < ${ROOM_TARGETS.chatP95Ms} ms to 500 students${judged ? '' : ' (quick run: not judged)'}`, met: judged && r.measurement.count > 0 ? r.measurement.p95 < ROOM_TARGETS.chatP95Ms : null };
      r.target = { text: check.target, met: check.met };
      return [check];
    }
    if (r.scenario === 'room-streams') {
      const ref = bare('streams');
      // On PGlite the database lives inside the server process, so its RSS is not the streams' alone.
      if (r.db === 'pglite') {
        r.target = { text: 'reported (PGlite runs inside the server process; the target is judged on server PostgreSQL)', met: null };
        return [];
      }
      const value = `peak RSS ${r.peakRss === null ? '?' : mb(r.peakRss)}${ref?.peakRss ? ` (bare SSE ${mb(ref.peakRss)})` : ''}`;
      const check = { name: `${r.label} (${r.db})`, value, target: `peak RSS < ${ROOM_TARGETS.streamsRssMb} MB for 2,000 streams${judged ? '' : ' (quick run: not judged)'}`, met: judged && r.peakRss !== null && r.measurement.count > 0 ? r.peakRss < ROOM_TARGETS.streamsRssMb * 1048576 : null };
      r.target = { text: check.target, met: check.met };
      return [check];
    }
    return [];
  });
}

/** Issue 11: with one person hammering, everyone else's requests keep p99 under 200 ms. */
function checkHammerTargets(rows: ResultRow[]): TargetCheck[] {
  return rows
    .filter((r) => r.scenario === 'hammer')
    .map((r) => ({ name: `${r.label} (${r.db})`, value: `p99 ${r.measurement.p99.toFixed(0)} ms`, target: `p99 < ${HAMMER_TARGET_P99_MS} ms`, met: r.measurement.count > 0 ? r.measurement.p99 < HAMMER_TARGET_P99_MS : false }));
}

/** The issue's availability targets, on the median of the calls, with at least 100,000 occurrences seeded. */
function checkAvailabilityTargets(rows: ResultRow[], seeds: Partial<Record<DbMode, SeedSummary>>): TargetCheck[] {
  const targets = [
    ['assistant', 'postgres', 'Scheduling assistant data, 30 invitees × 7 days, on server PostgreSQL', AVAILABILITY_TARGETS.assistant.postgres, 'p50'],
    ['assistant', 'pglite', 'Scheduling assistant data, 30 invitees × 7 days, on PGlite', AVAILABILITY_TARGETS.assistant.pglite, 'p50'],
    ['conflict-check', 'postgres', 'Conflict check, weekly × 52 with 30 invitees, on server PostgreSQL', AVAILABILITY_TARGETS.conflictCheck.postgres, 'p50'],
    ['conflict-check-500', 'postgres', 'Conflict check, daily × 500 with 30 invitees, on server PostgreSQL', AVAILABILITY_TARGETS.conflictCheck500.postgres, 'p95'],
  ] as const;
  return targets.flatMap(([scenario, db, name, targetMs, quantile]) => {
    if (!rows.some((r) => r.scenario === scenario)) return [];
    const row = rows.find((r) => r.scenario === scenario && r.db === db);
    const m = row?.measurement;
    const occurrences = seeds[db]?.occurrences ?? 0;
    const value = m ? `p50 ${m.p50.toFixed(1)} ms, p95 ${m.p95.toFixed(1)} ms with ${occurrences.toLocaleString('en-US')} occurrences` : 'not run';
    return [{ name, value, target: `${quantile} < ${targetMs} ms with ${TARGET_OCCURRENCES.toLocaleString('en-US')} occurrences`, met: m && occurrences >= TARGET_OCCURRENCES ? m[quantile] < targetMs : null }];
  });
}

function checkLaunchTargets(rows: ResultRow[], options: BenchOptions): TargetCheck[] {
  const launch = rows.find((r) => r.scenario === 'launch' && r.db === 'postgres');
  const bare = rows.find((r) => r.scenario === 'ltijs-bare');
  const checks: TargetCheck[] = [];
  if (!rows.some((r) => r.scenario === 'launch' || r.scenario === 'ltijs-bare')) return checks;
  if (!launch) {
    checks.push({ name: 'TutorKit launch on server PostgreSQL', value: 'not run', target: `≥ bare ltijs launches/s, p99 < ${TARGET_P99_MS} ms at ${TARGET_CONCURRENCY} concurrent`, met: null });
    return checks;
  }
  const m = launch.measurement;
  if (bare) {
    const ratio = m.rps / bare.measurement.rps;
    checks.push({
      name: 'TutorKit launch on server PostgreSQL vs bare ltijs',
      value: `${m.rps.toFixed(1)} vs ${bare.measurement.rps.toFixed(1)} launches/s = ${ratio.toFixed(2)}×`,
      target: '≥ 1.00×',
      met: ratio >= 1,
    });
  }
  const atTarget = options.connections === TARGET_CONCURRENCY;
  checks.push({
    name: `TutorKit launch p99 on server PostgreSQL at ${options.connections} concurrent launches`,
    value: `${m.p99.toFixed(0)} ms${atTarget ? '' : ` (the target is stated at ${TARGET_CONCURRENCY} concurrent)`}`,
    target: `< ${TARGET_P99_MS} ms at ${TARGET_CONCURRENCY} concurrent`,
    met: atTarget ? m.p99 < TARGET_P99_MS : null,
  });
  return checks;
}

// ---- Helpers ------------------------------------------------------------------------------

/** What htmx sends after a launch: the token header, and HX-Request for a whole-page load. */
function pageHeaders(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, 'HX-Request': 'true' };
}

/** The default seed times `scale`, never so small that a scenario has nobody to launch as. */
function scaledSeed(scale: number): SeedOptions {
  const s = (n: number, min: number) => Math.max(min, Math.round(n * scale));
  return {
    ...DEFAULT_SEED,
    courses: s(DEFAULT_SEED.courses, 2),
    students: s(DEFAULT_SEED.students, 60),
    tutors: s(DEFAULT_SEED.tutors, 4),
    occurrences: s(DEFAULT_SEED.occurrences, 500),
  };
}

function launchPeopleCount(options: BenchOptions): number {
  return options.quick ? 200 : 5000;
}

function stripCourseLists(seeds: Partial<Record<DbMode, SeedSummary>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(seeds).map(([mode, s]) => [mode, { ...s, courses: s.courses.length, tables: undefined }]));
}

async function closeEverything(): Promise<void> {
  for (const resource of [...openResources].reverse()) {
    await resource.close().catch(() => undefined);
    openResources.delete(resource);
  }
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`\n${signal}: stopping the servers and dropping the bench databases ...`);
    stopAllLoad();
    void closeEverything().finally(() => process.exit(130));
  });
}

main()
  .then(async (code) => {
    await closeEverything();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    log(`\nThe benchmark could not run: ${(err as Error).stack ?? String(err)}`);
    await closeEverything();
    process.exit(1);
  });
