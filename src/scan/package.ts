/**
 * Packaging a prepared chunk as ptypy hands it out: the chunk with its
 * positions and weights, and one record per frame (views into the stacks).
 */
import { FrameError } from '../errors.js';
import {
  type FrameStack,
  type NdArray,
  ndarray,
  repeatedRows,
  repeatOf,
} from '../frames/ndarray.js';
import { isNdArray } from '../py/value.js';
import type { Chunk, DataPackage, FrameRecord, Meta } from './types.js';
import { toNumber } from './values.js';

/**
 * A chunk whose `weights` may be one frame shared by every frame (the common
 * mask). The `(n, h, w)` stack ptypy's chunk holds is then made on first use
 * only (by a caller that reads it; a sink writing with the native HDF5 addon
 * never does): repeating the mask costs fresh memory that a reconstruction
 * reading the iterable never needs.
 */
export function withCommonWeights(fields: Omit<Chunk, 'weights'>, weights: FrameStack): Chunk {
  const n = fields.indices.length;
  if (weights.shape[0] === n) return { ...fields, weights };
  if (weights.shape[0] !== 1) {
    throw new FrameError(`Cannot spread ${weights.shape[0]} weight frames over ${n} data frames.`, {
      expected: `1 or ${n} weight frames`,
      found: String(weights.shape[0]),
    });
  }
  return { ...fields, weights: repeatedRows(weights, n) };
}

/**
 * Positions of a chunk: from `load()`, else from `table` (the theory, else
 * the scan positions), else None per frame. A frame past the scan
 * positions gives None for the whole chunk, as in ptypy; past the theory
 * (`theory` true) it is a {@link FrameError}.
 */
export function chunkPositions(
  indices: readonly number[],
  fromLoad: ReadonlyMap<number, ArrayLike<number>> | undefined,
  table: NdArray<'float64'> | null,
  theory = false,
): NdArray<'float64'> | null[] {
  const out = new Float64Array(indices.length * 2);
  if (fromLoad !== undefined && fromLoad.size > 0) {
    indices.forEach((index, k) => {
      const p = fromLoad.get(index);
      if (p === undefined || p.length !== 2) {
        throw new FrameError(
          `load() returned positions for some frames but ${p === undefined ? 'none' : `${p.length} values`} for frame ${index}.`,
          {
            frame: index,
            expected: 'a [y, x] position for every frame',
            found: String(p?.length ?? 'none'),
          },
        );
      }
      out[2 * k] = toNumber(p[0], `positions[${index}][0]`);
      out[2 * k + 1] = toNumber(p[1], `positions[${index}][1]`);
    });
    return ndarray('float64', [indices.length, 2], out);
  }
  const rows = table?.shape[0] ?? 0;
  const past = indices.find((i) => i >= rows);
  if (theory && table !== null && past !== undefined) {
    // ptypy indexes positions_theory unguarded (IndexError).
    throw new FrameError(
      `Frame ${past} has no theoretical position: positions_theory has ${rows} rows.`,
      {
        frame: past,
        parameter: 'positions_theory',
        expected: `a frame index below ${rows}`,
        found: String(past),
      },
    );
  }
  if (table === null || past !== undefined) return indices.map(() => null);
  indices.forEach((index, k) => {
    out[2 * k] = table.data[2 * index]!;
    out[2 * k + 1] = table.data[2 * index + 1]!;
  });
  return ndarray('float64', [indices.length, 2], out);
}

/** `weights > 0` of a chunk's shared weight frame, or null when every frame has its own weights. */
function commonMask(chunk: Chunk): Uint8Array | null {
  const shared = repeatOf(chunk.weights);
  if (shared === undefined) return null;
  const weights = shared.data as ArrayLike<number>;
  const mask = new Uint8Array(weights.length);
  for (let i = 0; i < mask.length; i++) mask[i] = weights[i]! > 0 ? 1 : 0;
  return mask;
}

/**
 * Per-frame records (views into the chunk's stacks) with `mask = weights > 0`.
 * With a common mask every record shows the same mask array.
 */
function iterableOf(chunk: Chunk, shared: Uint8Array | null): FrameRecord[] {
  const [n, h, w] = chunk.data.shape as [number, number, number];
  const size = h * w;
  let mask = shared;
  if (mask === null) {
    mask = new Uint8Array(n * size);
    const weights = chunk.weights.data as ArrayLike<number>;
    for (let i = 0; i < mask.length; i++) mask[i] = weights[i]! > 0 ? 1 : 0;
  }
  const perFrame = shared === null;
  const positions = chunk.positions;
  return chunk.indices.map((index, k) => ({
    index,
    data: ndarray(chunk.data.dtype, [h, w], chunk.data.data.subarray(k * size, (k + 1) * size)),
    mask: ndarray('bool', [h, w], perFrame ? mask.subarray(k * size, (k + 1) * size) : mask),
    position: isNdArray(positions) ? positions.data.subarray(2 * k, 2 * k + 2) : null,
  }));
}

/** The data package of a chunk: ptypy's `{msg: 'data', common, chunk, iterable}`. */
export function dataPackage(meta: Meta, chunk: Chunk): DataPackage {
  return { msg: 'data', common: meta, chunk, iterable: iterableOf(chunk, commonMask(chunk)) };
}
