/**
 * Writes described before any byte is written: a tree of groups, array
 * datasets, strings and external links, and where it goes (a new file, or
 * objects added to an existing one). `src/h5/` decides which engine writes
 * each array (h5wasm, or the native addon's direct chunk writes) and in
 * which thread the large ones are written; the codecs that build trees
 * (ptyd/) never know.
 *
 * `A` is how array values travel: NdArrays here, references into shared
 * memory on the way to a worker thread (see `write-job.ts`), or chunks
 * compressed on another rank ({@link EncodedArray}).
 */
import type { DType } from '../frames/dtype.js';
import type { NdArray } from '../frames/ndarray.js';
import type { H5ArrayOptions } from './write.js';

/**
 * An array whose chunks were compressed already, where it was prepared
 * (`encodeWrite` in `native-engine.ts`): written as it is, by direct chunk
 * writes, with the filters of its node's compression.
 */
export interface EncodedArray {
  readonly kind: 'encoded';
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Rows (entries of the first axis) per HDF5 chunk. */
  readonly rowsPerChunk: number;
  /** The distinct compressed chunks, one after the other. */
  readonly bytes: Uint8Array;
  /** `[offset, size, ...]` of each distinct chunk in `bytes`. */
  readonly blocks: readonly number[];
  /** For each HDF5 chunk, the index of its block. */
  readonly chunkBlocks: readonly number[];
}

/** An array value as a write carries it: its values, or its chunks compressed. */
export type StoredArray = NdArray | EncodedArray;

/** Whether an array value is compressed already. */
export function isEncoded(value: StoredArray): value is EncodedArray {
  return (value as { kind?: unknown }).kind === 'encoded';
}

/** String attributes of a group, dataset or the file's root. */
export type H5Attributes = Readonly<Record<string, string>>;

/** An array dataset: its values and how they are stored (compression, chunks, layout). */
export interface H5ArrayNode<A = NdArray> {
  readonly kind: 'array';
  readonly value: A;
  readonly storage: H5ArrayOptions;
  readonly attributes?: H5Attributes;
}

/** A scalar UTF-8 string dataset. */
export interface H5StringNode {
  readonly kind: 'string';
  readonly text: string;
  readonly attributes?: H5Attributes;
}

/** An external link to `targetPath` in `targetFile` (stored as given). */
export interface H5LinkNode {
  readonly kind: 'external-link';
  readonly targetFile: string;
  readonly targetPath: string;
}

/**
 * A hard link: a second name for the object at `target` (an absolute path
 * in the same file, written before this member).
 */
export interface H5HardLinkNode {
  readonly kind: 'hard-link';
  readonly target: string;
}

/**
 * Values written into the dataset that already exists at the member's path
 * (only in an `add` write), at `offset`; the dataset is extended along its
 * unlimited axes (see `H5ArrayOptions.maxshape`) to hold them.
 */
export interface H5SlabNode<A = NdArray> {
  readonly kind: 'slab';
  readonly value: A;
  readonly offset: readonly number[];
}

/** A group and its members, in the order they are written. */
export interface H5GroupNode<A = NdArray> {
  readonly kind: 'group';
  readonly members: readonly H5Member<A>[];
  readonly attributes?: H5Attributes;
}

/** A named member of a group (in an `add` write, a path from the root). */
export interface H5Member<A = NdArray> {
  readonly name: string;
  readonly node: H5Node<A>;
}

/** Anything in a file. */
export type H5Node<A = NdArray> =
  | H5GroupNode<A>
  | H5ArrayNode<A>
  | H5StringNode
  | H5LinkNode
  | H5HardLinkNode
  | H5SlabNode<A>;

/** What goes into a file: objects by path from the root, and attributes. */
export interface H5Content<A = NdArray> {
  /** The objects, by path from the root (`meta`, `chunks/3`), written in this order. */
  readonly members: readonly H5Member<A>[];
  /** Attributes of the groups created on the way to a member. */
  readonly parents: H5Attributes;
  /** Root attributes (replacing those of the same names). */
  readonly attributes: H5Attributes;
}

/** A complete new file, written at a temp name and renamed over `file`: readers see the old file or the new one. */
export interface H5CreateWrite<A = NdArray> extends H5Content<A> {
  readonly kind: 'create';
  readonly file: string;
  /** Forced to disk before the rename, and its folder after: a crash leaves the old file or the whole new one. */
  readonly durable: boolean;
  /** Hold `<file>.lock` while writing. */
  readonly lock: boolean;
}

/**
 * Objects added to an existing file in place, under its lock; an object
 * already at a member's path is replaced whole. A missing file is created
 * (atomically) with just these objects.
 */
export interface H5AddWrite<A = NdArray> extends H5Content<A> {
  readonly kind: 'add';
  readonly file: string;
}

/** One write of a file. */
export type H5Write<A = NdArray> = H5CreateWrite<A> | H5AddWrite<A>;

/** `node` with every array value mapped by `f` (how a write is packed for another thread). */
export function mapArrays<A, B>(node: H5Node<A>, f: (value: A) => B): H5Node<B> {
  switch (node.kind) {
    case 'array':
    case 'slab':
      return { ...node, value: f(node.value) };
    case 'group':
      return { ...node, members: mapMembers(node.members, f) };
    default:
      return node;
  }
}

/** Members with every array value mapped by `f`. */
export function mapMembers<A, B>(
  members: readonly H5Member<A>[],
  f: (value: A) => B,
): H5Member<B>[] {
  return members.map(({ name, node }) => ({ name, node: mapArrays(node, f) }));
}

/** A write with every array value mapped by `f`. */
export function mapWrite<A, B>(write: H5Write<A>, f: (value: A) => B): H5Write<B> {
  return { ...write, members: mapMembers(write.members, f) };
}
