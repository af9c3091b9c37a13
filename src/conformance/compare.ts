import { PtyscanError } from '../errors.js';
import { type NdArray, ndarray } from '../frames/ndarray.js';
import type { PyValue } from '../py/value.js';
import type { PtyScan } from '../scan/pty-scan.js';
import type { AutoResult, DataPackage } from '../scan/types.js';
import type { ConformanceCase } from './case.js';
import { firstDifference, type Plain, sha256Of, toPlain, typeString } from './describe.js';

/** A difference from ptypy's record: the case fails with this message. */
export class Difference extends Error {}

/** Throws a {@link Difference} at `where` when `detail` is not null. */
export function differ(where: string, detail: string | null): void {
  if (detail !== null) throw new Difference(`${where}: ${detail}`);
}

/** Which of our error classes stand for each Python exception ptypy raised. */
const ERROR_MATCH: Record<string, readonly string[]> = {
  AssertionError: ['CenterError', 'FrameError', 'ParameterError'],
  RuntimeError: ['RebinError', 'ParameterError', 'FrameError', 'FileFormatError'],
  ValueError: ['FrameError', 'ParameterError', 'CenterError', 'FileFormatError'],
  TypeError: ['ParameterError', 'FrameError'],
  KeyError: ['MissingDataError', 'ParameterError', 'FileFormatError'],
  IndexError: ['MissingDataError', 'FrameError', 'ParameterError'],
  IOError: ['FileFormatError', 'MissingDataError', 'H5Error', 'FrameError'],
  OSError: ['FileFormatError', 'MissingDataError', 'H5Error', 'FrameError'],
  FileNotFoundError: ['FileFormatError'],
};

/** Checks that `error` is a typed error of a class that stands for ptypy's `expected.error`. */
export function expectError(where: string, expected: Record<string, Plain>, error: unknown): void {
  const pyClass = String(expected.error);
  if (!(error instanceof PtyscanError)) {
    throw new Difference(`${where}: expected ${pyClass}, found an untyped error: ${String(error)}`);
  }
  if (!(ERROR_MATCH[pyClass] ?? []).includes(error.name)) {
    throw new Difference(`${where}: expected ${pyClass}, found ${error.name}: ${error.message}`);
  }
}

/** numpy's float64 scalar is a subclass of Python's float; ptyscan has one float. */
function sameTypeNames(types: Plain): Plain {
  if (types === null || typeof types !== 'object' || Array.isArray(types)) return types;
  return Object.fromEntries(
    Object.entries(types).map(([k, v]) => [k, v === 'numpy.float64' ? 'float' : v]),
  );
}

/** A scan that says whether its loadPositions() gave positions (the base corpus's loader). */
interface PositionsLoaded {
  loadedPositions(): boolean;
}

function hasLoadedPositions(scan: PtyScan): scan is PtyScan & PositionsLoaded {
  return typeof (scan as Partial<PositionsLoaded>).loadedPositions === 'function';
}

/**
 * ptypy's Hdf5Loader gives int64 positions when both position datasets hold
 * integers and both multipliers are Python ints; ptyscan's positions are
 * always float64 (the values are the same). docs/compatibility.md says so.
 */
function floatPositions(type: Plain): Plain {
  return typeof type === 'string' ? type.replace(/^ndarray<int64>/, 'ndarray<float64>') : type;
}

/** Compares the state after `initialize()` (the Hdf5Loader corpus's `loader` record is informational). */
export function compareInit(scan: PtyScan, expected: Record<string, Plain>): void {
  const { loader: _loader, ...record } = expected;
  const weight2d = scan.weight2d;
  const found: Record<string, Plain> = {
    num_frames: scan.numFrames,
    has_weight2d: weight2d !== null,
    has_positions: hasLoadedPositions(scan)
      ? scan.loadedPositions()
      : scan.positionsScan !== null || scan.positionsTheory !== null,
    weight2d_shape: weight2d === null ? null : [...weight2d.shape],
    meta: toPlain(scan.meta),
    meta_types: Object.fromEntries(Object.entries(scan.meta).map(([k, v]) => [k, typeString(v)])),
  };
  differ(
    'init',
    firstDifference(found, { ...record, meta_types: sameTypeNames(record.meta_types ?? null) }),
  );
}

/** A source that says which raw frame each scan index was read from (the Hdf5Loader corpus records it). */
interface SourceIndexed {
  sourceIndex(index: number): number[];
}

function hasSourceIndex(scan: PtyScan): scan is PtyScan & SourceIndexed {
  return typeof (scan as Partial<SourceIndexed>).sourceIndex === 'function';
}

