import { FrameError } from '../errors.js';
import { meanMassCenter } from '../frames/index.js';
import {
  type FrameStack,
  formatShape,
  type NdArray,
  ndarray,
  sameShape,
} from '../frames/ndarray.js';
import type { Communicator, LoadManager } from '../parallel/index.js';

/*
 * The collective steps of a chunk prepared by several MPI ranks. Every rank
 * calls each of these in the same order, also a rank that holds no frame of
 * the chunk. With one process they reduce to the local value.
 */

/** The frames of a chunk this process loads: its LoadManager share, or (`parallel` off) all of them on the master. */
export function shareOf(
  manager: LoadManager,
  comm: Communicator,
  parallel: boolean,
  indices: readonly number[],
): number[] {
  const shares = manager.assign(indices);
  if (!parallel) return comm.isMaster ? [...indices] : [];
  return (shares[comm.rank] ?? []).map((p) => indices[p]!);
}

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
