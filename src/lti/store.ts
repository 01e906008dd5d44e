// ltijs storage plugin on PostgreSQL (PGlite or server). ltijs was written for MongoDB: it
// stores schemaless documents, queries them by field equality and relies on TTL indexes for
// expiry. Here each document is one row of lti_records, matched with jsonb containment.
import { randomUUID } from 'node:crypto';
import { and, eq, gt, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { ltiRecords } from '../db/schema.js';
import { decryptLtijsDoc, encryptForLtijs, keyOf, LIFETIME_SECONDS, stripUndefined, toStoredDoc, type Doc } from './ltijs-contract.js';


export class LtiStore {
  constructor(
    private db: Db,
    private readonly log: Logger,
  ) {}

  /** ltijs holds one store for the life of the process; tests point it at a fresh database. */
  bind(db: Db): void {
    this.db = db;
  }

  async setup(): Promise<boolean> {
    await this.db.execute(sql`select 1 from lti_records limit 1`);
    return true;
  }

  async Close(): Promise<boolean> {
    // The database belongs to the application, which closes it on shutdown.
    return true;
  }

  async Get(encryptionKey: string | false, collection: string, query?: Doc): Promise<Doc[] | false> {
    const rows = await this.db
      .select({ doc: ltiRecords.doc, createdAt: ltiRecords.createdAt })
      .from(ltiRecords)
      .where(this.matching(collection, query));
    if (rows.length === 0) return false;
    return rows.map(({ doc, createdAt }) => {
      const plain = encryptionKey ? decryptLtijsDoc(doc as Doc, encryptionKey) : { ...(doc as Doc) };
      // ltijs computes access-token expiry from createdAt in milliseconds.
      return { ...plain, createdAt: createdAt.getTime() };
    });
  }

  async Insert(encryptionKey: string | false, collection: string, item: Doc, index?: Doc): Promise<boolean> {
    const doc = toStoredDoc(encryptionKey, item, index);
    // A duplicate key (a replayed nonce, a reused state) fails here, as MongoDB's unique index did.
    await this.db.insert(ltiRecords).values(this.row(collection, doc));
    return true;
  }

  async Replace(encryptionKey: string | false, collection: string, query: Doc, item: Doc, index?: Doc): Promise<boolean> {
    const doc = toStoredDoc(encryptionKey, item, index);
    const row = this.row(collection, doc);
    await this.db.transaction(async (tx) => {
      await tx.delete(ltiRecords).where(this.matching(collection, query, true));
      await tx
        .insert(ltiRecords)
        .values(row)
        .onConflictDoUpdate({
          target: [ltiRecords.collection, ltiRecords.key],
          set: { doc: row.doc, createdAt: sql`now()`, expiresAt: row.expiresAt },
        });
    });
    return true;
  }

  async Modify(encryptionKey: string | false, collection: string, query: Doc, modification: Doc): Promise<boolean> {
    if (!encryptionKey) {
      // The row key follows the document: ltijs's updatePlatformById changes platformUrl and
      // clientId this way, and Get by the new pair must find the row (and the old pair be free).
      const changes = stripUndefined(modification);
      await this.db.transaction(async (tx) => {
        const rows = await tx
          .select({ key: ltiRecords.key, doc: ltiRecords.doc })
          .from(ltiRecords)
          .where(this.matching(collection, query, true));
        for (const row of rows) {
          const doc = { ...(row.doc as Doc), ...changes };
          await tx
            .update(ltiRecords)
            .set({ doc, key: keyOf(collection, doc) ?? row.key })
            .where(and(eq(ltiRecords.collection, collection), eq(ltiRecords.key, row.key)));
        }
      });
      return true;
    }
    const rows = await this.db
      .select({ key: ltiRecords.key, doc: ltiRecords.doc })
      .from(ltiRecords)
      .where(this.matching(collection, query, true))
      .limit(1);
    const found = rows[0];
    if (!found) return true;
    const stored = found.doc as Doc;
    const updated = { ...decryptLtijsDoc(stored, encryptionKey), ...modification };
    const index = Object.fromEntries(Object.entries(stored).filter(([k]) => k !== 'iv' && k !== 'data'));
    await this.db
      .update(ltiRecords)
      .set({ doc: { ...index, ...encryptForLtijs(JSON.stringify(updated), encryptionKey) } })
      .where(and(eq(ltiRecords.collection, collection), eq(ltiRecords.key, found.key)));
    return true;
  }

  /** ltijs calls Delete without awaiting it, so it must never reject: a failure is logged instead. */
  async Delete(collection: string, query: Doc): Promise<boolean> {
    try {
      await this.db.delete(ltiRecords).where(this.matching(collection, query, true));
      return true;
    } catch (err) {
      this.log.warn({ err, collection }, 'could not delete LTI records');
      return false;
    }
  }

  /** Removes expired documents; run periodically so the table does not grow without bound. */
  async purgeExpired(now = new Date()): Promise<number> {
    const deleted = await this.db.delete(ltiRecords).where(lt(ltiRecords.expiresAt, now)).returning({ key: ltiRecords.key });
    return deleted.length;
  }

  private matching(collection: string, query: Doc | undefined, includeExpired = false): SQL | undefined {
    const conditions: (SQL | undefined)[] = [eq(ltiRecords.collection, collection)];
    const key = query && keyOf(collection, query);
    if (key) conditions.push(eq(ltiRecords.key, key));
    if (query && Object.keys(query).length > 0) {
      conditions.push(sql`${ltiRecords.doc} @> ${JSON.stringify(query)}::jsonb`);
    }
    if (!includeExpired) {
      conditions.push(or(isNull(ltiRecords.expiresAt), gt(ltiRecords.expiresAt, sql`now()`)));
    }
    return and(...conditions);
  }

  private row(collection: string, doc: Doc) {
    const lifetime = LIFETIME_SECONDS[collection];
    return {
      collection,
      key: keyOf(collection, doc) ?? randomUUID(),
      doc,
      expiresAt: lifetime ? sql`now() + make_interval(secs => ${lifetime})` : null,
    };
  }
}
