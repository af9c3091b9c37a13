/**
 * Where the prepared frames lie on the raw ones: the optical axis found on
 * the first chunk (then frozen, as ptypy does), and the centre and shape of
 * the prepared frames, which follow from the geometry alone.
 */
import {
  type Orientation,
  orientationFlags,
  orientCenter,
  translateToPix,
} from '../frames/index.js';
import { type FrameStack, formatShape, sameShape } from '../frames/ndarray.js';
import type { Communicator } from '../parallel/index.js';
import { distributedMassCenter } from './distribute.js';
import type { LocalFrames } from './load.js';
import type { CenterRule } from './settings.js';
import type { Logger } from './types.js';

/** The centre resolved on the first chunk, with the dtype ptypy would give it. */
export interface FrozenCenter {
  value: [number, number];
  dtype: 'int64' | 'float64';
}

/**
 * The optical axis on the raw frames. The automatic centre (mean mass centre
 * of the first chunk, over every rank's frames) is what ptypy documents for
 * `auto_center: True` ("enforced"), although ptypy itself then keeps an
 * explicit centre. A mask of another shape than the frames is left out of
 * it, with a warning.
 */
export function resolveCenter(
  rule: CenterRule,
  local: LocalFrames | null,
  rawShape: [number, number],
  comm: Communicator,
  logger: Logger,
): FrozenCenter {
  switch (rule.kind) {
    case 'auto': {
      let mask: FrameStack | undefined = local?.weights;
      if (local !== null && mask !== undefined) {
        const weightShape = [mask.shape[1]!, mask.shape[2]!];
        if (!sameShape(weightShape, rawShape)) {
          logger.warn(
            `the mask has shape ${formatShape(weightShape)} but the raw frames are ${formatShape(rawShape)}: the automatic centre is computed from the unmasked frames.`,
          );
          mask = undefined;
        }
      }
      const value = distributedMassCenter(comm, local?.indices ?? [], local?.data ?? null, mask);
      return { value, dtype: 'float64' };
    }
    default:
      return fixedCenter(rule, rawShape);
  }
}

/** The centre a rule other than the automatic one gives: it depends on the raw shape alone. */
export function fixedCenter(
  rule: Exclude<CenterRule, { kind: 'auto' }>,
  rawShape: readonly [number, number],
): FrozenCenter {
  switch (rule.kind) {
    case 'named':
      return { value: translateToPix([rawShape[0], rawShape[1]], rule.name), dtype: 'float64' };
    case 'middle':
      return { value: [Math.floor(rawShape[0] / 2), Math.floor(rawShape[1] / 2)], dtype: 'int64' };
    case 'given':
      return { value: [rule.value[0], rule.value[1]], dtype: rule.dtype };
  }
}

/** Shape of the prepared frames: the ROI, oriented, rebinned (the raw shape without processing). */
export function preparedShape(
  roi: readonly [number, number],
  orientation: Orientation,
  rebin: number,
  processing: boolean,
  rawShape: [number, number],
): [number, number] {
  if (!processing) return rawShape;
  const [h, w] = orientationFlags(orientation).transpose ? [roi[1], roi[0]] : roi;
  return [h / rebin, w / rebin];
}

/**
 * Centre and shape of the prepared frames, from the geometry alone: cropping
 * puts the centre at `roi // 2`, orientation moves it, rebinning divides it.
 * Without processing the centre stays where it was found (unrounded).
 */
export function preparedGeometry(
  center: readonly [number, number],
  roi: [number, number],
  orientation: Orientation,
  rebin: number,
  processing: boolean,
): { center: [number, number]; shape: [number, number] } {
  if (!processing) return { center: [center[0], center[1]], shape: roi };
  const flags = orientationFlags(orientation);
  const [c0, c1] = orientCenter([Math.floor(roi[0] / 2), Math.floor(roi[1] / 2)], roi, flags);
  const shape = preparedShape(roi, orientation, rebin, processing, roi);
  return { center: [c0 / rebin, c1 / rebin], shape };
}
