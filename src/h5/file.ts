/**
 * `H5File`: one open HDF5 file, read or written through h5wasm with every
 * status checked. Reads are verified (size, shape, value range) before any
 * data is handed out; reads and writes are split into pieces of at most
 * `maxIoBytes` (256 MiB) because the WASM heap tops out at 2 GiB.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { FileFormatError, H5Error, MissingDataError } from '../errors.js';
import { type DType, itemSize, TYPED_ARRAY, type TypedArrayFor } from '../frames/dtype.js';
import { formatShape, type NdArray, ndarray, sizeOf } from '../frames/ndarray.js';
import { guessChunks } from './chunks.js';
import { acquireLock, type FileLock } from './lock.js';
import { diagMark, diagText, type H5Module, h5call, h5module, h5probe } from './runtime.js';
import {
  describeElementType,
  elementType,
  type H5Compression,
  type H5Data,
  type H5ElementType,
  type H5Entry,
  type H5Metadata,
  type StringArray,
} from './types.js';

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

/** Options of {@link H5File.writeArray}. */
export interface H5ArrayOptions {
  compression?: H5Compression;
  /** Chunk shape; default: whole frames, about 1 MiB per chunk. */
  chunks?: readonly number[];
  /** `contiguous` stores without chunks (no compression possible). */
  layout?: 'chunked' | 'contiguous';
  /**
   * Uncompressed chunked data gets HDF5's fletcher32 checksum (default true),
   * so a corrupt chunk is an error instead of wrong numbers; gzip data is
   * already checked by zlib. h5wasm allows one filter per dataset, so LZF
   * data has no checksum.
   */
  checksum?: boolean;
  /**
   * Another HDF5 filter by id, e.g. `{ id: 32008, cdValues: [0, 2] }` for
   * bitshuffle + LZ4 as detectors write it: the filter plugins of
   * h5wasm-plugins are on the search path. Used instead of `compression`
   * (which must then be absent or `none`); tests use it to write the files
   * beamlines produce.
   */
  filter?: { id: number; cdValues: readonly number[] };
}

/** A slice along the first axis: `count` rows from `start`. */
export interface H5Slice {
  start: number;
  count: number;
}

/** Default largest single read or write (bytes). */
export const MAX_IO_BYTES = 256 * 1024 * 1024;

const LZF_FILTER = 32000;
const LZF_MIN_CHUNK_BYTES = 4096;
const FLETCHER32_FILTER = 3;

interface WriteType {
  type: number;
  size: number;
  signed: boolean;
}

function absolute(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return `/${parts.join('/')}`;
}

function parentOf(path: string): string {
  const abs = absolute(path);
  const cut = abs.lastIndexOf('/');
  return cut <= 0 ? '/' : abs.slice(0, cut);
}

/** An open HDF5 file. Always {@link H5File.close} it (try/finally). */
export class H5File {
  readonly file: string;
  readonly mode: H5Mode;
  readonly maxIoBytes: number;
  private readonly module: H5Module;
  private readonly id: bigint;
  private lock: FileLock | undefined;
  private closed = false;
  /** Files reached through external links, opened read-only on first use. */
  private readonly linked = new Map<string, H5File>();

  private constructor(
    file: string,
    mode: H5Mode,
    id: bigint,
    lock: FileLock | undefined,
    maxIo: number,
  ) {
    this.file = file;
    this.mode = mode;
    this.id = id;
    this.lock = lock;
    this.maxIoBytes = maxIo;
    this.module = h5module();
  }

