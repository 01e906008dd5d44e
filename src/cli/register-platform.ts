// npm run register-platform -- --issuer ... --client-id ... --auth-endpoint ... --token-endpoint ...
//   --keyset-url ... --deployment-id ... [--deployment-id ...] [--name ...]
// Registers an LMS with TutorKit (or updates it and adds deployment ids). Safe to run again.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config.js';
import { registerPlatform } from '../courses/service.js';
import { describeUrl, openDatabase } from '../db/client.js';
import { applyMigrations } from '../db/migrate.js';
import { createLogger } from '../lib/logger.js';
import { createLtiAdapter, registerLtijsPlatform } from '../lti/provider.js';

const httpsUrl = (name: string) =>
  z.url({ error: `--${name} must be an absolute URL` }).refine((u) => /^https?:\/\//.test(u), { error: `--${name} must be an http(s) URL` });

const Args = z.object({
  issuer: z.string({ error: '--issuer is required (the LMS issuer, e.g. https://canvas.instructure.com)' }).min(1),
  'client-id': z.string({ error: '--client-id is required (the client ID the LMS gave TutorKit)' }).min(1),
  'auth-endpoint': httpsUrl('auth-endpoint'),
  'token-endpoint': httpsUrl('token-endpoint'),
  'keyset-url': httpsUrl('keyset-url'),
  'deployment-id': z.array(z.string().min(1), { error: 'at least one --deployment-id is required' }).min(1, { error: 'at least one --deployment-id is required' }),
  name: z.string().min(1).optional(),
});

const USAGE = `Usage: npm run register-platform -- --issuer URL --client-id ID --auth-endpoint URL --token-endpoint URL --keyset-url URL --deployment-id ID [--deployment-id ID ...] [--name NAME]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'auth-endpoint': { type: 'string' },
      'token-endpoint': { type: 'string' },
      'keyset-url': { type: 'string' },
      'deployment-id': { type: 'string', multiple: true },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    throw new ConfigError(`${parsed.error.issues.map((i) => `  ${i.message}`).join('\n')}\n\n${USAGE}`);
  }
  const a = parsed.data;
  const config = loadConfig();
  const log = createLogger('warn');
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await database.ping();
    await applyMigrations(database);
    // The LTI library keeps its own platform record (and generates TutorKit's key pair for it).
    createLtiAdapter({ db: database.db, log, ltiKey: config.ltiKey, baseUrl: config.baseUrl, handlers: noHandlers });
    const registration = {
      issuer: a.issuer,
      clientId: a['client-id'],
      name: a.name ?? new URL(a['auth-endpoint']).host,
      authEndpoint: a['auth-endpoint'],
      tokenEndpoint: a['token-endpoint'],
      keysetUrl: a['keyset-url'],
      isDemo: false,
      deploymentIds: a['deployment-id'],
    };
    await registerPlatform(database.db, registration, (p) => registerLtijsPlatform({ ...p, authConfig: { method: 'JWK_SET', key: a['keyset-url'] } }));
    const where = config.databaseUrl ? describeUrl(config.databaseUrl) : config.dataDir;
    process.stdout.write(
      `Registered ${registration.name} (issuer ${a.issuer}, client ID ${a['client-id']}) with deployment IDs ${a['deployment-id'].join(', ')} in ${where}.\n`,
    );
  } finally {
    await database.close();
  }
}

// The CLI never serves a launch; the adapter just needs handlers to exist.
const noHandlers = {
  onLaunch: async () => undefined,
  onDeepLink: async () => undefined,
  render: async () => undefined,
  sendError: () => undefined,
};

main().catch((err: unknown) => {
  process.stderr.write(`\nregister-platform failed.\n${err instanceof ConfigError ? err.message : (err as Error).message}\n\n`);
  process.exit(1);
});
