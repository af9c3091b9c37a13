/**
 * Exclusive write lock for one file: `<file>.lock`, created with O_EXCL and
 * holding the owner's pid and host. HDF5 (as built into h5wasm) has no file
 * locking, and two writers on one file corrupt it.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
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

function readHolder(lockFile: string): LockHolder | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(lockFile, 'utf8'));
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

/**
 * Takes the write lock of `file`, or throws a {@link LockError} naming the
 * holder. A lock left by a dead process on this host is taken over.
 */
export function acquireLock(file: string): FileLock {
  const lockFile = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
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
    const holder = readHolder(lockFile);
    const stale = holder !== undefined && holder.host === hostname() && !isAlive(holder.pid);
    if (!stale) {
      const who = holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : 'unknown';
      throw new LockError(
        `${file} is being written by another writer (${who}); lock file ${lockFile}. ` +
          'Wait for it to finish, or remove the lock file if that writer is gone.',
        { file, expected: 'no other writer', found: who },
      );
    }
    try {
      unlinkSync(lockFile);
    } catch {
      // Another process took over the stale lock first; the next attempt will tell.
    }
  }
  throw new LockError(`Could not take the lock of ${file} (${lockFile}).`, { file });
}
