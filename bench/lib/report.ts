// The results: a markdown table for stdout and BENCHMARKS.md, and a JSON record in bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions, ScenarioName } from './options.js';
import { describePgUrl } from './options.js';
import type { Measurement } from './stats.js';

export interface ResultRow {
  scenario: ScenarioName;
  /** What the row shows, e.g. "launch", "scale-out (2 instances)". */
  label: string;
  db: 'none' | 'memory' | 'pglite' | 'postgres';
  /**
   * "launch" rows count launches (four HTTP requests each); in-process rows, calls of a service
   * function; chat rows, messages delivered to one stream (the latency is from the POST to that
   * stream); stream rows, streams opened (the latency is the time to the first event); the others requests.
   */
  unit: 'launches' | 'requests' | 'calls' | 'deliveries' | 'streams';
  connections: number;
  measurement: Measurement;
  /** Bytes; the sum over instances when there are several. Null for in-process rows (the runner's memory is not the server's). */
  peakRss: number | null;
  reference?: { label: string; rps: number; ratio: number };
  /** A latency target the row is judged against (in-process rows). */
  target?: { text: string; met: boolean | null };
  note?: string;
}

export interface Failure {
  scenario: string;
  db: string;
  reason: string;
}

export interface TargetCheck {
  name: string;
  value: string;
  target: string;
  met: boolean | null;
}

export interface Machine {
  cores: number;
  cpuModel: string;
  totalMemoryMb: number;
  node: string;
  os: string;
}

export function describeMachine(): Machine {
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

const fixed = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** Two decimals, or two significant digits for the tiny ratios against the bare http server. */
const ratioText = (r: number) => (r >= 0.095 || r === 0 ? r.toFixed(2) : r.toPrecision(2));
const ms = (n: number) => (n >= 100 ? fixed(n) : fixed(n, 1));

export function markdownTable(rows: ResultRow[]): string {
  const header = '| Scenario | DB | Conc. | req/s | p50 ms | p95 ms | p99 ms | Errors | Peak RSS MB | Ratio or target |';
  const rule = '|---|---|--:|--:|--:|--:|--:|--:|--:|---|';
  const lines = rows.map((r) => {
    const m = r.measurement;
    const rate = `${fixed(m.rps, m.rps >= 100 ? 0 : 1)}${r.unit === 'requests' ? '' : ` ${r.unit}`}`;
    const rss = r.peakRss === null ? '–' : fixed(r.peakRss / 1024 / 1024);
    return `| ${r.label} | ${r.db} | ${r.connections} | ${rate} | ${ms(m.p50)} | ${ms(m.p95)} | ${ms(m.p99)} | ${fixed(m.errors)} | ${rss} | ${comparison(r)} |`;
  });
  return [header, rule, ...lines].join('\n');
}

function comparison(r: ResultRow): string {
  if (r.target) return r.target.met === null ? r.target.text : `${r.target.text}: ${r.target.met ? 'met' : '**not met**'}`;
  return r.reference ? `${ratioText(r.reference.ratio)}× ${r.reference.label}` : 'reference';
}

export function summaryLines(machine: Machine, date: Date, options: BenchOptions, targets: TargetCheck[], failures: Failure[]): string[] {
  const lines = [
    `${date.toISOString()} · ${machine.cores} cores (${machine.cpuModel}) · Node ${machine.node} · ${options.quick ? 'quick' : 'full'} run: ${options.durationS} s per scenario after ${options.warmupS} s warm-up, ` +
      `${options.calls.measured} calls per availability scenario after ${options.calls.warmup}, seed scale ${options.scale}, TutorKit NODE_ENV=${options.nodeEnv}`,
  ];
  for (const t of targets) lines.push(`Target: ${t.name}: ${t.value} (target ${t.target}): ${t.met === null ? 'not judged' : t.met ? 'met' : 'NOT met'}`);
  for (const note of options.notes) lines.push(`Note: ${note}`);
  for (const f of failures) lines.push(`ERROR: ${f.scenario} (${f.db}): ${f.reason}`);
  return lines;
}

export function writeJson(dir: string, date: Date, record: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${date.toISOString().replace(/:/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
  return file;
}

/** The options as recorded: the PostgreSQL URL without a password. */
export function recordedOptions(options: BenchOptions): Record<string, unknown> {
  return { ...options, pgUrl: options.pgUrl ? describePgUrl(options.pgUrl) : null };
}
