/**
 * Where kernels write their outputs: a buffer to reuse (fresh pages are slow
 * to touch on some machines), or fresh memory from an {@link Allocator} the
 * caller passes in (e.g. memory offered for huge pages, from `native/`).
 */
import { type AnyTypedArray, type DType, TYPED_ARRAY, type TypedArrayFor } from './dtype.js';

/**
 * The row copy of the crop/orient kernel done elsewhere (natively, see
 * `native/memory.ts`): the rows of every frame of `src` (`[n, inH, inW]`)
 * into `dst` as `transform.ts` places them. Values are only moved.
 */
export type RowMover = (
  src: AnyTypedArray,
  dst: AnyTypedArray,
  plan: readonly [number, number, number, number, number, number, number, boolean, boolean],
) => void;

/** Makes typed arrays for large outputs. */
export interface Allocator {
  array<D extends DType>(dtype: D, length: number): TypedArrayFor[D];
  /** A faster row copy for the kernels that write into this memory (default: `TypedArray.set`). */
  readonly rows?: RowMover;
}

/** Plain zeroed memory. */
export const PLAIN_MEMORY: Allocator = {
  array: (dtype, length) => new TYPED_ARRAY[dtype](length),
};

/** What a kernel may write its output into. */
export interface OutputMemory {
  /** A buffer the caller no longer needs: used when it has the output's dtype and room. */
  reuse?: AnyTypedArray;
  /** Where fresh memory comes from otherwise (default {@link PLAIN_MEMORY}). */
  allocator?: Allocator;
}

/** A buffer to reuse, or {@link OutputMemory}. */
export type Output = AnyTypedArray | OutputMemory;

/** The row copy `output`'s allocator offers, if any. */
export function rowMoverOf(output: Output | undefined): RowMover | undefined {
  return output === undefined || ArrayBuffer.isView(output) ? undefined : output.allocator?.rows;
}

/** The buffer `output` offers for reuse, if any. */
export function reuseOf(output: Output | undefined): AnyTypedArray | undefined {
  return output === undefined || ArrayBuffer.isView(output) ? output : output.reuse;
}

/**
 * Storage for `length` elements of `dtype`: the offered buffer (or its
 * start) when it is a typed array of that dtype and long enough, else fresh
 * zeroed memory from the allocator. The caller must no longer need the old
 * contents.
 */
export function outputArray<D extends DType>(
  dtype: D,
  length: number,
  output: Output | undefined,
): TypedArrayFor[D] {
  const reuse = reuseOf(output);
  if (reuse !== undefined && reuse.constructor === TYPED_ARRAY[dtype] && reuse.length >= length) {
    return reuse.subarray(0, length) as TypedArrayFor[D];
  }
  const allocator =
    output === undefined || ArrayBuffer.isView(output) ? undefined : output.allocator;
  return (allocator ?? PLAIN_MEMORY).array(dtype, length);
}
