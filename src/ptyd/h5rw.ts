/**
 * ptypy's h5rw format: `h5write`, `h5append`, `h5read`. Files written here
 * are read by ptypy (bool is stored as int8, the one difference: h5wasm cannot
 * write h5py's bool enum); every file h5py/ptypy writes is read here.
 *
 * Call `await h5ready()` (from `src/h5`) once before using these functions.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { FileFormatError, H5Error } from '../errors.js';
import {
  acquireLock,
  canDeleteLinks,
  type DeferredArray,
  deleteLinks,
  type FileLock,
  H5File,
  writeDeferred,
} from '../h5/index.js';
import type { PyDict, PyValue } from '../py/value.js';
import { copyTree } from './h5-copy.js';
import { type DeadLinkPolicy, decodeGroup, decodeValue } from './h5rw-read.js';
import { type H5rwCompression, toCompression, writeValue } from './h5rw-write.js';

export type { DeadLinkPolicy } from './h5rw-read.js';
export type { H5rwCompression } from './h5rw-write.js';

/** The `h5rw_version` root attribute ptypy writes. */
export const H5RW_VERSION = '0.1';

/** An external link to create along with the values (link-mode master files). */
export interface ExternalLinkSpec {
  /** Where the link goes in this file, e.g. `chunks/0`. */
  path: string;
  /** Target file name, stored as given (relative names resolve against this file's folder). */
  targetFile: string;
  /** Object in the target file, usually `/`. */
  targetPath: string;
}

/** Options of {@link h5write} and {@link h5append}. */
export interface H5WriteOptions extends H5rwCompression {
  /** External links created after the values. */
  links?: readonly ExternalLinkSpec[];
  /** The time stamped into `ctime`/`mtime` (default: now). */
  now?: Date;
}

