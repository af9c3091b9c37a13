/**
 * ptypy's h5rw format: `h5write`, `h5append`, `h5read`. Files written here
 * are read by ptypy (bool is stored as int8, the one difference: h5wasm cannot
 * write h5py's bool enum); every file h5py/ptypy writes is read here.
 *
 * Call `await h5ready()` (from `src/h5`) once before using these functions.
 */
import { existsSync } from 'node:fs';
import { FileFormatError } from '../errors.js';
import {
  applyWrite,
  type H5AddWrite,
  type H5Attributes,
  type H5Content,
  type H5CreateWrite,
  H5File,
  type H5Member,
} from '../h5/index.js';
import type { PyDict, PyValue } from '../py/value.js';
import { toCompression } from './compression.js';
import { encodeMembers, type H5rwCompression, topPath } from './h5rw-encode.js';
import { type DeadLinkPolicy, decodeGroup, decodeValue } from './h5rw-read.js';

export type { H5rwCompression } from './h5rw-encode.js';
export type { DeadLinkPolicy } from './h5rw-read.js';

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

/** What an h5rw file holds besides the values: links, time stamps, other root attributes. */
export interface H5rwContentOptions extends H5rwCompression {
  /** External links created after the values. */
  links?: readonly ExternalLinkSpec[];
  /** The time stamped into `ctime`/`mtime` (default: now). */
  now?: Date;
  /** More root attributes (the writer state of a live master, the run id of a chunk file). */
  attributes?: H5Attributes;
}

/** Options of {@link h5write} and {@link h5append}. */
export interface H5WriteOptions extends H5rwContentOptions {
  /** Threads compressing large gzip arrays when the native HDF5 addon writes them (default 1). */
  threads?: number;
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

/**
 * What an h5rw file holding `value` consists of: the top-level keys (paths,
 * as in ptypy's h5append: `chunks/0`) with a `dict` group for each missing
 * parent, the links, and the root's `h5rw_version`, `ctime` and `mtime`.
 */
export function h5rwContent(
  file: string,
  value: PyDict,
  options: H5rwContentOptions = {},
): H5Content {
  const links: H5Member[] = (options.links ?? []).map((link) => ({
    name: topPath(link.path),
    node: { kind: 'external-link', targetFile: link.targetFile, targetPath: link.targetPath },
  }));
  const time = asctime(options.now ?? new Date());
  return {
    members: [...encodeMembers(value, file, toCompression(options)), ...links],
    parents: { type: 'dict' },
    attributes: { h5rw_version: H5RW_VERSION, ctime: time, mtime: time, ...options.attributes },
  };
}

/**
 * The write of a new h5rw file holding `value`. `durable`: forced to disk
 * before and after it is renamed into place (a crash leaves the old file or
 * the whole new one); such a file is written by the one writer that owns its
 * name, without a lock file.
 */
export function h5rwCreate(
  file: string,
  value: PyDict,
  options: H5rwContentOptions & { durable?: boolean } = {},
): H5CreateWrite {
  const durable = options.durable === true;
  return { kind: 'create', file, ...h5rwContent(file, value, options), durable, lock: !durable };
}

/** The write that adds the top-level keys of `value` to an h5rw file (see {@link h5append}). */
export function h5rwAdd(file: string, value: PyDict, options: H5rwContentOptions = {}): H5AddWrite {
  return { kind: 'add', file, ...h5rwContent(file, value, options) };
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
  applyWrite(h5rwCreate(file, value, options), threadsOf(options));
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
  applyWrite(h5rwAdd(file, value, options), threadsOf(options));
}

function threadsOf(options: H5WriteOptions): { threads?: number } {
  return options.threads === undefined ? {} : { threads: options.threads };
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
