/**
 * Opening a file in h5wasm: the open modes, the checks before HDF5 sees the
 * file, the write lock, and the file format of new files. `H5File.open`
 * wraps what this returns.
 */
import { existsSync, statSync } from 'node:fs';
import { FileFormatError } from '../errors.js';
import type { H5Handle } from './handle.js';
import { acquireLock, type FileLock } from './lock.js';
import { diagMark, diagText, h5module } from './runtime.js';

/** `r` read only; `w` create (truncating); `a` read and write an existing file. */
export type H5Mode = 'r' | 'w' | 'a';

/** Options of {@link H5File.open}. */
export interface H5OpenOptions {
  /** Take the `<file>.lock` write lock (default: true for `w` and `a`). */
  lock?: boolean;
  /** Largest single read/write handed to HDF5, in bytes (default 256 MiB). */
  maxIoBytes?: number;
  /**
   * File format of a new file (`w`). `v110` (default): HDF5 1.10 format,
   * where object headers and chunk indexes carry checksums, so corrupt
   * metadata is an error rather than wrong data; readable by HDF5 >= 1.10
   * (h5py >= 2.7 wheels, ptypy). `v108`: HDF5 1.8 format (checksummed
   * headers, unchecked chunk B-trees). `earliest`: no checksums at all.
   */
  format?: 'earliest' | 'v108' | 'v110';
  /**
   * Read a file another process is writing under SWMR (`r` only): HDF5 then
   * reads it as the writer left it at each call; {@link H5File.refresh}
   * shows a dataset's new frames.
   */
  swmr?: boolean;
  /**
   * Refuse external links whose target file lies outside this file's
   * folder (`../other/x.h5`, an absolute path elsewhere): such a link is
   * dead, with the problem `outside`. Default false: HDF5 follows them.
   */
  confineLinks?: boolean;
}

/** Files opened, link lookups made and group member names listed (see {@link h5Counters}). */
export const counters = { opens: 0, linkLookups: 0, membersListed: 0 };

/**
 * Files opened, paths checked for external links and group member names
 * listed since the process started: what the tests count to see that
 * reading a long scan costs O(n).
 *
 * @internal
 */
export function h5Counters(): { opens: number; linkLookups: number; membersListed: number } {
  return { ...counters };
}

/** Default largest single read or write (bytes). */
export const MAX_IO_BYTES = 256 * 1024 * 1024;

/** What each open mode means: h5wasm's access flag, and what the file must be. */
const OPEN_MODES: Readonly<
  Record<
    H5Mode,
    {
      flag: 'H5F_ACC_RDONLY' | 'H5F_ACC_TRUNC' | 'H5F_ACC_RDWR';
      /** The file must exist (else it is created). */
      existing: boolean;
      /** Written to: locked by default, and write calls are allowed. */
      writes: boolean;
      /** What a failed open expected to find. */
      expected: string;
    }
  >
> = {
  r: { flag: 'H5F_ACC_RDONLY', existing: true, writes: false, expected: 'an HDF5 file' },
  w: { flag: 'H5F_ACC_TRUNC', existing: false, writes: true, expected: 'a writable path' },
  a: { flag: 'H5F_ACC_RDWR', existing: true, writes: true, expected: 'an HDF5 file' },
};

/** Checks that `file` is a regular file before HDF5 tries to open it. */
function checkExisting(file: string): void {
  if (!existsSync(file)) {
    throw new FileFormatError(`${file}: no such file.`, {
      file,
      expected: 'an existing HDF5 file',
      found: 'nothing',
    });
  }
  if (!statSync(file).isFile()) {
    throw new FileFormatError(`${file}: not a regular file.`, {
      file,
      expected: 'a file',
      found: 'a directory or device',
    });
  }
}

/** Whether a file opened in `mode` may be written. */
export function modeWrites(mode: H5Mode): boolean {
  return OPEN_MODES[mode].writes;
}

/**
 * Opens `file` in h5wasm. A missing, truncated or non-HDF5 file gives a
 * {@link FileFormatError}; a file another writer holds gives a LockError.
 */
export function openHandle(
  file: string,
  mode: H5Mode,
  options: H5OpenOptions,
): { handle: H5Handle; lock: FileLock | undefined; swmr: boolean } {
  counters.opens += 1;
  const module = h5module();
  const how = OPEN_MODES[mode];
  if (how.existing) checkExisting(file);
  const lock = (options.lock ?? how.writes) ? acquireLock(file) : undefined;
  try {
    const swmr = options.swmr === true && mode === 'r';
    const flags = swmr ? module.H5F_ACC_SWMR_READ : module[how.flag];
    const mark = diagMark();
    let id: bigint;
    try {
      // The file format is chosen for new files only.
      const libver = how.existing
        ? -1
        : {
            earliest: module.H5F_LIBVER_EARLIEST,
            v108: module.H5F_LIBVER_V18,
            v110: module.H5F_LIBVER_V110,
          }[options.format ?? 'v110'];
      const high = libver === module.H5F_LIBVER_EARLIEST ? module.H5F_LIBVER_LATEST : libver;
      id = module.open(file, flags, false, libver, high);
    } catch {
      // h5wasm throws on some open failures and returns -1 on others; both end below.
      id = -1n;
    }
    if (id < 0n) {
      const reason = diagText(mark) || 'HDF5 could not open it';
      throw new FileFormatError(`${file}: not a readable HDF5 file (${reason}).`, {
        file,
        expected: how.expected,
        found: reason,
      });
    }
    const maxIoBytes = options.maxIoBytes ?? MAX_IO_BYTES;
    return { handle: { file, module, id, maxIoBytes }, lock, swmr };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
