/**
 * What a source's `load()` returned, turned into the stacks the pipeline
 * works on: one `(n, h, w)` stack in index order, every frame checked.
 */
import { FrameError, MissingDataError } from '../errors.js';
import type { DType } from '../frames/dtype.js';
import {
  type FrameStack,
  formatShape,
  type NdArray,
  ndarray,
  repeatOf,
  sameShape,
} from '../frames/ndarray.js';
import { loadedRows } from './row-window.js';
import type { CommonData, LoadResult, RowWindow } from './types.js';

/** One process's share of a chunk, loaded and corrected. */
export interface LocalFrames {
  indices: readonly number[];
  data: FrameStack;
  weights: FrameStack;
  /** The whole raw frames' shape (`data` may hold only some of their rows: `rows`). */
  rawShape: [number, number];
  /** The rows of the raw frames `data` holds. */
  rows: RowWindow & { frameRows: number };
  positions: ReadonlyMap<number, ArrayLike<number>> | undefined;
  /** The memory of a stack `load()` will overwrite (`LoadResult.scratch`), else null. */
  scratch: ArrayBufferLike | null;
}

function missing(what: string, index: number): never {
  throw new MissingDataError(`load() returned no ${what} for frame ${index}.`, {
    frame: index,
    expected: `${what} for every requested index`,
    found: 'nothing',
  });
}

/** Turns what `load()` returned into one (n, h, w) stack in index order, checking every frame. */
export function toStack(
  source: FrameStack | ReadonlyMap<number, NdArray>,
  indices: readonly number[],
  what: string,
): FrameStack {
  if (!(source instanceof Map)) {
    const stack = source as FrameStack;
    if (stack.shape.length !== 3 || stack.shape[0] !== indices.length) {
      throw new FrameError(
        `load() returned ${what} of shape ${formatShape(stack.shape)} for ${indices.length} frames.`,
        { expected: `(${indices.length}, h, w)`, found: formatShape(stack.shape) },
      );
    }
    return stack;
  }
  const frames = source as ReadonlyMap<number, NdArray>;
  const first = frames.get(indices[0]!);
  if (first === undefined) return missing(what, indices[0]!);
  if (first.shape.length !== 2) {
    throw new FrameError(
      `load() returned ${what} for frame ${indices[0]} of shape ${formatShape(first.shape)}.`,
      { frame: indices[0]!, expected: '(h, w)', found: formatShape(first.shape) },
    );
  }
  const [h, w] = first.shape as [number, number];
  const dtype: DType = first.dtype;
  const out = ndarray(dtype, [indices.length, h, w]);
  const target = out.data as { set(src: ArrayLike<number | bigint>, offset: number): void };
  for (const [k, index] of indices.entries()) {
    const frame = frames.get(index);
    if (frame === undefined) missing(what, index);
    if (!sameShape(frame.shape, first.shape) || frame.dtype !== dtype) {
      throw new FrameError(
        `Frame ${index} has ${what} of shape ${formatShape(frame.shape)} ${frame.dtype}, but frame ${indices[0]} of the same chunk has ${formatShape(first.shape)} ${dtype}.`,
        {
          frame: index,
          expected: `${formatShape(first.shape)} ${dtype}`,
          found: `${formatShape(frame.shape)} ${frame.dtype}`,
        },
      );
    }
    target.set(frame.data as ArrayLike<number | bigint>, k * h * w);
  }
  return out;
}

/** Weights when `load()` gave none: the common mask, else ones (float64) of the raw shape. */
export function commonWeights(
  weight2d: NdArray | null,
  rawShape: readonly [number, number],
): FrameStack {
  if (weight2d !== null) {
    const [h, w] = weight2d.shape as [number, number];
    return ndarray(weight2d.dtype, [1, h, w], weight2d.data);
  }
  const ones = new Float64Array(rawShape[0] * rawShape[1]).fill(1);
  return ndarray('float64', [1, rawShape[0], rawShape[1]], ones);
}

/** What {@link loadFrames} calls: the source's own `load()` and `correct()`. */
export interface FrameSource {
  load(indices: readonly number[], window?: RowWindow): LoadResult;
  correct(
    data: FrameStack,
    weights: FrameStack | null,
    common: CommonData,
  ): { data: FrameStack; weights: FrameStack | null };
  readonly common: CommonData;
}

/**
 * Loads and corrects one process's frames of a chunk: `load()` (given the
 * `window` of rows the chunk needs, if any), one checked stack in index
 * order, `correct()`, and the weights (per frame from `load()` or
 * `correct()`, else the common mask, kept as one frame).
 */
export function loadFrames(
  source: FrameSource,
  indices: readonly number[],
  window: RowWindow | null,
  weight2d: NdArray | null,
): LocalFrames {
  const loaded = window === null ? source.load(indices) : source.load(indices, window);
  const raw = toStack(loaded.data, indices, 'data');
  const rows = loadedRows(loaded, raw);
  const perFrameWeights =
    loaded.weights === undefined ? null : toStack(loaded.weights, indices, 'weights');
  const corrected = source.correct(raw, perFrameWeights, source.common);
  const data = corrected.data;
  const rawShape: [number, number] = [rows.frameRows, data.shape[2]!];
  const given = corrected.weights ?? commonWeights(weight2d, rawShape);
  // One mask repeated for every frame is prepared once (the chunk repeats it again).
  const weights = repeatOf(given) ?? given;
  const scratch = loaded.scratch === true ? raw.data.buffer : null;
  return { indices, data, weights, rawShape, rows, positions: loaded.positions, scratch };
}
