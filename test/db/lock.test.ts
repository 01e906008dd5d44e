// One owner per embedded data directory (src/db/lock.ts): the lock itself with real processes
// holding it, and two servers started on one directory.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { openDatabase } from '../../src/db/client.js';
import { acquireDirectoryLock, DirectoryLockedError, LOCK_FILE, processStartOf, readDirectoryLock, type LockHolder } from '../../src/db/lock.js';
import { freePort, killChildren, serveDataDir, startScript, startServer, waitForHealth, withinMs, type Running } from '../support/processes.js';

/** A child process that takes the lock and keeps it; resolves once its lock file is there. */
async function holdInChild(dir: string, kind: string): Promise<Running & { pid: number }> {
  const child = startScript('test/support/hold-lock.ts', [dir, kind], {});
  const pid = child.child.pid!;
  for (let i = 0; i < 200 && readDirectoryLock(dir)?.pid !== pid; i++) await sleep(50);
  expect(readDirectoryLock(dir), 'the child took the lock').to.include({ pid, kind });
  return { ...child, pid };
}

function writeLock(dir: string, holder: Partial<LockHolder>): void {
  const lock: LockHolder = { pid: process.pid, hostname: hostname(), processStart: null, kind: 'server', since: '2026-01-05T09:00:00.000Z', token: 'not-ours', ...holder };
  writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(lock));
}

function refusal(run: () => unknown): DirectoryLockedError {
  try {
    run();
  } catch (err) {
    if (err instanceof DirectoryLockedError) return err;
    throw err;
  }
  throw new Error('expected DirectoryLockedError, but the lock was taken');
}

describe('Data directory lock', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tutorkit-lock-'))));
  afterEach(() => {
    killChildren();
    rmSync(dir, { recursive: true, force: true });
  });

  it('When a running process holds the directory, then another is refused with its pid and command, and the lock stays theirs', async () => {
    const holder = await holdInChild(dir, 'seed:large');

    const err = refusal(() => acquireDirectoryLock(dir, 'register-platform'));
    expect(err.message).to.contain(`npm run seed:large (pid ${holder.pid}`).and.contain('wait for it to finish');
    expect(readDirectoryLock(dir)).to.include({ pid: holder.pid, kind: 'seed:large' });
  });

  it('When the holder was killed (-9), then the next opener takes the lock over and says whose it was', async () => {
    const holder = await holdInChild(dir, 'server');
    holder.child.kill('SIGKILL');
    await holder.exited;

    const lock = acquireDirectoryLock(dir, 'test');
    expect(lock.tookOver).to.contain(`a TutorKit server (pid ${holder.pid}`).and.contain('no longer running');
    expect(readDirectoryLock(dir)).to.include({ pid: process.pid, kind: 'test' });
    lock.release();
  });

  it('When the recorded pid is alive but started at another time (a reused pid), then the lock is taken over', function () {
    const start = processStartOf(process.ppid);
    if (start === null) this.skip(); // no /proc: start times are not compared here
    writeLock(dir, { pid: process.ppid, processStart: String(Number(start) + 1) });

    const lock = acquireDirectoryLock(dir, 'test');
    expect(lock.tookOver).to.contain(`pid ${process.ppid}`);
    lock.release();
  });

  it('When the lock names another host, then it is refused naming that host and the file to delete, and left in place', () => {
    writeLock(dir, { pid: 999_999_999, hostname: 'lab-server-2.example.edu' });

    const err = refusal(() => acquireDirectoryLock(dir, 'server'));
    expect(err.message).to.contain('on host lab-server-2.example.edu (pid 999999999').and.contain(`delete ${path.join(dir, LOCK_FILE)}`);
    expect(readDirectoryLock(dir)).to.include({ hostname: 'lab-server-2.example.edu' });
  });

  it('When the lock file holds no readable owner, then it is replaced', () => {
    writeFileSync(path.join(dir, LOCK_FILE), '{"pid": 12');

    const lock = acquireDirectoryLock(dir, 'test');
    expect(lock.tookOver).to.contain('could not be read');
    expect(readDirectoryLock(dir)).to.include({ pid: process.pid });
    lock.release();
  });

  it('When the embedded database is open, then a second open in the same process is refused; once closed, the lock file is gone', async () => {
    const database = await openDatabase({ dataDir: dir, owner: 'test' });
    try {
      expect(readDirectoryLock(dir)).to.include({ pid: process.pid, kind: 'test' });
      const second = await openDatabase({ dataDir: dir, owner: 'test' }).then(
        async (d) => (await d.close(), null),
        (err: unknown) => err,
      );
      expect(second).to.be.instanceOf(DirectoryLockedError);
    } finally {
      await database.close();
    }
    expect(existsSync(path.join(dir, LOCK_FILE))).to.equal(false);
  });

  it('When another process took the lock over, then releasing ours leaves theirs in place', () => {
    const lock = acquireDirectoryLock(dir, 'test');
    writeLock(dir, { pid: process.ppid, kind: 'server', token: 'theirs' });

    lock.release();
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).to.include({ token: 'theirs' });
  });
});

describe('Two TutorKit servers on one data directory', function () {
  this.timeout(150_000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'tutorkit-two-'))));
  after(() => {
    killChildren();
    rmSync(dir, { recursive: true, force: true });
  });

  it('When a second server starts on the directory, then it exits 1 naming the first, which keeps serving and releases the lock on SIGTERM', async () => {
    const first = await serveDataDir(dir);
    expect(readDirectoryLock(dir)).to.include({ pid: first.child.pid, kind: 'server', url: first.baseUrl });

    const second = await withinMs(startServer({ PORT: String(await freePort()), DATA_DIR: dir }).exited, 60_000, 'the second server exiting');
    expect(second.code).to.equal(1);
    expect(second.stderr).to.contain('TutorKit did not start.').and.contain(`TutorKit is running on this data directory (pid ${first.child.pid}, ${first.baseUrl}`);
    expect(await waitForHealth(first.port, first)).to.deep.equal({ status: 'ok', database: 'pglite', live: { streams: 0, topics: 0 } });

    first.child.kill('SIGTERM');
    expect(await withinMs(first.exited, 12_000, 'shutting down')).to.include({ code: 0 });
    expect(existsSync(path.join(dir, LOCK_FILE))).to.equal(false);
  });
});
