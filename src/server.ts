// Start-up: config, database, migrations, app, listen; and an orderly shutdown.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { describeUrl, openDatabase, type Database } from './db/client.js';
import { DirectoryLockedError } from './db/lock.js';
import { applyMigrations } from './db/migrate.js';
import { systemClock } from './lib/clock.js';
import { createLogger } from './lib/logger.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  for (const warning of config.warnings ?? []) log.warn(warning);
  const where = config.databaseUrl ? `PostgreSQL at ${describeUrl(config.databaseUrl)}` : `embedded PGlite in ${config.dataDir}`;
  let database: Database | undefined;
  try {
    database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, owner: 'server' });
    if (database.lock?.tookOver) log.warn({ lock: database.lock.file }, database.lock.tookOver);
    // Checked before anything else touches the database: ltijs would exit 0 on a failure here.
    await database.ping();
    await applyMigrations(database);
  } catch (err) {
    await database?.close().catch(() => undefined);
    if (err instanceof DirectoryLockedError) throw new StartupError(`${err.message}\nA second TutorKit needs a DATA_DIR of its own.`);
    throw new StartupError(`TutorKit could not open its database (${where}): ${(err as Error).message}`);
  }
  const built = await buildApp({ config, database, log, clock: systemClock, mail: { intervalMs: MAIL_TICK_MS } });
  const server = await listen(built.app, config.port);
  // Commands (register-platform) read this from the lock to make their change through us.
  database.lock?.announce(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  log.info({ url: config.baseUrl, database: database.kind, demo: config.demo }, `TutorKit is running at ${config.baseUrl}`);
  handleShutdown(server, async () => {
    // The worker finishes the email in flight and records it before the database goes.
    await built.stop();
    await database.close();
  }, log, built.endStreams);
}

/** How often queued email and due reminders are looked at. */
const MAIL_TICK_MS = 15_000;

class StartupError extends Error {}

function listen(app: RequestListener, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new StartupError(err.code === 'EADDRINUSE' ? `Port ${port} is already in use; set PORT to a free port.` : err.message)),
    );
    server.listen(port, () => resolve(server));
  });
}

/** Finish in-flight requests, then close the database so PGlite flushes to disk. */
function handleShutdown(server: Server, closeResources: () => Promise<void>, log: ReturnType<typeof createLogger>, endStreams: () => void): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    server.close(async () => {
      try {
        await closeResources();
        log.info('shutdown complete');
        process.exit(0);
      } catch (err) {
        log.error({ err }, 'error while closing');
        process.exit(1);
      }
    });
    server.closeIdleConnections();
    // Live streams are requests that never finish by themselves.
    endStreams();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof StartupError;
  process.stderr.write(`\nTutorKit did not start.\n${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n\n`);
  process.exit(1);
});
