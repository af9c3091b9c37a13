import { FrameError } from '../errors.js';
import type { AnyTypedArray, DType } from '../frames/dtype.js';
import { meanMassCenter } from '../frames/index.js';
import {
  concatRows,
  type FrameStack,
  formatShape,
  type NdArray,
  ndarray,
  repeatedRows,
  repeatOf,
  sameShape,
  sizeOf,
} from '../frames/ndarray.js';
import { outputArray } from '../frames/transform.js';
import type { Communicator } from '../parallel/index.js';
import { isNdArray } from '../py/value.js';
import type { Chunk } from './types.js';

/*
 * The collective steps of a chunk prepared by several MPI ranks. Every rank
 * calls each of these in the same order, also a rank that holds no frame of
 * the chunk. With one process they reduce to the local value.
 */

/** The raw frame shape every rank works with: all ranks that hold frames must agree. */
export function agreeRawShape(
  comm: Communicator,
  local: readonly [number, number] | null,
): [number, number] {
  if (comm.size === 1) {
    if (local === null) throw new FrameError('No frames were loaded for the chunk.');
    return [local[0], local[1]];
  }
  const all = comm.gatherValues(local === null ? null : [local[0], local[1]], 0);
  let agreed: [number, number] | null = null;
  if (all !== null) {
    for (const [rank, shape] of all.entries()) {
      if (shape === null) continue;
      if (agreed !== null && !sameShape(shape, agreed)) {
        throw new FrameError(
          `Rank ${rank} loaded frames of shape ${formatShape(shape)}, rank 0..${rank - 1} of ${formatShape(agreed)}.`,
          { expected: formatShape(agreed), found: formatShape(shape) },
        );
      }
      agreed = agreed ?? [shape[0]!, shape[1]!];
    }
  }
  const shape = comm.bcast(agreed, 0);
  if (shape === null) throw new FrameError('No rank loaded any frame of the chunk.');
  return shape;
}

/**
 * ptypy's automatic centre over every rank's frames: the per-frame mass
 * centres are gathered on the master and averaged in frame order, exactly as
 * one process would, so the result does not depend on the number of ranks.
 */
export function distributedMassCenter(
  comm: Communicator,
  indices: readonly number[],
  data: FrameStack | null,
  mask: FrameStack | undefined,
): [number, number] {
  if (comm.size === 1) {
    if (data === null) throw new FrameError('No frames to centre.');
    return meanMassCenter(data, mask, indices[0]);
  }
  const centres = new Float64Array(2 * indices.length);
  if (data !== null) {
    const [n, h, w] = data.shape as [number, number, number];
    for (let f = 0; f < n; f++) {
      const frame = ndarray(data.dtype, [1, h, w], data.data.subarray(f * h * w, (f + 1) * h * w));
      const perFrame = mask !== undefined && mask.shape[0] === n && n > 1;
      const frameMask =
        mask === undefined
          ? undefined
          : perFrame
            ? mask.data.subarray(f * h * w, (f + 1) * h * w)
            : mask;
      const [c0, c1] = meanMassCenter(
        frame,
        frameMask as NdArray | ArrayLike<number> | undefined,
        indices[f],
      );
      centres[2 * f] = c0;
      centres[2 * f + 1] = c1;
    }
  }
  const all = comm.gatherValues({ indices: [...indices], centres }, 0);
  let mean: [number, number] | null = null;
  if (all !== null) {
    const byIndex = new Map<number, [number, number]>();
    for (const part of all) {
      part.indices.forEach((index, k) => {
        byIndex.set(index, [part.centres[2 * k]!, part.centres[2 * k + 1]!]);
      });
    }
    const order = [...byIndex.keys()].sort((a, b) => a - b);
    let s0 = 0;
    let s1 = 0;
    for (const index of order) {
      const c = byIndex.get(index)!;
      s0 += c[0];
      s1 += c[1];
    }
    mean = [s0 / order.length, s1 / order.length];
  }
  return comm.bcast(mean, 0) as [number, number];
}

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
  return ndarray(first.dtype, shape, outputArray(first.dtype, sizeOf(shape), reuse) as never);
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
