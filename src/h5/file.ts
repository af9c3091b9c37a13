/**
 * `H5File`: one open HDF5 file, read or written through h5wasm with every
 * status checked. This module opens and closes files and routes a path
 * through external links to the file that holds it; reading (`read.ts`),
 * writing (`write.ts`) and what sits at a path (`links.ts`) work on the
 * routed file's handle.
 */
import { existsSync, statSync } from 'node:fs';
import { FileFormatError, H5Error, MissingDataError } from '../errors.js';
import { formatShape, type NdArray } from '../frames/ndarray.js';
import { createHardLinkAt, writeSlabAt } from './grow.js';
import type { H5Handle } from './handle.js';
import { entryAt, externalLinkAt, linkedFilePath, resolvedAt } from './links.js';
import { acquireLock, type FileLock } from './lock.js';
import { absolute } from './paths.js';
import {
  attributeNamesAt,
  type H5Slice,
  membersAt,
  readAttributeAt,
  readBlockAt,
  readDatasetAt,
} from './read.js';
import { diagMark, diagText, h5call, h5module } from './runtime.js';
import type { H5Data, H5Entry } from './types.js';
import {
  createExternalLinkAt,
  createGroupAt,
  deleteAttributeAt,
  type H5ArrayOptions,
  scalarArray,
  writeArrayAt,
  writeArrayAttributeAt,
  writeStringAt,
  writeStringAttributeAt,
} from './write.js';

export type { H5Slice } from './read.js';
export type { H5ArrayOptions } from './write.js';

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

/** An open HDF5 file. Always {@link H5File.close} it (try/finally). */
export class H5File {
  readonly file: string;
  readonly mode: H5Mode;
  readonly maxIoBytes: number;
  private readonly handle: H5Handle;
  private lock: FileLock | undefined;
  private closed = false;
  /** Files reached through external links, opened read-only on first use. */
  private readonly linked = new Map<string, H5File>();

  private constructor(handle: H5Handle, mode: H5Mode, lock: FileLock | undefined) {
    this.handle = handle;
    this.file = handle.file;
    this.mode = mode;
    this.maxIoBytes = handle.maxIoBytes;
    this.lock = lock;
  }

  /**
   * Opens `file`. A missing, truncated or non-HDF5 file gives a
   * {@link FileFormatError}; a file another writer holds gives a LockError.
   */
  static open(file: string, mode: H5Mode = 'r', options: H5OpenOptions = {}): H5File {
    const module = h5module();
    const how = OPEN_MODES[mode];
    if (how.existing) checkExisting(file);
    const lock = (options.lock ?? how.writes) ? acquireLock(file) : undefined;
    try {
      const flags = module[how.flag];
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
      return new H5File({ file, module, id, maxIoBytes }, mode, lock);
    } catch (error) {
      lock?.release();
      throw error;
    }
  }

  /** Closes the file and releases its lock. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const child of this.linked.values()) child.close();
    this.linked.clear();
    try {
      h5call('Closing the file', { file: this.file }, () =>
        this.handle.module.close_file(this.handle.id),
      );
    } finally {
      this.lock?.release();
      this.lock = undefined;
    }
  }

  /** Writes buffered data to disk. */
  flush(): void {
    this.live();
    h5call('Flushing', { file: this.file }, () => this.handle.module.flush(this.handle.id));
  }

  private live(): void {
    if (this.closed) throw new H5Error(`${this.file} is already closed.`, { file: this.file });
  }

  private writable(): H5Handle {
    this.live();
    if (!OPEN_MODES[this.mode].writes) {
      throw new H5Error(`${this.file} is open read-only.`, {
        file: this.file,
        expected: "mode 'w' or 'a'",
        found: "'r'",
      });
    }
    return this.handle;
  }

  /**
   * The file and path to read `abs` from: objects behind an external link
   * are read from the linked file itself, because h5wasm's vlen-string reads
   * (the `type` attributes) fail with "Bad size for object" through a link.
   */
  private route(abs: string, includeLast: boolean): [H5File, string] {
    const parts = abs.split('/').filter((p) => p !== '');
    const limit = includeLast ? parts.length : parts.length - 1;
    for (let i = 1; i <= limit; i++) {
      const prefix = `/${parts.slice(0, i).join('/')}`;
      const link = externalLinkAt(this.handle, prefix);
      if (link === null) continue;
      const child = this.linkedFile(link.targetFile, prefix);
      return child.route(absolute(`${link.targetPath}/${parts.slice(i).join('/')}`), includeLast);
    }
    return [this, abs];
  }

  private linkedFile(target: string, linkPath: string): H5File {
    const found = linkedFilePath(this.file, target, linkPath);
    let child = this.linked.get(found);
    if (!child) {
      child = H5File.open(found, 'r', { lock: false, maxIoBytes: this.maxIoBytes });
      this.linked.set(found, child);
    }
    return child;
  }

  /** The routed file's handle and path for `path` (following every link on the way). */
  private at(path: string): [H5Handle, string] {
    this.live();
    const [owner, abs] = this.route(absolute(path), true);
    return [owner.handle, abs];
  }

  // ---------------------------------------------------------------- inspect

  /** What is at `path`, without following an external link at `path` itself. */
  entry(path: string): H5Entry {
    this.live();
    const [owner, inner] = this.route(absolute(path), false);
    return { ...entryAt(owner.handle, inner), path: absolute(path) };
  }

