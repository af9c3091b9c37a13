/**
 * The load window of an {@link Hdf5Loader} (ptypy's "crop at read"): with a
 * `shape`, only that window around `center` is read from the file, and the
 * frames then carry their centre at `shape // 2`.
 */
import { CenterError } from '../errors.js';
import type { PyValue } from '../py/value.js';
import { pair, sequenceItems, toNumber } from '../scan/values.js';

/** A half-open range of rows or columns of the raw (unpadded) frame. */
export type Span = readonly [start: number, stop: number];

/** What the loader reads of every frame, and the centre the scan continues with. */
export interface LoadWindow {
  readonly rows: Span;
  readonly cols: Span;
  /** True when a window is read (with a shape and `auto_center` not true). */
  readonly cropped: boolean;
  /** The new `info.center`: `shape // 2` after a cropped read, None with `auto_center` true, else unchanged. */
  readonly center: { readonly set: PyValue } | null;
}

/** ptypy's `expect2`: the first two entries of a sequence, or a scalar twice. */
function firstTwo(value: PyValue, path: string): [PyValue, PyValue] {
  const items = sequenceItems(value);
  if (items === null) return [value, value];
  if (items.length === 0)
    throw new CenterError(`${path} is empty.`, {
      parameter: path,
      expected: 'a pair',
      found: 'an empty sequence',
    });
  return [items[0]!, items[items.length === 1 ? 0 : 1]!];
}

/** ptypy's `_translate_to_pix` on one axis of length `n`: names, or a number modulo n (Python's modulo). */
function toPixel(n: number, c: PyValue): number {
  if (c === 'fftshift') return Math.floor(n / 2);
  if (c === 'geometric') return n / 2 - 0.5;
  if (c === 'fft') return 0;
  if (typeof c === 'string') {
    throw new CenterError(`center '${c}' is not understood.`, {
      parameter: 'center',
      expected: "'fftshift', 'geometric', 'fft' or numbers",
      found: c,
    });
  }
  const v = toNumber(c, 'center');
  return ((v % n) + n) % n;
}

/** Python's `slice(start, stop).indices(n)` as a span (negative values count from the end). */
function sliceOf(start: number, stop: number, n: number): Span {
  const clip = (i: number) => Math.min(n, Math.max(0, i < 0 ? i + n : i));
  const a = clip(start);
  return [a, Math.max(a, clip(stop))];
}

/**
 * The window for raw frames of `frame` = (H, W) pixels with `pad` =
 * `[top, bottom, left, right]`: the centre is placed on the padded frame
 * size and the window cut from the unpadded frame (as ptypy does), clipped
 * at the bottom and right edges.
 *
 * @throws CenterError when the window would start before the frame or after
 *   its end (ptypy reads an empty frame there and fails at the first chunk),
 *   unless `reads` is false (no frame is selected: ptypy never reads one).
 */
export function loadWindow(
  frame: readonly [number, number],
  pad: readonly [number, number, number, number],
  shape: PyValue | undefined,
  center: PyValue | undefined,
  autoCenter: PyValue | undefined,
  reads = true,
): LoadWindow {
  const whole: LoadWindow = {
    rows: [0, frame[0]],
    cols: [0, frame[1]],
    cropped: false,
    center: null,
  };
  if (shape === null || shape === undefined) return whole;
  if (autoCenter === true) return { ...whole, center: { set: null } };
  const padded = [frame[0] + pad[0] + pad[1], frame[1] + pad[2] + pad[3]] as const;
  const given = center === null || center === undefined ? null : firstTwo(center, 'center');
  const c = [0, 1].map((i) =>
    given === null ? Math.floor(padded[i]! / 2) : toPixel(padded[i]!, given[i]!),
  );
  const [s0, s1] = firstTwo(shape, 'shape');
  const want = [toNumber(s0, 'shape'), toNumber(s1, 'shape')];
  const half = want.map((s) => Math.floor(s / 2));
  const low = [0, 1].map((i) => Math.trunc(c[i]! - half[i]!));
  const high = [0, 1].map((i) => Math.trunc(c[i]! - half[i]! + want[i]!));
  const spans = [0, 1].map((i) => sliceOf(low[i]!, high[i]!, frame[i]!));
  [0, 1].forEach((i) => {
    if (reads && (low[i]! < 0 || low[i]! >= frame[i]!)) {
      throw new CenterError(
        `The load window of shape (${want[0]}, ${want[1]}) around centre (${c[0]}, ${c[1]}) starts at ${low[i]} on axis ${i}, outside the ${frame[0]}x${frame[1]} frames${pad.some((p) => p > 0) ? ` (padded to ${padded[0]}x${padded[1]})` : ''}.`,
        {
          parameter: 'center',
          expected: `a centre at least ${half[i]} pixels from the start of axis ${i}`,
          found: `window [${low[i]}, ${high[i]})`,
        },
      );
    }
  });
  const ints = [s0, s1].every((s) => typeof s === 'bigint');
  return {
    rows: spans[0]!,
    cols: spans[1]!,
    cropped: true,
    center: {
      set: ints ? pair('int64', [half[0]!, half[1]!]) : pair('float64', [half[0]!, half[1]!]),
    },
  };
}
