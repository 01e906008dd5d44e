// A small in-memory storage plugin for ltijs, for the "bare ltijs" reference of the benchmark:
// what the LTI library alone costs, with no database at all. It follows the plugin contract in
// /work/shared/notes/ltijs.md: Get/Insert/Replace/Modify/Delete with plain field equality,
// encrypted collections stored as {...index, iv, data}, Get returning createdAt in milliseconds,
// and the expiry MongoDB's TTL indexes gave (enforced on read and purged periodically).
import { decryptLtijsDoc, encryptForLtijs, keyOf, LIFETIME_SECONDS, stripUndefined, toStoredDoc, type Doc } from '../src/lti/ltijs-contract.js';


interface Stored {
  doc: Doc;
  createdAt: number;
  expiresAt: number | null;
}

export class MemoryStore {
  /** collection -> key -> document; documents without their key fields get a generated key. */
  readonly #collections = new Map<string, Map<string, Stored>>();
  #purge: NodeJS.Timeout | undefined;
  #sequence = 0;

  async setup(): Promise<boolean> {
    this.#purge = setInterval(() => this.purgeExpired(), 60_000);
    this.#purge.unref();
    return true;
  }

  async Close(): Promise<boolean> {
    clearInterval(this.#purge);
    return true;
  }

  async Get(encryptionKey: string | false, collection: string, query?: Doc): Promise<Doc[] | false> {
    const found = this.#find(collection, query, Date.now());
    if (found.length === 0) return false;
    return found.map(([, stored]) => {
      const plain = encryptionKey ? decryptLtijsDoc(stored.doc, encryptionKey) : structuredClone(stored.doc);
      return { ...plain, createdAt: stored.createdAt };
    });
  }

  async Insert(encryptionKey: string | false, collection: string, item: Doc, index?: Doc): Promise<boolean> {
    const doc = toStoredDoc(encryptionKey, item, index);
    const key = this.#keyOf(collection, doc);
    const table = this.#table(collection);
    const existing = table.get(key);
    // A duplicate key (a replayed nonce, a reused state) fails, as MongoDB's unique index did.
    if (existing && !isExpired(existing, Date.now())) throw new Error(`E11000 duplicate key in ${collection}`);
    table.set(key, this.#wrap(collection, doc));
    return true;
  }

  async Replace(encryptionKey: string | false, collection: string, query: Doc, item: Doc, index?: Doc): Promise<boolean> {
    const doc = toStoredDoc(encryptionKey, item, index);
    const table = this.#table(collection);
    for (const [key] of this.#find(collection, query, null)) table.delete(key);
    table.set(this.#keyOf(collection, doc), this.#wrap(collection, doc));
    return true;
  }

  async Modify(encryptionKey: string | false, collection: string, query: Doc, modification: Doc): Promise<boolean> {
    const table = this.#table(collection);
    const matches = this.#find(collection, query, null);
    if (encryptionKey) {
      const first = matches[0];
      if (!first) return true;
      const [key, stored] = first;
      const updated = { ...decryptLtijsDoc(stored.doc, encryptionKey), ...modification };
      const index = Object.fromEntries(Object.entries(stored.doc).filter(([k]) => k !== 'iv' && k !== 'data'));
      table.set(key, { ...stored, doc: { ...index, ...encryptForLtijs(JSON.stringify(updated), encryptionKey) } });
      return true;
    }
    for (const [key, stored] of matches) {
      const doc = { ...stored.doc, ...stripUndefined(modification) };
      table.delete(key);
      // The key follows the document (ltijs's updatePlatformById changes platformUrl and clientId).
      table.set(this.#keyOf(collection, doc, key), { ...stored, doc });
    }
    return true;
  }

  /** ltijs calls Delete without awaiting it: never reject. */
  async Delete(collection: string, query: Doc): Promise<boolean> {
    const table = this.#table(collection);
    for (const [key] of this.#find(collection, query, null)) table.delete(key);
    return true;
  }

  purgeExpired(now = Date.now()): number {
    let removed = 0;
    for (const table of this.#collections.values()) {
      for (const [key, stored] of table) {
        if (isExpired(stored, now)) {
          table.delete(key);
          removed++;
        }
      }
    }
    return removed;
  }

  /** Documents per collection, for the reference's own memory figures. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.#collections].map(([name, table]) => [name, table.size]));
  }

  /** Matching documents; a query naming every key field is a direct lookup, anything else a scan. */
  #find(collection: string, query: Doc | undefined, now: number | null): [string, Stored][] {
    const table = this.#table(collection);
    const live = (stored: Stored) => now === null || !isExpired(stored, now);
    const key = query && keyOf(collection, query);
    if (key) {
      const stored = table.get(key);
      return stored && live(stored) && matches(stored.doc, query) ? [[key, stored]] : [];
    }
    const out: [string, Stored][] = [];
    for (const entry of table) if (live(entry[1]) && matches(entry[1].doc, query)) out.push(entry);
    return out;
  }

  #table(collection: string): Map<string, Stored> {
    let table = this.#collections.get(collection);
    if (!table) {
      table = new Map();
      this.#collections.set(collection, table);
    }
    return table;
  }

  #keyOf(collection: string, doc: Doc, fallback?: string): string {
    return keyOf(collection, doc) ?? fallback ?? `#${++this.#sequence}`;
  }

  #wrap(collection: string, doc: Doc): Stored {
    const now = Date.now();
    const lifetime = LIFETIME_SECONDS[collection];
    return { doc, createdAt: now, expiresAt: lifetime ? now + lifetime * 1000 : null };
  }
}

function isExpired(stored: Stored, now: number): boolean {
  return stored.expiresAt !== null && stored.expiresAt <= now;
}

/** Plain field equality (what ltijs's queries are); nested values compare by their JSON. */
function matches(doc: Doc, query: Doc | undefined): boolean {
  if (!query) return true;
  for (const [field, wanted] of Object.entries(query)) {
    if (wanted === undefined) continue;
    const actual = doc[field];
    if (actual === wanted) continue;
    if (typeof wanted === 'object' && wanted !== null && JSON.stringify(actual) === JSON.stringify(wanted)) continue;
    return false;
  }
  return true;
}
