/**
 * Everything an {@link Hdf5Loader} works out at construction, in ptypy's
 * order: the spectro-scan choice, the frames and positions, the frame
 * filter, the scan mapping, dark, flat, mask, normalisation, recorded
 * values, and the load window. A bad file, key or shape fails here, before
 * the first chunk.
 */
import { FileFormatError, FrameError, MissingDataError, ParameterError } from '../errors.js';
import { formatShape, type NdArray, ndarray, sameShape, sizeOf } from '../frames/ndarray.js';
import type { H5File } from '../h5/index.js';
import type { PyDict } from '../py/value.js';
import { type Arrival, liveStored } from './hdf5-arrivals.js';
import { first, readAxis } from './hdf5-axes.js';
import {
  type DatasetRef,
  numericDataset,
  readArray,
  readFloat64,
  refName,
  withFile,
} from './hdf5-datasets.js';
import { describeStored, type StoredFrames } from './hdf5-frames.js';
import {
  type AxisArray,
  mapScan,
  type PointArray,
  positionShape,
  type ScanMapping,
} from './hdf5-mapping.js';
import { type Monitor, scanMonitor } from './hdf5-monitor.js';
import { type Recorded, readRecorded } from './hdf5-recorded.js';
import type { LoaderSettings } from './hdf5-settings.js';
import { type LoadWindow, loadWindow } from './hdf5-window.js';

/** A dark, flat or mask: laid out like the frames (read with them), or one window-sized frame for all. */
export type Auxiliary =
  | { readonly kind: 'like-data'; readonly stored: StoredFrames }
  | { readonly kind: 'frame'; readonly frame: NdArray };

/** The loader's plan: what to read for every scan point and how to correct it. */
export interface LoaderPlan {
  readonly frames: StoredFrames;
  /** The frames' shape without a spectro scan's outer axis. */
  readonly dataShape: readonly number[];
  readonly recorded: Recorded;
  readonly slow: AxisArray;
  readonly fast: AxisArray;
  readonly mapping: ScanMapping;
  readonly window: LoadWindow;
  readonly dark: Auxiliary | null;
  readonly flat: Auxiliary | null;
  readonly mask: Auxiliary | null;
  readonly monitor: Monitor | null;
  /** A live master's data files, in frame order (`live: true`), else null. */
  readonly arrivals: readonly Arrival[] | null;
}

function frameFilter(settings: LoaderSettings, outer: number | null): PointArray | null {
  const ref = settings.framefilter;
  if (ref === null) return null;
  let array = withFile(ref, (h5) => readFloat64(h5, ref));
  // ptypy squeezes the filter, turns it into `> 0`, then takes the outer index.
  array = ndarray(
    'float64',
    array.shape.filter((d) => d !== 1),
    array.data.map((v) => (v > 0 ? 1 : 0)),
  );
  if (outer !== null) array = first(array, outer, refName(ref), 'outer_index');
  return { name: refName(ref), shape: array.shape, values: array.data };
}

/** Reads the window of an (H, W) frame (or the first of a (1, H, W) stack). */
function windowOf(
  h5: H5File,
  ref: DatasetRef,
  shape: readonly number[],
  window: LoadWindow,
): NdArray {
  const { rows, cols } = window;
  const lead = shape.length === 3 ? [0] : [];
  const one = lead.map(() => 1);
  const block = h5.readBlock(
    ref.key,
    [...lead, rows[0], cols[0]],
    [...one, rows[1] - rows[0], cols[1] - cols[0]],
  );
  if (block.dtype === 'string')
    throw new FrameError(`${refName(ref)} holds strings (${ref.param}).`);
  return ndarray(block.dtype, [rows[1] - rows[0], cols[1] - cols[0]], block.data);
}

/**
 * A dark, flat or mask dataset: laid out like the frames (the frames' full
 * shape), or one (H, W) frame (for a dark also (1, H, W)), cut to the window.
 */
function auxiliary(
  ref: DatasetRef | null,
  what: string,
  dataShape: readonly number[],
  window: LoadWindow,
  singleStack: boolean,
): Auxiliary | null {
  if (ref === null) return null;
  return withFile(ref, (h5) => {
    const { shape } = numericDataset(h5, ref);
    if (sameShape(shape, dataShape)) return { kind: 'like-data', stored: describeStored(h5, ref) };
    const frame = dataShape.slice(-2);
    if (
      sameShape(shape, frame) ||
      (singleStack && shape.length === 3 && shape[0] === 1 && sameShape(shape.slice(1), frame))
    ) {
      return { kind: 'frame', frame: windowOf(h5, ref, shape, window) };
    }
    throw new FrameError(
      `The ${what} ${refName(ref)} has shape ${formatShape(shape)}, but the frames are ${formatShape(dataShape)}.`,
      {
        file: ref.file,
        dataset: ref.key,
        parameter: `${ref.param}.key`,
        expected: `${formatShape(frame)}${singleStack ? `, (1, ${frame.join(', ')})` : ''} or ${formatShape(dataShape)}`,
        found: formatShape(shape),
      },
    );
  });
}

