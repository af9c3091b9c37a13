import { CenterError, FrameError } from '../errors.js';
import { frameDims } from './check.js';
import type { DType } from './dtype.js';
import type { FrameStack, NdArray } from './ndarray.js';
import { bufferedPairwiseSum, pairwiseSum } from './pairwise-sum.js';

/**
 * How numpy sums a frame of this element type in ptypy's `mass_center`
 * (`sum(A * indices, dtype=float) / sum(A, dtype=float)`): float64 data is
 * summed pairwise in place; anything numpy has to convert to float64 first is
 * summed through its 8192-element buffer. float32 data times the int64
 * indices is already float64, so only its plain sum is buffered.
 */
type SumKind = 'float64' | 'float32' | 'integer';

function sumKindOf(dtype: DType): SumKind {
  if (dtype === 'float64') return 'float64';
  if (dtype === 'float32') return 'float32';
  return 'integer';
}

/** Reusable float64 work space for one frame, so a stack costs three allocations. */
interface Scratch {
  readonly rowMoment: Float64Array;
  readonly colMoment: Float64Array;
  readonly masked: Float64Array;
}

function scratchFor(size: number): Scratch {
  return {
    rowMoment: new Float64Array(size),
    colMoment: new Float64Array(size),
    masked: new Float64Array(size),
  };
}

/**
 * Mass centre of one `h` x `w` frame starting at `offset` in `data`, or null
 * when the (masked) intensity sums to zero and numpy would give NaN.
 */
function frameCenter(
  data: ArrayLike<number>,
  offset: number,
  h: number,
  w: number,
  weights: ArrayLike<number> | undefined,
  weightOffset: number,
  kind: SumKind,
  scratch: Scratch,
): [number, number] | null {
  const { rowMoment, colMoment, masked } = scratch;
  let k = 0;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++, k++) {
      // A = frame * (weights > 0): multiplying (not selecting) keeps numpy's NaN * 0.
      const a =
        weights === undefined
          ? data[offset + k]!
          : data[offset + k]! * (weights[weightOffset + k]! > 0 ? 1 : 0);
      masked[k] = a;
      rowMoment[k] = i * a;
      colMoment[k] = j * a;
    }
  }
  const size = h * w;
  const momentSum =
    kind === 'integer' ? bufferedPairwiseSum : (a: Float64Array, n: number) => pairwiseSum(a, 0, n);
  const total =
    kind === 'float64' ? pairwiseSum(masked, 0, size) : bufferedPairwiseSum(masked, size);
  const c0 = momentSum(rowMoment, size) / total;
  const c1 = momentSum(colMoment, size) / total;
  if (total === 0 || !Number.isFinite(c0) || !Number.isFinite(c1)) return null;
  return [c0, c1];
}

function checkLength(what: string, found: number, expected: number): void {
  if (found !== expected) {
    throw new FrameError(`${what} needs ${expected} elements, found ${found}.`, {
      expected: `${expected} elements`,
      found: `${found}`,
    });
  }
}

/**
 * ptypy's `mass_center` of one `h` x `w` frame (C order): the intensity-weighted
 * mean pixel position `(sum(i*A), sum(j*A)) / sum(A)` in float64, where
 * `A = frame * (weights > 0)` when weights are given. Bit-identical to numpy:
 * the sums follow numpy's summation order for the frame's element type
 * (Float64Array or plain arrays as float64, Float32Array as float32, any
 * other typed array as integers).
 *
 * @throws {CenterError} when the (masked) intensity sums to zero.
 * @example
 * massCenter(Int32Array.from([0, 0, 0, 4]), 2, 2); // [1, 1]
 */
export function massCenter(
  frame: ArrayLike<number>,
  h: number,
  w: number,
  weights?: ArrayLike<number>,
): [number, number] {
  checkLength(`A ${h}x${w} frame`, frame.length, h * w);
  if (weights !== undefined) checkLength(`The weights of a ${h}x${w} frame`, weights.length, h * w);
  const kind: SumKind =
    frame instanceof Float32Array
      ? 'float32'
      : ArrayBuffer.isView(frame) && !(frame instanceof Float64Array)
        ? 'integer'
        : 'float64';
  const center = frameCenter(frame, 0, h, w, weights, 0, kind, scratchFor(h * w));
  if (center === null) {
    throw new CenterError(
      'Cannot compute the mass centre: the (masked) frame intensity sums to 0.',
      {
        expected: 'a frame with non-zero total intensity',
        found: 'total 0',
      },
    );
  }
  return center;
}

/**
 * The automatic centre ptypy computes from a chunk: the mean over the frames
 * (in stack order) of {@link massCenter}`(frame * (weights > 0))`, summed one
 * frame after another and divided by the frame count, as numpy's `mean(0)`
 * of the list of centres does.
 *
 * `weights` (a flat array or an NdArray such as a `[1, h, w]` or `[n, h, w]`
 * stack) is either one `h` x `w` mask for every frame or one per frame
 * (`n * h * w` elements). `indices` names the frames in errors: the scan
 * index of every frame, or of the first one (the chunk's start); without it
 * the position in the stack is used.
 *
 * @throws {CenterError} naming the frame whose (masked) intensity sums to zero
 *   (numpy would return NaN), or when the stack is empty.
 * @throws {FrameError} when the weights fit neither one frame nor the stack.
 */
export function meanMassCenter(
  stack: FrameStack,
  weights?: ArrayLike<number> | NdArray,
  indices?: number | readonly number[],
): [number, number] {
  const [n, h, w] = frameDims(stack);
  const mask =
    weights === undefined ? undefined : isArrayLike(weights) ? weights : toNumbers(weights.data);
  const size = h * w;
  if (n === 0) {
    throw new CenterError('Cannot compute the automatic centre of an empty chunk.', {
      expected: 'at least one frame',
      found: '0 frames',
    });
  }
  const perFrame = mask !== undefined && mask.length === n * size && n > 1;
  if (mask !== undefined && !perFrame && mask.length !== size) {
    throw new FrameError(
      `The mask for auto-centring must match one ${h}x${w} frame or the whole stack, found ${mask.length} elements.`,
      { expected: `${size} or ${n * size} elements`, found: `${mask.length}` },
    );
  }
  const kind = sumKindOf(stack.dtype);
  const scratch = scratchFor(size);
  const values = toNumbers(stack.data);
  let s0 = 0;
  let s1 = 0;
  for (let f = 0; f < n; f++) {
    const center = frameCenter(
      values,
      f * size,
      h,
      w,
      mask,
      perFrame ? f * size : 0,
      kind,
      scratch,
    );
    if (center === null) {
      const frame = typeof indices === 'number' ? indices + f : (indices?.[f] ?? f);
      throw new CenterError(
        `Cannot compute the automatic centre: frame ${frame} has zero total intensity inside the mask.`,
        { frame, expected: 'frames with non-zero masked intensity', found: 'total 0' },
      );
    }
    s0 += center[0];
    s1 += center[1];
  }
  return [s0 / n, s1 / n];
}

/** The elements as numbers; 64-bit integer frames are converted as numpy's float cast does. */
function toNumbers(data: FrameStack['data']): ArrayLike<number> {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    return Float64Array.from(data, (v) => Number(v));
  }
  return data;
}

function isArrayLike(weights: ArrayLike<number> | NdArray): weights is ArrayLike<number> {
  return !('shape' in weights && 'dtype' in weights);
}
