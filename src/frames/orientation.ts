import { ParameterError } from '../errors.js';
import { checkCenter, frameDims } from './check.js';
import type { DType } from './dtype.js';
import type { FrameStack } from './ndarray.js';
import { transformFrames } from './transform.js';

/**
 * ptypy's `orientation` parameter: an int 0..7 (bit 4 transpose, bit 2
 * flip rows, bit 1 flip columns), a 3-tuple `(transpose, flipud, fliplr)`,
 * or null for none.
 */
export type Orientation = number | readonly [boolean, boolean, boolean] | null;

/** The three operations an orientation stands for, applied in this order. */
export interface OrientationFlags {
  /** Swap the two frame axes. */
  readonly transpose: boolean;
  /** Reverse the row order (numpy `flipud`). */
  readonly flipud: boolean;
  /** Reverse the column order (numpy `fliplr`). */
  readonly fliplr: boolean;
}

/**
 * Decodes an {@link Orientation}. `null` and `0` mean no change.
 *
 * @throws {ParameterError} for numbers other than the integers 0..7 and for
 *   tuples that are not three booleans (ptypy would silently ignore extra bits).
 */
export function orientationFlags(orientation: Orientation): OrientationFlags {
  if (orientation === null) return { transpose: false, flipud: false, fliplr: false };
  if (typeof orientation === 'number') {
    if (!Number.isInteger(orientation) || orientation < 0 || orientation > 7) {
      throw new ParameterError([
        {
          path: 'orientation',
          expected: 'an integer 0..7, a 3-tuple of booleans or None',
          found: `${orientation}`,
        },
      ]);
    }
    return {
      transpose: (orientation & 4) !== 0,
      flipud: (orientation & 2) !== 0,
      fliplr: (orientation & 1) !== 0,
    };
  }
  const items: readonly unknown[] = orientation;
  if (items.length !== 3 || !items.every((v) => typeof v === 'boolean')) {
    throw new ParameterError([
      {
        path: 'orientation',
        expected: 'a 3-tuple of booleans (transpose, flipud, fliplr)',
        found: `[${items.map(String).join(', ')}]`,
      },
    ]);
  }
  const [transpose, flipud, fliplr] = orientation;
  return { transpose, flipud, fliplr };
}

/** True when the orientation changes nothing. */
export function isIdentity(flags: OrientationFlags): boolean {
  return !flags.transpose && !flags.flipud && !flags.fliplr;
}

/**
 * Where a centre `(c0, c1)` of an `h` x `w` frame lands after the orientation:
 * transpose swaps it, then flipud maps `c0 -> H-1-c0` and fliplr `c1 -> W-1-c1`
 * on the (possibly transposed) shape `H` x `W`.
 */
export function orientCenter(
  center: readonly [number, number],
  frameShape: readonly [number, number],
  flags: OrientationFlags,
): [number, number] {
  let [c0, c1] = center;
  let [h, w] = frameShape;
  if (flags.transpose) {
    [c0, c1] = [c1, c0];
    [h, w] = [w, h];
  }
  if (flags.flipud) c0 = h - 1 - c0;
  if (flags.fliplr) c1 = w - 1 - c1;
  return [c0, c1];
}

/**
 * ptypy's `switch_orientation` on a stack of frames: transpose the two frame
 * axes, then reverse the rows, then reverse the columns, as the orientation
 * asks; `center` (row, column) follows the pixels ({@link orientCenter}).
 * `null` / `0` / all-false return the input stack itself, unchanged.
 *
 * @example
 * orient(frames, 3, [20, 28]); // flipud + fliplr of 40x56 frames -> centre [19, 27]
 */
export function orient<D extends DType>(
  stack: FrameStack<D>,
  orientation: Orientation,
  center: readonly [number, number],
): { frames: FrameStack<D>; center: [number, number] } {
  const dims = frameDims(stack);
  const flags = orientationFlags(orientation);
  const c = checkCenter(center);
  const frameShape: [number, number] = [dims[1], dims[2]];
  if (isIdentity(flags)) return { frames: stack, center: c };
  const plan = { roi: frameShape, low: [0, 0], flags } as const;
  return {
    frames: transformFrames(stack, dims, plan, stack.dtype),
    center: orientCenter(c, frameShape, flags),
  };
}
