/**
 * The {@link Hdf5Loader} parameters, read once from the validated `info`
 * tree into typed settings: which datasets to read, how to map positions to
 * frames, and how to correct frames. Every problem found here is reported
 * before any file is opened.
 */
import { ParameterError, type ParameterProblem } from '../errors.js';
import { isNdArray, isPyDict, type PyDict, type PyValue } from '../py/value.js';
import type { Logger } from '../scan/types.js';
import { describe, sequenceItems, toInt, toNumber } from '../scan/values.js';
import type { DatasetRef } from './hdf5-datasets.js';

/** A bounding-box entry: an int replaces the lower bound only; a sequence gives `range(...)`'s arguments. */
export type AxisBounds = { kind: 'lower'; lower: number } | { kind: 'range'; args: number[] };

/** A recorded energy, distance or pixel size. */
export interface RecordedValue {
  readonly ref: DatasetRef;
  readonly multiplier: number;
  readonly offset: number;
}

/** SwmrLoader's keys: which frames and positions are written, and the scan's expected shape. */
export interface SwmrKeys {
  /** `intensities.live_key`, `positions.live_slow_key`, `positions.live_fast_key`: 0 until written. */
  readonly live: readonly DatasetRef[];
  /** `positions.slow_key_with_expected_shape`, `positions.fast_key_with_expected_shape`. */
  readonly slowExpected: DatasetRef;
  readonly fastExpected: DatasetRef;
}

/** Everything the loader needs from its parameters. */
export interface LoaderSettings {
  readonly intensities: DatasetRef;
  readonly slow: DatasetRef;
  readonly fast: DatasetRef;
  readonly slowMultiplier: number;
  readonly fastMultiplier: number;
  readonly slowIndex: number | null;
  readonly fastIndex: number | null;
  readonly slowBounds: AxisBounds | null;
  readonly fastBounds: AxisBounds | null;
  readonly skip: number;
  readonly mask: DatasetRef | null;
  readonly invert: boolean;
  readonly dark: DatasetRef | null;
  readonly flat: DatasetRef | null;
  readonly normalisation: DatasetRef | null;
  readonly sigma: number;
  readonly framefilter: DatasetRef | null;
  readonly energy: RecordedValue | null;
  readonly distance: RecordedValue | null;
  readonly psize: RecordedValue | null;
  readonly frameorder: number[] | null;
  readonly outerIndex: number | null;
  /** `[top, bottom, left, right]`, or null for no padding. */
  readonly padding: readonly [number, number, number, number] | null;
  readonly electronData: boolean;
  /** `live`: frames whose data files are not there (or not complete) yet are waited for. */
  readonly live: boolean;
  /** The live keys of a file written under SWMR (SwmrLoader), else null. */
  readonly swmr: SwmrKeys | null;
}

function block(info: PyDict, name: string): PyDict {
  const value = info[name];
  return isPyDict(value) ? value : {};
}

function text(value: PyValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * A `<param>.file` / `<param>.key` dataset: both given, or neither used. A
 * key without a file is ignored as in ptypy, but said so.
 */
function optionalRef(info: PyDict, param: string, logger: Logger): DatasetRef | null {
  const b = block(info, param);
  const file = text(b.file);
  const key = text(b.key);
  // SwmrLoader's datasets in the file being written are read as SWMR does.
  const swmr =
    'live_key' in block(info, 'intensities') && file === text(block(info, 'intensities').file);
  if (file !== null && key !== null)
    return swmr ? { param, file, key, swmr } : { param, file, key };
  if (key !== null) {
    logger.warn(
      `${param}.key is set but ${param}.file is not: ${param} is not used (as in ptypy).`,
    );
  }
  return null;
}

function bounds(
  value: PyValue | undefined,
  path: string,
  problems: ParameterProblem[],
): AxisBounds | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return { kind: 'lower', lower: Number(value) };
  const items = sequenceItems(value);
  if (
    items !== null &&
    items.length >= 1 &&
    items.length <= 3 &&
    items.every((v) => typeof v === 'bigint')
  ) {
    return { kind: 'range', args: items.map(Number) };
  }
  problems.push({
    path,
    expected: 'an int (lower bound) or a pair of ints (lo, hi)',
    found: describe(value),
  });
  return null;
}

function intList(
  value: PyValue | undefined,
  path: string,
  problems: ParameterProblem[],
): number[] | null {
  if (value === null || value === undefined) return null;
  const items = isNdArray(value)
    ? Array.from(value.data as ArrayLike<number | bigint>, (v) => v)
    : sequenceItems(value);
  const ints = items?.map((v) => (typeof v === 'bigint' ? Number(v) : v));
  if (
    ints === undefined ||
    ints.length === 0 ||
    !ints.every((v) => typeof v === 'number' && Number.isInteger(v))
  ) {
    problems.push({ path, expected: 'a non-empty list of ints', found: describe(value) });
    return null;
  }
  return ints as number[];
}

function padding(
  value: PyValue | undefined,
  problems: ParameterProblem[],
): [number, number, number, number] | null {
  if (value === null || value === undefined) return null;
  const items = sequenceItems(value);
  const pads = items?.map((v) => (typeof v === 'bigint' ? Number(v) : v));
  if (
    pads?.length === 4 &&
    pads.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)
  ) {
    return pads as [number, number, number, number];
  }
  problems.push({
    path: 'padding',
    expected: 'four ints >= 0 (top, bottom, left, right)',
    found: describe(value),
  });
  return null;
}

