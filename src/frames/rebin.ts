import { RebinError } from '../errors.js';
import { frameDims } from './check.js';
import type { DType } from './dtype.js';
import { type Output, outputArray } from './memory.js';
import { type FrameStack, formatShape } from './ndarray.js';
import { pairwiseSum, pairwiseSumFloat32 } from './pairwise-sum.js';

function checkFactor(r: number, h: number, w: number): void {
  if (!Number.isInteger(r) || r < 1) {
    throw new RebinError(`The rebin factor must be a positive integer, found ${r}.`, {
      parameter: 'rebin',
      expected: 'an integer >= 1',
      found: `${r}`,
    });
  }
  if (h % r !== 0 || w % r !== 0) {
    throw new RebinError(
      `Rebin factor ${r} does not divide the frame shape ${formatShape([h, w])}.`,
      {
        parameter: 'rebin',
        expected: `a divisor of both ${h} and ${w}`,
        found: `${r}`,
      },
    );
  }
}

/**
 * numpy's `A.reshape(n, h/r, r, w/r, r).mean(-1).mean(-2)` in float64: the
 * first mean adds each run of `r` column sub-pixels (in order from 0, or
 * pairwise once `r >= 8`, as numpy does along a contiguous axis) and divides
 * by `r`; the second adds the `r` row results in order from 0 and divides by `r`.
 */
function twoStageMean(
  src: ArrayLike<number>,
  out: Float64Array,
  [n, h, w]: readonly [number, number, number],
  r: number,
): void {
  if (r === 2) {
    twoStageMean2(src, out, n * h, w);
    return;
  }
  const ow = w / r;
  let o = 0;
  for (let top = 0; top < n * h * w; top += r * w) {
    for (let j = 0, left = top; j < ow; j++, left += r) {
      let t = 0;
      for (let row = left; row < left + r * w; row += w) {
        let s = 0;
        if (r < 8) for (let k = row; k < row + r; k++) s += src[k]!;
        else s = pairwiseSum(src, row, r);
        t += s / r;
      }
      out[o++] = t / r;
    }
  }
}

/** {@link twoStageMean} for `r = 2`, the common case, unrolled. */
function twoStageMean2(src: ArrayLike<number>, out: Float64Array, rows: number, w: number): void {
  let o = 0;
  for (let top = 0; top < rows * w; top += 2 * w) {
    const below = top + w;
    for (let b = 0; b < w; b += 2) {
      // `0 +` keeps numpy's start from +0, which matters only for -0 inputs.
      const upper = (0 + src[top + b]! + src[top + b + 1]!) / 2;
      const lower = (0 + src[below + b]! + src[below + b + 1]!) / 2;
      out[o++] = (upper + lower) / 2;
    }
  }
}

/** {@link twoStageMean} in float32 arithmetic, as numpy's `mean` of float32 data runs. */
function twoStageMeanFloat32(
  src: Float32Array,
  out: Float32Array,
  [n, h, w]: readonly [number, number, number],
  r: number,
): void {
  const ow = w / r;
  // Float32Array storage rounds every partial sum to float32, like numpy's float32 loop.
  const acc = new Float32Array(ow);
  const eight = new Float32Array(8);
  const fr = Math.fround;
  let o = 0;
  for (let top = 0; top < n * h * w; top += r * w) {
    acc.fill(0);
    for (let row = top; row < top + r * w; row += w) {
      for (let j = 0, b = row; j < ow; j++, b += r) {
        let s = 0;
        if (r < 8) {
          for (let k = b; k < b + r; k++) s = fr(s + src[k]!);
        } else {
          s = pairwiseSumFloat32(src, b, r, eight);
        }
        acc[j]! += fr(s / r);
      }
    }
    for (let j = 0; j < ow; j++) out[o++] = fr(acc[j]! / r);
  }
}

/**
 * Sets `out` to 1 for blocks whose `r * r` sub-pixels are all valid and
 * returns whether there is any. A complete block has mean exactly 1 (the
 * largest possible) and any incomplete one a mean below 1, so when one
 * exists this is ptypy's `m == m.max()` without computing the means.
 */
function markCompleteBlocks(
  valid: Uint8Array,
  out: Uint8Array,
  [n, h, w]: readonly [number, number, number],
  r: number,
): boolean {
  if (r === 2 && valid.byteOffset % 2 === 0) return markCompletePairs(valid, out, n * h, w);
  const full = r * r;
  let any = 0;
  let o = 0;
  for (let top = 0; top < n * h * w; top += r * w) {
    for (let left = top; left < top + w; left += r) {
      let count = 0;
      for (let row = left; row < left + r * w; row += w) {
        for (let k = row; k < row + r; k++) count += valid[k]!;
      }
      const complete = count === full ? 1 : 0;
      out[o++] = complete;
      any |= complete;
    }
  }
  return any === 1;
}

/**
 * {@link markCompleteBlocks} for `r = 2`: each pair of horizontal neighbours
 * is one 16-bit word, so a 2x2 block is complete when the two words of its
 * rows, ANDed, still hold a 1 in both bytes.
 */
