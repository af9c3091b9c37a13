/**
 * The per-frame corrections of an {@link Hdf5Loader}, in ptypy's order and
 * with numpy's dtypes: darkfield (raw - dark, 0 where raw < dark), flatfield
 * (quotient written back into the frame's dtype), normalisation (frame / v *
 * mean for a monitor value within sigma), then the mask as the frame's
 * weights (int64 ones without a mask) and zero padding of both.
 */
import type { DType, TypedArrayFor } from '../frames/dtype.js';
import {
  type FrameStack,
  type NdArray,
  ndarray,
  repeatedRows,
  repeatOf,
} from '../frames/ndarray.js';
import { HUGE_PAGES } from '../native/memory.js';
import {
  arrayScalarType,
  castFloat,
  isIntegerType,
  type NpType,
  promoteTypes,
  roundInto,
  trueDivideType,
} from './hdf5-numpy.js';

/** A monitor value of one frame, with the whole dataset's statistics. */
export interface MonitorValue {
  readonly value: number;
  readonly dtype: DType;
  /** True when indexing the dataset left an array of one element (numpy then promotes as arrays do). */
  readonly array: boolean;
}

/** The statistics of the whole normalisation dataset (numpy's mean and population std). */
export interface MonitorStats {
  readonly mean: number;
  readonly std: number;
  /** Type of mean and std: float32 for float32 data, else float64. */
  readonly dtype: 'float32' | 'float64';
  readonly sigma: number;
}

/** What corrects a chunk: arrays are either one window-sized frame for all, or one per frame. */
export interface ChunkCorrections {
  readonly dark: NdArray | null;
  readonly flat: NdArray | null;
  readonly mask: NdArray | null;
  /** `mask.invert`. */
  readonly invert: boolean;
  /** Per frame of the chunk: its monitor value, or null when there is no normalisation. */
  readonly monitor: readonly (MonitorValue | null)[];
  readonly stats: MonitorStats | null;
  readonly padding: readonly [number, number, number, number] | null;
}

/** The dtype frames have after the corrections: the raw dtype, promoted by a darkfield. */
export function correctedType(raw: DType, dark: DType | null): DType {
  return dark === null ? raw : (promoteTypes(raw, dark) as DType);
}

/** The dtype of the weights: the mask's (`1 - mask` of a bool mask is int64), int64 ones without a mask. */
export function weightType(mask: DType | null, invert: boolean): DType {
  if (mask === null) return 'int64';
  return invert && mask === 'bool' ? 'int64' : mask;
}

type Values = ArrayLike<number | bigint>;

function numberAt(values: Values, i: number): number {
  return Number(values[i]);
}

/** Writes numbers into a typed array of any dtype (64-bit integers as BigInt). */
function writer(dtype: DType, out: TypedArrayFor[DType]): (i: number, v: number) => void {
  if (dtype === 'int64' || dtype === 'uint64') {
    const big = out as BigInt64Array | BigUint64Array;
    return (i, v) => {
      big[i] = BigInt(v);
    };
  }
  const plain = out as Exclude<TypedArrayFor[DType], BigInt64Array | BigUint64Array>;
  return (i, v) => {
    plain[i] = v;
  };
}

/** A value as an operand of a numpy operation computed in `t`. */
function operand(t: NpType, v: number): number {
  return t === 'float32' || t === 'float16' ? Math.fround(v) : v;
}

/** Offset of frame `k`'s pixel `i` in an array that is one frame for all or one per frame. */
function pixels(array: NdArray, size: number): (k: number) => number {
  return array.shape.length === 2 || array.shape[0] === 1 ? () => 0 : (k) => k * size;
}

/** True when the monitor value `v` is within sigma standard deviations of the mean (numpy's comparison). */
function withinSigma(v: MonitorValue, stats: MonitorStats): boolean {
  const single = stats.dtype === 'float32' && v.dtype === 'float32';
  const diff = single ? Math.fround(Math.fround(v.value) - stats.mean) : v.value - stats.mean;
  const bound =
    stats.dtype === 'float32' ? Math.fround(stats.sigma * stats.std) : stats.sigma * stats.std;
  return Math.abs(diff) < bound;
}

/**
 * Corrects the raw windows `raw` (n, h, w) of a chunk: returns the frames
 * and their weights, padded. Frames that need no correction and no padding
 * are returned as they are, and a mask shared by all frames is repeated
 * without copies until someone reads it.
 */
