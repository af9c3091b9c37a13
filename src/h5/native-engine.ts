/**
 * The native write engine: a described write carried out whole by the
 * optional addon (native/hdf5/write.cc) in one open of the file. Its deflate
 * arrays are compressed outside HDF5 (byte shuffle, then deflate by ISA-L's
 * igzip or libdeflate) on several threads and stored by direct chunk writes;
 * the datasets declare the same core filters, so every HDF5 reader decodes
 * them. This module loads no h5wasm: a process (or thread) that only writes
 * never starts it.
 */
import { H5Error } from '../errors.js';
import { itemSize } from '../frames/dtype.js';
import { type NdArray, repeatOf, sameShape, sizeOf } from '../frames/ndarray.js';
import {
  type NativeArray,
  type NativeEncodeSpec,
  type NativeOp,
  nativeAddon,
} from '../native/addon.js';
import { guessChunks } from './chunks.js';
import { countNativeWrites, nativeHdf5Status } from './native.js';
import { type SlabPipelines, slabPipelines, slabsWritable } from './native-slabs.js';
import { absolute, childOf, parentOf } from './paths.js';
import {
  type EncodedArray,
  type H5AddWrite,
  type H5ArrayNode,
  type H5Content,
  type H5Node,
  type H5Write,
  isEncoded,
  mapWrite,
  type StoredArray,
} from './tree.js';

/** A row larger than this cannot be one HDF5 chunk (chunks are at most 4 GiB). */
const MAX_ROW_BYTES = 1024 * 1024 * 1024;

/** Rows per HDF5 chunk of a deflate array: the default chunk shape when it keeps whole rows, else one row. */
function rowsPerChunk(shape: readonly number[], item: number): number | null {
  const [rows = 0, ...rest] = shape;
  const rowBytes = rest.reduce((a, b) => a * b, item);
  if (rows < 1 || rowBytes < 1 || rowBytes > MAX_ROW_BYTES) return null;
  const guess = guessChunks(shape, item);
  return guess.slice(1).every((c, i) => c === rest[i]) ? (guess[0] ?? 1) : 1;
}

function validLevel(level: number): boolean {
  return Number.isInteger(level) && level >= 0 && level <= 9;
}

/**
 * How the addon stores an array node, or null when it cannot (LZF, a
 * plugin filter, settings h5wasm would refuse: those writes go to h5wasm,
 * which says what is wrong).
 */
function nativeArray(node: H5ArrayNode<StoredArray>): NativeArray | null {
  const { value, storage } = node;
  const compression = storage.compression ?? { kind: 'none' };
  if (storage.filter !== undefined || compression.kind === 'lzf') return null;
  // A growable dataset (slabs are written into it later) is h5wasm's.
  if (storage.maxshape !== undefined) return null;
  if (storage.fullRows !== undefined) return partialArray(node, storage.fullRows);
  const { dtype, shape } = value;
  const size = sizeOf(shape);
  const contiguous = storage.layout === 'contiguous' || size === 0 || shape.length === 0;
  const gzip = compression.kind === 'gzip' ? compression : null;
  if (gzip !== null && !validLevel(gzip.level)) return null;
  const item = itemSize(dtype);
  if (isEncoded(value)) {
    if (gzip === null || contiguous) return null;
    const { bytes, blocks, chunkBlocks } = value;
    const deflate = { shuffle: gzip.shuffle === true, level: gzip.level };
    return {
      dtype,
      shape,
      repeated: false,
      layout: 'chunked',
      deflate: { ...deflate, rowsPerChunk: value.rowsPerChunk },
      encoded: { bytes, blocks: [...blocks], chunkBlocks: [...chunkBlocks] },
    };
  }
  const row = repeatOf(value);
  const data = (row ?? value).data;
  const repeated = row !== undefined;
  if (contiguous) {
    if (compression.kind !== 'none' && size > 0 && shape.length > 0) return null;
    return { dtype, shape, data, repeated, layout: 'contiguous' };
  }
  if (gzip !== null) {
    const rows = rowsPerChunk(shape, item);
    if (rows === null) return null;
    if (storage.chunks !== undefined && !sameShape(storage.chunks, [rows, ...shape.slice(1)])) {
      return null;
    }
    const deflate = { shuffle: gzip.shuffle === true, level: gzip.level, rowsPerChunk: rows };
    return { dtype, shape, data, repeated, layout: 'chunked', deflate };
  }
  const chunks = storage.chunks ? [...storage.chunks] : guessChunks(shape, item);
  if (chunks.length !== shape.length || chunks.some((c, i) => c < 1 || c > (shape[i] ?? 0))) {
    return null;
  }
  return {
    dtype,
    shape,
    data,
    repeated,
    layout: 'chunked',
    chunks,
    fletcher32: storage.checksum !== false,
  };
}

