import { readFileSync } from 'node:fs';
// The database layer: committed migrations, and transactions that are all-or-nothing on both
// engines (embedded PGlite and server PostgreSQL).
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { describeUrl } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { settings } from '../../src/db/schema.js';
import { openTestDatabase } from '../support/app.js';

/** Rows of a raw query; PGlite and node-postgres both answer with `{ rows }`. */
const rowsOf = async <T>(database: Database, query: SQL): Promise<T[]> =>
  ((await database.db.execute(query)) as unknown as { rows: T[] }).rows;

/** The committed migrations, as drizzle-kit lists them. */
const journal = JSON.parse(readFileSync(new URL('../../drizzle/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] };

const appliedMigrations = async (database: Database): Promise<number> =>
  Number((await rowsOf<{ n: number }>(database, sql`select count(*)::int as n from drizzle.__drizzle_migrations`))[0]!.n);

const countSettings = async (database: Database): Promise<number> => {
  const rows = await database.db.select({ n: sql<number>`count(*)::int` }).from(settings);
  return Number(rows[0]!.n);
};

const settingKeys = async (database: Database): Promise<string[]> =>
  (await database.db.select({ key: settings.key }).from(settings).orderBy(settings.key)).map((r) => r.key);

describe('Database', () => {
  let database: Database;
  let drop: () => Promise<void>;

  before(async () => {
    ({ database, drop } = await openTestDatabase());
  });
  after(async () => {
    await database.close();
    await drop();
  });

  describe('migrations', () => {
    it('When migrations are applied twice, then the second run changes nothing and each migration is recorded once', async () => {
      await applyMigrations(database);
      await database.db.insert(settings).values({ key: 'kept', value: { across: 'runs' } });
      await applyMigrations(database);

      expect(await appliedMigrations(database)).to.equal(journal.entries.length);
      const [kept] = await database.db.select().from(settings);
      expect(kept).to.include({ key: 'kept' });
      expect(kept!.value).to.deep.equal({ across: 'runs' });
      await database.db.delete(settings);
    });

    it('When migrations have run, then every table of the schema exists', async () => {
      const tables = await rowsOf<{ table_name: string }>(
        database,
        sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
      );
      expect(tables.map((r) => r.table_name)).to.include.members([
        'courses',
        'deployments',
        'lti_records',
        'memberships',
        'platforms',
        'settings',
        'users',
      ]);
      const roles = await rowsOf<{ role: string }>(database, sql`select unnest(enum_range(null::tutorkit_role))::text as role`);
      expect(roles.map((r) => r.role)).to.deep.equal(['admin', 'instructor', 'tutor', 'student']);
    });

    it('When two instances migrate a fresh server database at the same time, then both succeed and the schema is created once', async function () {
      // Only a server is shared between processes; an embedded database belongs to one process.
      if (database.kind !== 'postgres') this.skip();
      const { database: fresh, drop: dropFresh } = await openTestDatabase();
      try {
        const second = await openSecondPool(fresh);
        try {
          await Promise.all([applyMigrations(fresh), applyMigrations(second)]);
        } finally {
          await second.close();
        }
        expect(await appliedMigrations(fresh)).to.equal(journal.entries.length);
        await fresh.db.insert(settings).values({ key: 'works', value: true });
        expect(await settingKeys(fresh)).to.deep.equal(['works']);
      } finally {
        await fresh.close();
        await dropFresh();
      }
    });
  });

  describe('transactions', () => {
    beforeEach(async () => {
      await database.db.delete(settings);
    });

    it('When a transaction throws after inserting, then nothing it wrote is left behind', async () => {
      await database.db.insert(settings).values({ key: 'before', value: 1 });
      const failed = await database.db
        .transaction(async (tx) => {
          await tx.insert(settings).values({ key: 'inside-1', value: 1 });
          await tx.insert(settings).values({ key: 'inside-2', value: 2 });
          throw new Error('boom');
        })
        .then(
          () => null,
          (err: Error) => err.message,
        );
      expect(failed).to.equal('boom');
      expect(await settingKeys(database)).to.deep.equal(['before']);
    });

    it('When another request reads during an open transaction, then it never sees the uncommitted row and still completes', async () => {
      const events: string[] = [];
      const transaction = database.db
        .transaction(async (tx) => {
          await tx.insert(settings).values({ key: 'uncommitted', value: { half: 'done' } });
          events.push('inserted');
          await sleep(50);
          throw new Error('rolled back');
        })
        .catch((err: Error) => events.push(`transaction ${err.message}`));

      // Reads fired at several moments while the transaction is open, as other requests would be.
      const reads = [0, 10, 25, 40].map(async (delay) => {
        await sleep(delay);
        const seen = await countSettings(database);
        events.push(`read ${seen}`);
        return seen;
      });
      const seen = await Promise.all(reads);
      await transaction;

      expect(seen).to.deep.equal([0, 0, 0, 0]);
      expect(await settingKeys(database)).to.deep.equal([]);
      if (database.kind === 'pglite') {
        // One connection: the reads wait until the transaction has finished.
        expect(events.indexOf('transaction rolled back')).to.be.lessThan(events.indexOf('read 0'));
      }
    });

    it('When a transaction commits while another request reads, then the reader sees either none or all of its rows', async () => {
      const transaction = database.db.transaction(async (tx) => {
        await tx.insert(settings).values({ key: 'a', value: 1 });
        await sleep(30);
        await tx.insert(settings).values({ key: 'b', value: 2 });
      });
      const reads = [0, 15, 45].map(async (delay) => {
        await sleep(delay);
        return countSettings(database);
      });
      const [seen] = await Promise.all([Promise.all(reads), transaction]);
      for (const count of seen) expect(count).to.be.oneOf([0, 2]);
      expect(await settingKeys(database)).to.deep.equal(['a', 'b']);
    });
  });

  it('When a server URL is described, then the password never appears', () => {
    expect(describeUrl('postgres://tutor:s3cret@db.example.edu:6543/tutorkit')).to.equal('db.example.edu:6543/tutorkit');
    expect(describeUrl('postgres://db.example.edu/tutorkit')).to.equal('db.example.edu:5432/tutorkit');
    expect(describeUrl('not a url')).to.equal('(unparseable DATABASE_URL)');
  });
});

/** A second, independent connection pool to the same server database. */
async function openSecondPool(like: Database): Promise<Database> {
  const { openDatabase } = await import('../../src/db/client.js');
  const [current] = await rowsOf<{ name: string }>(like, sql`select current_database() as name`);
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${current!.name}`;
  return openDatabase({ url: url.toString() });
}
