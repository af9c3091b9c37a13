import { checkCenter, checkShape2, frameDims } from './check.js';
import type { DType } from './dtype.js';
import type { FrameStack } from './ndarray.js';
import { roundHalfEven } from './round.js';
import { transformFrames } from './transform.js';

/** Where a region of interest sits on the raw frame, as ptypy's `crop_pad_symmetric_2d` places it. */
export interface CropPadPlacement {
  /** ROI pixel `(y, x)` shows raw pixel `(y - low[0], x - low[1])`; negative = cropped away. */
  readonly low: [number, number];
  /** Rows/columns of padding past the raw frame's far edges; negative = cropped away. */
  readonly high: [number, number];
  /** True when any side needs padding: the result is then {@link paddedDtype}, as in ptypy. */
  readonly pads: boolean;
  /** The centre in ROI pixels: `round(center) + low`, i.e. `newShape // 2`. */
  readonly center: [number, number];
}

/**
 * The dtype of a frame stack after ptypy's zero padding (`pad_lr` joins
 * `ones(shape, dtype) * 0.0` to the frames): float32 stays float32, every
 * other dtype (integers, bool) becomes float64.
 */
export function paddedDtype<D extends DType>(dtype: D): D | 'float64' {
  return dtype === 'float32' ? dtype : 'float64';
}

/**
 * Places a `newShape` ROI on an `rawShape` frame around `center`, rounded half
 * to even: `low = sh // 2 - c`, `high = c + (sh + 1) // 2 - dsh` per axis.
 */
export function cropPadPlacement(
  rawShape: readonly [number, number],
  newShape: readonly [number, number],
  center: readonly [number, number],
): CropPadPlacement {
  const [h, w] = rawShape;
  const [sh0, sh1] = checkShape2(newShape);
  const [r0, r1] = checkCenter(center);
  const c0 = roundHalfEven(r0);
  const c1 = roundHalfEven(r1);
  const low: [number, number] = [Math.floor(sh0 / 2) - c0, Math.floor(sh1 / 2) - c1];
  const high: [number, number] = [
    c0 + Math.floor((sh0 + 1) / 2) - h,
    c1 + Math.floor((sh1 + 1) / 2) - w,
  ];
  const pads = low[0] > 0 || low[1] > 0 || high[0] > 0 || high[1] > 0;
  return { low, high, pads, center: [c0 + low[0], c1 + low[1]] };
}

/**
 * ptypy's `crop_pad_symmetric_2d` on a stack of frames: cuts (or zero-pads to)
 * a `newShape` region centred on `center` rounded half to even. The result
 * keeps the dtype when it only crops and is {@link paddedDtype} as soon as one
 * side pads (bool becomes 0.0/1.0). The returned centre is `round(center) + low`.
 * When the region is the whole frame the input stack itself is returned.
 *
 * @example
 * cropPad(frames, [32, 32], [20.5, 33.5]); // crops around pixel (20, 34); centre [16, 16]
 */
export function cropPad<D extends DType>(
  stack: FrameStack<D>,
  newShape: readonly [number, number],
  center: readonly [number, number],
): { frames: FrameStack<D | 'float64'>; center: [number, number] } {
  const dims = frameDims(stack);
  const place = cropPadPlacement([dims[1], dims[2]], newShape, center);
  const [low0, low1] = place.low;
  const [high0, high1] = place.high;
  if (low0 === 0 && low1 === 0 && high0 === 0 && high1 === 0) {
    return { frames: stack, center: place.center };
  }
  const plan = {
    roi: [newShape[0], newShape[1]],
    low: place.low,
    flags: { transpose: false, flipud: false, fliplr: false },
  } as const;
  const frames = transformFrames(
    stack,
    dims,
    plan,
    place.pads ? paddedDtype(stack.dtype) : stack.dtype,
  );
  return { frames, center: place.center };
}