  /** What `path` resolves to, following external links (a dead link gives `missing`). */
  resolve(path: string): H5Entry {
    let routed: [H5Handle, string];
    try {
      routed = this.at(path);
    } catch (error) {
      if (error instanceof MissingDataError) return { kind: 'missing', path: absolute(path) };
      throw error;
    }
    return { ...resolvedAt(...routed), path: absolute(path) };
  }

  /** True when `path` resolves to an object (following external links). */
  has(path: string): boolean {
    return this.resolve(path).kind !== 'missing';
  }

  /** Names of the members of the group at `path` (following external links), sorted. */
  members(path: string): string[] {
    return membersAt(...this.at(path));
  }

  /** Names of the attributes of the object at `path`. */
  attributeNames(path: string): string[] {
    return attributeNamesAt(...this.at(path));
  }

  // ---------------------------------------------------------------- read

  /** Reads an attribute (numbers as an NdArray, strings as a StringArray; scalars have shape []). */
  readAttribute(path: string, name: string): H5Data {
    return readAttributeAt(...this.at(path), name);
  }

  /** Reads a string attribute, or undefined when there is none with that name. */
  readStringAttribute(path: string, name: string): string | undefined {
    if (!this.attributeNames(path).includes(name)) return undefined;
    const value = this.readAttribute(path, name);
    if (value.dtype !== 'string' || value.data.length !== 1) {
      throw new FileFormatError(
        `${this.file}:${absolute(path)}: attribute ${name} is not one string.`,
        {
          file: this.file,
          dataset: absolute(path),
          expected: 'a string attribute',
          found: `${value.dtype} ${formatShape(value.shape)}`,
        },
      );
    }
    return value.data[0];
  }

  /**
   * Reads a dataset, or `count` rows of its first axis from `start`. Numbers
   * come back as an {@link NdArray} (int64 as BigInt64Array, h5py's bool enum
   * as `bool`), strings as a {@link StringArray}.
   */
  readDataset(path: string, slice?: H5Slice): H5Data {
    return readDatasetAt(...this.at(path), slice);
  }

  /**
   * Reads one block of a dataset: `count[i]` elements from `start[i]` along
   * each of its leading axes; the axes after `start.length` are read whole.
   * E.g. frames `b0..b0+n` of row `a` of a 4-D `(A, B, H, W)` stack:
   * `readBlock(path, [a, b0], [1, n])` gives shape `(1, n, H, W)`. The block
   * is one read, so it must fit `maxIoBytes` (split larger blocks yourself).
   *
   * @throws MissingDataError when the block reaches outside the dataset.
   * @throws H5Error for a scalar dataset, more axes than the dataset has, or a block over `maxIoBytes`.
   */
  readBlock(path: string, start: readonly number[], count: readonly number[]): H5Data {
    return readBlockAt(...this.at(path), start, count);
  }

  // ---------------------------------------------------------------- write

  private readonly entryOf = (path: string): H5Entry => this.entry(path);

  /** Creates the group at `path` and any missing parents (HDF5 via h5wasm creates one level at a time). */
  createGroup(path: string): void {
    createGroupAt(this.writable(), path, this.entryOf);
  }

  /**
   * Writes `array` as a new dataset at `path` (parents created). Chunked with
   * the given compression unless `layout: 'contiguous'`; `bool` is stored as int8.
   */
  writeArray(path: string, array: NdArray, options: H5ArrayOptions = {}): void {
    writeArrayAt(this.writable(), path, array, options, this.entryOf);
  }

  /** Writes a scalar dataset: float64 for numbers, int64 for bigints, int8 for booleans. */
  writeScalar(path: string, value: number | bigint | boolean): void {
    this.writeArray(path, scalarArray(value), { layout: 'contiguous' });
  }

  /** Writes a scalar variable-length UTF-8 string dataset. */
  writeString(path: string, text: string): void {
    writeStringAt(this.writable(), path, text, this.entryOf);
  }

  /** Sets a scalar variable-length UTF-8 string attribute (replacing one of that name). */
  writeStringAttribute(path: string, name: string, text: string): void {
    writeStringAttributeAt(this.writable(), absolute(path), name, text);
  }

  /** Sets a numeric attribute (replacing one of that name); bool as int8. */
  writeArrayAttribute(path: string, name: string, array: NdArray): void {
    writeArrayAttributeAt(this.writable(), absolute(path), name, array);
  }

  /** Removes an attribute if present. */
  deleteAttribute(path: string, name: string): void {
    deleteAttributeAt(this.writable(), absolute(path), name);
  }

  /**
   * Writes `array` into the existing dataset at `path` at `offset`,
   * extending it along its unlimited axes (a dataset written with a
   * `maxshape`) to hold the slab; the dtypes must agree.
   */
  writeSlab(path: string, array: NdArray, offset: readonly number[]): void {
    writeSlabAt(this.writable(), path, array, offset, this.entryOf);
  }

  /** Creates a hard link at `linkPath` to the object at `target` (absolute, in this file). */
  createHardLink(linkPath: string, target: string): void {
    createHardLinkAt(this.writable(), linkPath, target, this.entryOf);
  }

  /**
   * Creates an external link at `linkPath` to `targetPath` in `targetFile`
   * (stored as given: a relative name resolves against this file's folder).
   */
  createExternalLink(linkPath: string, targetFile: string, targetPath: string): void {
    createExternalLinkAt(this.writable(), linkPath, targetFile, targetPath, this.entryOf);
  }
}
