// The ltijs storage plugin contract (see /work/shared/notes/ltijs.md), against a real database.
import { createDecipheriv, createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { and, eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import type { Database } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { ltiRecords } from '../../src/db/schema.js';
import { LtiStore } from '../../src/lti/store.js';
import { openTestDatabase } from '../support/app.js';

const KEY = 'store-test-key-0123456789abcdef0123456789';

type Doc = Record<string, unknown>;

describe('LTI store (ltijs storage plugin)', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let store: LtiStore;
  const logs: string[] = [];

  before(async () => {
    ({ database, drop } = await openTestDatabase());
    await applyMigrations(database);
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    store = new LtiStore(database.db, pino({ level: 'debug' }, sink));
    expect(await store.setup()).to.equal(true);
  });
  after(async () => {
    await database.close();
    await drop();
  });
  beforeEach(async () => {
    await database.db.delete(ltiRecords);
  });

  const storedDocs = async (collection: string): Promise<Doc[]> =>
    (await database.db.select({ doc: ltiRecords.doc }).from(ltiRecords).where(eq(ltiRecords.collection, collection))).map(
      (r) => r.doc as Doc,
    );

  const platform = (overrides: Doc = {}): Doc => ({
    platformName: 'Moodle',
    platformUrl: 'https://moodle.example.edu',
    clientId: 'client-1',
    authEndpoint: 'https://moodle.example.edu/auth',
    accesstokenEndpoint: 'https://moodle.example.edu/token',
    kid: 'kid-1',
    authConfig: { method: 'JWK_SET', key: 'https://moodle.example.edu/jwks' },
    ...overrides,
  });

  describe('Get', () => {
    it('When nothing matches, then Get returns false (not an empty array)', async () => {
      expect(await store.Get(false, 'platform', { platformUrl: 'https://nowhere.example.edu' })).to.equal(false);
      expect(await store.Get(false, 'platform')).to.equal(false);
    });

    it('When a platform is inserted, then Get by its full key returns it as an array with createdAt in ms', async () => {
      const before = Date.now();
      await store.Insert(false, 'platform', platform());
      const found = await store.Get(false, 'platform', { platformUrl: 'https://moodle.example.edu', clientId: 'client-1' });
      expect(found).to.be.an('array').with.lengthOf(1);
      const [doc] = found as Doc[];
      expect(doc).to.deep.include(platform());
      expect(doc!.createdAt).to.be.a('number');
      // createdAt comes from the database clock; allow for a little skew between the two.
      expect(doc!.createdAt as number).to.be.within(before - 5_000, Date.now() + 5_000);
    });

    it('When two platforms share a URL, then Get by platformUrl alone returns both and Get by clientId returns one', async () => {
      await store.Insert(false, 'platform', platform({ clientId: 'client-1', kid: 'kid-1' }));
      await store.Insert(false, 'platform', platform({ clientId: 'client-2', kid: 'kid-2' }));
      await store.Insert(false, 'platform', platform({ platformUrl: 'https://canvas.example.edu', clientId: 'client-3', kid: 'kid-3' }));

      const byUrl = (await store.Get(false, 'platform', { platformUrl: 'https://moodle.example.edu' })) as Doc[];
      expect(byUrl.map((d) => d.clientId).sort()).to.deep.equal(['client-1', 'client-2']);
      const byKid = (await store.Get(false, 'platform', { kid: 'kid-3' })) as Doc[];
      expect(byKid.map((d) => d.platformUrl)).to.deep.equal(['https://canvas.example.edu']);
      const all = (await store.Get(false, 'platform')) as Doc[];
      expect(all).to.have.lengthOf(3);
    });

    it('When a query names a value that differs, then nothing matches', async () => {
      await store.Insert(false, 'platform', platform());
      expect(await store.Get(false, 'platform', { platformUrl: 'https://moodle.example.edu', clientId: 'client-9' })).to.equal(false);
      expect(await store.Get(false, 'platform', { platformUrl: 'https://moodle.example.edu', kid: 'kid-9' })).to.equal(false);
    });

    it('When the same fields are stored in another collection, then Get only looks in the one asked for', async () => {
      await store.Insert(false, 'idtoken', { iss: 'https://moodle.example.edu', clientId: 'c', deploymentId: 'd', user: 'u1' });
      expect(await store.Get(false, 'contexttoken', { user: 'u1' })).to.equal(false);
      expect(await store.Get(false, 'idtoken', { user: 'u1' })).to.be.an('array').with.lengthOf(1);
    });
  });

  describe('Replace', () => {
    it('When Replace runs twice with the same key, then one row remains holding the second content', async () => {
      const query = { platformUrl: 'https://moodle.example.edu', clientId: 'client-1' };
      await store.Replace(false, 'platform', query, platform({ platformName: 'Old name' }));
      await store.Replace(false, 'platform', query, platform({ platformName: 'New name' }));

      const rows = await storedDocs('platform');
      expect(rows).to.have.lengthOf(1);
      expect(rows[0]).to.include({ platformName: 'New name', clientId: 'client-1' });
      const found = (await store.Get(false, 'platform', query)) as Doc[];
      expect(found.map((d) => d.platformName)).to.deep.equal(['New name']);
    });

    it('When Replace is keyed by platform but the new key pair has a new kid, then the old key row is replaced', async () => {
      // ltijs regenerates a platform's keys with Replace(query {platformUrl, clientId}, index {kid, ...}).
      const index = (kid: string) => ({ kid, platformUrl: 'https://moodle.example.edu', clientId: 'client-1' });
      const query = { platformUrl: 'https://moodle.example.edu', clientId: 'client-1' };
      await store.Replace(KEY, 'publickey', query, { key: 'PUBLIC-1', kid: 'kid-1' }, index('kid-1'));
      await store.Replace(KEY, 'publickey', query, { key: 'PUBLIC-2', kid: 'kid-2' }, index('kid-2'));

      const rows = await storedDocs('publickey');
      expect(rows.map((r) => r.kid)).to.deep.equal(['kid-2']);
      const found = (await store.Get(KEY, 'publickey', { kid: 'kid-2' })) as Doc[];
      expect(found[0]).to.include({ key: 'PUBLIC-2', kid: 'kid-2' });
    });

    it('When an item holds undefined fields, then they are dropped rather than failing the write', async () => {
      await store.Replace(false, 'platform', { platformUrl: 'https://moodle.example.edu', clientId: 'client-1' }, platform({ authorizationServer: undefined }));
      const [row] = await storedDocs('platform');
      expect(row).to.not.have.property('authorizationServer');
      expect(row).to.include({ platformName: 'Moodle' });
    });
  });

  describe('Modify', () => {
    it('When a plain document is modified, then the given fields change and the others stay', async () => {
      await store.Insert(false, 'contexttoken', { contextId: 'ctx-1', user: 'u1', path: '/old', context: { id: 'ctx-1' } });
      await store.Modify(false, 'contexttoken', { contextId: 'ctx-1', user: 'u1' }, { path: '/new' });

      const [row] = await storedDocs('contexttoken');
      expect(row).to.deep.equal({ contextId: 'ctx-1', user: 'u1', path: '/new', context: { id: 'ctx-1' } });
    });

    it('When a platform is modified through its kid with a new URL, then Get by the new URL and client id finds it', async () => {
      // ltijs's updatePlatformById does exactly this: Modify(false, 'platform', { kid }, { platformUrl, clientId, ... }).
      await store.Insert(false, 'platform', platform());
      await store.Modify(false, 'platform', { kid: 'kid-1' }, { platformUrl: 'https://lms.example.edu', clientId: 'client-9' });

      const found = (await store.Get(false, 'platform', { platformUrl: 'https://lms.example.edu', clientId: 'client-9' })) as Doc[];
      expect(found).to.be.an('array').with.lengthOf(1);
      expect(found[0]).to.include({ kid: 'kid-1', platformName: 'Moodle' });
      expect(await store.Get(false, 'platform', { platformUrl: 'https://moodle.example.edu', clientId: 'client-1' })).to.equal(false);
      // The old key must be free again: registering the old pair afresh is a new platform, not a clash.
      await store.Insert(false, 'platform', platform({ kid: 'kid-2' }));
      expect(await storedDocs('platform')).to.have.lengthOf(2);
    });

    it('When an encrypted document is modified, then the secret is re-encrypted with the change and the index fields stay', async () => {
      await store.Insert(KEY, 'accesstoken', { token: { access_token: 'first' } }, { platformUrl: 'p', clientId: 'c', scopes: 's' });
      await store.Modify(KEY, 'accesstoken', { platformUrl: 'p', clientId: 'c', scopes: 's' }, { token: { access_token: 'second' } });

      const [row] = await storedDocs('accesstoken');
      expect(Object.keys(row!).sort()).to.deep.equal(['clientId', 'data', 'iv', 'platformUrl', 'scopes']);
      expect(JSON.stringify(row)).to.not.contain('second');
      const [found] = (await store.Get(KEY, 'accesstoken', { platformUrl: 'p', clientId: 'c', scopes: 's' })) as Doc[];
      expect(found!.token).to.deep.equal({ access_token: 'second' });
    });

    it('When the index fields of an encrypted row are modified in plain, then the secret is untouched', async () => {
      // ltijs moves keys to a new platform URL this way (Modify with no encryption key).
      await store.Insert(KEY, 'privatekey', { key: 'PRIVATE', kid: 'kid-1' }, { kid: 'kid-1', platformUrl: 'old', clientId: 'c' });
      await store.Modify(false, 'privatekey', { kid: 'kid-1' }, { platformUrl: 'new' });

      const [row] = await storedDocs('privatekey');
      expect(row).to.include({ kid: 'kid-1', platformUrl: 'new', clientId: 'c' });
      const [found] = (await store.Get(KEY, 'privatekey', { kid: 'kid-1' })) as Doc[];
      expect(found).to.include({ key: 'PRIVATE', kid: 'kid-1' });
    });

    it('When nothing matches a Modify, then nothing is created', async () => {
      expect(await store.Modify(KEY, 'accesstoken', { platformUrl: 'p', clientId: 'c', scopes: 's' }, { token: 't' })).to.equal(true);
      expect(await store.Modify(false, 'platform', { kid: 'nobody' }, { platformName: 'x' })).to.equal(true);
      expect(await database.db.select().from(ltiRecords)).to.have.lengthOf(0);
    });
  });

  describe('encrypted collections', () => {
    const privateKey = '-----BEGIN RSA PRIVATE KEY-----\nMIIEsecretsecret\n-----END RSA PRIVATE KEY-----\n';

    for (const collection of ['publickey', 'privatekey'] as const) {
      it(`When a ${collection} is inserted with the key, then the row holds only the index and iv/data, never the secret`, async () => {
        await store.Insert(KEY, collection, { key: privateKey, kid: 'kid-7' }, { kid: 'kid-7', platformUrl: 'https://moodle.example.edu', clientId: 'c' });

        const [row] = await storedDocs(collection);
        expect(Object.keys(row!).sort()).to.deep.equal(['clientId', 'data', 'iv', 'kid', 'platformUrl']);
        expect(row!.iv).to.match(/^[0-9a-f]{32}$/);
        expect(row!.data).to.match(/^[0-9a-f]+$/);
        expect(JSON.stringify(row)).to.not.contain('MIIEsecret');
      });
    }

    it('When an encrypted row is read with the key, then Get returns the decrypted object plus createdAt in ms', async () => {
      await store.Insert(KEY, 'privatekey', { key: privateKey, kid: 'kid-7' }, { kid: 'kid-7', platformUrl: 'p', clientId: 'c' });

      const [found] = (await store.Get(KEY, 'privatekey', { kid: 'kid-7' })) as Doc[];
      expect(Object.keys(found!).sort()).to.deep.equal(['createdAt', 'key', 'kid']);
      expect(found).to.include({ key: privateKey, kid: 'kid-7' });
      expect(found!.createdAt).to.be.a('number').and.to.be.within(Date.now() - 60_000, Date.now() + 60_000);
    });

    it('When a row is read without the key, then Get returns the stored index and ciphertext (ltijs checks kid existence this way)', async () => {
      await store.Insert(KEY, 'publickey', { key: 'PUBLIC', kid: 'kid-7' }, { kid: 'kid-7', platformUrl: 'p', clientId: 'c' });
      const [found] = (await store.Get(false, 'publickey', { kid: 'kid-7' })) as Doc[];
      expect(found).to.include.keys('iv', 'data', 'kid');
      expect(found).to.not.have.property('key');
    });

    it('When a row is stored, then node:crypto decrypts it with AES-256-CBC and sha256(key), as ltijs itself would', async () => {
      const secret = { token: { access_token: 'at-123', expires_in: 3600 }, nested: ['ünïcødé'] };
      await store.Insert(KEY, 'accesstoken', secret, { platformUrl: 'p', clientId: 'c', scopes: 'a b' });

      const [row] = await storedDocs('accesstoken');
      const key = createHash('sha256').update(KEY).digest();
      const decipher = createDecipheriv('aes-256-cbc', key, Buffer.from(String(row!.iv), 'hex'));
      const text = Buffer.concat([decipher.update(Buffer.from(String(row!.data), 'hex')), decipher.final()]).toString('utf8');
      expect(JSON.parse(text)).to.deep.equal(secret);
    });

    it('When a row was encrypted by ltijs itself (its Database.Encrypt), then the store decrypts it', async () => {
      const { createRequire } = await import('node:module');
      const require = createRequire(import.meta.url);
      // Encrypt uses no instance state; the constructor wants a MongoDB configuration.
      const ltijsDatabase = require('ltijs/dist/Utils/Database.js') as {
        prototype: { Encrypt(data: string, secret: string): Promise<{ iv: string; data: string }> };
      };
      const encrypted = await ltijsDatabase.prototype.Encrypt(JSON.stringify({ key: 'FROM-LTIJS', kid: 'kid-9' }), KEY);
      await database.db.insert(ltiRecords).values({
        collection: 'publickey',
        key: JSON.stringify(['kid-9']),
        doc: { kid: 'kid-9', ...encrypted },
      });
      const [found] = (await store.Get(KEY, 'publickey', { kid: 'kid-9' })) as Doc[];
      expect(found).to.include({ key: 'FROM-LTIJS', kid: 'kid-9' });
    });

    it('When an encrypted Insert has no index, then it rejects with MISSING_PARAMS and stores nothing', async () => {
      let error: unknown;
      await store.Insert(KEY, 'publickey', { key: 'k' }).catch((err: unknown) => (error = err));
      expect((error as Error).message).to.equal('MISSING_PARAMS');
      expect(await storedDocs('publickey')).to.have.lengthOf(0);
    });
  });

  describe('expiry and replay', () => {
    it('When a state has expired, then Get no longer returns it and purgeExpired removes it', async () => {
      await store.Insert(false, 'state', { state: 'old-state', query: { iss: 'x' } });
      await store.Insert(false, 'state', { state: 'fresh-state', query: { iss: 'y' } });
      await database.db.execute(sql`update lti_records set expires_at = now() - interval '1 second' where collection = 'state' and doc->>'state' = 'old-state'`);

      expect(await store.Get(false, 'state', { state: 'old-state' })).to.equal(false);
      const fresh = (await store.Get(false, 'state', { state: 'fresh-state' })) as Doc[];
      expect(fresh[0]).to.deep.include({ state: 'fresh-state', query: { iss: 'y' } });

      expect(await store.purgeExpired()).to.equal(1);
      const remaining = await storedDocs('state');
      expect(remaining.map((d) => d.state)).to.deep.equal(['fresh-state']);
    });

    it('When a state is stored, then it expires about ten minutes later and a platform never expires', async () => {
      await store.Insert(false, 'state', { state: 's1' });
      await store.Insert(false, 'platform', platform());
      const rows = await database.db
        .select({ collection: ltiRecords.collection, ttl: sql<number>`extract(epoch from ${ltiRecords.expiresAt} - ${ltiRecords.createdAt})::float8` })
        .from(ltiRecords);
      const byCollection = Object.fromEntries(rows.map((r) => [r.collection, r.ttl === null ? null : Number(r.ttl)]));
      expect(byCollection).to.deep.equal({ state: 600, platform: null });
    });

    it('When an expired access token is replaced, then the new one is readable and fresh', async () => {
      const index = { platformUrl: 'p', clientId: 'c', scopes: 's' };
      await store.Replace(KEY, 'accesstoken', index, { token: 'old' }, index);
      await database.db.execute(sql`update lti_records set expires_at = now() - interval '1 second', created_at = now() - interval '2 hours'`);
      expect(await store.Get(KEY, 'accesstoken', index)).to.equal(false);

      await store.Replace(KEY, 'accesstoken', index, { token: 'new' }, index);
      const [found] = (await store.Get(KEY, 'accesstoken', index)) as Doc[];
      expect(found!.token).to.equal('new');
      expect(found!.createdAt as number).to.be.within(Date.now() - 60_000, Date.now() + 60_000);
      expect(await storedDocs('accesstoken')).to.have.lengthOf(1);
    });

    it('When the same nonce is inserted twice, then the second Insert rejects and one row remains', async () => {
      await store.Insert(false, 'nonce', { nonce: 'n-1' });
      let error: unknown;
      await store.Insert(false, 'nonce', { nonce: 'n-1' }).catch((err: unknown) => (error = err));
      expect(error).to.be.instanceOf(Error);
      expect(await storedDocs('nonce')).to.deep.equal([{ nonce: 'n-1' }]);
      const found = (await store.Get(false, 'nonce', { nonce: 'n-1' })) as Doc[];
      expect(found).to.have.lengthOf(1);
    });
  });

  describe('Delete', () => {
    it('When Delete matches by a partial query, then only the matching rows are removed', async () => {
      await store.Insert(false, 'contexttoken', { contextId: 'a', user: 'u1' });
      await store.Insert(false, 'contexttoken', { contextId: 'b', user: 'u1' });
      await store.Insert(false, 'contexttoken', { contextId: 'a', user: 'u2' });

      expect(await store.Delete('contexttoken', { user: 'u1' })).to.equal(true);
      expect(await storedDocs('contexttoken')).to.deep.equal([{ contextId: 'a', user: 'u2' }]);
    });

    it('When the database is closed, then Delete resolves false instead of rejecting and logs a warning', async () => {
      // ltijs calls Delete('state', ...) without awaiting it: a rejection would crash the process.
      const { database: other, drop: dropOther } = await openTestDatabase();
      try {
        const closedStore = new LtiStore(other.db, pino({ level: 'debug' }, new Writable({ write: (c: Buffer, _e, done) => (logs.push(c.toString()), done()) })));
        await other.close();
        const before = logs.length;
        expect(await closedStore.Delete('state', { state: 'abc' })).to.equal(false);
        const warning = logs.slice(before).map((line) => JSON.parse(line) as Doc);
        expect(warning).to.have.lengthOf(1);
        expect(warning[0]).to.include({ msg: 'could not delete LTI records', collection: 'state' });
      } finally {
        await dropOther();
      }
    });
  });

  it('When a row is stored, then its natural key is the collection key fields (one row per key)', async () => {
    await store.Insert(false, 'idtoken', { iss: 'i', clientId: 'c', deploymentId: 'd', user: 'u', extra: 1 });
    const rows = await database.db
      .select({ key: ltiRecords.key })
      .from(ltiRecords)
      .where(and(eq(ltiRecords.collection, 'idtoken')));
    expect(rows).to.deep.equal([{ key: JSON.stringify(['i', 'c', 'd', 'u']) }]);
  });
});
