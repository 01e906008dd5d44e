// npm run bench -- [--quick] [--db pglite|postgres|both] [--pg-url URL] [--duration S]
//   [--warmup S] [--connections N] [--scale X] [--calls N] [--scenario NAME ...]
import { parseArgs } from 'node:util';

export const SCENARIOS = [
  'http-bare',
  'ltijs-bare',
  'sse-bare',
  'launch',
  'calendar',
  'session-page',
  'dashboard',
  'save-session',
  'scale-out',
  'hammer',
  'room-chat',
  'room-streams',
  'assistant',
  'conflict-check',
  'conflict-check-500',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Names that stand for several scenarios. */
const GROUPS: Record<string, ScenarioName[]> = {
  references: ['http-bare', 'ltijs-bare', 'sse-bare'],
  pages: ['calendar', 'session-page', 'dashboard'],
  rooms: ['room-chat', 'room-streams'],
  availability: ['assistant', 'conflict-check', 'conflict-check-500'],
  all: [...SCENARIOS],
};

/** The reference each scenario's ratio is taken against. */
export const REFERENCE_OF: Partial<Record<ScenarioName, ScenarioName>> = {
  launch: 'ltijs-bare',
  calendar: 'http-bare',
  'session-page': 'http-bare',
  dashboard: 'http-bare',
  'save-session': 'http-bare',
  'room-chat': 'sse-bare',
  'room-streams': 'sse-bare',
  'scale-out': 'ltijs-bare',
};

export interface BenchOptions {
  quick: boolean;
  modes: ('pglite' | 'postgres')[];
  /** The server PostgreSQL used to create the throwaway database (password never printed). */
  pgUrl: string | undefined;
  durationS: number;
  warmupS: number;
  connections: number;
  /** Multiplies the default seed's counts. */
  scale: number;
  scenarios: ScenarioName[];
  /** NODE_ENV of the TutorKit instances: production (Express caches compiled views) unless asked. */
  nodeEnv: 'production' | 'development';
  /** Write a V8 CPU profile of each TutorKit instance to bench/results/profiles/. */
  cpuProf: boolean;
  /** Calls of each availability scenario: unmeasured, then measured. */
  calls: { warmup: number; measured: number };
  /** Why a part of the suite does not run (no PostgreSQL, ...). */
  notes: string[];
}

export const USAGE = `Usage: npm run bench -- [options]

  --quick              every scenario for a few seconds on small data (what CI runs)
  --db MODE            pglite, postgres or both (default: both when a PostgreSQL URL is known, else pglite)
  --pg-url URL         PostgreSQL server to create a throwaway database on (default: DATABASE_URL)
  --duration S         measured seconds per scenario (default 20; quick 3)
  --warmup S           unmeasured seconds before each scenario (default 5; quick 1)
  --connections N      concurrent connections or virtual users (default 100; quick 10)
  --scale X            size of the seeded data, times the default seed (default 1; quick 0.01)
  --node-env ENV       NODE_ENV of TutorKit: production (default, as deployed) or development
  --cpu-prof           write a CPU profile of each TutorKit instance to bench/results/profiles/
  --calls N            measured calls of each availability scenario, after N/10 warm-up calls
                       (default 200; quick 20)
  --scenario NAME      only this scenario, repeatable or comma-separated; the references its ratio
                       needs run too. Names: ${SCENARIOS.join(', ')}, pages, rooms, availability, references
  -h, --help           this text`;

export class UsageError extends Error {}

export function readOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean' },
        db: { type: 'string' },
        'pg-url': { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        scale: { type: 'string' },
        calls: { type: 'string' },
        scenario: { type: 'string', multiple: true },
        'node-env': { type: 'string' },
        'cpu-prof': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const number = (name: string, raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number of at least ${min} (got ${raw})`);
    return n;
  };
  const notes: string[] = [];
  const pgUrl = values['pg-url'] ?? (env.DATABASE_URL?.trim() || undefined);
  if (pgUrl && !/^postgres(ql)?:\/\//.test(pgUrl)) throw new UsageError(`--pg-url must start with postgres:// (got ${describePgUrl(pgUrl)})`);
  let modes: BenchOptions['modes'];
  switch (values.db ?? (pgUrl ? 'both' : 'pglite')) {
    case 'pglite':
      modes = ['pglite'];
      break;
    case 'postgres':
      if (!pgUrl) throw new UsageError('--db postgres needs --pg-url URL or DATABASE_URL');
      modes = ['postgres'];
      break;
    case 'both':
      if (!pgUrl) throw new UsageError('--db both needs --pg-url URL or DATABASE_URL');
      modes = ['pglite', 'postgres'];
      break;
    default:
      throw new UsageError(`--db must be pglite, postgres or both (got ${values.db})`);
  }
  if (!pgUrl) notes.push('No PostgreSQL URL (--pg-url or DATABASE_URL): TutorKit on server PostgreSQL and the scale-out check were skipped.');

  const chosen = new Set<ScenarioName>();
  const requested = (values.scenario ?? ['all']).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const name of requested) {
    const group = GROUPS[name] ?? (SCENARIOS.includes(name as ScenarioName) ? [name as ScenarioName] : null);
    if (!group) throw new UsageError(`unknown scenario ${name}; choose from ${[...SCENARIOS, ...Object.keys(GROUPS)].join(', ')}`);
    for (const scenario of group) chosen.add(scenario);
  }
  for (const scenario of [...chosen]) {
    const reference = REFERENCE_OF[scenario];
    if (reference) chosen.add(reference);
  }
  if (chosen.has('scale-out') && !modes.includes('postgres')) {
    chosen.delete('scale-out');
    if (pgUrl) notes.push('The scale-out check needs server PostgreSQL (--db postgres or both): skipped.');
  }
  const calls = Math.round(number('calls', values.calls, quick ? 20 : 200, 1));
  const nodeEnv = values['node-env'] ?? 'production';
  if (nodeEnv !== 'production' && nodeEnv !== 'development') throw new UsageError(`--node-env must be production or development (got ${nodeEnv})`);
  return {
    quick,
    modes,
    pgUrl,
    durationS: number('duration', values.duration, quick ? 3 : 20, 1),
    warmupS: number('warmup', values.warmup, quick ? 1 : 5, 0),
    connections: Math.round(number('connections', values.connections, quick ? 10 : 100, 1)),
    scale: number('scale', values.scale, quick ? 0.01 : 1, 0.0001),
    scenarios: SCENARIOS.filter((s) => chosen.has(s)),
    nodeEnv,
    cpuProf: values['cpu-prof'] ?? false,
    calls: { warmup: Math.max(1, Math.round(calls / 10)), measured: calls },
    notes,
  };
}

/** host:port/database, never the password. */
export function describePgUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
