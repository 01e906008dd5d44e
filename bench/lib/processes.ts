// Child processes of the benchmark (TutorKit instances and the two references): start on a free
// loopback port, wait until they answer, follow their memory, stop them by their own pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildOptions {
  /** Shown in messages: "TutorKit (postgres) #1", "ltijs-bare". */
  name: string;
  /** Script relative to the repository root: `node <script>` for JavaScript, `node --import tsx <script>` for TypeScript. */
  script: string;
  env: Record<string, string>;
  /** Path answered with 200 once the process is ready. */
  healthPath: string;
  port: number;
  startTimeoutMs?: number;
  /** Extra node flags, before the script (--cpu-prof ...). */
  nodeArgs?: string[];
}

export class ChildServer {
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #output: string[] = [];
  #exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  private constructor(
    readonly options: ChildOptions,
    child: ChildProcess,
  ) {
    this.#child = child;
    this.url = `http://127.0.0.1:${options.port}`;
    const keep = (chunk: Buffer) => {
      // The last lines only: enough to explain a crash, bounded however long the run is.
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.#output.push(line.slice(0, 2000));
      if (this.#output.length > 200) this.#output.splice(0, this.#output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code, signal) => (this.#exit = { code, signal }));
  }

  static async start(options: ChildOptions): Promise<ChildServer> {
    // Only the variables a server needs: nothing of the runner's DATABASE_URL or DATA_DIR leaks in.
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TZ: process.env.TZ ?? 'UTC', ...options.env };
    const loader = options.script.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, options.script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ChildServer(options, child);
    await server.#waitUntilHealthy(options.startTimeoutMs ?? 180_000);
    return server;
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  get alive(): boolean {
    return this.#exit === null;
  }

  /** The last lines the process wrote, for error messages. */
  tail(lines = 20): string {
    return this.#output.slice(-lines).join('\n');
  }

  describeExit(): string {
    if (!this.#exit) return `${this.options.name} is running`;
    return `${this.options.name} exited (code ${this.#exit.code ?? '-'}, signal ${this.#exit.signal ?? '-'})`;
  }

  async #waitUntilHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`${this.describeExit()} before answering ${this.options.healthPath}:\n${this.tail()}`);
      try {
        const res = await fetch(this.url + this.options.healthPath, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    await this.stop();
    throw new Error(`${this.options.name} did not answer ${this.options.healthPath} within ${Math.round(timeoutMs / 1000)} s:\n${this.tail()}`);
  }

  /** SIGTERM (TutorKit finishes requests in flight and closes its database), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** A free TCP port on loopback (the tiny window before the child binds it is acceptable here). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Peak resident memory of a process during one scenario. The kernel's high-water mark (VmHWM) is
 * reset at the start through /proc/<pid>/clear_refs when allowed; VmRSS is also sampled every
 * 100 ms, and the larger of the two is the peak (the sample alone when the reset is refused).
 */
export class PeakRss {
  #max = 0;
  #hwmReset = false;
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
      this.#hwmReset = true;
    } catch {
      this.#hwmReset = false;
    }
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 100);
    this.#timer.unref();
  }

  /** Stops sampling; bytes. */
  stop(): number {
    clearInterval(this.#timer);
    this.#sample();
    const hwm = this.#hwmReset ? readStatusKb(this.pid, 'VmHWM') * 1024 : 0;
    return Math.max(this.#max, hwm);
  }

  #sample(): void {
    const rss = readStatusKb(this.pid, 'VmRSS') * 1024;
    if (rss > this.#max) this.#max = rss;
  }
}

function readStatusKb(pid: number, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
