// TutorKit as an operator runs it: the server (node --import tsx src/server.ts) and the npm
// commands as child processes with exactly the configuration a test gives them.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ToolEndpoints } from './platform-simulator.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG_VARIABLES = ['NODE_ENV', 'PORT', 'BASE_URL', 'DATABASE_URL', 'DATA_DIR', 'LTI_KEY', 'SMTP_URL', 'DEMO', 'LOG_LEVEL', 'FRAME_ANCESTORS', 'SESSION_MINUTES'];

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Running {
  child: ChildProcess;
  exited: Promise<Exit>;
  /** What it printed so far (stdout, then stderr). */
  output(): string;
}

const running = new Set<ChildProcess>();

/** Runs a script of the repository with exactly `env` (none of this process's TutorKit variables leak in). */
export function startScript(script: string, args: string[], env: Record<string, string>): Running {
  const base = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete base[name];
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...base, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    }),
  );
  return { child, exited, output: () => stdout + stderr };
}

/** The server with exactly the given configuration. */
export function startServer(env: Record<string, string>): Running {
  return startScript('src/server.ts', [], env);
}

/** Runs a command to its end (register-platform, seed:large) and returns what it printed. */
export function runCommand(script: string, args: string[], env: Record<string, string>): Promise<Exit> {
  return startScript(script, args, env).exited;
}

/** SIGKILLs every child still running (an afterEach/after hook). */
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls /healthz until it answers, or fails with what the server printed. */
export async function waitForHealth(port: number, server: Running, withinMs = 60_000): Promise<unknown> {
  let exit: Exit | undefined;
  void server.exited.then((e) => (exit = e));
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (exit) throw new Error(`server exited early (${exit.code}): ${exit.stderr}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return await res.json();
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`no healthy answer on port ${port} within ${withinMs} ms`);
}

export function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface ServedTutorKit extends Running {
  port: number;
  baseUrl: string;
  /** Where a platform simulator sends its launches. */
  tool: ToolEndpoints;
}

/** Starts the server on `dataDir` (embedded PGlite) and waits until it answers. */
export async function serveDataDir(dataDir: string, env: Record<string, string> = {}, withinMsToStart = 60_000): Promise<ServedTutorKit> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = startServer({ PORT: String(port), BASE_URL: baseUrl, DATA_DIR: dataDir, ...env });
  await waitForHealth(port, server, withinMsToStart);
  return { ...server, port, baseUrl, tool: { loginUrl: `${baseUrl}/lti/login`, launchUrl: `${baseUrl}/lti/launch`, jwksUrl: `${baseUrl}/lti/keys` } };
}
