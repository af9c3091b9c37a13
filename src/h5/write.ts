/**
 * Writing into an open file through h5wasm (see `handle.ts`): groups (one
 * level at a time: h5wasm cannot create nested groups), array datasets
 * (chunked and compressed, or contiguous; split into writes of at most
 * `maxIoBytes`), scalars, strings, attributes and external links.
 */
import { H5Error } from '../errors.js';
import { type DType, itemSize } from '../frames/dtype.js';
import { formatShape, type NdArray, ndarray, sizeOf } from '../frames/ndarray.js';
import { guessChunks } from './chunks.js';
import { type H5Handle, withHeap } from './handle.js';
import { absolute, parentOf } from './paths.js';
import { attributeNamesAt } from './read.js';
import { h5call } from './runtime.js';
import type { H5Compression, H5Entry } from './types.js';

/** Options of an array dataset. */
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
  /**
   * The largest shape the dataset may grow to, one entry per axis (null:
   * unlimited); default: its shape, fixed. A dataset with an unlimited axis
   * is always chunked; slabs are written into it later (`grow.ts`).
   */
  maxshape?: readonly (number | null)[];
  /**
   * The dataset's final length along axis 0 when the value holds only its
   * first rows: the rest are written later as slabs (see `H5SlabNode`), a
   * part at a time. Chunks are chosen for the final shape, which is also
   * the maxshape; a write of the final rows gives the dataset a whole file
   * would have had.
   */
  fullRows?: number;
}

/** What is at a path (following external links): how the file that owns the handle sees it. */
export type EntryOf = (path: string) => H5Entry;

const LZF_FILTER = 32000;
const LZF_MIN_CHUNK_BYTES = 4096;
const FLETCHER32_FILTER = 3;
/** HDF5's H5S_UNLIMITED (outside what emscripten binds as a constant). */
const H5S_UNLIMITED = 18446744073709551615n;

interface WriteType {
  type: number;
  size: number;
  signed: boolean;
}

/** Creates the group at `path` and any missing parents. */
export function createGroupAt(h: H5Handle, path: string, entryOf: EntryOf): void {
  let current = '';
  for (const part of absolute(path)
    .split('/')
    .filter((p) => p !== '')) {
    current = `${current}/${part}`;
    const at = entryOf(current);
    if (at.kind === 'group') continue;
    if (at.kind !== 'missing') {
      throw new H5Error(`${h.file}:${current} exists and is a ${at.kind}, not a group.`, {
        file: h.file,
        dataset: current,
        expected: 'a group or nothing',
        found: at.kind,
      });
    }
    const target = current;
    h5call('Creating a group', { file: h.file, dataset: target }, () =>
      h.module.create_group(h.id, target, false),
    );
  }
}

function ensureParent(h: H5Handle, abs: string, entryOf: EntryOf): void {
  const parent = parentOf(abs);
  if (parent !== '/') createGroupAt(h, parent, entryOf);
}

function writeType(h: H5Handle, dtype: DType): WriteType {
  const classes = h.module.H5T_class_t;
  if (dtype === 'float32' || dtype === 'float64') {
    return { type: classes.H5T_FLOAT.value, size: itemSize(dtype), signed: false };
  }
  // bool is stored as int8: h5wasm cannot write h5py's enum; numpy reads it and `> 0` works.
  const signed = dtype === 'bool' || dtype.startsWith('int');
  return { type: classes.H5T_INTEGER.value, size: itemSize(dtype), signed };
}

/** The HDF5 filter id and its values for a dataset's options (0: none). */
function filterOf(
  h: H5Handle,
  abs: string,
  options: H5ArrayOptions,
  compression: H5Compression,
  contiguous: boolean,
  chunkBytes: number,
): [number, number[]] {
  const ctx = { file: h.file, dataset: abs };
  if (options.filter && compression.kind !== 'none') {
    throw new H5Error(`${h.file}:${abs}: give either a filter or a compression, not both.`, {
      ...ctx,
      expected: 'one filter',
      found: `filter ${options.filter.id} and ${compression.kind}`,
    });
  }
  if (options.filter && contiguous) {
    throw new H5Error(`${h.file}:${abs}: a contiguous dataset cannot be filtered.`, ctx);
  }
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
  if (compression.kind === 'gzip' && compression.shuffle === true) {
    throw new H5Error(
      `${h.file}:${abs}: gzip after the byte shuffle needs the native HDF5 addon (h5wasm writes one filter per dataset).`,
      { ...ctx, expected: 'the native HDF5 addon, or shuffle off', found: 'h5wasm only' },
    );
  }
  if (options.filter) return [options.filter.id, [...options.filter.cdValues]];
  if (compression.kind === 'gzip') return [1, [compression.level]];
  // The LZF filter fails (it is registered mandatory by h5wasm) on any chunk it cannot
  // shrink, which tiny chunks never are: those are stored uncompressed instead (plugins alike).
  if (compression.kind === 'lzf' && chunkBytes >= LZF_MIN_CHUNK_BYTES) return [LZF_FILTER, []];
  if (compression.kind === 'plugin' && chunkBytes >= LZF_MIN_CHUNK_BYTES) {
    return [compression.id, [...compression.cdValues]];
  }
  return contiguous || options.checksum === false ? [0, []] : [FLETCHER32_FILTER, []];
}

