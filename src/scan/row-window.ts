/**
 * Reading only the rows a chunk's preparation uses. The rows of the raw
 * frames outside the ROI never reach a prepared frame, so a source that can
 * read part of a frame (NumpyScan) reads only the ROI's rows: on the
 * baseline workload (512 rows, a 256-row ROI) half the bytes. That is known
 * once the centre and ROI are frozen (the first chunk), or before it when
 * the centre does not come from the frames and the source says how large
 * its frames are (`frameShape()`). The prepared frames are the same to the
 * bit: the window starts on an even row, so the half-to-even rounding of the
 * centre is the same on the window as on the whole frame.
 */
import { FrameError } from '../errors.js';
import { cropPadPlacement } from '../frames/crop-pad.js';
import type { FrameStack } from '../frames/ndarray.js';
import { type FrozenCenter, fixedCenter } from './geometry.js';
import { squareRoi } from './prepare.js';
import type { ScanSettings } from './settings.js';
import type { LoadResult, RowWindow } from './types.js';

/** Where a chunk's frames lie on the raw frames. */
export interface WindowGeometry {
  center: FrozenCenter;
  roi: readonly [number, number];
  rawShape: readonly [number, number];
}

/** The rows of the raw frames a geometry's ROI covers (from an even row), or null for all of them. */
export function roiRows(geometry: WindowGeometry): RowWindow | null {
  const rows = geometry.rawShape[0];
  const place = cropPadPlacement(geometry.rawShape, geometry.roi, geometry.center.value);
  // An even first row keeps roundHalfEven(center - start) === roundHalfEven(center) - start.
  const start = Math.max(0, -place.low[0]) & ~1;
  const end = Math.min(rows, rows + place.high[0]);
  return start === 0 && end === rows ? null : { start, end };
}

/**
 * The rows to ask `load()` for, or null when the whole frames are needed: a
 * `correct()` of the source sees the frames (`seenWhole`, as when noise is
 * drawn over them), or the geometry is not known before loading (an
 * automatic centre on the first chunk, a source that cannot say its frame
 * shape), or the ROI covers every row.
 */
export function windowFor(
  frozen: { center: FrozenCenter; roi: readonly [number, number] } | null,
  lastRawShape: readonly [number, number] | null,
  settings: ScanSettings,
  frameShape: () => readonly [number, number] | null,
  seenWhole: boolean,
): RowWindow | null {
  if (seenWhole) return null;
  if (frozen !== null) {
    return lastRawShape === null ? null : roiRows({ ...frozen, rawShape: lastRawShape });
  }
  const rule = settings.center;
  if (rule.kind === 'auto') return null;
  const rawShape = frameShape();
  if (rawShape === null) return null;
  const center = fixedCenter(rule, rawShape);
  return roiRows({ center, roi: squareRoi(settings.roi, rawShape), rawShape });
}

/** Whether frames holding `rows` of the raw frames have every row the geometry's ROI uses. */
export function coversRoi(rows: RowWindow, geometry: WindowGeometry): boolean {
  const needed = roiRows(geometry) ?? { start: 0, end: geometry.rawShape[0] };
  return rows.start <= needed.start && rows.end >= needed.end;
}

/** The rows of the raw frames a load result holds: its own `rows`, checked against its frames, else all. */
export function loadedRows(
  loaded: LoadResult,
  stack: FrameStack,
): RowWindow & { frameRows: number } {
  const h = stack.shape[1]!;
  const rows = loaded.rows;
  if (rows === undefined) return { start: 0, end: h, frameRows: h };
  const { start, end, frameRows } = rows;
  if (!(start >= 0 && end <= frameRows && end - start === h)) {
    throw new FrameError(
      `load() says its frames are rows ${start}..${end} of frames of ${frameRows} rows, but they have ${h} rows.`,
      { expected: `${end - start} rows, within 0..${frameRows}`, found: `${h} rows` },
    );
  }
  return rows;
}