/**
 * A dataset created at its full length with only its first rows
 * (`fullRows`): chunked as the whole array would be, the rest written later
 * as slabs. Null for what only h5wasm writes.
 */
function partialArray(node: H5ArrayNode<StoredArray>, fullRows: number): NativeArray | null {
  const { value, storage } = node;
  const compression = storage.compression ?? { kind: 'none' };
  if (isEncoded(value) || value.shape.length === 0 || storage.layout === 'contiguous') return null;
  const [rows = 0, ...tail] = value.shape;
  if (!Number.isSafeInteger(fullRows) || fullRows < rows) return null;
  const shape = [fullRows, ...tail];
  const item = itemSize(value.dtype);
  const base = { dtype: value.dtype, shape, data: value.data, repeated: false, rows } as const;
  if (compression.kind === 'gzip') {
    if (!validLevel(compression.level)) return null;
    const perChunk = rowsPerChunk(shape, item);
    if (perChunk === null) return null;
    if (storage.chunks !== undefined && !sameShape(storage.chunks, [perChunk, ...tail]))
      return null;
    const deflate = { shuffle: compression.shuffle === true, level: compression.level };
    return { ...base, layout: 'chunked', deflate: { ...deflate, rowsPerChunk: perChunk } };
  }
  if (compression.kind !== 'none') return null;
  const chunks = storage.chunks ? [...storage.chunks] : guessChunks(shape, item);
  if (chunks.length !== shape.length || chunks.some((c, i) => c < 1 || c > (shape[i] ?? 0))) {
    return null;
  }
  return { ...base, layout: 'chunked', chunks, fletcher32: storage.checksum !== false };
}

/** Whether the addon stores `node`: hard links (growing a file, `grow.ts`) are h5wasm's. */
function nodeWritable(node: H5Node<StoredArray>): boolean {
  switch (node.kind) {
    case 'array':
      return nativeArray(node) !== null;
    case 'group':
      return node.members.every((m) => nodeWritable(m.node));
    case 'slab':
      return !isEncoded(node.value) && node.value.shape.length > 0;
    case 'hard-link':
      return false;
    default:
      return true;
  }
}

/** Whether the native engine takes `write`: the addon is loaded and it can store every array. */
export function nativeWritesAll(write: H5Write<StoredArray>): boolean {
  return (
    nativeAddon() !== null &&
    write.members.every((m) => nodeWritable(m.node)) &&
    slabsWritable(write)
  );
}

function pushNode(
  ops: NativeOp[],
  path: string,
  node: H5Node<StoredArray>,
  slabs: SlabPipelines = new Map(),
): void {
  const attributes = 'attributes' in node ? (node.attributes ?? {}) : {};
  switch (node.kind) {
    case 'array': {
      const array = nativeArray(node);
      if (array === null) throw new H5Error(`${path}: not an array the native engine stores.`);
      ops.push({ op: 'array', path, attributes, ...array });
      return;
    }
    case 'string':
      ops.push({ op: 'string', path, text: node.text, attributes });
      return;
    case 'external-link':
      ops.push({ op: 'link', path, file: node.targetFile, target: node.targetPath });
      return;
    case 'group':
      ops.push({ op: 'group', path, attributes });
      for (const member of node.members) pushNode(ops, childOf(path, member.name), member.node);
      return;
    case 'slab': {
      const { value, offset } = node;
      if (isEncoded(value)) throw new H5Error(`${path}: an encoded slab cannot be written.`);
      const { dtype, shape, data } = value;
      const deflate = slabs.get(path);
      ops.push({
        op: 'slab',
        path,
        offset,
        dtype,
        shape,
        data,
        repeated: false,
        ...(deflate === undefined ? {} : { deflate }),
      });
      return;
    }
    default:
      throw new H5Error(`${path}: a ${node.kind} is not written by the native engine.`);
  }
}

/**
 * The steps of writing `content`, as h5wasm's tree writer takes them: each
 * member by its path from the root (a missing parent group is created with
 * the `parents` attributes), then the root attributes. With `replace`, the
 * objects at the members' paths are deleted first.
 */