/** Writes `array` as a new dataset at `path` (parents created); `bool` is stored as int8. */
export function writeArrayAt(
  h: H5Handle,
  path: string,
  array: NdArray,
  options: H5ArrayOptions,
  entryOf: EntryOf,
): void {
  const abs = absolute(path);
  ensureParent(h, abs, entryOf);
  const ctx = { file: h.file, dataset: abs };
  const type = writeType(h, array.dtype);
  const shape = [...array.shape];
  const size = sizeOf(shape);
  if (array.data.length !== size) {
    throw new H5Error(
      `${h.file}:${abs}: array data has ${array.data.length} elements for shape ${formatShape(shape)}.`,
      ctx,
    );
  }
  const bytes = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const compression = options.compression ?? { kind: 'none' };
  if (options.fullRows !== undefined && options.maxshape === undefined) {
    const full = [options.fullRows, ...shape.slice(1)];
    options = {
      ...options,
      maxshape: full,
      chunks: options.chunks ?? guessChunks(full, type.size),
    };
  }
  const maxshape = maxshapeOf(h, abs, shape, options);
  const contiguous =
    maxshape === null && (options.layout === 'contiguous' || size === 0 || shape.length === 0);
  if (contiguous && compression.kind !== 'none' && size > 0 && shape.length > 0) {
    throw new H5Error(`${h.file}:${abs}: a contiguous dataset cannot be compressed.`, ctx);
  }
  const rowBytes = shape.length === 0 ? bytes.byteLength : sizeOf(shape.slice(1)) * type.size;
  if (rowBytes > h.maxIoBytes) {
    throw new H5Error(
      `${h.file}:${abs}: one row is ${rowBytes} bytes, more than one write may take.`,
      ctx,
    );
  }
  const rowsPerPiece = Math.max(1, Math.floor(h.maxIoBytes / Math.max(rowBytes, 1)));
  const dim0 = shape[0] ?? 1;
  const split = !contiguous && dim0 > rowsPerPiece;
  if (contiguous && bytes.byteLength > h.maxIoBytes) {
    throw new H5Error(
      `${h.file}:${abs}: ${bytes.byteLength} bytes is too large for a contiguous dataset.`,
      ctx,
    );
  }
  let chunks: number[] | null = null;
  if (!contiguous) {
    chunks = options.chunks ? [...options.chunks] : guessChunks(shape, type.size);
    // A growable axis may have chunks larger than its present length.
    const limit = (i: number): number =>
      maxshape === null ? (shape[i] ?? 0) : (options.maxshape?.[i] ?? Number.POSITIVE_INFINITY);
    if (chunks.length !== shape.length || chunks.some((c, i) => c < 1 || c > limit(i))) {
      throw new H5Error(
        `${h.file}:${abs}: chunk shape ${formatShape(chunks)} does not fit ${formatShape(shape)}.`,
        ctx,
      );
    }
    if (split) chunks[0] = Math.min(chunks[0] ?? 1, rowsPerPiece);
  }
  const chunkBytes = chunks ? sizeOf(chunks) * type.size : 0;
  const [filterId, opts] = filterOf(h, abs, options, compression, contiguous, chunkBytes);
  const firstRows = split ? rowsPerPiece : dim0;
  const firstShape = shape.length === 0 ? [] : [firstRows, ...shape.slice(1)];
  const metadata = {
    ...type,
    littleEndian: true,
    vlen: false,
    shape: firstShape.map(BigInt),
    maxshape: maxshape ?? shape.map(BigInt),
    chunks: chunks ? chunks.map(BigInt) : null,
    compression: filterId,
    compression_opts: opts,
    track_order: false,
  };
  const firstBytes = split ? bytes.subarray(0, firstRows * rowBytes) : bytes;
  withHeap(h, firstBytes, abs, (ptr) =>
    h5call(
      compression.kind === 'lzf' || compression.kind === 'plugin'
        ? `Writing (${compression.kind === 'lzf' ? 'LZF' : compression.name})`
        : 'Writing',
      ctx,
      () => h.module.create_dataset(h.id, abs, BigInt(ptr), metadata as never),
    ),
  );
  if (!split) return;
  h5call('Resizing', ctx, () => h.module.resize_dataset(h.id, abs, shape.map(BigInt)));
  for (let row = firstRows; row < dim0; row += rowsPerPiece) {
    const n = Math.min(rowsPerPiece, dim0 - row);
    const piece = bytes.subarray(row * rowBytes, (row + n) * rowBytes);
    const count = [n, ...shape.slice(1)].map(BigInt);
    const offset = shape.map((_, i) => (i === 0 ? BigInt(row) : 0n));
    const strides = shape.map(() => 1n);
    withHeap(h, piece, abs, (ptr) =>
      h5call('Writing', ctx, () =>
        h.module.set_dataset_data(h.id, abs, count, offset, strides, BigInt(ptr)),
      ),
    );
  }
}

