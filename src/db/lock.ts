// One owner per embedded database. PGlite is PostgreSQL in this process's memory, written to its
// folder as it goes: a second process opening the same folder works on a copy the first one will
// overwrite, and the two can leave a folder that no longer opens. So whoever opens the folder
// first leaves a lock file beside it, and everyone else reads it and refuses, or (register-platform)
// asks the owner to make the change.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export const LOCK_FILE = 'pglite.lock';

/** What the lock file says about its owner. */
export const LockHolder = z.object({
  pid: z.number().int(),
  hostname: z.string(),
  /** The process's start time in clock ticks after boot (Linux), to tell a reused pid from the owner. */
  processStart: z.string().nullable(),
  /** "server", "register-platform", "seed:large", "bench", "test", ... */
  kind: z.string(),
  since: z.string(),
  /** Where a server answers, recorded once it listens. */
  url: z.string().optional(),
  /** Tells two locks of one process apart (a test may open and close several databases). */
  token: z.string(),
});
export type LockHolder = z.infer<typeof LockHolder>;

export class DirectoryLockedError extends Error {
  constructor(
    readonly holder: LockHolder,
    readonly file: string,
  ) {
    super(describeRefusal(holder, file));
    this.name = 'DirectoryLockedError';
  }

  get onThisHost(): boolean {
    return this.holder.hostname === hostname();
  }

  /** The holder is a TutorKit server on this machine that has said where it listens. */
  get reachableServer(): (LockHolder & { url: string }) | null {
    const h = this.holder;
    return h.kind === 'server' && this.onThisHost && h.url ? (h as LockHolder & { url: string }) : null;
  }
}

export interface DirectoryLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Set when this lock replaced one whose owner is no longer running: a sentence for the operator. */
  readonly tookOver: string | null;
  /** Adds where the server listens, so commands can find it. */
  announce(url: string): void;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): void;
}

// Locks this process holds, so they are removed on exit even when close() never ran (an exception
// that ends the process). A crash or kill -9 skips this; the next opener finds the pid dead.
const held = new Set<DirectoryLock>();
let exitHookInstalled = false;

/** Takes the lock on `dir`, or throws DirectoryLockedError naming who holds it. */
export function acquireDirectoryLock(dir: string, kind: string): DirectoryLock {
  const file = path.join(dir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, hostname: hostname(), processStart: processStartOf(process.pid), kind, since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  let tookOver: string | null = null;
  // Three rounds are plenty: each one either creates the file, refuses, or removes a dead owner's.
  for (let round = 0; round < 3; round++) {
    if (createExclusively(file, mine)) return remember(file, mine, tookOver);
    const seen = readFileSafely(file);
    if (seen === null) continue; // removed between our attempt and our read: try again
    const holder = parseHolder(seen);
    if (holder && !isStale(holder)) throw new DirectoryLockedError(holder, file);
    // The owner is gone. Another process may be taking over at the same moment: re-read just
    // before removing, so we only remove the file we judged. A race remains between that re-read
    // and unlink (both could pass it, and the second would remove the first one's new lock); it
    // needs two processes starting on a crashed directory within microseconds of each other.
    if (readFileSafely(file) !== seen) continue;
    removeQuietly(file);
    tookOver = holder
      ? `Took over ${file} from ${describeKind(holder)} (pid ${holder.pid}, since ${holder.since}), which is no longer running.`
      : `Replaced ${file}, which could not be read.`;
  }
  throw new Error(`Could not take the lock ${file}: it keeps changing. Is another TutorKit process starting on this directory?`);
}

/** Reads the lock of `dir`, or null when nobody holds it. */
export function readDirectoryLock(dir: string): LockHolder | null {
  const text = readFileSafely(path.join(dir, LOCK_FILE));
  return text === null ? null : parseHolder(text);
}

/** Another host's lock is never stale here: we cannot see its processes. */
export function isStale(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return false;
  if (!isAlive(holder.pid)) return true;
  // The pid is alive, but is it the same process? A restarted container reuses pid 1, for one.
  const start = processStartOf(holder.pid);
  if (start !== null && holder.processStart !== null) return start !== holder.processStart;
  // Without start times, a live pid other than ours is taken as the owner. Our own pid, in a
  // lock this process did not take, was left by an earlier process that had the same pid.
  return holder.pid === process.pid && ![...held].some((lock) => lock.holder.token === holder.token);
}

/** Writes the whole file under a temporary name, then links it into place: the lock never exists half-written. */
function createExclusively(file: string, holder: LockHolder): boolean {
  const temp = `${file}.${process.pid}.${holder.token}`;
  writeDurably(temp, holder);
  try {
    linkSync(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    removeQuietly(temp);
  }
}

function remember(file: string, holder: LockHolder, tookOver: string | null): DirectoryLock {
  let current = holder;
  const isOurs = () => parseHolder(readFileSafely(file) ?? '')?.token === holder.token;
  const lock: DirectoryLock = {
    file,
    get holder() {
      return current;
    },
    tookOver,
    announce(url) {
      if (!isOurs()) return;
      current = { ...current, url };
      // rename replaces the file in one step: a reader sees the old content or the new, never a mix.
      const temp = `${file}.${process.pid}.${holder.token}`;
      writeDurably(temp, current);
      renameSync(temp, file);
    },
    release() {
      held.delete(lock);
      // Someone judged us dead and took over (a pid check gone wrong, a lock file copied along
      // with a backup): their lock is not ours to remove.
      if (isOurs()) removeQuietly(file);
    },
  };
  held.add(lock);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => [...held].forEach((l) => l.release()));
  }
  return lock;
}

function writeDurably(file: string, holder: LockHolder): void {
  const fd = openSync(file, 'w', 0o644);
  try {
    writeSync(fd, JSON.stringify(holder, null, 2) + '\n');
    // After a power loss the lock must hold what we wrote, not zero bytes.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const parsed = LockHolder.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function readFileSafely(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat (start time in ticks after boot); null where there is no /proc. */
export function processStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[22 - 3] ?? null;
  } catch {
    return null;
  }
}

function describeRefusal(holder: LockHolder, file: string): string {
  const dir = path.dirname(file);
  if (holder.hostname !== hostname()) {
    return (
      `${dir} is in use by ${describeKind(holder)} on host ${holder.hostname} (pid ${holder.pid}, since ${holder.since}). ` +
      `Only one process may open an embedded database. If nothing on ${holder.hostname} uses this directory any more, delete ${file} and run the command again.`
    );
  }
  if (holder.kind === 'server') {
    return `TutorKit is running on this data directory (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ', starting'}, data in ${dir}); stop it first (Ctrl+C in its terminal, or kill ${holder.pid}), then run the command again.`;
  }
  return `${dir} is in use by ${describeKind(holder)} (pid ${holder.pid}, since ${holder.since}); wait for it to finish, or stop it, then run the command again.`;
}

function describeKind(holder: LockHolder): string {
  return holder.kind === 'server' ? 'a TutorKit server' : `npm run ${holder.kind}`;
}
