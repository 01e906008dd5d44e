// The only module that reads process.env. Everything else receives a frozen Config.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], {
    error: 'must be one of true/false, 1/0, yes/no, on/off',
  })
  .transform((value) => ['1', 'true', 'yes', 'on'].includes(value));

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3000),
  BASE_URL: z.url({ error: 'must be an absolute URL such as https://tutorkit.example.edu' }).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must start with postgres:// or postgresql://' })
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  LTI_KEY: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/\s]+/, { error: 'must start with smtp:// or smtps:// and name a host, as in smtp://user:pass@host:587' })
    .refine((value) => URL.canParse(value), { error: 'must be a URL, as in smtp://user:pass@host:587 (percent-encode special characters)' })
    .optional(),
  MAIL_FROM: z
    .string()
    .regex(/^([^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, { error: 'must be an address such as TutorKit <no-reply@tutorkit.example.edu>' })
    .optional(),
  DEMO: booleanFlag.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FRAME_ANCESTORS: z.string().optional(),
  SESSION_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(120),
});

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly baseUrl: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly ltiKey: string;
  readonly smtpUrl: string | undefined;
  /** The From of every email. loadConfig always sets it; absent, the app uses defaultMailFrom(baseUrl). */
  readonly mailFrom?: string;
  readonly demo: boolean;
  readonly logLevel: string;
  /** Things an operator should know that do not stop TutorKit (server.ts logs them). */
  readonly warnings?: readonly string[];
  /** Extra origins allowed to frame TutorKit, besides the registered LMSes. */
  readonly frameAncestors: readonly string[];
  /** How long the bearer token handed out at launch stays valid without activity. */
  readonly sessionMinutes: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = stripEmpty(env);
  const parsed = EnvSchema.safeParse(raw);
  // Every problem in one message, so an operator fixes them in one go rather than one per restart.
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  if (raw.NODE_ENV === 'production') {
    if (!raw.LTI_KEY) {
      problems.push('LTI_KEY: required in production (a random secret of at least 32 characters; keep it stable, it encrypts stored LTI keys)');
    }
    if (!raw.BASE_URL) problems.push('BASE_URL: required in production (the public https URL the LMS reaches)');
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((line) => `  ${line}`).join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const dataDir = path.resolve(e.DATA_DIR);
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  // The demo LMS lets anyone launch as its people, and the development mailbox shows every email:
  // on by default only for a server that nobody else can reach.
  const local = isLoopback(baseUrl);
  const demo = e.DEMO ?? (!production && local);
  const warnings = demo && !local ? [`DEMO is on for ${baseUrl}, which is not a loopback address: anyone who reaches it can launch as the demo course's people and read development mail. Set DEMO=false unless this server is private.`] : [];
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    baseUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    ltiKey: e.LTI_KEY ?? readOrCreateDevKey(dataDir),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? defaultMailFrom(baseUrl),
    demo,
    warnings,
    logLevel: e.LOG_LEVEL,
    sessionMinutes: e.SESSION_MINUTES,
    frameAncestors: (e.FRAME_ANCESTORS ?? '').split(/[\s,]+/).filter(Boolean),
  });
}

/** localhost, 127.0.0.0/8 or ::1: a URL only this machine reaches. */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}

export function defaultMailFrom(baseUrl: string): string {
  return `TutorKit <no-reply@${new URL(baseUrl).hostname}>`;
}

/** An empty or blank variable (FOO=, FOO=" ") means "not set", as a shell user expects. */
function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => !!entry[1]?.trim()));
}

/** Outside production the key is generated once and kept beside the embedded database. */
function readOrCreateDevKey(dataDir: string): string {
  const file = path.join(dataDir, 'lti-key');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    // An empty or truncated file would otherwise surface later as ltijs's MISSING_ENCRYPTION_KEY stack trace.
    if (stored.length < 32) {
      throw new ConfigError(
        `Invalid configuration:\n  LTI_KEY: ${file} holds no usable key (fewer than 32 characters); set LTI_KEY, or delete the file to generate a new one`,
      );
    }
    return stored;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}
