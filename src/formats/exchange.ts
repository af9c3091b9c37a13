/**
 * What every exchange format (CXI, NXcxi_ptycho, fold_slice) writes, step
 * by step, as trees for `src/h5/` to carry out: a first content, the meta
 * data, each chunk in order (the first one creates growable datasets, the
 * others append slabs to them), and at the end what only the whole scan
 * knows (the mask) plus any file of its own (fold_slice's positions file).
 * The save mode that drives a writer (`ptyd/modes/exchange.ts`) decides
 * where the files are written and when they take their names.
 */
import { FrameError } from '../errors.js';
import { type NdArray, ndarray } from '../frames/ndarray.js';
import type {
  H5ArrayNode,
  H5Attributes,
  H5Compression,
  H5Content,
  H5Member,
  H5Node,
} from '../h5/index.js';
import { isNdArray, type PyDict } from '../py/value.js';
import type { Chunk, Logger, Meta } from '../sink/types.js';

/** The formats ptyscan writes besides `.ptyd`, by their `save` / `--to` name. */
export type ExchangeFormatName = 'cxi' | 'nxcxi' | 'fold-slice';

/** How a writer is made: the main file's final name, the frames' compression, where warnings go. */
export interface ExchangeOptions {
  /** The main output file (its final name, for messages and the other files' names). */
  file: string;
  compression: H5Compression;
  logger?: Logger;
}

/** The end of a scan: the main file's last members, and every other file's whole content by its final name. */
export interface ExchangeFinish {
  main: H5Member[];
  others: ReadonlyMap<string, H5Content>;
}

/** One output being written: keeps what it needs between chunks (frame count, mask, ...). */
export interface ExchangeWriter {
  /** The main file's first content, written when the scan starts. */
  start(info: PyDict): H5Content;
  /** What the meta data adds (called once, before the first chunk). */
  meta(meta: Meta): H5Member[];
  /** What stores `chunk`; chunks come in order. */
  chunk(chunk: Chunk): H5Member[];
  /** What the end of the scan adds. */
  finish(): ExchangeFinish;
}

/** One exchange format: its name, the files it writes, and a writer for one output. */
export interface ExchangeFormat {
  readonly name: ExchangeFormatName;
  /** The files written besides `file` (fold_slice's positions file); checks the name. */
  otherFiles(file: string): string[];
  create(options: ExchangeOptions): ExchangeWriter;
}

/** A member at an absolute path. */
export function member(name: string, node: H5Node): H5Member {
  return { name, node };
}

/** A group node with attributes and no members (its members are added by path). */
export function group(attributes: H5Attributes): H5Node {
  return { kind: 'group', members: [], attributes };
}

/** A scalar float64 dataset, with its units. */
export function scalar(value: number, units?: string, extra: H5Attributes = {}): H5ArrayNode {
  return {
    kind: 'array',
    value: ndarray('float64', [], Float64Array.of(value)),
    storage: { layout: 'contiguous' },
    attributes: units === undefined ? extra : { units, ...extra },
  };
}

/** A scalar string dataset. */
export function text(value: string): H5Node {
  return { kind: 'string', text: value };
}

/** A fixed array dataset (chunked, checksummed, uncompressed). */
export function fixed(value: NdArray, attributes: H5Attributes = {}): H5ArrayNode {
  return { kind: 'array', value, storage: {}, attributes };
}

/**
 * An array that grows along `axis` (its first write), chunked by `chunks`;
 * later parts go in as slabs ({@link appended}).
 */
export function growable(
  value: NdArray,
  axis: number,
  chunks: readonly number[],
  compression: H5Compression,
  attributes: H5Attributes = {},
): H5ArrayNode {
  const maxshape = value.shape.map((d, i) => (i === axis ? null : d));
  return {
    kind: 'array',
    value,
    storage: { maxshape, chunks: chunks.map((c) => Math.max(1, c)), compression },
    attributes,
  };
}

/** A later part of a growable array: `value` at `start` along `axis`. */
export function appended(value: NdArray, axis: number, start: number): H5Node {
  return { kind: 'slab', value, offset: value.shape.map((_, i) => (i === axis ? start : 0)) };
}

/** The chunk's positions `[n, 2]` (y, x in metres); a chunk without positions cannot be written. */
export function chunkPositions(chunk: Chunk, file: string, format: string): NdArray<'float64'> {
  if (isNdArray(chunk.positions)) return chunk.positions;
  throw new FrameError(
    `${file}: frames ${chunk.indices[0]}-${chunk.indices.at(-1)} have no positions, which ${format} requires.`,
    {
      file,
      frame: chunk.indices[0] ?? 0,
      expected: 'a position (y, x) for every frame',
      found: 'no positions (the source gave none)',
    },
  );
}

/** A number of the meta data, or null when it is None (or not a number). */
export function metaNumber(meta: Meta, key: 'energy' | 'distance'): number | null {
  const value = meta[key];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (isNdArray(value) && value.data.length === 1) return Number(value.data[0]);
  return null;
}

/** A pair of the meta data (`psize`, `center`: y then x), or null. */
export function metaPair(meta: Meta, key: 'psize' | 'center'): [number, number] | null {
  const value = meta[key];
  if (isNdArray(value) && value.data.length === 2) {
    return [Number(value.data[0]), Number(value.data[1])];
  }
  if (typeof value === 'number') return [value, value];
  return null;
}