/** Works out the plan from the settings and the parameters (`shape`, `center`, `auto_center`). */
export function planLoader(settings: LoaderSettings, info: PyDict): LoaderPlan {
  const recorded = readRecorded(settings);
  const outer = recorded.outerIndex;
  const live = settings.swmr !== null || settings.live;
  if (live && outer !== null) {
    throw new ParameterError([
      {
        path: 'outer_index',
        expected:
          'a scan of one energy: a live scan (SwmrLoader, live) cannot be a spectro scan, as in ptypy',
        found: `a recorded energy of several values (outer_index ${outer})`,
      },
    ]);
  }
  const arriving =
    settings.live && settings.swmr === null
      ? withFile(settings.intensities, (h5) => liveStored(h5, settings.intensities))
      : null;
  let frames =
    arriving?.stored ??
    withFile(settings.intensities, (h5) => describeStored(h5, settings.intensities));
  if (outer !== null && (outer < 0 || outer >= frames.shape[0]!)) {
    throw new MissingDataError(
      `${refName(settings.intensities)} has no outer index ${outer} (shape ${formatShape(frames.shape)}).`,
      {
        parameter: 'outer_index',
        expected: `an index below ${frames.shape[0]}`,
        found: String(outer),
      },
    );
  }
  let slow: AxisArray;
  let fast: AxisArray;
  let dataShape: readonly number[];
  if (settings.swmr !== null) {
    // ptypy's SwmrLoader: the scan's shape is the expected-shape datasets', not the growing data's.
    slow = expectedAxis(settings.swmr.slowExpected);
    fast = expectedAxis(settings.swmr.fastExpected);
    const frame = frames.shape.slice(-2);
    dataShape =
      frames.shape.length === 4
        ? [...slow.shape, ...fast.shape, ...frame]
        : [slow.shape[0] ?? 0, ...frame];
  } else {
    if (!settings.live) {
      const stored = sizeOf(frames.shape.slice(0, -2));
      checkDeclaredPositions(settings.slow, 'slow', stored);
      checkDeclaredPositions(settings.fast, 'fast', stored);
    }
    slow = readAxis(settings.slow, settings.slowIndex, outer, 'slow');
    fast = readAxis(settings.fast, settings.fastIndex, outer, 'fast');
    dataShape = outer === null ? frames.shape : frames.shape.slice(1);
  }
  if (arriving !== null && frames.parts !== null) {
    // A group of data files still arriving: the positions say how many frames the scan has.
    dataShape = [expectedFrames(slow, fast), ...frames.shape.slice(1)];
    frames = { ...frames, shape: dataShape };
  }
  const mapping = mapScan(dataShape, slow, fast, {
    slowBounds: settings.slowBounds,
    fastBounds: settings.fastBounds,
    skip: settings.skip,
    filter: frameFilter(settings, outer),
    frameorder: settings.frameorder,
  });
  const frame = dataShape.slice(-2) as [number, number];
  const window = loadWindow(
    frame,
    settings.padding ?? [0, 0, 0, 0],
    info.shape,
    info.center,
    info.auto_center,
    mapping.points.length > 0,
  );
  const dark = auxiliary(settings.dark, 'darkfield', dataShape, window, true);
  const flat = auxiliary(settings.flat, 'flatfield', dataShape, window, false);
  const mask = auxiliary(settings.mask, 'mask', dataShape, window, false);
  const norm = settings.normalisation;
  const monitor =
    norm === null
      ? null
      : scanMonitor(
          { ...withFile(norm, (h5) => readArray(h5, norm)), name: refName(norm) },
          mapping,
          slow,
          fast,
          settings.sigma,
        );
  return {
    frames,
    dataShape,
    recorded,
    slow,
    fast,
    mapping,
    window,
    dark,
    flat,
    mask,
    monitor,
    arrivals: arriving?.arrivals ?? null,
  };
}

/** A SwmrLoader's `*_key_with_expected_shape` dataset: its shape only (the values come live). */
function expectedAxis(ref: DatasetRef): AxisArray {
  const { shape } = withFile(ref, (h5) => numericDataset(h5, ref));
  return { name: refName(ref), shape, values: new Float64Array(sizeOf(shape)) };
}

/** The frames of a scan of 3-D frames with these positions: per frame or grids alike, or meshed 1-D axes. */
function expectedFrames(slow: AxisArray, fast: AxisArray): number {
  const s = positionShape(slow.shape);
  const f = positionShape(fast.shape);
  if (sameShape(s, f)) return sizeOf(s);
  if (s.length === 1 && f.length === 1) return s[0]! * f[0]!;
  throw new FrameError(
    `The positions do not fit a scan of 3-D frames: slow ${slow.name} has shape ${formatShape(slow.shape)}, fast ${fast.name} ${formatShape(fast.shape)}.`,
    {
      parameter: 'positions',
      expected: 'slow and fast positions of one shape, or 1-D slow and fast axes',
      found: `slow ${formatShape(slow.shape)}, fast ${formatShape(fast.shape)}`,
    },
  );
}

/**
 * Position values a dataset may declare per stored frame (columns picked
 * by an index included) before it is refused unread: a small file must not
 * make the loader allocate gigabytes.
 */
const POSITION_VALUES_PER_FRAME = 16;

/** Refuses a positions dataset that declares far more values than `frames` frames can use. */
function checkDeclaredPositions(ref: DatasetRef, which: string, frames: number): void {
  const declared = sizeOf(withFile(ref, (h5) => numericDataset(h5, ref)).shape);
  if (declared <= POSITION_VALUES_PER_FRAME * frames + 65536) return;
  throw new FileFormatError(
    `${refName(ref)} declares ${declared} position values (positions.${which}_key), far more than a scan can use for ${frames} frames.`,
    {
      file: ref.file,
      dataset: ref.key,
      parameter: `positions.${which}_key`,
      expected: `at most ${POSITION_VALUES_PER_FRAME} values per frame`,
      found: `${declared} values`,
    },
  );
}