function recorded(info: PyDict, name: string, logger: Logger): RecordedValue | null {
  const param = `recorded_${name}`;
  const ref = optionalRef(info, param, logger);
  if (ref === null) return null;
  const b = block(info, param);
  return {
    ref,
    multiplier: toNumber(b.multiplier ?? 1, `${param}.multiplier`),
    // Only the energy has an offset in ptypy; an offset key elsewhere is ignored.
    offset: name === 'energy' ? toNumber(b.offset ?? 0, `${param}.offset`) : 0,
  };
}

/**
 * SwmrLoader's keys, when `info` has its parameters (only its tree has them):
 * the three live keys and both expected-shape keys are required, and the
 * positions must be in the intensities file, as in ptypy.
 */
function swmrKeys(info: PyDict, framesFile: string, problems: ParameterProblem[]): SwmrKeys | null {
  const intensities = block(info, 'intensities');
  const pos = block(info, 'positions');
  if (!('live_key' in intensities)) return null;
  const key = (b: PyDict, name: string, param: string): DatasetRef => {
    const value = text(b[name]);
    if (value === null) {
      problems.push({
        path: `${param}.${name}`,
        expected: `the path of ${name.startsWith('live') ? 'a live key (0 until its frame is written)' : 'a dataset of the expected shape'} in ${framesFile || 'intensities.file'}`,
        found: 'None',
      });
    }
    return { param, file: framesFile, key: value ?? '', swmr: true };
  };
  const positionsFile = text(pos.file);
  if (positionsFile !== null && positionsFile !== framesFile) {
    problems.push({
      path: 'positions.file',
      expected: `the intensities file (${framesFile}): SwmrLoader reads frames, positions and live keys from one file`,
      found: positionsFile,
    });
  }
  return {
    live: [
      key(intensities, 'live_key', 'intensities'),
      key(pos, 'live_slow_key', 'positions'),
      key(pos, 'live_fast_key', 'positions'),
    ],
    slowExpected: key(pos, 'slow_key_with_expected_shape', 'positions'),
    fastExpected: key(pos, 'fast_key_with_expected_shape', 'positions'),
  };
}

/**
 * Reads the loader's settings from `info`. The intensities and both position
 * keys are required (every missing one is listed); `positions.file` falls
 * back to `intensities.file`, as ptypy documents (ptypy itself raises).
 */
export function loaderSettings(info: PyDict, logger: Logger): LoaderSettings {
  const problems: ParameterProblem[] = [];
  const required = (param: string, key: string, what: string): string => {
    const value = text(block(info, param)[key]);
    if (value === null) problems.push({ path: `${param}.${key}`, expected: what, found: 'None' });
    return value ?? '';
  };
  const framesFile = required('intensities', 'file', 'the HDF5 file of the frames');
  const framesKey = required('intensities', 'key', 'the path of the frames in that file');
  const slowKey = required('positions', 'slow_key', 'the path of the slow-axis positions');
  const fastKey = required('positions', 'fast_key', 'the path of the fast-axis positions');
  const pos = block(info, 'positions');
  const box = isPyDict(pos.bounding_box) ? pos.bounding_box : {};
  const positionsFile = text(pos.file) ?? framesFile;
  const slowBounds = bounds(
    box.slow_axis_bounds,
    'positions.bounding_box.slow_axis_bounds',
    problems,
  );
  const fastBounds = bounds(
    box.fast_axis_bounds,
    'positions.bounding_box.fast_axis_bounds',
    problems,
  );
  const frameorder = intList(block(info, 'frameorder').indices, 'frameorder.indices', problems);
  const pads = padding(info.padding, problems);
  const skip = toInt(pos.skip ?? 1n, 'positions.skip');
  if (skip === 0) problems.push({ path: 'positions.skip', expected: 'a non-zero int', found: '0' });
  const swmr = swmrKeys(info, framesFile, problems);
  if (problems.length > 0) throw new ParameterError(problems);
  // Under SWMR every dataset of the file being written is read as SWMR does.
  const ref = (param: string, file: string, key: string): DatasetRef =>
    swmr !== null && file === framesFile ? { param, file, key, swmr: true } : { param, file, key };
  const optionalInt = (v: PyValue | undefined, path: string) =>
    v === null || v === undefined ? null : toInt(v, path);
  return {
    intensities: ref('intensities', framesFile, framesKey),
    slow: ref('positions', positionsFile, slowKey),
    fast: ref('positions', positionsFile, fastKey),
    slowMultiplier: toNumber(pos.slow_multiplier ?? 1, 'positions.slow_multiplier'),
    fastMultiplier: toNumber(pos.fast_multiplier ?? 1, 'positions.fast_multiplier'),
    slowIndex: optionalInt(pos.slow_index, 'positions.slow_index'),
    fastIndex: optionalInt(pos.fast_index, 'positions.fast_index'),
    slowBounds,
    fastBounds,
    skip,
    mask: optionalRef(info, 'mask', logger),
    invert: block(info, 'mask').invert === true,
    dark: optionalRef(info, 'darkfield', logger),
    flat: optionalRef(info, 'flatfield', logger),
    normalisation: optionalRef(info, 'normalisation', logger),
    sigma: toNumber(block(info, 'normalisation').sigma ?? 3n, 'normalisation.sigma'),
    framefilter: optionalRef(info, 'framefilter', logger),
    energy: recorded(info, 'energy', logger),
    distance: recorded(info, 'distance', logger),
    psize: recorded(info, 'psize', logger),
    frameorder,
    outerIndex: optionalInt(info.outer_index, 'outer_index'),
    padding: pads,
    electronData: info.electron_data === true,
    live: info.live === true,
    swmr,
  };
}