/** `weights > 0` of a chunk, as the corpus's mask arrays. */
export function maskOf(result: DataPackage): NdArray<'bool'> {
  const { data, weights } = result.chunk;
  const mask = ndarray('bool', data.shape, new Uint8Array(data.data.length));
  const values = weights.data as ArrayLike<number | bigint>;
  for (let k = 0; k < mask.data.length; k++) mask.data[k] = values[k]! > 0 ? 1 : 0;
  return mask;
}

/** The call record ptypy wrote, for our data package. */
export function describeCall(result: DataPackage, scan: PtyScan): Record<string, Plain> {
  const { chunk, common } = result;
  return {
    indices: chunk.indices,
    chunk_num: chunk.num,
    common: toPlain(common),
    common_types: Object.fromEntries(Object.entries(common).map(([k, v]) => [k, typeString(v)])),
    positions: toPlain(chunk.positions as PyValue),
    positions_type: typeString(chunk.positions as PyValue),
    data_dtype: chunk.data.dtype,
    data_shape: [...chunk.data.shape],
    mask_dtype: 'bool',
    weights_dtype: chunk.weights.dtype,
    weights_shape: [...chunk.weights.shape],
    data_sha256: sha256Of(chunk.data),
    mask_sha256: sha256Of(maskOf(result)),
    weights_sha256: sha256Of(chunk.weights),
    ...(hasSourceIndex(scan)
      ? { source_index: chunk.indices.map((i) => scan.sourceIndex(i)) }
      : {}),
  };
}

/** The fields of a call record that hold array hashes. */
export type ArrayKind = 'data' | 'mask' | 'weights';

/**
 * Compares a data call with ptypy's record; `skip` leaves out the hashes of
 * arrays an intended difference changes (those are checked separately), and
 * `ignore` further fields of the record.
 */
export function compareData(
  i: number,
  result: AutoResult,
  expected: Record<string, Plain>,
  kase: ConformanceCase,
  scan: PtyScan,
  skip: readonly ArrayKind[] = [],
  ignore: readonly string[] = [],
): void {
  if (result.msg !== 'data') {
    throw new Difference(
      `call ${i}: expected a chunk of ${(expected.indices as Plain[]).length} frames, found ${result.msg}`,
    );
  }
  const found = describeCall(result, scan);
  const record: Record<string, Plain> = {
    ...expected,
    common_types: sameTypeNames(expected.common_types ?? null),
    positions_type: floatPositions(expected.positions_type ?? null),
  };
  if (!('source_index' in expected)) delete found.source_index;
  for (const key of [...skip.map((kind) => `${kind}_sha256`), ...ignore]) {
    delete found[key];
    delete record[key];
  }
  const d = firstDifference(found, record);
  if (d !== null && /sha256/.test(d)) {
    // Name the first differing pixel instead of a hash.
    const kind = d.startsWith('data') ? 'data' : d.startsWith('mask') ? 'mask' : 'weights';
    const ref = kase.expected.array(i, kind);
    const ours =
      kind === 'data' ? result.chunk.data : kind === 'mask' ? maskOf(result) : result.chunk.weights;
    const k = Array.prototype.findIndex.call(
      ours.data,
      (v: number, j: number) => !Object.is(Number(v), Number(ref.data[j])),
    );
    throw new Difference(
      `call ${i}: ${kind}[flat ${k}]: expected ${ref.data[k]}, found ${ours.data[k]}`,
    );
  }
  differ(`call ${i}`, d);
}

/** Compares the frozen centre, ROI and counters after the run (`withoutCenter`: the centre differs on purpose). */
export function compareFinal(
  scan: PtyScan,
  sequence: string[],
  expected: Record<string, Plain>,
  withoutCenter: boolean,
): void {
  const found: Record<string, Plain> = {
    info_center: toPlain(scan.info.center ?? null),
    info_center_type: typeString(scan.info.center ?? null),
    info_shape: toPlain(scan.info.shape ?? null),
    info_shape_type: typeString(scan.info.shape ?? null),
    num_frames: scan.numFrames,
    framestart: scan.framestart,
    chunknum: scan.chunknum,
    sequence,
  };
  if (!withoutCenter) {
    differ('final', firstDifference(found, expected));
    return;
  }
  const { info_center: _c, info_center_type: _t, ...rest } = expected;
  const { info_center: _oc, info_center_type: _ot, ...mine } = found;
  differ('final', firstDifference(mine, rest));
}
