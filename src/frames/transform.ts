/**
 * The one-pass frame kernel behind crop/pad and orientation. Each output
 * frame pixel is one input pixel (or a zero of the padding), so the work is a
 * copy: rows are moved with native `TypedArray.set` (reversed in place with
 * `reverse()` for a column flip), and a transpose walks the input in tiles so
 * reads stay in cache.
 */
import type { DType } from './dtype.js';
import { type Output, outputArray, type RowMover, reuseOf, rowMoverOf } from './memory.js';
import type { FrameStack } from './ndarray.js';
import type { OrientationFlags } from './orientation.js';

/** Geometry of one crop/pad + orientation pass over `h` x `w` input frames. */
export interface TransformPlan {
  /** Size of the region of interest (rows, columns) before orientation. */
  readonly roi: readonly [number, number];
  /** ROI pixel `(y, x)` shows input pixel `(y - low[0], x - low[1])`; zero when outside. */
  readonly low: readonly [number, number];
  readonly flags: OrientationFlags;
}

/**
 * The typed-array surface the kernel uses, whatever the element type. Values
 * are only moved, never looked at, so one kernel serves every dtype.
 */
interface Elements {
  readonly length: number;
  [index: number]: number | bigint;
  set(source: ArrayLike<number | bigint>, offset?: number): void;
  subarray(begin?: number, end?: number): Elements;
  reverse(): unknown;
}

/** Output frame shape of a plan. */
function transformedShape(plan: TransformPlan): [number, number] {
  const [roiH, roiW] = plan.roi;
  return plan.flags.transpose ? [roiW, roiH] : [roiH, roiW];
}

/**
 * Applies a plan to every frame of a `[n, h, w]` stack, writing `outDtype`
 * elements (the input dtype, or the padded dtype when padding converts).
 */
export function transformFrames<D extends DType, O extends DType>(
  stack: FrameStack<D>,
  dims: readonly [number, number, number],
  plan: TransformPlan,
  outDtype: O,
  output?: Output,
): FrameStack<O> {
  const [n] = dims;
  const [outH, outW] = transformedShape(plan);
  const bigintIn = stack.dtype === 'int64' || stack.dtype === 'uint64';
  const bigintOut = outDtype === 'int64' || outDtype === 'uint64';
  if (bigintIn !== bigintOut) {
    // Only 64-bit integers padded to float64 get here; move them unchanged, then convert.
    const moved = transformFrames(stack, dims, plan, stack.dtype);
    const data = Float64Array.from(moved.data as BigInt64Array, (v) => Number(v));
    return {
      dtype: outDtype,
      shape: [n, outH, outW],
      data: data as unknown as FrameStack<O>['data'],
    };
  }
  const size = n * outH * outW;
  const out = outputArray(outDtype, size, output);
  if (out.buffer === reuseOf(output)?.buffer && !coversRoi(dims, plan)) {
    // Padding pixels are never written: a reused buffer must be cleared like fresh memory.
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).fill(0);
  }
  const src = stack.data as unknown as Elements;
  const dst = out as unknown as Elements;
  const mover = rowMoverOf(output);
  if (plan.flags.transpose) transposeCopy(src, dst, dims, plan);
  else if (mover !== undefined && (stack.dtype as DType) === outDtype) {
    moveRows(mover, stack.data, out, dims, plan);
  } else rowCopy(src, dst, dims, plan);
  return { dtype: outDtype, shape: [n, outH, outW], data: out };
}

/** True when every ROI pixel lies inside the input frame (a pure crop). */
function coversRoi(
  [, inH, inW]: readonly [number, number, number],
  { roi, low }: TransformPlan,
): boolean {
  return low[0] <= 0 && low[1] <= 0 && roi[0] - low[0] <= inH && roi[1] - low[1] <= inW;
}

/** {@link rowCopy} by the allocator's row mover (one call for the stack). */
function moveRows(
  mover: RowMover,
  src: FrameStack['data'],
  dst: FrameStack['data'],
  [n, inH, inW]: readonly [number, number, number],
  { roi: [roiH, roiW], low: [low0, low1], flags: { flipud, fliplr } }: TransformPlan,
): void {
  mover(src, dst, [n, inH, inW, roiH, roiW, low0, low1, flipud, fliplr]);
}

function rowCopy(
  src: Elements,
  dst: Elements,
  [n, inH, inW]: readonly [number, number, number],
  { roi: [roiH, roiW], low: [low0, low1], flags: { flipud, fliplr } }: TransformPlan,
): void {
  // Columns of the ROI that exist in the input; the rest stays zero.
  const x0 = Math.max(0, low1);
  const x1 = Math.min(roiW, inW + low1);
  const count = x1 - x0;
  if (count <= 0) return;
  const dstColumn = fliplr ? roiW - x1 : x0;
  for (let f = 0; f < n; f++) {
    const inBase = f * inH * inW;
    const outBase = f * roiH * roiW;
    for (let y = 0; y < roiH; y++) {
      const iy = (flipud ? roiH - 1 - y : y) - low0;
      if (iy < 0 || iy >= inH) continue;
      const s = inBase + iy * inW + x0 - low1;
      const d = outBase + y * roiW + dstColumn;
      dst.set(src.subarray(s, s + count), d);
      if (fliplr) dst.subarray(d, d + count).reverse();
    }
  }
}

/** Output rows handled together so each input row segment is read once per tile. */
const TILE = 16;

function transposeCopy(
  src: Elements,
  dst: Elements,
  [n, inH, inW]: readonly [number, number, number],
  { roi: [roiH, roiW], low: [low0, low1], flags: { flipud, fliplr } }: TransformPlan,
): void {
  // Output is roiW x roiH: output row y is ROI column ry, output column x is ROI row rx.
  const outH = roiW;
  const outW = roiH;
  // Output rows whose ROI column exists in the input (input column ic in [0, inW)).
  const ry0 = Math.max(0, low1);
  const ry1 = Math.min(roiW, inW + low1);
  if (ry1 <= ry0) return;
  const y0 = flipud ? outH - ry1 : ry0;
  const y1 = flipud ? outH - ry0 : ry1;
  // Output columns whose ROI row exists in the input (input row in [0, inH)).
  const rx0 = Math.max(0, low0);
  const rx1 = Math.min(roiH, inH + low0);
  if (rx1 <= rx0) return;
  const x0 = fliplr ? outW - rx1 : rx0;
  const x1 = fliplr ? outW - rx0 : rx1;
  // Input column of output row y: icAt0 + y * icStep; input row of output column x likewise.
  const icStep = flipud ? -1 : 1;
  const icAt0 = flipud ? outH - 1 - low1 : -low1;
  const irStep = fliplr ? -1 : 1;
  const irAt0 = fliplr ? outW - 1 - low0 : -low0;
  for (let f = 0; f < n; f++) {
    const inBase = f * inH * inW;
    const outBase = f * outH * outW;
    for (let yb = y0; yb < y1; yb += TILE) {
      const yEnd = Math.min(y1, yb + TILE);
      const icFirst = icAt0 + yb * icStep;
      for (let x = x0; x < x1; x++) {
        let s = inBase + (irAt0 + x * irStep) * inW + icFirst;
        let d = outBase + yb * outW + x;
        for (let y = yb; y < yEnd; y++) {
          dst[d] = src[s]!;
          s += icStep;
          d += outW;
        }
      }
    }
  }
}
