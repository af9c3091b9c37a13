/**
 * The parameters a scan computes with, read once from `info` into typed
 * values when the scan starts; every problem is reported at once. The scan
 * keeps `info` itself for the file and the caller (ptypy's `info`, where the
 * centre and ROI are frozen after the first chunk). The `.ptyd` settings are
 * read at construction, by `ptyd/storage.ts`, to build the writer.
 */
import { ParameterError, type ParameterProblem } from '../errors.js';
import { type CenterName, isCenterName, type Orientation } from '../frames/index.js';
import type { NdArray } from '../frames/ndarray.js';
import type { PyDict, PyValue } from '../py/value.js';
import {
  allInts,
  expect2,
  sequenceItems,
  toInt,
  toOptionalInt,
  toPositions,
  truthy,
} from './values.js';

/** How the optical axis on the raw frames is found. */
export type CenterRule =
  /** The mean mass centre of the first chunk. */
  | { kind: 'auto' }
  /** A rule on the raw frame shape (`fftshift`, `geometric`, `fft`). */
  | { kind: 'named'; name: CenterName }
  /** No centre and no automatic one: the middle pixel of the raw frame. */
  | { kind: 'middle' }
  /** A pair of pixel coordinates, with the dtype ptypy gives it. */
  | { kind: 'given'; value: [number, number]; dtype: 'int64' | 'float64' };

/** The typed parameters of a scan. */
export interface ScanSettings {
  /** Fewest frames a chunk is prepared with (`min_frames`). */
  minFrames: number;
  /** What `load_parallel` shares out over the ranks. */
  loadParallel: { common: boolean; data: boolean };
  /** The frame count the parameters give (`num_frames`), or null. */
  numFrames: number | null;
  /** `positions_theory` as (N, 2) metres, or null. */
  positionsTheory: NdArray<'float64'> | null;
  center: CenterRule;
  /** The region of interest asked for (`shape`): a side, a pair, or null for the raw shape. */
  roi: number | [number, number] | null;
  orientation: Orientation;
  /** ptypy's `np.array(orientation).any()`: 0, () and (False, False, False) count as none. */
  oriented: boolean;
  /** 1 for no rebinning. */
  rebin: number;
  /** The raw pixel size `[y, x]` in metres, or null. */
  psize: [number, number] | null;
  /** numpy's dtype of `expect2(psize)`: int64 when every entry is a Python int. */
  psizeDtype: 'int64' | 'float64';
  addPoissonNoise: boolean;
}

/** Runs `read`, turning a ParameterError into problems of the list. */
function collect<T>(problems: ParameterProblem[], fallback: T, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ParameterError)) throw error;
    problems.push(...error.problems);
    return fallback;
  }
}

function centerRule(center: PyValue | undefined, autoCenter: PyValue | undefined): CenterRule {
  if (autoCenter === true || (center === null && autoCenter !== false)) return { kind: 'auto' };
  if (typeof center === 'string') {
    if (!isCenterName(center)) {
      throw new ParameterError([
        { path: 'center', expected: "'fftshift', 'geometric', 'fft' or a pair", found: center },
      ]);
    }
    return { kind: 'named', name: center };
  }
  if (center === null || center === undefined) return { kind: 'middle' };
  return {
    kind: 'given',
    value: expect2(center, 'center'),
    // ptypy's expect2(center[-2:]): the dtype of the two entries used.
    dtype: allInts(lastTwo(center)) ? 'int64' : 'float64',
  };
}

/** `value[-2:]` of a sequence (a scalar as is), as ptypy slices a centre. */
function lastTwo(value: PyValue): PyValue {
  const items = sequenceItems(value);
  return items === null ? value : items.slice(-2);
}

/**
 * ptypy's `expect2(psize)`: a scalar twice, else the first two entries (a
 * centre takes the last two; a pixel size does not go through `[-2:]`).
 */
function psizeOf(psize: PyValue | undefined): [number, number] | null {
  if (psize === null || psize === undefined) return null;
  const items = sequenceItems(psize);
  return expect2(items === null || items.length <= 2 ? psize : items.slice(0, 2), 'psize');
}

function roiOf(shape: PyValue | undefined): number | [number, number] | null {
  if (shape === null || shape === undefined) return null;
  const items = sequenceItems(shape);
  if (items === null) return toInt(shape, 'shape');
  if (items.length > 2) {
    // ptypy would take the last two silently: a 3-element shape is a mistake.
    throw new ParameterError([
      {
        path: 'shape',
        expected: 'an int or a pair (rows, columns)',
        found: `${items.length} numbers`,
      },
    ]);
  }
  return expect2(shape, 'shape');
}

/** numpy's `np.array(value).any()` for a scalar or a flat sequence (None: false). */
function anyTruthy(value: PyValue | undefined): boolean {
  const items = sequenceItems(value);
  return items === null ? truthy(value) : items.some((item) => truthy(item));
}

function orientationOf(o: PyValue | undefined): Orientation {
  if (o === null || o === undefined) return null;
  const items = sequenceItems(o);
  if (items === null) return toInt(o, 'orientation');
  if (items.length !== 3) {
    throw new ParameterError([
      {
        path: 'orientation',
        expected: 'an int 0..7 or a (transpose, flipud, fliplr) triple',
        found: `a sequence of ${items.length}`,
      },
    ]);
  }
  const flags = items.map((item) => (typeof item === 'bigint' ? Number(item) : item));
  if (!flags.every((f) => typeof f === 'boolean' || f === 0 || f === 1)) {
    throw new ParameterError([
      {
        path: 'orientation',
        expected: 'a (transpose, flipud, fliplr) triple of booleans (or 0/1)',
        found: `(${items.map(String).join(', ')})`,
      },
    ]);
  }
  return [truthy(items[0]), truthy(items[1]), truthy(items[2])];
}

/**
 * The typed settings of validated parameters `info`.
 *
 * @throws ParameterError listing every problem.
 */
export function scanSettings(info: PyDict): ScanSettings {
  const problems: ParameterProblem[] = [];
  const loadParallel = info.load_parallel;
  const settings: ScanSettings = {
    minFrames: collect(problems, 1, () => toInt(info.min_frames, 'min_frames')),
    loadParallel: {
      common: loadParallel === 'common' || loadParallel === 'all',
      data: loadParallel === 'data' || loadParallel === 'all',
    },
    numFrames: collect(problems, null, () => toOptionalInt(info.num_frames, 'num_frames')),
    positionsTheory: collect(problems, null, () =>
      info.positions_theory === null || info.positions_theory === undefined
        ? null
        : toPositions(info.positions_theory, 'positions_theory'),
    ),
    center: collect<CenterRule>(problems, { kind: 'middle' }, () =>
      centerRule(info.center, info.auto_center),
    ),
    roi: collect(problems, null, () => roiOf(info.shape)),
    orientation: collect<Orientation>(problems, null, () => orientationOf(info.orientation)),
    oriented: anyTruthy(info.orientation),
    rebin: collect(problems, 1, () => toOptionalInt(info.rebin, 'rebin') ?? 1),
    psize: collect(problems, null, () => psizeOf(info.psize)),
    psizeDtype: allInts(info.psize) ? 'int64' : 'float64',
    addPoissonNoise: truthy(info.add_poisson_noise),
  };
  if (problems.length > 0) throw new ParameterError(problems);
  return settings;
}
