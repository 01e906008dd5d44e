// Starts the real server process (node --import tsx src/server.ts) the way an operator would, and
// checks what they see: a clear message and a non-zero exit on a bad start, a clean exit on SIGTERM.
import { createDecipheriv, createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../src/db/client.js';
import { ltiRecords, platforms } from '../src/db/schema.js';
import { freePort, killChildren, startServer, waitForHealth, withinMs } from './support/processes.js';

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe('Server start-up', function () {
  this.timeout(120_000);
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tutorkit-startup-'));
  });
  afterEach(() => {
    killChildren();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('When the PostgreSQL server cannot be reached, then it exits 1 quickly saying it could not open the database at 127.0.0.1:1', async () => {
    const server = startServer({ PORT: String(await freePort()), DATA_DIR: dataDir, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing' });
    const exit = await withinMs(server.exited, 15_000, 'exiting');

    expect(exit.code).to.equal(1);
    expect(exit.stderr).to.contain('TutorKit did not start.');
    expect(exit.stderr).to.contain('could not open its database');
    expect(exit.stderr).to.contain('127.0.0.1:1/nothing');
    expect(exit.stderr).to.not.match(STACK_FRAME);
  });

  it('When PORT is not a number, then it exits 1 naming PORT', async () => {
    const exit = await withinMs(startServer({ PORT: 'abc', DATA_DIR: dataDir }).exited, 15_000, 'exiting');

    expect(exit.code).to.equal(1);
    expect(exit.stderr).to.contain('Invalid configuration');
    expect(exit.stderr).to.contain('PORT: must be a port number');
    expect(exit.stderr).to.not.match(STACK_FRAME);
  });

  it('When production is started without LTI_KEY, then it exits 1 naming LTI_KEY and creates no database', async () => {
    const exit = await withinMs(
      startServer({ NODE_ENV: 'production', BASE_URL: 'https://tutorkit.example.edu', PORT: String(await freePort()), DATA_DIR: dataDir })
        .exited,
      15_000,
      'exiting',
    );

    expect(exit.code).to.equal(1);
    expect(exit.stderr).to.contain('LTI_KEY: required in production');
    expect(exit.stderr).to.not.match(STACK_FRAME);
    expect(readdirSync(dataDir)).to.deep.equal([]);
  });

  it('When started on an empty data dir, then it answers healthy on PGlite, exits 0 on SIGTERM and restarts on the same data', async () => {
    const port = await freePort();
    const first = startServer({ PORT: String(port), DATA_DIR: dataDir });
    expect(await waitForHealth(port, first)).to.deep.equal({ status: 'ok', database: 'pglite', live: { streams: 0, topics: 0 } });
    const key = readFileSync(path.join(dataDir, 'lti-key'), 'utf8');
    first.child.kill('SIGTERM');
    const firstExit = await withinMs(first.exited, 12_000, 'shutting down');
    expect(firstExit).to.include({ code: 0, signal: null });
    expect(firstExit.stderr).to.equal('');

    const second = startServer({ PORT: String(port), DATA_DIR: dataDir });
    expect(await waitForHealth(port, second)).to.deep.equal({ status: 'ok', database: 'pglite', live: { streams: 0, topics: 0 } });
    second.child.kill('SIGTERM');
    expect(await withinMs(second.exited, 12_000, 'shutting down')).to.include({ code: 0, signal: null });

    // The same key, and the records the first start wrote are still there and still readable with it.
    expect(readFileSync(path.join(dataDir, 'lti-key'), 'utf8')).to.equal(key);
    const database = await openDatabase({ dataDir });
    try {
      const demo = await database.db.select({ name: platforms.name }).from(platforms).where(eq(platforms.isDemo, true));
      expect(demo).to.have.lengthOf(1);
      const keys = await database.db.select({ doc: ltiRecords.doc }).from(ltiRecords).where(eq(ltiRecords.collection, 'privatekey'));
      expect(keys).to.have.lengthOf(1);
      const { iv, data } = keys[0]!.doc as { iv: string; data: string };
      const decipher = createDecipheriv('aes-256-cbc', createHash('sha256').update(key.trim()).digest(), Buffer.from(iv, 'hex'));
      const plain = Buffer.concat([decipher.update(Buffer.from(data, 'hex')), decipher.final()]).toString('utf8');
      expect((JSON.parse(plain) as { key: string }).key).to.contain('PRIVATE KEY');
    } finally {
      await database.close();
    }
  });
});
