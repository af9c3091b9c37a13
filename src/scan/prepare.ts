import { CenterError, ParameterError, RebinError } from '../errors.js';
import type { AnyTypedArray } from '../frames/dtype.js';
import {
  type Allocator,
  cropOrient,
  type Orientation,
  rebinData,
  rebinWeights,
  rebinWeightsMax,
} from '../frames/index.js';
import { type FrameStack, formatShape } from '../frames/ndarray.js';

/** What the prepare step needs to know about the ROI and the geometry. */
export interface PrepareSettings {
  /** Square region of interest `[h, w]` on the raw frames. */
  roi: readonly [number, number];
  /** Optical axis on the raw frames `[y, x]` (may be fractional). */
  center: readonly [number, number];
  orientation: Orientation;
  /** 1 when no rebinning. */
  rebin: number;
  /** The data hold rows `start..` of raw frames `frameRows` high (default: whole frames). */
  window?: { start: number; frameRows: number };
}

/**
 * Prepared frames and weights. (Their centre and shape follow from the
 * geometry alone: see `preparedGeometry` in geometry.ts.)
 */
export interface Prepared {
  data: FrameStack;
  /** Per-frame weights `[n, h, w]`, or one `[1, h, w]` frame that applies to every frame. */
  weights: FrameStack;
  /** The cropped stack rebinning started from, to offer as `intermediate` next time. */
  intermediate?: AnyTypedArray;
}

/**
 * Memory {@link prepareFrames} may write into instead of allocating (fresh
 * pages are slow to touch). Whatever it held is overwritten.
 */
export interface PrepareMemory {
  /** For the prepared data: only when nobody uses the previous chunk's data any more. */
  output?: AnyTypedArray;
  /** For the cropped stack before rebinning. */
  intermediate?: AnyTypedArray;
  /** Where fresh memory comes from (default: plain memory). */
  allocator?: Allocator;
}

/**
 * The square ROI ptypy uses: `shape` None -> the raw shape; an int s -> (s, s);
 * then a non-square request becomes (min, min), since ptypy only prepares
 * square frames.
 */
export function squareRoi(
  shape: number | readonly [number, number] | null,
  rawShape: readonly [number, number],
): [number, number] {
  const [a, b] = shape === null ? rawShape : typeof shape === 'number' ? [shape, shape] : shape;
  const s = Math.min(a, b);
  return [s, s];
}

/** Checks ptypy's rebin rule: 2 <= r <= 32 and r divides the ROI. */
export function checkRebin(r: number, roi: readonly [number, number]): void {
  if (r === 1) return;
  if (r < 2 || r > 32 || roi[0] % r !== 0 || roi[1] % r !== 0) {
    throw new RebinError(
      `Binning (${r}) is too large or incompatible with the region of interest ${formatShape(roi)}: rebin must be between 2 and 32 and divide the ROI size.`,
      {
        parameter: 'rebin',
        expected: `a factor in 2..32 dividing ${roi[0]}`,
        found: String(r),
      },
    );
  }
}

/** Checks that the optical axis lies strictly inside the raw frame (ptypy's assertion). */
export function checkCenterInside(
  center: readonly [number, number],
  rawShape: readonly [number, number],
): void {
  const inside =
    center[0] > 0 && center[1] > 0 && rawShape[0] - center[0] > 0 && rawShape[1] - center[1] > 0;
  if (!inside) {
    const c = `(${center[0].toFixed(1)}, ${center[1].toFixed(1)})`;
    throw new CenterError(
      `Optical axis (center = ${c}) is outside the diffraction image frame ${formatShape(rawShape)}.`,
      {
        parameter: 'center',
        expected: `0 < center < ${formatShape(rawShape)}`,
        found: c,
      },
    );
  }
}

/**
 * How many times the raw frame's side a `shape` may be. ptypy pads any
 * `shape` with zeros; beyond this the prepared frames are nearly all padding
 * (4096 on 64-pixel frames: 4096 times the pixels), which only fills memory
 * and disk, so ptyscan refuses it.
 */
export const MAX_SHAPE_FACTOR = 8;