/** The maxshape of a growable dataset (null: a fixed one), checked against its shape. */
function maxshapeOf(
  h: H5Handle,
  abs: string,
  shape: readonly number[],
  options: H5ArrayOptions,
): bigint[] | null {
  const max = options.maxshape;
  if (max === undefined) return null;
  const fits =
    max.length === shape.length && max.every((m, i) => m === null || m >= (shape[i] ?? 0));
  if (!fits || options.layout === 'contiguous' || shape.length === 0) {
    throw new H5Error(
      `${h.file}:${abs}: maxshape ${formatShape(max.map((m) => (m === null ? -1 : m)))} does not fit a chunked ${formatShape(shape)} dataset.`,
      {
        file: h.file,
        dataset: abs,
        expected: `a chunked dataset with one maxshape entry >= each of ${formatShape(shape)} (null: unlimited)`,
        found: `${options.layout ?? 'chunked'} with maxshape of ${max.length} entries`,
      },
    );
  }
  return max.map((m) => (m === null ? H5S_UNLIMITED : BigInt(m)));
}

/** A 0-d array for a scalar: float64 for numbers, int64 for bigints, int8 for booleans. */
export function scalarArray(value: number | bigint | boolean): NdArray {
  return typeof value === 'bigint'
    ? ndarray('int64', [], BigInt64Array.of(value))
    : typeof value === 'boolean'
      ? ndarray('int8', [], Int8Array.of(value ? 1 : 0))
      : ndarray('float64', [], Float64Array.of(value));
}

function stringMeta(h: H5Handle): Record<string, unknown> {
  return {
    type: h.module.H5T_class_t.H5T_STRING.value,
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
export function writeStringAt(h: H5Handle, path: string, text: string, entryOf: EntryOf): void {
  const abs = absolute(path);
  ensureParent(h, abs, entryOf);
  h5call('Writing a string', { file: h.file, dataset: abs }, () =>
    h.module.create_vlen_str_dataset(h.id, abs, [text], stringMeta(h) as never),
  );
}

/** Removes the attribute `name` of the object at `abs`, if present. */
export function deleteAttributeAt(h: H5Handle, abs: string, name: string): void {
  if (!attributeNamesAt(h, abs).includes(name)) return;
  h5call('Deleting attribute', { file: h.file, dataset: `${abs}@${name}` }, () =>
    h.module.delete_attribute(h.id, abs, name),
  );
}

/** Sets a scalar variable-length UTF-8 string attribute (replacing one of that name). */
export function writeStringAttributeAt(h: H5Handle, abs: string, name: string, text: string): void {
  deleteAttributeAt(h, abs, name);
  h5call('Writing attribute', { file: h.file, dataset: `${abs}@${name}` }, () =>
    h.module.create_vlen_str_attribute(h.id, abs, name, [text], stringMeta(h) as never),
  );
}

/** Sets a numeric attribute (replacing one of that name); bool as int8. */
export function writeArrayAttributeAt(
  h: H5Handle,
  abs: string,
  name: string,
  array: NdArray,
): void {
  deleteAttributeAt(h, abs, name);
  const type = writeType(h, array.dtype);
  const bytes = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const shape = array.shape.map(BigInt);
  const metadata = { ...type, littleEndian: true, vlen: false, shape, maxshape: shape };
  withHeap(h, bytes, abs, (ptr) =>
    h5call('Writing attribute', { file: h.file, dataset: `${abs}@${name}` }, () =>
      h.module.create_attribute(h.id, abs, name, BigInt(ptr), metadata as never),
    ),
  );
}

/** Creates an external link at `linkPath` to `targetPath` in `targetFile` (stored as given). */
export function createExternalLinkAt(
  h: H5Handle,
  linkPath: string,
  targetFile: string,
  targetPath: string,
  entryOf: EntryOf,
): void {
  const abs = absolute(linkPath);
  ensureParent(h, abs, entryOf);
  const existing = entryOf(abs);
  if (existing.kind !== 'missing') {
    throw new H5Error(`${h.file}:${abs} already exists (${existing.kind}).`, {
      file: h.file,
      dataset: abs,
      expected: 'nothing at the link path',
      found: existing.kind,
    });
  }
  h5call('Creating an external link', { file: h.file, dataset: abs }, () =>
    h.module.create_external_link(h.id, targetFile, targetPath, abs),
  );
}