function markCompletePairs(valid: Uint8Array, out: Uint8Array, rows: number, w: number): boolean {
  const pairs = new Uint16Array(valid.buffer, valid.byteOffset, (rows * w) / 2);
  const half = w / 2;
  let any = 0;
  let o = 0;
  for (let top = 0; top < pairs.length; top += w) {
    for (let p = top; p < top + half; p++) {
      const complete = (pairs[p]! & pairs[p + half]!) === 0x0101 ? 1 : 0;
      out[o++] = complete;
      any |= complete;
    }
  }
  return any === 1;
}

/** The elements as numbers (64-bit integers converted as numpy's float cast does). */
function asNumbers(data: FrameStack['data']): ArrayLike<number> {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    return Float64Array.from(data, (v) => Number(v));
  }
  return data;
}

/**
 * ptypy's `rebin_2d` of a frame stack by `r` in both frame axes: each output
 * pixel is the two-stage mean of an `r` x `r` block (mean over the `r` column
 * sub-pixels, then over the `r` row results), bit-identical to numpy. The
 * result is float64 (float32 for float32 input, as numpy's `mean` gives);
 * for integer input and `r` a power of two it equals `sum / r**2` exactly.
 * `output` optionally offers a buffer for the result, as in {@link cropOrient}.
 *
 * @throws {RebinError} when `r` is not a positive integer or does not divide the frame shape.
 * @example
 * rebinData(frames, 2); // [n, 256, 256] int32 -> [n, 128, 128] float64
 */
export function rebinData(
  stack: FrameStack<'float32'>,
  r: number,
  output?: Output,
): FrameStack<'float32'>;
export function rebinData(
  stack: FrameStack<Exclude<DType, 'float32'>>,
  r: number,
  output?: Output,
): FrameStack<'float64'>;
export function rebinData(
  stack: FrameStack,
  r: number,
  output?: Output,
): FrameStack<'float32' | 'float64'>;
export function rebinData(
  stack: FrameStack,
  r: number,
  output?: Output,
): FrameStack<'float32' | 'float64'> {
  const dims = frameDims(stack);
  const [n, h, w] = dims;
  checkFactor(r, h, w);
  const shape = [n, h / r, w / r];
  const size = n * (h / r) * (w / r);
  if (stack.data instanceof Float32Array) {
    const out = outputArray('float32', size, output);
    twoStageMeanFloat32(stack.data, out, dims, r);
    return { dtype: 'float32', shape, data: out };
  }
  const out = outputArray('float64', size, output);
  twoStageMean(asNumbers(stack.data), out, dims, r);
  return { dtype: 'float64', shape, data: out };
}

/**
 * ptypy's rebinning of weights: `m` = the two-stage mean ({@link rebinData})
 * of `weights > 0`, and a binned pixel is valid where `m` equals the maximum
 * of `m` over the whole stack. In practice a binned pixel is valid only when
 * all its `r * r` sub-pixels were valid (if any such block exists). Always bool.
 * `output` optionally offers a buffer for the result, as in {@link cropOrient}.
 *
 * @throws {RebinError} as {@link rebinData}.
 */
export function rebinWeights(
  weights: FrameStack,
  r: number,
  output?: Output,
  max?: number,
): FrameStack<'bool'> {
  const dims = frameDims(weights, 'weights');
  const [n, h, w] = dims;
  checkFactor(r, h, w);
  const valid = validMask(weights);
  const size = n * (h / r) * (w / r);
  const out = outputArray('bool', size, output);
  const shape = [n, h / r, w / r];
  const anyComplete = markCompleteBlocks(valid, out, dims, r);
  // With a maximum from elsewhere (other MPI ranks' frames), a complete block still means 1.
  if (max === undefined ? anyComplete : max === 1) return { dtype: 'bool', shape, data: out };
  // No block is complete: the maximum mean is below 1 and only exact means tell which blocks reach it.
  const m = new Float64Array(size);
  twoStageMean(valid, m, dims, r);
  const top = max ?? maxOf(m);
  for (let i = 0; i < size; i++) out[i] = m[i] === top ? 1 : 0;
  return { dtype: 'bool', shape, data: out };
}

/**
 * ptypy's `m.max()` for {@link rebinWeights}: the largest two-stage mean of
 * `weights > 0` over the stack (1 when any block is complete). Distributed
 * runs combine it over ranks and pass it back to {@link rebinWeights}.
 */
export function rebinWeightsMax(weights: FrameStack, r: number): number {
  const dims = frameDims(weights, 'weights');
  const [n, h, w] = dims;
  checkFactor(r, h, w);
  const valid = validMask(weights);
  const size = n * (h / r) * (w / r);
  if (markCompleteBlocks(valid, new Uint8Array(size), dims, r)) return 1;
  const m = new Float64Array(size);
  twoStageMean(valid, m, dims, r);
  return maxOf(m);
}

function validMask(weights: FrameStack): Uint8Array {
  if (weights.dtype === 'bool') return weights.data as Uint8Array;
  const data = weights.data;
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) mask[i] = data[i]! > 0 ? 1 : 0;
  return mask;
}

function maxOf(values: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}
