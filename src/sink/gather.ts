/**
 * Joining the ranks' parts of a chunk on one rank, in frame order: the frames
 * go by MPI straight into the chunk's memory, and a common mask travels as
 * its one frame.
 */
import { FrameError } from '../errors.js';
import type { AnyTypedArray, DType } from '../frames/dtype.js';
import { outputArray } from '../frames/memory.js';
import {
  concatRows,
  formatShape,
  type NdArray,
  ndarray,
  repeatedRows,
  repeatOf,
  sameShape,
  sizeOf,
} from '../frames/ndarray.js';
import { HUGE_PAGES } from '../native/memory.js';
import type { Communicator } from '../parallel/index.js';
import { isNdArray } from '../py/value.js';
import type { Chunk } from './types.js';

/** What a rank tells the master about its part of a chunk; the arrays follow by `gatherInto`. */
interface PartHead {
  indices: readonly number[];
  positions: NdArray<'float64'> | null;
  dtype: DType;
  frame: number[];
  weightDtype: DType;
  weightFrame: number[];
  /** The one weight frame all its frames share (a common mask), or null. */
  weightRow: NdArray | null;
}

function gatheredArray(
  heads: readonly PartHead[],
  frames: number,
  pick: (h: PartHead) => { dtype: DType; frame: readonly number[] },
  what: string,
  reuse?: AnyTypedArray,
): NdArray {
  const filled = heads.filter((h) => h.indices.length > 0);
  const first = pick(filled[0]!);
  for (const [rank, head] of heads.entries()) {
    const own = pick(head);
    if (
      head.indices.length > 0 &&
      (own.dtype !== first.dtype || !sameShape(own.frame, first.frame))
    ) {
      throw new FrameError(
        `Chunk ${what} of rank ${rank} are ${own.dtype} ${formatShape(own.frame)} frames, those of the first rank with frames ${first.dtype} ${formatShape(first.frame)}.`,
        {
          expected: `${first.dtype} ${formatShape(first.frame)}`,
          found: `${own.dtype} ${formatShape(own.frame)}`,
        },
      );
    }
  }
  const shape = [frames, ...first.frame];
  return ndarray(
    first.dtype,
    shape,
    outputArray(first.dtype, sizeOf(shape), { reuse, allocator: HUGE_PAGES }) as never,
  );
}

/**
 * Joins the ranks' parts of a chunk on rank `root` (the master by default),
 * in frame order; null on the other ranks. The frames go by MPI straight into
 * the chunk's memory (`reuse` on the root when it fits); a common mask
 * travels as its one frame.
 */
export function gatherChunk(
  comm: Communicator,
  local: Chunk,
  reuse?: AnyTypedArray,
  root = 0,
): Chunk | null {
  if (comm.size === 1) return local;
  const row = repeatOf(local.weights);
  const head: PartHead = {
    indices: local.indices,
    positions: isNdArray(local.positions) ? local.positions : null,
    dtype: local.data.dtype,
    frame: local.data.shape.slice(1),
    weightDtype: local.weights.dtype,
    weightFrame: local.weights.shape.slice(1),
    weightRow: local.indices.length > 0 ? (row ?? null) : null,
  };
  const heads = comm.gatherValues(head, root);
  // Every rank must agree whether per-frame weights follow.
  const perFrameWeights =
    comm.allreduce(local.indices.length > 0 && row === undefined ? 1 : 0, 'max') > 0;
  if (heads === null) {
    comm.gatherInto(local.data.data, null, root);
    if (perFrameWeights) comm.gatherInto(local.weights.data, null, root);
    return null;
  }
  const indices = heads.flatMap((h) => h.indices);
  if (indices.some((index, k) => k > 0 && index <= indices[k - 1]!)) {
    throw new FrameError(`The ranks' frames of chunk ${local.num} are not in index order.`, {
      expected: 'ascending frame indices in rank order',
      found: indices.join(', '),
    });
  }
  const filled = heads.filter((h) => h.indices.length > 0);
  if (filled.length === 0) {
    comm.gatherInto(local.data.data, new Uint8Array(0), root);
    if (perFrameWeights) comm.gatherInto(local.weights.data, new Uint8Array(0), root);
    return { ...local, indices: [] };
  }
  const data = gatheredArray(heads, indices.length, (h) => h, 'data', reuse);
  comm.gatherInto(local.data.data, data.data, root);
  let weights: NdArray;
  if (perFrameWeights) {
    weights = gatheredArray(
      heads,
      indices.length,
      (h) => ({ dtype: h.weightDtype, frame: h.weightFrame }),
      'weights',
    );
    comm.gatherInto(local.weights.data, weights.data, root);
  } else {
    weights = repeatedRows(filled[0]!.weightRow!, indices.length);
  }
  const havePositions = filled.every((h) => h.positions !== null);
  const positions: Chunk['positions'] = havePositions
    ? concatRows(filled.map((h) => h.positions!))
    : indices.map(() => null);
  return { num: local.num, indices, data, weights, positions };
}
