/**
 * Exclusive write lock for one file: `<file>.lock`, created with O_EXCL and
 * holding the owner's pid and host. HDF5 (as built into h5wasm) has no file
 * locking, and two writers on one file corrupt it.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { LockError } from '../errors.js';

/** Who holds a lock, as written in the lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

/** A held lock; {@link FileLock.release} removes it. */
export interface FileLock {
  readonly file: string;
  readonly lockFile: string;
  release(): void;
}

/** A lock file as read once: its text and inode, which together name it. */
interface SeenLock {
  text: string;
  ino: number;
}

function readLock(lockFile: string): SeenLock | undefined {
  let fd: number;
  try {
    fd = openSync(lockFile, 'r');
  } catch {
    return undefined;
  }
  try {
    return { text: readFileSync(fd, 'utf8'), ino: fstatSync(fd).ino };
  } finally {
    closeSync(fd);
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { pid, host, since } = parsed as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string') return undefined;
    return { pid, host, since: typeof since === 'string' ? since : '?' };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryCreate(lockFile: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockFile, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new LockError(`Cannot create the lock file ${lockFile}: ${(error as Error).message}.`, {
      file: lockFile,
      cause: error,
    });
  }
  try {
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
    };
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The guard file of one takeover: named after the stale lock it removes. */
function guardFile(lockFile: string, seen: SeenLock): string {
  const tag = createHash('sha256').update(`${seen.ino}\n${seen.text}`).digest('hex').slice(0, 16);
  return `${lockFile}.takeover-${tag}`;
}

/**
 * Removes the stale lock `seen`, atomically with respect to every other
 * process doing the same: the one that creates the guard file (O_EXCL) for
 * this very lock checks, under the guard, that `lockFile` still is `seen`
 * (same inode, same text) and only then unlinks it. Nobody else can remove
 * or replace `seen` meanwhile (its owner is dead, other takers wait on the
 * guard), so a fresh lock created by a faster taker is never removed.
 * Returns false when another process holds the guard.
 */
function removeStale(lockFile: string, seen: SeenLock): boolean {
  const guard = guardFile(lockFile, seen);
  let fd: number;
  try {
    fd = openSync(guard, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new LockError(`Cannot create the lock guard ${guard}: ${(error as Error).message}.`, {
      file: guard,
      cause: error,
    });
  }
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
    closeSync(fd);
    const now = readLock(lockFile);
    if (now !== undefined && now.ino === seen.ino && now.text === seen.text) {
      try {
        unlinkSync(lockFile);
      } catch {
        // Removed by hand meanwhile: the next attempt creates it.
      }
    }
  } finally {
    try {
      unlinkSync(guard);
    } catch {
      // Removed by hand: nothing to clean.
    }
  }
  return true;
}

/** How long a writer waits for another process's takeover of a stale lock. */
const TAKEOVER_WAIT_MS = 2000;

/**
 * Takes the write lock of `file`, or throws a {@link LockError} naming the
 * holder. A lock left by a dead process on this host is taken over; when
 * several processes find the same stale lock at once, exactly one gets it.
 */
export function acquireLock(file: string): FileLock {
  const lockFile = `${file}.lock`;
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  for (;;) {
    if (tryCreate(lockFile)) {
      let held = true;
      return {
        file,
        lockFile,
        release() {
          if (!held) return;
          held = false;
          try {
            unlinkSync(lockFile);
          } catch {
            // Already gone (e.g. removed by hand): nothing left to release.
          }
        },
      };
    }
    const seen = readLock(lockFile);
    if (seen === undefined) {
      // Released between our create and our read: try again.
      if (Date.now() > deadline) break;
      continue;
    }
    const holder = parseHolder(seen.text);
    const stale = holder !== undefined && holder.host === hostname() && !isAlive(holder.pid);
    if (!stale) {
      const who = holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : 'unknown';
      throw new LockError(
        `${file} is being written by another writer (${who}); lock file ${lockFile}. ` +
          'Wait for it to finish, or remove the lock file if that writer is gone.',
        { file, expected: 'no other writer', found: who },
      );
    }
    if (!removeStale(lockFile, seen)) {
      if (Date.now() > deadline) {
        const guard = guardFile(lockFile, seen);
        throw new LockError(
          `Another process has been taking over the stale lock ${lockFile} for over ` +
            `${TAKEOVER_WAIT_MS / 1000} s; remove ${guard} and ${lockFile} if no writer is running.`,
          { file, expected: 'a finished takeover', found: guard },
        );
      }
      sleepSync(5);
    }
  }
  throw new LockError(`Could not take the lock of ${file} (${lockFile}).`, { file });
}