/** Refuses a region of interest far larger than the raw frames (see {@link MAX_SHAPE_FACTOR}). */
export function checkRoiFits(
  roi: readonly [number, number],
  rawShape: readonly [number, number],
): void {
  const [h, w] = rawShape;
  if (roi[0] <= MAX_SHAPE_FACTOR * h && roi[1] <= MAX_SHAPE_FACTOR * w) return;
  const most = Math.min(MAX_SHAPE_FACTOR * h, MAX_SHAPE_FACTOR * w);
  throw new ParameterError([
    {
      path: 'shape',
      expected: `at most ${most} (${MAX_SHAPE_FACTOR} times the raw frames ${formatShape(rawShape)}: beyond it the frames are nearly all padding)`,
      found: formatShape(roi),
    },
  ]);
}

/**
 * What the first chunk's geometry must satisfy, in the order prepare checks
 * it: the optical axis inside the raw frame, a region of interest not far
 * larger than it, and a rebin factor dividing the region of interest.
 */
export function checkGeometry(
  center: readonly [number, number],
  roi: readonly [number, number],
  rawShape: readonly [number, number],
  rebin: number,
): void {
  checkCenterInside(center, rawShape);
  checkRoiFits(roi, rawShape);
  checkRebin(rebin, roi);
}

/**
 * ptypy processes a chunk only when there is something to do: an orientation,
 * a ROI that differs from the raw shape, or rebinning. Otherwise frames,
 * weights and dtypes pass through untouched.
 */
export function needsProcessing(
  orientationTruthy: boolean,
  roi: readonly [number, number],
  rawShape: readonly [number, number],
  rebin: number,
): boolean {
  return (
    orientationTruthy ||
    Math.abs(roi[0] - rawShape[0]) > 0.5 ||
    Math.abs(roi[1] - rawShape[1]) > 0.5 ||
    rebin !== 1
  );
}

/**
 * Crop/pad around the centre, orient, rebin: the frame part of ptypy's
 * preparation. Weights with the raw shape follow the data exactly; weights of
 * any other shape are cropped around their own middle.
 */
export function prepareFrames(
  data: FrameStack,
  weights: FrameStack,
  settings: PrepareSettings,
  combineMax?: (localMax: number) => number,
  memory: PrepareMemory = {},
): Prepared {
  const { roi, center, orientation, rebin } = settings;
  const dataShape: [number, number] = [data.shape[1]!, data.shape[2]!];
  const start = settings.window?.start ?? 0;
  // Rows of a window: the same ROI, its centre `start` rows up (start is even: the same rounding).
  const dataCenter: [number, number] = [center[0] - start, center[1]];
  const rawShape: [number, number] = [settings.window?.frameRows ?? dataShape[0], dataShape[1]];
  const { allocator } = memory;
  const fresh = allocator === undefined ? {} : { allocator };
  // With rebinning, the cropped stack is an intermediate that nobody else sees.
  const cropped = cropOrient(data, roi, dataCenter, orientation, {
    ...fresh,
    ...(rebin === 1 ? { reuse: memory.output } : { reuse: memory.intermediate }),
  });
  const weightShape: [number, number] = [weights.shape[1]!, weights.shape[2]!];
  const same = (shape: readonly [number, number]) =>
    weightShape[0] === shape[0] && weightShape[1] === shape[1];
  const weightCenter: [number, number] = same(dataShape)
    ? dataCenter
    : same(rawShape)
      ? [center[0], center[1]]
      : [Math.floor(weightShape[0] / 2), Math.floor(weightShape[1] / 2)];
  const croppedWeights = cropOrient(weights, roi, weightCenter, orientation, fresh);
  if (rebin === 1) return { data: cropped.frames, weights: croppedWeights.frames };
  const maskStack = croppedWeights.frames;
  // Distributed runs combine ptypy's whole-chunk maximum over every rank's frames.
  const max = combineMax?.(rebinWeightsMax(maskStack, rebin));
  return {
    data: rebinData(cropped.frames, rebin, { ...fresh, reuse: memory.output }),
    weights: rebinWeights(maskStack, rebin, fresh, max),
    intermediate: cropped.frames === data ? undefined : cropped.frames.data,
  };
}
