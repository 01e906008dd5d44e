// Opens the database: embedded PGlite by default, server PostgreSQL when DATABASE_URL is set.
// Both are driven through the same Drizzle API and the same SQL migrations.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { acquireDirectoryLock, type DirectoryLock } from './lock.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** The server's URL, for connections of their own (the live layer's LISTEN); null when embedded. */
  readonly url: string | null;
  /** Throws a readable error when the database cannot answer. */
  ping(): Promise<void>;
  /** Runs `work` while holding a server-wide lock, so only one instance migrates at a time. */
  exclusively<T>(lockId: number, work: () => Promise<T>): Promise<T>;
  /** This process's hold on an embedded data directory (see lock.ts); null in memory and on a server. */
  readonly lock: DirectoryLock | null;
  /** Closes the database, then releases the directory lock. */
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent the embedded database is used. */
  url?: string;
  /** Folder for the embedded database, or 'memory' for a throwaway one (tests). */
  dataDir?: string;
  /** Who opens an embedded folder ("server", "register-platform", ...), written into its lock. */
  owner?: string;
}

/** Opens the database. An embedded folder held by another process throws DirectoryLockedError. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openServer(options.url) : openEmbedded(options.dataDir ?? './data', options.owner ?? 'command');
}

async function openEmbedded(dataDir: string, owner: string): Promise<Database> {
  let target = 'memory://';
  let lock: DirectoryLock | null = null;
  if (dataDir !== 'memory') {
    target = path.join(dataDir, 'pglite');
    mkdirSync(target, { recursive: true });
    // Before PGlite reads a byte: a second opener would work on a copy and may corrupt the folder.
    lock = acquireDirectoryLock(dataDir, owner);
  }
  let client: PGlite;
  try {
    // PGlite runs queries one at a time and holds other queries back while a transaction is
    // open, so a transaction is never interleaved with another request's statements.
    // btree_gist backs the constraint that keeps tutors from being double-booked (drizzle/0004).
    client = await PGlite.create(target, { extensions: { btree_gist } });
  } catch (err) {
    lock?.release();
    throw err;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    url: null,
    ping: async () => void (await db.execute(sql`select 1`)),
    // The directory lock makes this process the only one on the database: nobody to exclude.
    exclusively: (_lockId, work) => work(),
    lock,
    close: async () => {
      if (!client.closed) await client.close();
      // Not on a failed close: the folder may still be in use. The exit hook releases it then.
      lock?.release();
    },
  };
}

async function openServer(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    url,
    ping: async () => {
      try {
        await pool.query('select 1');
      } catch (err) {
        throw new Error(`no answer: ${(err as Error).message || String(err)}`);
      }
    },
    exclusively: async (lockId, work) => {
      // A session-level lock on a connection of its own, held while the work uses the pool.
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [lockId]);
        return await work();
      } finally {
        await client.query('select pg_advisory_unlock($1)', [lockId]).catch(() => undefined);
        client.release();
      }
    },
    lock: null,
    close: async () => {
      if (!pool.ended) await pool.end();
    },
  };
}

/** host:port/database without the password, for messages and logs. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
