// npm run register-platform -- --issuer ... --client-id ... --auth-endpoint ... --token-endpoint ...
//   --keyset-url ... --deployment-id ... [--deployment-id ...] [--name ...]
// Registers an LMS with TutorKit (or updates it and adds deployment ids). Safe to run again.
// On the embedded database, while a TutorKit server owns the data directory, the server makes the
// change (one process per directory, see src/db/lock.ts): it is in effect at once, and saved.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { RegisterPlatformArgs, type PlatformCommand } from '../courses/schemas.js';
import { registerPlatform } from '../courses/service.js';
import { describeUrl, openDatabase, type Database } from '../db/client.js';
import { DirectoryLockedError } from '../db/lock.js';
import { applyMigrations } from '../db/migrate.js';
import { createLogger } from '../lib/logger.js';
import { createLtiAdapter, registerLtijsPlatform } from '../lti/provider.js';
import { COMMAND_PATHS } from '../lib/command-auth.js';
import { CommandRefused, postToServer, serverToAsk } from './running-server.js';

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
  const { help: _help, ...args } = values;
  const parsed = RegisterPlatformArgs.safeParse(args);
  if (!parsed.success) {
    throw new ConfigError(`${parsed.error.issues.map((i) => `  ${i.message}`).join('\n')}\n\n${USAGE}`);
  }
  const registration = parsed.data;
  const config = loadConfig();
  let database: Database;
  try {
    database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, owner: 'register-platform' });
  } catch (err) {
    if (!(err instanceof DirectoryLockedError)) throw err;
    const pid = await registerThroughServer(serverToAsk(err), config, args);
    say(registration, `through the running TutorKit server (pid ${pid})`);
    return;
  }
  try {
    if (database.lock?.tookOver) process.stderr.write(database.lock.tookOver + '\n');
    await registerDirectly(database, config, registration);
    say(registration, `in ${config.databaseUrl ? describeUrl(config.databaseUrl) : config.dataDir}`);
  } finally {
    await database.close();
  }
}

/** Nobody else has the database open (or it is a PostgreSQL server): write it ourselves. */
async function registerDirectly(database: Database, config: Config, registration: PlatformCommand): Promise<void> {
  await database.ping();
  await applyMigrations(database);
  // The LTI library keeps its own platform record (and generates TutorKit's key pair for it).
  createLtiAdapter({ db: database.db, log: createLogger('warn'), ltiKey: config.ltiKey, baseUrl: config.baseUrl, handlers: noHandlers });
  await registerPlatform(database.db, registration, (p) => registerLtijsPlatform({ ...p, authConfig: { method: 'JWK_SET', key: registration.keysetUrl } }));
}

/** The server owning the data directory runs the same registration; returns its pid once it has. */
async function registerThroughServer(server: Parameters<typeof postToServer>[0], config: Config, args: Record<string, unknown>): Promise<number> {
  const answer = await postToServer(server, config.ltiKey, COMMAND_PATHS.registerPlatform, args);
  if (answer.status === 200) return server.pid;
  if (answer.status === 401) {
    throw new CommandRefused(
      `TutorKit (pid ${server.pid}) refused the request: this command's LTI_KEY is not the server's. Nothing was changed. ` +
        `Run the command with the LTI_KEY the server was started with (without LTI_KEY both use ${config.dataDir}/lti-key).`,
    );
  }
  const problems = Array.isArray(answer.body.problems) ? answer.body.problems.join('\n  ') : String(answer.body.message ?? answer.body.error ?? '');
  throw new CommandRefused(`TutorKit (pid ${server.pid}) could not register the platform (HTTP ${answer.status}): ${problems}\nNothing was changed.`);
}

function say(r: PlatformCommand, where: string): void {
  process.stdout.write(`Registered ${r.name} (issuer ${r.issuer}, client ID ${r.clientId}) with deployment IDs ${r.deploymentIds.join(', ')} ${where}.\n`);
}

// The CLI never serves a launch; the adapter just needs handlers to exist.
const noHandlers = {
  onLaunch: async () => undefined,
  onDeepLink: async () => undefined,
  render: async () => undefined,
  sendError: () => undefined,
};

main().catch((err: unknown) => {
  process.stderr.write(`\nregister-platform failed.\n${(err as Error).message}\n\n`);
  process.exit(1);
});
