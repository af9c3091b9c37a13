/**
 * How an {@link Hdf5Loader} maps scan points to frames (ptypy's five
 * layouts), and which points it uses: bounding box, skip, frame filter and
 * frame order, in that order. Pure functions of shapes and small arrays, so
 * every rule can be checked without a file.
 */
import { FrameError, ParameterError } from '../errors.js';
import { formatShape, sameShape, sizeOf } from '../frames/ndarray.js';
import type { AxisBounds } from './hdf5-settings.js';

/**
 * 1: (A, B, H, W) data with (A, B) grids; 2: (N, H, W) with (N,) per-frame
 * positions; 3: (C*D, H, W) with (C, D) grids; 4: (C, D, H, W) with 1-D (C,)
 * slow and (D,) fast axes; 5: (C*D, H, W) with 1-D axes.
 */
export type ScanLayout = 1 | 2 | 3 | 4 | 5;

/** A position dataset as read: its shape (after the outer index and column choice) and values. */
export interface AxisArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float64Array;
}

/** A per-point array (frame filter, normalisation) as read: shape and values. */
export interface PointArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** One scan point: where its frame and its positions are. */
export interface ScanPoint {
  /** Index into the leading (non-frame) axes of the data, after any outer axis. */
  readonly data: readonly number[];
  /** The point on the position grid: `[s, f]`, or `[k]` for per-frame positions. */
  readonly grid: readonly number[];
  /** Flat indices of its slow and fast positions in the position arrays. */
  readonly slowAt: number;
  readonly fastAt: number;
}

/** The layout and the points used, in scan order (index 0, 1, ... of the scan). */
export interface ScanMapping {
  readonly layout: ScanLayout;
  /** Shape of the position grid: `[C, D]`, or `[N]` for per-frame positions. */
  readonly gridShape: readonly number[];
  /** The data's leading shape (after any outer axis). */
  readonly leadShape: readonly number[];
  readonly points: readonly ScanPoint[];
}

/** What selects the points. */
export interface Selection {
  readonly slowBounds: AxisBounds | null;
  readonly fastBounds: AxisBounds | null;
  readonly skip: number;
  /** Values > 0 keep a point. */
  readonly filter: PointArray | null;
  readonly frameorder: readonly number[] | null;
}

/** ptypy's "position shape": length-1 axes removed when there are more than two axes. */
export function positionShape(shape: readonly number[]): number[] {
  return shape.length > 2 ? shape.filter((d) => d !== 1) : [...shape];
}

function layoutOf(data: readonly number[], slow: AxisArray, fast: AxisArray): ScanLayout {
  const s = positionShape(slow.shape);
  const f = positionShape(fast.shape);
  const lead = data.slice(0, -2);
  if (sameShape(lead, s) && sameShape(s, f)) {
    if (data.length === 4) return 1;
    if (data.length === 3) return 2;
  } else if (s.length > 1 && f.length > 1) {
    if (data.length === 3 && data[0] === sizeOf(s) && data[0] === sizeOf(f)) return 3;
  } else if (s.length === 1 && f.length === 1) {
    if (sameShape(lead, [s[0]!, f[0]!])) return 4;
    if (data.length === 3 && data[0] === s[0]! * f[0]!) return 5;
  }
  throw new FrameError(
    `The positions do not fit the frames: slow ${slow.name} has shape ${formatShape(slow.shape)}, fast ${fast.name} ${formatShape(fast.shape)}, the frames ${formatShape(data)}.`,
    {
      parameter: 'positions',
      expected:
        '(A, B) grids for (A, B, H, W) frames, (N,) per-frame or (C, D) grid positions for (N, H, W) frames, or 1-D (C,) slow and (D,) fast axes for (C, D, H, W) or (C*D, H, W) frames',
      found: `slow ${formatShape(slow.shape)}, fast ${formatShape(fast.shape)}, frames ${formatShape(data)}`,
    },
  );
}

