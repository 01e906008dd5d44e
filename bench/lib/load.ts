// The two load generators: a launch loop of virtual users driving full LTI launches through the
// platform simulator (a multi-step flow with cookies that autocannon cannot follow), and
// autocannon for single requests carrying a bearer token.
import autocannon from 'autocannon';
import { readLaunchPage } from '../../test/support/launch.js';
import { CookieJar, type PlatformSimulator, type SimContext, type SimUser, type ToolEndpoints } from '../../test/support/platform-simulator.js';
import { cpuMeter, Recorder, type Measurement } from './stats.js';

/** Set by stopAllLoad(): loops end and autocannon stops, so an interrupted run lets the servers drain. */
let stopping = false;
const activeCannons = new Set<autocannon.Instance>();

export function stopAllLoad(): void {
  stopping = true;
  for (const instance of activeCannons) instance.stop();
}

export interface LaunchTarget {
  /** 'tutorkit': the launch page must carry a token, and the landing page (the role home) is fetched with it. 'ltijs': onConnect's page. */
  kind: 'tutorkit' | 'ltijs';
  baseUrl: string;
  tool: ToolEndpoints;
}

export interface LaunchPerson {
  user: SimUser;
  context: SimContext;
}

export interface LaunchLoopOptions {
  sim: PlatformSimulator;
  /** Launches go to these round-robin (two TutorKit instances in the scale-out check). */
  targets: LaunchTarget[];
  /** Cycled through, one launch each: distinct users. */
  people: LaunchPerson[];
  connections: number;
  durationS: number;
  warmupS: number;
  /** A launch taking longer than this counts as an error. */
  timeoutMs?: number;
}

/**
 * Virtual users, each running one full launch after another: first the warm-up, then the measured
 * window, without a pause between them (the server stays at its steady load). A launch counts in
 * the window it completes in; launches still running when the window closes finish but do not count.
 */
export async function runLaunchLoop(options: LaunchLoopOptions): Promise<Measurement> {
  let next = 0;
  const pick = () => {
    const n = next++;
    return { person: options.people[n % options.people.length]!, target: options.targets[n % options.targets.length]! };
  };
  const recorder = new Recorder();
  const t0 = performance.now();
  const measureFrom = t0 + options.warmupS * 1000;
  const end = measureFrom + options.durationS * 1000;
  const inWindow = (t: number) => t >= measureFrom && t <= end;
  // The runner's CPU over the measured window only.
  let cpu: (() => number) | undefined;
  let cpuPercent = 0;
  const startCpu = setTimeout(() => (cpu = cpuMeter()), Math.max(0, measureFrom - performance.now()));
  const stopCpu = setTimeout(() => (cpuPercent = cpu?.() ?? 0), Math.max(0, end - performance.now()));
  const user = async () => {
    while (performance.now() < end && !stopping) {
      const { person, target } = pick();
      const started = performance.now();
      try {
        await withTimeout(launchOnce(options.sim, target, person), options.timeoutMs ?? 60_000);
        const done = performance.now();
        if (inWindow(done)) recorder.record(done - started);
      } catch (err) {
        // Errors count whenever they happen, warm-up included: any error fails the run.
        recorder.fail((err as Error).message);
        // A failing server should not be hammered in a tight loop.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, user));
  clearTimeout(startCpu);
  clearTimeout(stopCpu);
  return recorder.summarize(options.durationS, cpuPercent);
}

/** One launch as a browser does it: login initiation, platform /auth, id_token POST, then the landing page. */
export async function launchOnce(sim: PlatformSimulator, target: LaunchTarget, person: LaunchPerson): Promise<{ token: string; home: string; courseId: string }> {
  const result = await sim.launch(target.tool, { user: person.user, context: person.context }, new CookieJar());
  if (result.status !== 200) throw new Error(`launch POST answered ${result.status}: ${summarizeBody(result.body)}`);
  if (target.kind === 'ltijs') {
    if (!result.body.includes('id="bare-ltijs-launched"')) throw new Error(`bare ltijs launch page not recognised: ${summarizeBody(result.body)}`);
    return { token: '', home: '', courseId: '' };
  }
  const page = readLaunchPage(result.body);
  if (!page?.token || !page.home) throw new Error(`launch page without token or home: ${summarizeBody(result.body)}`);
  const landing = await fetch(new URL(page.home, target.baseUrl), {
    headers: { Authorization: `Bearer ${page.token}`, 'HX-Request': 'true' },
    redirect: 'manual',
  });
  const html = await landing.text();
  if (landing.status !== 200) throw new Error(`landing page ${page.home.replace(/[0-9a-f-]{36}/g, '<id>')} answered ${landing.status}: ${summarizeBody(html)}`);
  const payload = JSON.parse(Buffer.from(page.token.split('.')[1] ?? '', 'base64url').toString()) as { cid?: string };
  return { token: page.token, home: page.home, courseId: payload.cid ?? '' };
}

export interface HttpLoadOptions {
  url: string;
  /** Cycled through by every connection (autocannon's request sequence). */
  requests: autocannon.Request[];
  /** Anything else is an error. */
  expectStatus: number | number[];
  connections: number;
  durationS: number;
  warmupS: number;
}

/** autocannon, with our own latency recording (autocannon reports no p95). Warm-up errors count too. */
export async function runHttpLoad(options: HttpLoadOptions): Promise<Measurement> {
  const warmup = new Recorder();
  if (options.warmupS > 0) await cannon(options, options.warmupS, warmup);
  const recorder = new Recorder();
  recorder.absorbErrors(warmup);
  const cpu = cpuMeter();
  const t0 = performance.now();
  await cannon(options, options.durationS, recorder);
  return recorder.summarize((performance.now() - t0) / 1000, cpu());
}

function cannon(options: HttpLoadOptions, seconds: number, recorder: Recorder | null): Promise<void> {
  return new Promise((resolve, reject) => {
    let requestErrors = 0;
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: seconds,
        requests: options.requests,
        timeout: 30,
      },
      (err, result) => {
        activeCannons.delete(instance);
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        // Connection errors and timeouts (result.errors includes timeouts) not seen one by one.
        const missed = result.errors - requestErrors;
        for (let i = 0; i < missed; i++) recorder?.fail('connection error or timeout');
        resolve();
      },
    );
    activeCannons.add(instance);
    const expected = [options.expectStatus].flat();
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (expected.includes(statusCode)) recorder?.record(responseTime, statusCode);
      else recorder?.fail(`HTTP ${statusCode} (expected ${expected.join(' or ')})`);
    });
    instance.on('reqError', (err: unknown) => {
      requestErrors++;
      recorder?.fail(`request error: ${(err as Error)?.message ?? String(err)}`);
    });
  });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The title or first words of an error page, never a whole document. */
function summarizeBody(body: string): string {
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1];
  const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(body)?.[1]?.replace(/<[^>]+>/g, '').trim();
  return (h1 || title || body.replace(/\s+/g, ' ')).slice(0, 200);
}