  /**
   * Opens `file`. A missing, truncated or non-HDF5 file gives a
   * {@link FileFormatError}; a file another writer holds gives a LockError.
   */
  static open(file: string, mode: H5Mode = 'r', options: H5OpenOptions = {}): H5File {
    const module = h5module();
    if (mode !== 'w') {
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
    const lock = (options.lock ?? mode !== 'r') ? acquireLock(file) : undefined;
    try {
      const flags = { r: module.H5F_ACC_RDONLY, w: module.H5F_ACC_TRUNC, a: module.H5F_ACC_RDWR }[
        mode
      ];
      const mark = diagMark();
      let id: bigint;
      try {
        const libver =
          mode !== 'w'
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
          expected: mode === 'w' ? 'a writable path' : 'an HDF5 file',
          found: reason,
        });
      }
      return new H5File(file, mode, id, lock, options.maxIoBytes ?? MAX_IO_BYTES);
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
      h5call('Closing the file', { file: this.file }, () => this.module.close_file(this.id));
    } finally {
      this.lock?.release();
      this.lock = undefined;
    }
  }

  /** Writes buffered data to disk. */
  flush(): void {
    this.live();
    h5call('Flushing', { file: this.file }, () => this.module.flush(this.id));
  }

  private live(): void {
    if (this.closed) throw new H5Error(`${this.file} is already closed.`, { file: this.file });
  }

  private writable(): void {
    this.live();
    if (this.mode === 'r') {
      throw new H5Error(`${this.file} is open read-only.`, {
        file: this.file,
        expected: "mode 'w' or 'a'",
        found: "'r'",
      });
    }
  }

  // ---------------------------------------------------------------- inspect

  /**
   * Where to read `abs` from: objects behind an external link are read from
   * the linked file itself, because h5wasm's vlen-string reads (the `type`
   * attributes) fail with "Bad size for object" through a link.
   */
  private route(abs: string, includeLast: boolean): [H5File, string] {
    const parts = abs.split('/').filter((p) => p !== '');
    const limit = includeLast ? parts.length : parts.length - 1;
    for (let i = 1; i <= limit; i++) {
      const prefix = `/${parts.slice(0, i).join('/')}`;
      const link = h5probe('Reading a link', { file: this.file, dataset: prefix }, () =>
        this.module.get_external_link(this.id, prefix),
      );
      if (typeof link.filename !== 'string' || typeof link.obj_path !== 'string') continue;
      const child = this.linkedFile(link.filename, prefix);
      const rest = absolute(`${link.obj_path}/${parts.slice(i).join('/')}`);
      return child.route(rest, includeLast);
    }
    return [this, abs];
  }

  private linkedFile(target: string, linkPath: string): H5File {
    const here = dirname(resolve(this.file));
    const candidates = isAbsolute(target)
      ? [target, join(here, basename(target))]
      : [join(here, target), resolve(target)];
    const found = candidates.find((c) => existsSync(c));
    if (!found) {
      throw new MissingDataError(
        `${this.file}:${linkPath} links to ${target}, which does not exist.`,
        {
          file: this.file,
          dataset: linkPath,
          expected: target,
          found: 'a dead external link',
        },
      );
    }
    let child = this.linked.get(found);
    if (!child) {
      child = H5File.open(found, 'r', { lock: false, maxIoBytes: this.maxIoBytes });
      this.linked.set(found, child);
    }
    return child;
  }

  /** What is at `path`, without following an external link at `path` itself. */
  entry(path: string): H5Entry {
    this.live();
    const [owner, inner] = this.route(absolute(path), false);
    if (owner !== this) return { ...owner.entry(inner), path: absolute(path) };
    const abs = inner;
    const m = this.module;
    if (abs === '/') return { kind: 'group', path: abs };
    const ctx = { file: this.file, dataset: abs };
    const link = h5probe('Reading a link', ctx, () => m.get_external_link(this.id, abs));
    if (typeof link.filename === 'string' && typeof link.obj_path === 'string') {
      const dead =
        h5probe('Resolving a link', ctx, () => m.get_type(this.id, abs)) === m.H5G_UDLINK;
      return {
        kind: 'external-link',
        path: abs,
        targetFile: link.filename,
        targetPath: link.obj_path,
        dead,
      };
    }
    return this.resolved(abs);
  }

  /** What `path` resolves to, following external links (a dead link gives `missing`). */
  resolve(path: string): H5Entry {
    this.live();
    let routed: [H5File, string];
    try {
      routed = this.route(absolute(path), true);
    } catch (error) {
      if (error instanceof MissingDataError) return { kind: 'missing', path: absolute(path) };
      throw error;
    }
    const [owner, inner] = routed;
    return { ...owner.resolved(inner), path: absolute(path) };
  }

  private resolved(abs: string): H5Entry {
    const m = this.module;
    const ctx = { file: this.file, dataset: abs };
    const type = h5probe('Looking up a path', ctx, () => m.get_type(this.id, abs));
    if (type === m.H5G_GROUP) return { kind: 'group', path: abs };
    if (type === m.H5G_DATASET) {
      const meta = this.datasetMeta(abs);
      const filters = h5call('Reading filters', ctx, () => m.get_dataset_filters(this.id, abs));
      return {
        kind: 'dataset',
        path: abs,
        shape: meta.shape ?? [],
        dtype: elementType(m, meta),
        chunks: meta.chunks,
        filters: filters.map((f) => ({ id: f.id, name: f.name, cdValues: [...f.cd_values] })),
      };
    }
    if (type === m.H5G_LINK) {
      const target = h5probe('Reading a soft link', ctx, () => m.get_symbolic_link(this.id, abs));
      return { kind: 'soft-link', path: abs, target: String(target) };
    }
    if (type === m.H5G_UDLINK) return { kind: 'missing', path: abs };
    if (type < 0) return { kind: 'missing', path: abs };
    return { kind: 'other', path: abs };
  }

  /** True when `path` resolves to an object (following external links). */
  has(path: string): boolean {
    const kind = this.resolve(path).kind;
    return kind !== 'missing';
  }

  /** Names of the members of the group at `path` (following external links), sorted. */
  members(path: string): string[] {
    this.live();
    const [owner, abs] = this.route(absolute(path), true);
    if (owner !== this) return owner.members(abs);
    const names = h5call('Listing a group', { file: this.file, dataset: abs }, () =>
      this.module.get_names(this.id, abs, false),
    );
    return [...names].sort();
  }

  /** Names of the attributes of the object at `path`. */
  attributeNames(path: string): string[] {
    this.live();
    const [owner, abs] = this.route(absolute(path), true);
    if (owner !== this) return owner.attributeNames(abs);
    const names = h5call('Listing attributes', { file: this.file, dataset: abs }, () =>
      this.module.get_attribute_names(this.id, abs),
    );
    return [...names].sort();
  }

  private datasetMeta(abs: string): H5Metadata {
    const meta = h5call('Reading dataset metadata', { file: this.file, dataset: abs }, () =>
      this.module.get_dataset_metadata(this.id, abs),
    ) as unknown as H5Metadata;
    return meta;
  }

  // ---------------------------------------------------------------- read

  /** Reads an attribute (numbers as an NdArray, strings as a StringArray; scalars have shape []). */
  readAttribute(path: string, name: string): H5Data {
    this.live();
    const [owner, abs] = this.route(absolute(path), true);
    if (owner !== this) return owner.readAttribute(abs, name);
    const m = this.module;
    const ctx = { file: this.file, dataset: `${abs}@${name}` };
    const meta = h5call('Reading attribute metadata', ctx, () =>
      m.get_attribute_metadata(this.id, abs, name),
    ) as unknown as H5Metadata;
    const shape = this.checkedShape(meta, ctx.dataset);
    const dtype = this.readableType(meta, ctx.dataset);
    const count = sizeOf(shape);
    const nbytes = meta.size * count;
    const ptr = this.malloc(nbytes, ctx.dataset);
    try {
      h5call('Reading attribute', ctx, () => m.get_attribute_data(this.id, abs, name, BigInt(ptr)));
      try {
        return this.decode(meta, dtype, shape, ptr, nbytes, ctx.dataset);
      } finally {
        if (meta.vlen) m.reclaim_vlen_memory(this.id, abs, name, BigInt(ptr));
      }
    } finally {
      m._free(ptr);
    }
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
    this.live();
    const [owner, abs] = this.route(absolute(path), true);
    if (owner !== this) return owner.readDataset(abs, slice);
    const _m = this.module;
    const meta = this.datasetMeta(abs);
    const full = this.checkedShape(meta, abs);
    const dtype = this.readableType(meta, abs);
    let offset = 0;
    let rows = full[0] ?? 1;
    if (slice) {
      const dim0 = full[0];
      if (dim0 === undefined) {
        throw new H5Error(`${this.file}:${abs} is a scalar; it has no rows to slice.`, {
          file: this.file,
          dataset: abs,
          expected: 'an array',
          found: 'a scalar',
        });
      }
      const { start, count } = slice;
      if (
        !Number.isInteger(start) ||
        !Number.isInteger(count) ||
        start < 0 ||
        count < 0 ||
        start + count > dim0
      ) {
        throw new MissingDataError(
          `${this.file}:${abs}: rows [${start}, ${start + count}) are outside its ${dim0} rows.`,
          {
            file: this.file,
            dataset: abs,
            expected: `rows within [0, ${dim0})`,
            found: `[${start}, ${start + count})`,
          },
        );
      }
      offset = start;
      rows = count;
    }
    const shape = full.length === 0 ? [] : [rows, ...full.slice(1)];
    const rowElems = sizeOf(full.slice(1));
    const rowBytes = rowElems * meta.size;
    if (full.length > 0 && rowBytes > this.maxIoBytes) {
      throw new H5Error(
        `${this.file}:${abs}: one row is ${rowBytes} bytes, more than one read may take.`,
        {
          file: this.file,
          dataset: abs,
          expected: `rows of at most ${this.maxIoBytes} bytes`,
          found: `${rowBytes}`,
        },
      );
    }
    const piece =
      full.length === 0 ? 1 : Math.max(1, Math.floor(this.maxIoBytes / Math.max(rowBytes, 1)));
    if (full.length === 0 || (rows <= piece && !slice)) {
      return this.readPiece(abs, meta, dtype, shape, null);
    }
    const parts: H5Data[] = [];
    for (let done = 0; done < rows || (rows === 0 && parts.length === 0); done += piece) {
      const n = Math.min(piece, rows - done);
      const at = full.map((_, i) => (i === 0 ? offset + done : 0));
      parts.push(this.readPiece(abs, meta, dtype, [n, ...full.slice(1)], at));
      if (rows === 0) break;
    }
    return concatRows(parts, shape);
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
    this.live();
    const [owner, abs] = this.route(absolute(path), true);
    if (owner !== this) return owner.readBlock(abs, start, count);
    const meta = this.datasetMeta(abs);
    const full = this.checkedShape(meta, abs);
    const dtype = this.readableType(meta, abs);
    const ctx = { file: this.file, dataset: abs };
    if (start.length !== count.length || start.length === 0 || start.length > full.length) {
      throw new H5Error(
        `${this.file}:${abs}: a block of ${start.length} start and ${count.length} count values does not fit shape ${formatShape(full)}.`,
        {
          ...ctx,
          expected: `1..${full.length} leading axes`,
          found: `${start.length}/${count.length}`,
        },
      );
    }
    const outside = start.some((s, i) => {
      const c = count[i] ?? 0;
      return (
        !Number.isInteger(s) || !Number.isInteger(c) || s < 0 || c < 0 || s + c > (full[i] ?? 0)
      );
    });
    if (outside) {
      const found = start.map((s, i) => `${s}:${s + (count[i] ?? 0)}`).join(', ');
      throw new MissingDataError(
        `${this.file}:${abs}: block [${found}] is outside its shape ${formatShape(full)}.`,
        { ...ctx, expected: `a block within ${formatShape(full)}`, found: `[${found}]` },
      );
    }
    const shape = full.map((d, i) => count[i] ?? d);
    const offsets = full.map((_, i) => start[i] ?? 0);
    return this.readPiece(abs, meta, dtype, shape, offsets);
  }

  private readPiece(
    abs: string,
    meta: H5Metadata,
    dtype: DType | 'string',
    shape: number[],
    offsets: readonly number[] | null,
  ): H5Data {
    const m = this.module;
    const count = sizeOf(shape);
    const nbytes = count * meta.size;
    const ctx = { file: this.file, dataset: abs };
    if (count === 0) return dtype === 'string' ? { dtype, shape, data: [] } : ndarray(dtype, shape);
    const ptr = this.malloc(nbytes, abs);
    const hyperslab = offsets === null ? null : offsets.map(BigInt);
    const counts = offsets === null ? null : shape.map(BigInt);
    const strides = offsets === null ? null : shape.map(() => 1n);
    try {
      h5call('Reading dataset', ctx, () =>
        m.get_dataset_data(this.id, abs, counts, hyperslab, strides, BigInt(ptr)),
      );
      try {
        return this.decode(meta, dtype, shape, ptr, nbytes, abs);
      } finally {
        if (meta.vlen) {
          if (counts) m.reclaim_vlen_memory_count(this.id, abs, '', BigInt(ptr), counts);
          else m.reclaim_vlen_memory(this.id, abs, '', BigInt(ptr));
        }
      }
    } finally {
      m._free(ptr);
    }
  }

  private checkedShape(meta: H5Metadata, where: string): number[] {
    const shape = meta.shape;
    if (
      !shape?.every((d) => Number.isSafeInteger(d) && d >= 0) ||
      sizeOf(shape) !== meta.total_size
    ) {
      throw new FileFormatError(
        `${this.file}:${where}: unreadable shape ${JSON.stringify(shape)}.`,
        {
          file: this.file,
          dataset: where,
          expected: 'a simple dataspace',
          found: JSON.stringify(shape),
        },
      );
    }
    return [...shape];
  }

  private readableType(meta: H5Metadata, where: string): DType | 'string' {
    const dtype: H5ElementType = elementType(this.module, meta);
    if (typeof dtype !== 'string') {
      throw new FileFormatError(
        `${this.file}:${where}: element type ${describeElementType(dtype)} cannot be read.`,
        {
          file: this.file,
          dataset: where,
          expected: 'integers, floats, bools or strings',
          found: describeElementType(dtype),
        },
      );
    }
    if (dtype !== 'string' && meta.size !== itemSize(dtype)) {
      throw new FileFormatError(
        `${this.file}:${where}: element size ${meta.size} does not fit ${dtype}.`,
        {
          file: this.file,
          dataset: where,
        },
      );
    }
    return dtype;
  }

  private malloc(nbytes: number, where: string): number {
    if (nbytes > this.maxIoBytes && nbytes > 0) {
      throw new H5Error(
        `${this.file}:${where}: ${nbytes} bytes in one piece exceed the ${this.maxIoBytes}-byte limit.`,
        {
          file: this.file,
          dataset: where,
        },
      );
    }
    const ptr = this.module._malloc(Math.max(nbytes, 1));
    if (!ptr) {
      throw new H5Error(
        `Out of WASM memory allocating ${nbytes} bytes for ${this.file}:${where}.`,
        {
          file: this.file,
          dataset: where,
        },
      );
    }
    return ptr;
  }

  private decode(
    meta: H5Metadata,
    dtype: DType | 'string',
    shape: number[],
    ptr: number,
    nbytes: number,
    where: string,
  ): H5Data {
    const m = this.module;
    const count = sizeOf(shape);
    if (dtype === 'string') {
      const data: string[] = [];
      if (meta.vlen) {
        const ptrs = new Uint32Array(m.HEAPU8.buffer, ptr, count);
        const read = meta.cset === 1 ? m.UTF8ToString : m.AsciiToString;
        for (const p of ptrs) data.push(p === 0 ? '' : read(p));
      } else {
        const decoder = new TextDecoder(meta.cset === 1 ? 'utf-8' : 'latin1');
        for (let i = 0; i < count; i++) {
          let bytes = m.HEAPU8.subarray(ptr + i * meta.size, ptr + (i + 1) * meta.size);
          const nul = bytes.indexOf(0);
          if (nul >= 0) bytes = bytes.subarray(0, nul);
          let text = decoder.decode(bytes);
          if (meta.strpad === 2) text = text.replace(/ +$/, '');
          data.push(text);
        }
      }
      return { dtype: 'string', shape, data } satisfies StringArray;
    }
    const bytes = m.HEAPU8.slice(ptr, ptr + nbytes);
    const data = new TYPED_ARRAY[dtype](bytes.buffer, 0, count) as TypedArrayFor[typeof dtype];
    if (dtype === 'bool') {
      for (const b of bytes) {
        if (b > 1) {
          throw new FileFormatError(`${this.file}:${where}: bool dataset holds the value ${b}.`, {
            file: this.file,
            dataset: where,
            expected: '0 or 1',
            found: String(b),
          });
        }
      }
    }
    return ndarray(dtype, shape, data);
  }

  // ---------------------------------------------------------------- write

  /** Creates the group at `path` and any missing parents (HDF5 via h5wasm creates one level at a time). */
  createGroup(path: string): void {
    this.writable();
    const parts = absolute(path)
      .split('/')
      .filter((p) => p !== '');
    let current = '';
    for (const part of parts) {
      current = `${current}/${part}`;
      const at = this.entry(current);
      if (at.kind === 'group') continue;
      if (at.kind !== 'missing') {
        throw new H5Error(`${this.file}:${current} exists and is a ${at.kind}, not a group.`, {
          file: this.file,
          dataset: current,
          expected: 'a group or nothing',
          found: at.kind,
        });
      }
      const target = current;
      h5call('Creating a group', { file: this.file, dataset: target }, () =>
        this.module.create_group(this.id, target, false),
      );
    }
  }

  private ensureParent(abs: string): void {
    const parent = parentOf(abs);
    if (parent !== '/') this.createGroup(parent);
  }

  private writeType(dtype: DType): WriteType {
    const classes = this.module.H5T_class_t;
    if (dtype === 'float32' || dtype === 'float64') {
      return { type: classes.H5T_FLOAT.value, size: itemSize(dtype), signed: false };
    }
    // bool is stored as int8: h5wasm cannot write h5py's enum; numpy reads it and `> 0` works.
    const signed = dtype === 'bool' || dtype.startsWith('int');
    return { type: classes.H5T_INTEGER.value, size: itemSize(dtype), signed };
  }

  /**
   * Writes `array` as a new dataset at `path` (parents created). Chunked with
   * the given compression unless `layout: 'contiguous'`; `bool` is stored as int8.
   */
  writeArray(path: string, array: NdArray, options: H5ArrayOptions = {}): void {
    this.writable();
    const abs = absolute(path);
    this.ensureParent(abs);
    const ctx = { file: this.file, dataset: abs };
    const type = this.writeType(array.dtype);
    const shape = [...array.shape];
    const size = sizeOf(shape);
    if (array.data.length !== size) {
      throw new H5Error(
        `${this.file}:${abs}: array data has ${array.data.length} elements for shape ${formatShape(shape)}.`,
        ctx,
      );
    }
    const bytes = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
    const compression = options.compression ?? { kind: 'none' };
    const contiguous = options.layout === 'contiguous' || size === 0 || shape.length === 0;
    if (contiguous && compression.kind !== 'none' && size > 0 && shape.length > 0) {
      throw new H5Error(`${this.file}:${abs}: a contiguous dataset cannot be compressed.`, ctx);
    }
    const rowBytes = shape.length === 0 ? bytes.byteLength : sizeOf(shape.slice(1)) * type.size;
    if (rowBytes > this.maxIoBytes) {
      throw new H5Error(
        `${this.file}:${abs}: one row is ${rowBytes} bytes, more than one write may take.`,
        ctx,
      );
    }
    const rowsPerPiece = Math.max(1, Math.floor(this.maxIoBytes / Math.max(rowBytes, 1)));
    const dim0 = shape[0] ?? 1;
    const split = !contiguous && dim0 > rowsPerPiece;
    if (contiguous && bytes.byteLength > this.maxIoBytes) {
      throw new H5Error(
        `${this.file}:${abs}: ${bytes.byteLength} bytes is too large for a contiguous dataset.`,
        ctx,
      );
    }
    let chunks: number[] | null = null;
    if (!contiguous) {
      chunks = options.chunks ? [...options.chunks] : guessChunks(shape, type.size);
      if (chunks.length !== shape.length || chunks.some((c, i) => c < 1 || c > (shape[i] ?? 0))) {
        throw new H5Error(
          `${this.file}:${abs}: chunk shape ${formatShape(chunks)} does not fit ${formatShape(shape)}.`,
          ctx,
        );
      }
      if (split) chunks[0] = Math.min(chunks[0] ?? 1, rowsPerPiece);
    }
    // The LZF filter fails (it is registered mandatory by h5wasm) on any chunk it cannot
    // shrink, which tiny chunks never are: those are stored uncompressed instead.
    const chunkBytes = chunks ? sizeOf(chunks) * type.size : 0;
    const lzf = compression.kind === 'lzf' && chunkBytes >= LZF_MIN_CHUNK_BYTES;
    if (options.filter && compression.kind !== 'none') {
      throw new H5Error(`${this.file}:${abs}: give either a filter or a compression, not both.`, {
        ...ctx,
        expected: 'one filter',
        found: `filter ${options.filter.id} and ${compression.kind}`,
      });
    }
    if (options.filter && contiguous) {
      throw new H5Error(`${this.file}:${abs}: a contiguous dataset cannot be filtered.`, ctx);
    }
    const [filterId, opts] = options.filter
      ? [options.filter.id, [...options.filter.cdValues]]
      : compression.kind === 'gzip'
        ? [1, [compression.level]]
        : lzf
          ? [LZF_FILTER, []]
          : contiguous || options.checksum === false
            ? [0, []]
            : [FLETCHER32_FILTER, []];
    if (
      compression.kind === 'gzip' &&
      !(Number.isInteger(compression.level) && compression.level >= 0 && compression.level <= 9)
    ) {
      throw new H5Error(`gzip level must be an integer 0..9, found ${compression.level}.`, {
        ...ctx,
        expected: '0..9',
        found: String(compression.level),
      });
    }
    const firstRows = split ? rowsPerPiece : dim0;
    const firstShape = shape.length === 0 ? [] : [firstRows, ...shape.slice(1)];
    const metadata = {
      ...type,
      littleEndian: true,
      vlen: false,
      shape: firstShape.map(BigInt),
      maxshape: shape.map(BigInt),
      chunks: chunks ? chunks.map(BigInt) : null,
      compression: filterId,
      compression_opts: opts,
      track_order: false,
    };
    const firstBytes = split ? bytes.subarray(0, firstRows * rowBytes) : bytes;
    this.withHeap(firstBytes, abs, (ptr) =>
      h5call(compression.kind === 'lzf' ? 'Writing (LZF)' : 'Writing', ctx, () =>
        this.module.create_dataset(this.id, abs, BigInt(ptr), metadata as never),
      ),
    );
    if (!split) return;
    h5call('Resizing', ctx, () => this.module.resize_dataset(this.id, abs, shape.map(BigInt)));
    for (let row = firstRows; row < dim0; row += rowsPerPiece) {
      const n = Math.min(rowsPerPiece, dim0 - row);
      const piece = bytes.subarray(row * rowBytes, (row + n) * rowBytes);
      const count = [n, ...shape.slice(1)].map(BigInt);
      const offset = shape.map((_, i) => (i === 0 ? BigInt(row) : 0n));
      const strides = shape.map(() => 1n);
      this.withHeap(piece, abs, (ptr) =>
        h5call('Writing', ctx, () =>
          this.module.set_dataset_data(this.id, abs, count, offset, strides, BigInt(ptr)),
        ),
      );
    }
  }

  private withHeap<T>(bytes: Uint8Array, where: string, use: (ptr: number) => T): T {
    const ptr = this.malloc(bytes.byteLength, where);
    try {
      this.module.HEAPU8.set(bytes, ptr);
      return use(ptr);
    } finally {
      this.module._free(ptr);
    }
  }

  /** Writes a scalar dataset: float64 for numbers, int64 for bigints, int8 for booleans. */
  writeScalar(path: string, value: number | bigint | boolean): void {
    const array =
      typeof value === 'bigint'
        ? ndarray('int64', [], BigInt64Array.of(value))
        : typeof value === 'boolean'
          ? ndarray('int8', [], Int8Array.of(value ? 1 : 0))
          : ndarray('float64', [], Float64Array.of(value));
    this.writeArray(path, array, { layout: 'contiguous' });
  }

  private stringMeta(): Record<string, unknown> {
    return {
      type: this.module.H5T_class_t.H5T_STRING.value,
      size: 4,
      signed: false,
      littleEndian: true,
      vlen: true,
      cset: 1,
      shape: [],
      maxshape: [],
      chunks: null,
      compression: 0,
      compression_opts: [],
      track_order: false,
    };
  }

  /** Writes a scalar variable-length UTF-8 string dataset. */
  writeString(path: string, text: string): void {
    this.writable();
    const abs = absolute(path);
    this.ensureParent(abs);
    h5call('Writing a string', { file: this.file, dataset: abs }, () =>
      this.module.create_vlen_str_dataset(this.id, abs, [text], this.stringMeta() as never),
    );
  }

  /** Sets a scalar variable-length UTF-8 string attribute (replacing one of that name). */
  writeStringAttribute(path: string, name: string, text: string): void {
    this.writable();
    const abs = absolute(path);
    this.deleteAttribute(abs, name);
    h5call('Writing attribute', { file: this.file, dataset: `${abs}@${name}` }, () =>
      this.module.create_vlen_str_attribute(this.id, abs, name, [text], this.stringMeta() as never),
    );
  }

  /** Sets a numeric attribute (replacing one of that name); bool as int8. */
  writeArrayAttribute(path: string, name: string, array: NdArray): void {
    this.writable();
    const abs = absolute(path);
    this.deleteAttribute(abs, name);
    const type = this.writeType(array.dtype);
    const bytes = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
    const shape = array.shape.map(BigInt);
    const metadata = { ...type, littleEndian: true, vlen: false, shape, maxshape: shape };
    this.withHeap(bytes, abs, (ptr) =>
      h5call('Writing attribute', { file: this.file, dataset: `${abs}@${name}` }, () =>
        this.module.create_attribute(this.id, abs, name, BigInt(ptr), metadata as never),
      ),
    );
  }

  /** Removes an attribute if present. */
  deleteAttribute(path: string, name: string): void {
    this.writable();
    const abs = absolute(path);
    if (!this.attributeNames(abs).includes(name)) return;
    h5call('Deleting attribute', { file: this.file, dataset: `${abs}@${name}` }, () =>
      this.module.delete_attribute(this.id, abs, name),
    );
  }

  /**
   * Creates an external link at `linkPath` to `targetPath` in `targetFile`
   * (stored as given: a relative name resolves against this file's folder).
   */
  createExternalLink(linkPath: string, targetFile: string, targetPath: string): void {
    this.writable();
    const abs = absolute(linkPath);
    this.ensureParent(abs);
    const existing = this.entry(abs);
    if (existing.kind !== 'missing') {
      throw new H5Error(`${this.file}:${abs} already exists (${existing.kind}).`, {
        file: this.file,
        dataset: abs,
        expected: 'nothing at the link path',
        found: existing.kind,
      });
    }
    h5call('Creating an external link', { file: this.file, dataset: abs }, () =>
      this.module.create_external_link(this.id, targetFile, targetPath, abs),
    );
  }
}

function concatRows(parts: H5Data[], shape: number[]): H5Data {
  if (parts.length === 1 && parts[0]) return parts[0];
  const first = parts[0];
  if (!first) throw new H5Error('No rows were read.');
  if (first.dtype === 'string') {
    const data: string[] = [];
    for (const p of parts) data.push(...(p.data as readonly string[]));
    return { dtype: 'string', shape, data };
  }
  const out = ndarray(first.dtype, shape);
  let at = 0;
  for (const p of parts) {
    const d = p.data as ArrayLike<number | bigint> & { length: number };
    (out.data as unknown as { set(src: ArrayLike<number | bigint>, offset: number): void }).set(
      d,
      at,
    );
    at += d.length;
  }
  return out;
}