/** Python's `range(*args)` after a bound has been applied to the default `[0, n)`. */
function axisRange(bounds: AxisBounds | null, n: number, path: string): number[] {
  let args: number[];
  if (bounds === null) args = [0, n];
  else if (bounds.kind === 'lower') args = [bounds.lower, n];
  else args = bounds.args;
  const [start, stop, step] =
    args.length === 1 ? [0, args[0]!, 1] : [args[0]!, args[1]!, args[2] ?? 1];
  if (step === 0)
    throw new ParameterError([{ path, expected: 'a range step other than 0', found: '0' }]);
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

/** Python's `items[::step]`. */
function everyNth<T>(items: readonly T[], step: number): T[] {
  const out: T[] = [];
  if (step > 0) for (let i = 0; i < items.length; i += step) out.push(items[i]!);
  else for (let i = items.length - 1; i >= 0; i += step) out.push(items[i]!);
  return out;
}

/**
 * Flat index of `index` into an array of `shape`, taking the leading axes;
 * the remaining axes must hold one element (numpy would return an array).
 */
function flatIndex(shape: readonly number[], index: readonly number[]): number | null {
  if (index.length > shape.length || sizeOf(shape.slice(index.length)) !== 1) return null;
  let flat = 0;
  for (let i = 0; i < index.length; i++) {
    const k = index[i]!;
    if (k < 0 || k >= shape[i]!) return null;
    flat = flat * shape[i]! + k;
  }
  return flat;
}

/** The frame of `point` as the number of frames before it in the data (C order of its leading axes). */
export function frameOrdinal(mapping: Pick<ScanMapping, 'leadShape'>, point: ScanPoint): number {
  return flatIndex(mapping.leadShape, point.data) ?? -1;
}

/**
 * Where a per-point array (frame filter, normalisation) holds the value of a
 * point: its leading axes are the position grid (or the data's leading
 * axes), any further axes of length 1.
 */
export function pointIndexer(
  array: { readonly name: string; readonly shape: readonly number[] },
  mapping: Pick<ScanMapping, 'gridShape' | 'leadShape'>,
  param: string,
): (point: ScanPoint) => number {
  const rest = (n: number) => sizeOf(array.shape.slice(n)) === 1 && array.shape.length >= n;
  const lead = (shape: readonly number[]) => sameShape(array.shape.slice(0, shape.length), shape);
  const { gridShape, leadShape } = mapping;
  const byGrid = lead(gridShape) && rest(gridShape.length);
  if (!byGrid && !(lead(leadShape) && rest(leadShape.length))) {
    throw new FrameError(
      `${array.name} has shape ${formatShape(array.shape)}, which fits neither the scan's position grid ${formatShape(gridShape)} nor the frames' leading axes ${formatShape(leadShape)}.`,
      {
        parameter: `${param}.key`,
        expected: `${formatShape(gridShape)} or ${formatShape(leadShape)}`,
        found: formatShape(array.shape),
      },
    );
  }
  const shape = byGrid ? gridShape : leadShape;
  return (point) => flatIndex(shape, byGrid ? point.grid : point.data) ?? -1;
}

function gridPoints(
  layout: ScanLayout,
  rows: number[],
  cols: number[],
  slow: AxisArray,
  fast: AxisArray,
  d: number,
) {
  const points: ScanPoint[] = [];
  for (const s of rows) {
    for (const f of cols) {
      // Meshed 1-D axes: grid point (s, f) is at slow[s] and fast[f].
      const meshed = layout === 4 || layout === 5;
      const onMesh = s >= 0 && s < slow.values.length && f >= 0 && f < d;
      const slowAt = meshed ? (onMesh ? s : null) : flatIndex(slow.shape, [s, f]);
      const fastAt = meshed ? (onMesh ? f : null) : flatIndex(fast.shape, [s, f]);
      const data =
        layout === 1 || layout === 4 ? [s, f] : [s * (layout === 3 ? slow.shape[1]! : d) + f];
      points.push({ data, grid: [s, f], slowAt: slowAt ?? -1, fastAt: fastAt ?? -1 });
    }
  }
  return points;
}

function outOfRange(what: string, point: ScanPoint, found: string, expected: string): never {
  throw new ParameterError([
    {
      path: 'positions.bounding_box',
      expected: `${what} inside the scan (${expected})`,
      found: `scan point ${formatShape(point.grid)}: ${found}`,
    },
  ]);
}

/**
 * The layout of `data` (its full shape, after any outer axis) and
 * positions, and the points `selection` uses, in scan order. Points past the
 * scan (a bounding box too large) and frame-order indices outside the
 * selection are errors here, not at the first frame they would reach.
 *
 * @throws FrameError when no layout fits, or a filter does not fit the scan.
 * @throws ParameterError for a bounding box past the scan or a bad frame order.
 */
export function mapScan(
  data: readonly number[],
  slow: AxisArray,
  fast: AxisArray,
  selection: Selection,
): ScanMapping {
  const layout = layoutOf(data, slow, fast);
  const s = positionShape(slow.shape);
  const f = positionShape(fast.shape);
  const leadShape = data.slice(0, -2);
  const { skip } = selection;
  let points: ScanPoint[];
  let gridShape: number[];
  if (layout === 2) {
    gridShape = [s[0]!];
    const ks = everyNth(
      axisRange(selection.fastBounds, f[f.length - 1]!, 'positions.bounding_box.fast_axis_bounds'),
      skip,
    );
    points = ks.map((k) => ({
      data: [k],
      grid: [k],
      slowAt: flatIndex(slow.shape, [k]) ?? -1,
      fastAt: flatIndex(fast.shape, [k]) ?? -1,
    }));
  } else {
    const d = layout === 4 || layout === 5 ? f[0]! : f[f.length - 1]!;
    gridShape = layout === 4 || layout === 5 ? [s[0]!, f[0]!] : s;
    const rows = everyNth(
      axisRange(selection.slowBounds, s[0]!, 'positions.bounding_box.slow_axis_bounds'),
      skip,
    );
    const cols = everyNth(
      axisRange(selection.fastBounds, d, 'positions.bounding_box.fast_axis_bounds'),
      skip,
    );
    points = gridPoints(layout, rows, cols, slow, fast, d);
  }
  const mapping = { layout, gridShape, leadShape, points };
  for (const point of points) {
    if (flatIndex(leadShape, point.data) === null) {
      outOfRange(
        'frames',
        point,
        `frame index ${formatShape(point.data)}`,
        `leading axes ${formatShape(leadShape)}`,
      );
    }
    if (point.slowAt < 0 || point.fastAt < 0) {
      outOfRange(
        'positions',
        point,
        'no position there',
        `slow ${formatShape(slow.shape)}, fast ${formatShape(fast.shape)}`,
      );
    }
  }
  const filter = selection.filter;
  if (filter !== null) {
    const at = pointIndexer(filter, mapping, 'framefilter');
    points = points.filter((p) => {
      const k = at(p);
      if (k < 0)
        outOfRange(
          'the frame filter',
          p,
          `outside ${filter.name} ${formatShape(filter.shape)}`,
          'its shape',
        );
      return filter.values[k]! > 0;
    });
  }
  const order = selection.frameorder;
  if (order !== null) {
    const n = points.length;
    const bad = order.find((i) => i < 0 || i >= n);
    if (bad !== undefined) {
      throw new ParameterError([
        {
          path: 'frameorder.indices',
          expected: `indices into the ${n} selected scan points (0..${n - 1})`,
          found: String(bad),
        },
      ]);
    }
    points = order.map((i) => points[i]!);
  }
  return { ...mapping, points };
}