function opsOf(
  content: H5Content<StoredArray>,
  replace: boolean,
  slabs: SlabPipelines = new Map(),
): NativeOp[] {
  const ops: NativeOp[] = [];
  const paths = content.members.map((m) => absolute(m.name));
  // A slab goes into the dataset at its path: that one stays.
  const replaced = paths.filter((_, k) => content.members[k]?.node.kind !== 'slab');
  if (replace) for (const path of replaced) ops.push({ op: 'delete', path });
  for (const [k, { node }] of content.members.entries()) {
    const path = paths[k]!;
    const parent = parentOf(path);
    if (parent !== '/') {
      ops.push({ op: 'group', path: parent, ifMissing: true, attributes: content.parents });
    }
    pushNode(ops, path, node, slabs);
  }
  if (Object.keys(content.attributes).length > 0) {
    ops.push({ op: 'attributes', path: '/', attributes: content.attributes });
  }
  return ops;
}

function arrayCount(ops: readonly NativeOp[]): number {
  return ops.filter((op) => op.op === 'array').length;
}

/** Runs `ops` on `file`; errors name `shown` (a temp file's final name). */
function run(file: string, create: boolean, ops: NativeOp[], threads: number, shown = file): void {
  const native = nativeAddon();
  if (native === null) {
    throw new H5Error(`${shown}: the native HDF5 addon is not available to write it.`, {
      file: shown,
      expected: 'the native HDF5 addon',
      found: nativeHdf5Status().detail,
    });
  }
  try {
    native.writeTree(file, create, ops, Math.max(1, Math.floor(threads)));
  } catch (cause) {
    const path = (cause as { path?: unknown }).path;
    const dataset = typeof path === 'string' ? path : undefined;
    const message = (cause as Error).message.replaceAll(file, shown);
    throw new H5Error(`${shown}: ${message}`, {
      file: shown,
      ...(dataset === undefined ? {} : { dataset }),
      cause,
    });
  }
  countNativeWrites(arrayCount(ops));
}

/** Writes `content` into the new file `path` (created, or truncated; errors name the file as `shown`). */
export function nativeCreate(
  path: string,
  content: H5Content<StoredArray>,
  threads: number,
  shown = path,
): void {
  run(path, true, opsOf(content, false), threads, shown);
}

/** Adds the members of `write` to its existing file in place, replacing the objects at their paths. */
export function nativeAdd(write: H5AddWrite<StoredArray>, threads: number): void {
  run(write.file, false, opsOf(write, true, slabPipelines(write)), threads);
}

/**
 * `write` with the chunks of its deflate arrays compressed here, on
 * `threads` threads: what a rank hands the one that writes the file, which
 * stores them as they are. Arrays the native engine would not compress stay
 * as they are. Without the addon the write is returned unchanged.
 */
export function encodeWrite(write: H5Write, threads: number): H5Write<StoredArray> {
  const native = nativeAddon();
  if (native === null || !nativeWritesAll(write)) return write;
  const specs: NativeEncodeSpec[] = [];
  const targets: NdArray[] = [];
  const visit = (node: H5Node): void => {
    if (node.kind === 'group') for (const m of node.members) visit(m.node);
    if (node.kind !== 'array') return;
    const array = nativeArray(node);
    if (array?.deflate === undefined || array.data === undefined || array.rows !== undefined)
      return;
    const { rowsPerChunk: rows, ...deflate } = array.deflate;
    specs.push({
      ...deflate,
      dtype: array.dtype,
      shape: array.shape,
      data: array.data,
      repeated: array.repeated,
      rowsPerChunk: rows,
    });
    targets.push(node.value);
  };
  for (const m of write.members) visit(m.node);
  let encoded: ReturnType<typeof native.encodeArrays>;
  try {
    encoded = native.encodeArrays(specs, Math.max(1, Math.floor(threads)));
  } catch (cause) {
    throw new H5Error(`${write.file}: compressing failed: ${(cause as Error).message}`, {
      file: write.file,
      cause,
    });
  }
  const byArray = new Map<NdArray, EncodedArray>(
    targets.map((array, k) => {
      const e = encoded[k]!;
      const rows = specs[k]!.rowsPerChunk;
      return [
        array,
        { kind: 'encoded', dtype: array.dtype, shape: array.shape, rowsPerChunk: rows, ...e },
      ];
    }),
  );
  return mapWrite<NdArray, StoredArray>(write, (array) => byArray.get(array) ?? array);
}