export function correctChunk(
  raw: FrameStack,
  c: ChunkCorrections,
): { data: FrameStack; weights: FrameStack } {
  const [n = 0, h = 0, w = 0] = raw.shape;
  const size = h * w;
  const data = correctData(raw, c, n, size);
  const weights = weightsOf(c, n, h, w);
  if (c.padding === null || c.padding.every((p) => p === 0)) return { data, weights };
  const shared = repeatOf(weights);
  return {
    data: pad(data, c.padding),
    weights:
      shared === undefined ? pad(weights, c.padding) : repeatedRows(pad(shared, c.padding), n),
  };
}

function correctData(raw: FrameStack, c: ChunkCorrections, n: number, size: number): FrameStack {
  const normalise =
    c.stats !== null && c.monitor.some((m) => m !== null && withinSigma(m, c.stats!));
  if (c.dark === null && c.flat === null && !normalise) return raw;
  const x0 = raw.dtype;
  const type = correctedType(x0, c.dark?.dtype ?? null);
  const out = HUGE_PAGES.array(type, n * size);
  const put = writer(type, out);
  const src = raw.data as Values;
  const { dark, flat, stats } = c;
  const darkType = dark === null ? null : promoteTypes(x0, dark.dtype);
  const flatType = flat === null ? null : trueDivideType(promoteTypes(type, flat.dtype));
  const darkAt = dark === null ? null : pixels(dark, size);
  const flatAt = flat === null ? null : pixels(flat, size);
  for (let k = 0; k < n; k++) {
    const monitor = c.monitor[k] ?? null;
    const scale =
      stats !== null && monitor !== null && withinSigma(monitor, stats) ? monitor : null;
    const t1 =
      scale === null
        ? null
        : trueDivideType(
            scale.array
              ? promoteTypes(type, scale.dtype)
              : arrayScalarType(type, scale.dtype, scale.value),
          );
    const t2 = t1 === null || stats === null ? null : arrayScalarType(t1, stats.dtype, stats.mean);
    const d0 = darkAt?.(k) ?? 0;
    const f0 = flatAt?.(k) ?? 0;
    for (let i = 0; i < size; i++) {
      const at = k * size + i;
      let v = numberAt(src, at);
      if (dark !== null && darkType !== null) {
        const dv = numberAt(dark.data as Values, d0 + i);
        v = v < dv ? 0 : roundInto(darkType, operand(darkType, v) - operand(darkType, dv));
      }
      if (flat !== null && flatType !== null) {
        const fv = numberAt(flat.data as Values, f0 + i);
        v = castFloat(type, roundInto(flatType, operand(flatType, v) / operand(flatType, fv)));
      }
      if (scale !== null && t1 !== null && t2 !== null && stats !== null) {
        const q = roundInto(t1, operand(t1, v) / operand(t1, scale.value));
        v = castFloat(type, roundInto(t2, operand(t2, q) * operand(t2, stats.mean)));
      }
      put(at, v);
    }
  }
  return ndarray(type, raw.shape, out);
}

/** 1 - mask in the mask's dtype for bools (as int64) and floats; for integer flag masks, 1 where no flag is set. */
function inverted(mask: NdArray): NdArray {
  const type = weightType(mask.dtype, true);
  const out = HUGE_PAGES.array(type, mask.data.length);
  const put = writer(type, out);
  const src = mask.data as Values;
  const flags = isIntegerType(mask.dtype);
  for (let i = 0; i < mask.data.length; i++) {
    const m = numberAt(src, i);
    put(i, flags ? (m === 0 ? 1 : 0) : roundInto(type, 1 - m));
  }
  return ndarray(type, mask.shape, out);
}

function weightsOf(c: ChunkCorrections, n: number, h: number, w: number): FrameStack {
  if (c.mask === null) {
    const ones = HUGE_PAGES.array('int64', h * w).fill(1n);
    return repeatedRows(ndarray('int64', [1, h, w], ones), n);
  }
  const mask = c.invert ? inverted(c.mask) : c.mask;
  if (mask.shape.length === 2) return repeatedRows(ndarray(mask.dtype, [1, h, w], mask.data), n);
  return mask;
}

/** Zero padding `[top, bottom, left, right]` of every frame; the dtype is kept. */
function pad(
  stack: FrameStack,
  [top, bottom, left, right]: readonly [number, number, number, number],
): FrameStack {
  const [n = 0, h = 0, w = 0] = stack.shape;
  const ph = h + top + bottom;
  const pw = w + left + right;
  const out = HUGE_PAGES.array(stack.dtype, n * ph * pw);
  const target = out as { set(src: Values, offset: number): void };
  const src = stack.data as TypedArrayFor[DType] & { subarray(a: number, b: number): Values };
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < h; y++) {
      const from = (k * h + y) * w;
      target.set(src.subarray(from, from + w), (k * ph + y + top) * pw + left);
    }
  }
  return ndarray(stack.dtype, [n, ph, pw], out);
}
