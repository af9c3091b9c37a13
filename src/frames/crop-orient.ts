import { frameDims } from './check.js';
import { cropPadPlacement, paddedDtype } from './crop-pad.js';
import type { DType } from './dtype.js';
import type { Output } from './memory.js';
import type { FrameStack } from './ndarray.js';
import { isIdentity, type Orientation, orientationFlags, orientCenter } from './orientation.js';
import { transformFrames } from './transform.js';

/**
 * {@link cropPad} followed by {@link orient}, done in one pass over the
 * frames: same pixels, dtype and centre as `orient(cropPad(...))`, at the
 * cost of one copy of the region of interest. This is the kernel the
 * preparation pipeline uses.
 *
 * `output` optionally offers a buffer the result may be written into (used
 * when it has the result's element type and enough room; the result then
 * shares its memory), and where fresh memory comes from otherwise. Passing
 * the previous chunk's buffer, once that chunk is no longer needed, avoids
 * the page faults of fresh memory.
 *
 * @example
 * cropOrient(frames, [256, 256], [250, 262], 3); // 256x256 ROI, rows and columns reversed
 */
export function cropOrient<D extends DType>(
  stack: FrameStack<D>,
  newShape: readonly [number, number],
  center: readonly [number, number],
  orientation: Orientation,
  output?: Output,
): { frames: FrameStack<D | 'float64'>; center: [number, number] } {
  const dims = frameDims(stack);
  const flags = orientationFlags(orientation);
  const place = cropPadPlacement([dims[1], dims[2]], newShape, center);
  const roi: [number, number] = [newShape[0], newShape[1]];
  const outCenter = orientCenter(place.center, roi, flags);
  const [low0, low1] = place.low;
  const [high0, high1] = place.high;
  if (isIdentity(flags) && low0 === 0 && low1 === 0 && high0 === 0 && high1 === 0) {
    return { frames: stack, center: outCenter };
  }
  const frames = transformFrames(
    stack,
    dims,
    { roi, low: place.low, flags },
    place.pads ? paddedDtype(stack.dtype) : stack.dtype,
    output,
  );
  return { frames, center: outCenter };
}
