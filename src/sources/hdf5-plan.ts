/**
 * Everything an {@link Hdf5Loader} works out at construction, in ptypy's
 * order: the spectro-scan choice, the frames and positions, the frame
 * filter, the scan mapping, dark, flat, mask, normalisation, recorded
 * values, and the load window. A bad file, key or shape fails here, before
 * the first chunk.
 */
import { FileFormatError, FrameError, MissingDataError } from '../errors.js';
import { formatShape, type NdArray, ndarray, sameShape, sizeOf } from '../frames/ndarray.js';
import type { H5File } from '../h5/index.js';
import type { PyDict } from '../py/value.js';
import {
  type DatasetRef,
  numericDataset,
  readArray,
  readFloat64,
  refName,
  withFile,
} from './hdf5-datasets.js';
import { describeStored, type StoredFrames } from './hdf5-frames.js';
import { type AxisArray, mapScan, type PointArray, type ScanMapping } from './hdf5-mapping.js';
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
}

/** `array[i]` along the first axis. */
function first(
  array: NdArray<'float64'>,
  i: number,
  what: string,
  param: string,
): NdArray<'float64'> {
  const [n = 0, ...rest] = array.shape;
  if (array.shape.length === 0 || i < 0 || i >= n) {
    throw new MissingDataError(
      `${what} has no entry ${i} along its first axis (shape ${formatShape(array.shape)}).`,
      {
        parameter: param,
        expected: `an index below ${n}`,
        found: String(i),
      },
    );
  }
  const size = sizeOf(rest);
  return ndarray('float64', rest, array.data.slice(i * size, (i + 1) * size));
}

/** `array[:, j]`: one column of the second axis (of an (N, k) table, column j). */
function column(
  array: NdArray<'float64'>,
  j: number,
  what: string,
  param: string,
): NdArray<'float64'> {
  const [n = 0, k = 0, ...rest] = array.shape;
  if (array.shape.length < 2 || j < 0 || j >= k) {
    throw new MissingDataError(`${what} has no column ${j} (shape ${formatShape(array.shape)}).`, {
      parameter: param,
      expected: array.shape.length < 2 ? 'a table of at least 2 axes' : `a column below ${k}`,
      found: String(j),
    });
  }
  const size = sizeOf(rest);
  const out = new Float64Array(n * size);
  for (let r = 0; r < n; r++)
    out.set(array.data.subarray((r * k + j) * size, (r * k + j + 1) * size), r * size);
  return ndarray('float64', [n, ...rest], out);
}

/**
 * Position values a dataset may declare per stored frame (columns picked
 * by an index included) before it is refused unread: a small file must not
 * make the loader allocate gigabytes.
 */
const POSITION_VALUES_PER_FRAME = 16;

function axis(
  ref: DatasetRef,
  index: number | null,
  outer: number | null,
  which: string,
  frames: number,
): AxisArray {
  let array = withFile(ref, (h5) => {
    const declared = sizeOf(numericDataset(h5, ref).shape);
    if (declared > POSITION_VALUES_PER_FRAME * frames + 65536) {
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
    return readFloat64(h5, ref);
  });
  if (outer !== null) array = first(array, outer, refName(ref), 'outer_index');
  if (index !== null) array = column(array, index, refName(ref), `positions.${which}_index`);
  return { name: refName(ref), shape: array.shape, values: array.data };
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
  const frames = withFile(settings.intensities, (h5) => describeStored(h5, settings.intensities));
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
  const dataShape = outer === null ? frames.shape : frames.shape.slice(1);
  const stored = sizeOf(frames.shape.slice(0, -2));
  const slow = axis(settings.slow, settings.slowIndex, outer, 'slow', stored);
  const fast = axis(settings.fast, settings.fastIndex, outer, 'fast', stored);
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
  return { frames, dataShape, recorded, slow, fast, mapping, window, dark, flat, mask, monitor };
}