/** Options of {@link h5read}. */
export interface H5ReadOptions {
  /** Group to read (default the root). */
  path?: string;
  /** Group levels to descend; deeper groups come back empty. */
  depth?: number;
  /** What to do with a dead external link: `error` (default) or `skip` it. */
  deadLinks?: DeadLinkPolicy;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Python's `time.asctime()` (local time), e.g. `Tue Nov 24 00:33:10 2026`; the day is space-padded. */
export function asctime(date: Date = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  const day = String(date.getDate()).padStart(2, ' ');
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${day} ${time} ${date.getFullYear()}`;
}

function topPath(key: string): string {
  const parts = key.split('/').filter((p) => p !== '');
  if (parts.length === 0) {
    throw new H5Error(`The top-level key ${JSON.stringify(key)} names no object.`, {
      expected: 'a key such as "meta" or "chunks/0"',
      found: JSON.stringify(key),
    });
  }
  return `/${parts.join('/')}`;
}

function stamp(file: H5File, now: Date): void {
  const time = asctime(now);
  file.writeStringAttribute('/', 'h5rw_version', H5RW_VERSION);
  file.writeStringAttribute('/', 'ctime', time);
  file.writeStringAttribute('/', 'mtime', time);
}

/**
 * Writes the values, links and time stamps. Large gzip arrays go to
 * `deferred` when given: {@link finishDeferred} writes them once `file` is closed.
 */
function writeContent(
  file: H5File,
  value: PyDict,
  options: H5WriteOptions,
  deferred?: DeferredArray[],
): void {
  const compression = toCompression(options);
  // Top-level keys are paths ("chunks/0"), as in ptypy's h5append; nested keys are escaped.
  for (const [key, item] of Object.entries(value)) {
    const path = topPath(key);
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent !== '' && file.entry(parent).kind === 'missing') {
      writeValue(file, parent, {}, compression);
    }
    writeValue(file, path, item as PyValue, compression, deferred);
  }
  for (const link of options.links ?? []) {
    file.createExternalLink(link.path, link.targetFile, link.targetPath);
  }
  stamp(file, options.now ?? new Date());
}

let tempCounter = 0;

function tempName(file: string): string {
  tempCounter += 1;
  return `${file}.tmp-${process.pid}-${tempCounter}`;
}

/** Writes the arrays h5wasm left out (the file must be closed in h5wasm). */
function finishDeferred(file: string, deferred: DeferredArray[], options: H5WriteOptions): void {
  const compression = toCompression(options);
  if (compression.kind !== 'gzip') return;
  writeDeferred(file, deferred, compression.level, options.threads ?? 1);
}

/**
 * Writes a complete file at a temp name (h5wasm's part, then the deferred
 * arrays), then renames it over `file`; the temp goes on failure.
 */
function writeAtomically(
  file: string,
  options: H5WriteOptions,
  fill: (out: H5File, deferred: DeferredArray[]) => void,
): void {
  const temp = tempName(file);
  const deferred: DeferredArray[] = [];
  try {
    const out = H5File.open(temp, 'w', { lock: false });
    try {
      fill(out, deferred);
    } finally {
      out.close();
    }
    finishDeferred(temp, deferred, options);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

function withLock<T>(file: string, run: () => T): T {
  const lock: FileLock = acquireLock(file);
  try {
    return run();
  } finally {
    lock.release();
  }
}

/**
 * Writes `value` as a new h5rw file (ptypy's `h5write(file, value, mode='w')`),
 * replacing `file` atomically: readers see the old file or the new one, never
 * a half-written one.
 *
 * @example
 * await h5ready();
 * h5write('out.ptyd', { chunks: {}, meta: {}, info: {} });
 */
export function h5write(file: string, value: PyDict, options: H5WriteOptions = {}): void {
  withLock(file, () =>
    writeAtomically(file, options, (out, deferred) => writeContent(out, value, options, deferred)),
  );
}

/**
 * Adds the top-level keys of `value` to an existing h5rw file (created when
 * missing). A key that already exists replaces that whole object, as in
 * ptypy. New keys are written in place. A replaced object is deleted in
 * place by the native HDF5 addon (its space is not reclaimed, as with h5py's
 * `del`); without the addon the file is rewritten into a temp file and
 * renamed over (h5wasm cannot delete objects), which costs a full copy:
 * re-compressing every dataset.
 */
export function h5append(file: string, value: PyDict, options: H5WriteOptions = {}): void {
  if (!existsSync(file)) {
    h5write(file, value, options);
    return;
  }
  withLock(file, () => {
    const done = appendInPlace(file, value, options);
    if (done.kind === 'written') {
      finishDeferred(file, done.deferred, options);
      return;
    }
    // h5wasm cannot delete objects: copy everything else into a new file.
    const replaced = done.replaced;
    const source = H5File.open(file, 'r', { lock: false });
    try {
      writeAtomically(file, options, (out, later) => {
        copyTree(source, out, '/', new Set(replaced));
        writeContent(out, value, options, later);
      });
    } finally {
      source.close();
    }
  });
}

/** A {@link h5append} whose large arrays are still to be written by the native addon. */
export interface PendingAppend {
  file: string;
  /** The arrays left for the addon's `writeDeferred`, with their dataset paths. */
  deferred: DeferredArray[];
  /** Their gzip level. */
  level: number;
  /** The file's write lock: release it once the arrays are written (or failed). */
  lock: FileLock;
}

/**
 * {@link h5append} in two parts, for a caller that hands the large arrays to
 * another thread: this part writes everything h5wasm writes (the new groups,
 * small datasets, attributes) and keeps the file's lock; then `writeDeferred`
 * (from `src/h5`, in any thread) writes the arrays left for the native addon,
 * and then the caller releases the lock. The result is the file one
 * `h5append` writes. `null`, with nothing written, when the file must be
 * written in one go: it does not exist yet, or an object must be replaced
 * without the addon.
 */
export function appendExceptDeferred(
  file: string,
  value: PyDict,
  options: H5WriteOptions = {},
): PendingAppend | null {
  if (!existsSync(file)) return null;
  const compression = toCompression(options);
  const level = compression.kind === 'gzip' ? compression.level : 0;
  const lock = acquireLock(file);
  try {
    const done = appendInPlace(file, value, options);
    if (done.kind === 'written') return { file, deferred: done.deferred, level, lock };
  } catch (error) {
    lock.release();
    throw error;
  }
  lock.release();
  return null;
}

/** The top-level objects of `value` (and its links) that already exist in `file`. */
function existingPaths(h5: H5File, value: PyDict, options: H5WriteOptions): string[] {
  const paths = Object.keys(value).map(topPath);
  const linkPaths = (options.links ?? []).map((l) => topPath(l.path));
  return [...paths, ...linkPaths].filter((p) => h5.entry(p).kind !== 'missing');
}

/** What {@link appendInPlace} did. */
type InPlace =
  /** Written, but for the arrays left for the addon. */
  | { kind: 'written'; deferred: DeferredArray[] }
  /** Nothing written: these objects must be replaced and the addon is not loaded. */
  | { kind: 'copy'; replaced: string[] };

/**
 * Writes `value` into `file` in place (the caller holds the lock), deleting
 * objects it replaces with the native addon.
 */
function appendInPlace(file: string, value: PyDict, options: H5WriteOptions): InPlace {
  const deferred: DeferredArray[] = [];
  const existing = H5File.open(file, 'a', { lock: false });
  let replaced: string[];
  try {
    replaced = existingPaths(existing, value, options);
    if (replaced.length === 0) writeContent(existing, value, options, deferred);
  } finally {
    existing.close();
  }
  if (replaced.length === 0) return { kind: 'written', deferred };
  if (!canDeleteLinks()) return { kind: 'copy', replaced };
  // As ptypy does: delete the old objects, then write the new ones in place.
  deleteLinks(file, replaced);
  const again = H5File.open(file, 'a', { lock: false });
  try {
    writeContent(again, value, options, deferred);
  } finally {
    again.close();
  }
  return { kind: 'written', deferred };
}

/**
 * Reads an h5rw file (or the group at `options.path`) into Python values.
 * Groups without a `type` attribute are dicts; h5py's bool enums become
 * booleans/bool arrays; INT scalars bigints, FLOAT scalars numbers; external
 * links are followed.
 */
export function h5read(file: string, options: H5ReadOptions = {}): PyDict {
  const h5 = H5File.open(file, 'r');
  try {
    return decodeGroup(h5, options.path ?? '/', options);
  } finally {
    h5.close();
  }
}

/** Reads the one object at `path` (a dataset or a group) of an h5rw file. */
export function h5readValue(
  file: string,
  path: string,
  options: Omit<H5ReadOptions, 'path'> = {},
): PyValue {
  const h5 = H5File.open(file, 'r');
  try {
    return decodeValue(h5, path, options);
  } finally {
    h5.close();
  }
}

/**
 * Adds an external link `linkPath` -> `targetFile:targetPath` to `file` in
 * place (under the write lock). The target is stored as given.
 */
export function createExternalLink(
  file: string,
  linkPath: string,
  targetFile: string,
  targetPath = '/',
): void {
  if (!existsSync(file)) {
    throw new FileFormatError(`${file}: no such file to add a link to.`, {
      file,
      expected: 'an existing file',
      found: 'nothing',
    });
  }
  const h5 = H5File.open(file, 'a');
  try {
    h5.createExternalLink(linkPath, targetFile, targetPath);
  } finally {
    h5.close();
  }
}
