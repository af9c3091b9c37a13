/**
 * How `H5File.open` opens a file: the modes, the options, the check that a
 * path is a regular file, and the counters the tests read.
 */
import { existsSync, statSync } from 'node:fs';
import { FileFormatError } from '../errors.js';
import type { H5Module } from './runtime.js';

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
   * Refuse external links whose target file lies outside this file's
   * folder (`../other/x.h5`, an absolute path elsewhere): such a link is
   * dead, with the problem `outside`. Default false: HDF5 follows them.
   */
  confineLinks?: boolean;
}

/** Files opened and link lookups made (see {@link h5Counters}). */
export const counters = { opens: 0, linkLookups: 0 };

/**
 * Files opened and paths checked for external links since the process
 * started: what the tests count to see that reading a long scan costs O(n).
 *
 * @internal
 */
export function h5Counters(): { opens: number; linkLookups: number } {
  return { ...counters };
}

/** What each open mode means: h5wasm's access flag, and what the file must be. */
export const OPEN_MODES: Readonly<
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
export function checkExisting(file: string): void {
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

/** The library version bounds to open with: the file format is chosen for new files only. */
export function libverBounds(
  module: H5Module,
  existing: boolean,
  format: H5OpenOptions['format'],
): [number, number] {
  if (existing) return [-1, -1];
  const low = {
    earliest: module.H5F_LIBVER_EARLIEST,
    v108: module.H5F_LIBVER_V18,
    v110: module.H5F_LIBVER_V110,
  }[format ?? 'v110'];
  return [low, low === module.H5F_LIBVER_EARLIEST ? module.H5F_LIBVER_LATEST : low];
}
