/**
 * `H5File`: one open HDF5 file, read or written through h5wasm with every
 * status checked. This module opens and closes files and routes a path
 * through external links to the file that holds it; reading (`read.ts`),
 * writing (`write.ts`) and what sits at a path (`links.ts`) work on the
 * routed file's handle.
 */
import { FileFormatError, H5Error, MissingDataError } from '../errors.js';
import type { DType, TypedArrayFor } from '../frames/dtype.js';
import { formatShape, type NdArray } from '../frames/ndarray.js';
import { createHardLinkAt, writeSlabAt } from './grow.js';
import type { H5Handle } from './handle.js';
import { entryAt, externalLinkAt, linkedFilePath, resolvedAt } from './links.js';
import type { FileLock } from './lock.js';
import { NativeReadFile, readNativeBlock } from './native-read.js';
import { type H5Mode, type H5OpenOptions, modeWrites, openHandle } from './open.js';
import { absolute } from './paths.js';
import {
  attributeNamesAt,
  copyInto,
  type H5Slice,
  membersAt,
  readAttributeAt,
  readBlockAt,
  readDatasetAt,
} from './read.js';
import { h5call } from './runtime.js';
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

export { type H5Mode, type H5OpenOptions, MAX_IO_BYTES } from './open.js';
export type { H5Slice } from './read.js';
export type { H5ArrayOptions } from './write.js';

/** An open HDF5 file. Always {@link H5File.close} it (try/finally). */
export class H5File {
  readonly file: string;
  readonly mode: H5Mode;
  readonly maxIoBytes: number;
  /** h5wasm's handle; a file read under SWMR gets a new one at each refresh. */
  private handle: H5Handle;
  private readonly swmr: boolean;
  private lock: FileLock | undefined;
  private closed = false;
  /** The addon's reader of this file (undefined: not opened yet; null: none). */
  private native: NativeReadFile | null | undefined;
  /** Files reached through external links, opened read-only on first use. */
  private readonly linked = new Map<string, H5File>();

  private constructor(handle: H5Handle, mode: H5Mode, lock: FileLock | undefined, swmr: boolean) {
    this.handle = handle;
    this.swmr = swmr;
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
    const { handle, lock, swmr } = openHandle(file, mode, options);
    return new H5File(handle, mode, lock, swmr);
  }

  /** Closes the file and releases its lock. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const child of this.linked.values()) child.close();
    this.linked.clear();
    this.native?.close();
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
    if (!modeWrites(this.mode)) {
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
      child = H5File.open(found, 'r', {
        lock: false,
        maxIoBytes: this.maxIoBytes,
        swmr: this.swmr,
      });
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
  readBlock(
    path: string,
    start: readonly number[],
    count: readonly number[],
    into?: TypedArrayFor[DType],
  ): H5Data {
    this.live();
    const [owner, abs] = this.route(absolute(path), true);
    return owner.ownBlock(abs, start, count, into);
  }

  /** A block of this file's own dataset: by the addon where it reads it, else by h5wasm. */
  private ownBlock(
    abs: string,
    start: readonly number[],
    count: readonly number[],
    into: TypedArrayFor[DType] | undefined,
  ): H5Data {
    const native = this.nativeReader();
    const read = native === null ? null : readNativeBlock(native, abs, start, count, into);
    if (read !== null) return read;
    return copyInto(readBlockAt(this.handle, abs, start, count), into);
  }

  private nativeReader(): NativeReadFile | null {
    // Only files nothing here writes: h5wasm holds a written file open.
    if (this.native === undefined) {
      this.native = this.mode === 'r' ? NativeReadFile.open(this.file, this.swmr) : null;
    }
    return this.native;
  }

  /** Whether reading blocks of `path` keeps every core busy (so more threads would only compete). */
  readsOnThreads(path: string): boolean {
    this.live();
    const [owner, abs] = this.route(absolute(path), true);
    return owner.nativeReader()?.threaded(abs) === true;
  }

  /**
   * Sees the dataset at `path` as a SWMR writer has left it now (its shape,
   * its new frames); a no-op for a file not opened with `swmr`.
   */
  refresh(path: string): void {
    this.live();
    const [owner, abs] = this.route(absolute(path), true);
    if (!owner.swmr) return;
    // h5wasm fails to read a dataset it has refreshed in place (HDF5 1.14): open the file anew,
    // after closing it (opened twice, HDF5 shares the first opening's stale metadata).
    h5call('Closing the file', { file: owner.file }, () =>
      owner.handle.module.close_file(owner.handle.id),
    );
    owner.handle = openHandle(owner.file, 'r', {
      lock: false,
      maxIoBytes: owner.maxIoBytes,
      swmr: true,
    }).handle;
    owner.native?.refresh(abs);
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
