/**
 * What an Hdf5Loader configuration names: the datasets (with every missing
 * required key reported at once), the geometry recorded in the files, and the
 * frame-sized corrections.
 */
import { FileFormatError, FrameError, ParameterError, type ParameterProblem } from '../errors.js';
import { formatShape, type NdArray, sameShape } from '../frames/ndarray.js';
import type { PyDict } from '../py/value.js';
import type { ScanParams } from '../scan/pty-scan.js';
import { toNumber } from '../scan/values.js';
import { type DatasetRef, readScalar, refName, withFile } from './hdf5-datasets.js';
import type { FrameLayout } from './hdf5-frames.js';

/** The datasets a configuration names; absent ones are null. */
export interface LoaderRefs {
  intensities: DatasetRef;
  slow: DatasetRef | null;
  fast: DatasetRef | null;
  mask: DatasetRef | null;
  dark: DatasetRef | null;
  flat: DatasetRef | null;
  normalisation: DatasetRef | null;
  framefilter: DatasetRef | null;
}

/** The frame corrections, loaded once. */
export interface Corrections {
  dark: Float64Array | null;
  flat: Float64Array | null;
  /** Monitor relative to its mean, by raw frame index; null without normalisation. */
  monitor: Float64Array | null;
}

const RECORDED = ['energy', 'distance', 'psize'] as const;

export function subTree(info: PyDict, name: string): PyDict {
  return (info[name] ?? {}) as PyDict;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The dataset references of `info`, with every missing required key reported at once. */
export function loaderRefs(info: PyDict): LoaderRefs {
  const problems: ParameterProblem[] = [];
  const frames = subTree(info, 'intensities');
  const framesFile = text(frames.file);
  const framesKey = text(frames.key);
  if (framesFile === null) {
    problems.push({
      path: 'intensities.file',
      expected: 'the HDF5 file of the frames',
      found: 'None',
    });
  }
  if (framesKey === null) {
    problems.push({ path: 'intensities.key', expected: 'the path of the frames', found: 'None' });
  }
  const ref = (param: string, keyName = 'key'): DatasetRef | null => {
    const block = subTree(info, param);
    const key = text(block[keyName]);
    return key === null ? null : { param, file: text(block.file) ?? framesFile ?? '', key };
  };
  const slow = ref('positions', 'slow_key');
  const fast = ref('positions', 'fast_key');
  if ((slow === null) !== (fast === null)) {
    problems.push({
      path: slow === null ? 'positions.slow_key' : 'positions.fast_key',
      expected: 'both positions.slow_key and positions.fast_key, or neither',
      found: 'None',
    });
  }
  if (problems.length > 0) throw new ParameterError(problems);
  return {
    intensities: { param: 'intensities', file: framesFile ?? '', key: framesKey ?? '' },
    slow,
    fast,
    mask: ref('mask'),
    dark: ref('darkfield'),
    flat: ref('flatfield'),
    normalisation: ref('normalisation'),
    framefilter: ref('framefilter'),
  };
}

/** energy / distance / psize read from the file where a `recorded_*` key is set. */
export function recordedGeometry(info: PyDict): ScanParams {
  const out: ScanParams = {};
  for (const name of RECORDED) {
    const param = `recorded_${name}`;
    const block = subTree(info, param);
    const key = text(block.key);
    if (key === null) continue;
    const intensities = subTree(info, 'intensities');
    const ref = { param, file: text(block.file) ?? text(intensities.file) ?? '', key };
    const value = withFile(ref, (h5) => readScalar(h5, ref));
    out[name] = value * toNumber(block.multiplier ?? 1, `${param}.multiplier`);
  }
  return out;
}

export function shapeError(
  message: string,
  ref: DatasetRef,
  expected: string,
  found: string,
): never {
  throw new FileFormatError(message, {
    file: ref.file,
    dataset: ref.key,
    parameter: `${ref.param}.key`,
    expected,
    found,
  });
}

/** A frame-sized correction: (H, W) as is, (n, H, W) averaged over its first axis. */
export function frameCorrection(
  array: NdArray<'float64'>,
  ref: DatasetRef,
  layout: FrameLayout,
): Float64Array {
  const [h, w] = layout.frameShape;
  const size = h * w;
  const { shape } = array;
  if (sameShape(shape, [h, w])) return array.data;
  if (shape.length === 3 && sameShape(shape.slice(1), [h, w]) && (shape[0] ?? 0) > 0) {
    const n = shape[0] ?? 1;
    const mean = new Float64Array(size);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < size; i++) mean[i]! += array.data[k * size + i]!;
    }
    for (let i = 0; i < size; i++) mean[i]! /= n;
    return mean;
  }
  throw new FrameError(
    `${refName(ref)} has shape ${formatShape(shape)}, but the frames (${refName(layout.ref)}) are ${formatShape([h, w])}.`,
    {
      file: ref.file,
      dataset: ref.key,
      parameter: `${ref.param}.key`,
      expected: `${formatShape([h, w])} or (n, ${h}, ${w})`,
      found: formatShape(shape),
    },
  );
}
