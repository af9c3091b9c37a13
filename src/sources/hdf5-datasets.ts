/**
 * Reading the datasets an {@link Hdf5Loader} parameter names: one
 * `<name>.file` / `<name>.key` pair each. Every failure names the parameter,
 * the file and the dataset, so a user can fix the config without a debugger.
 */
import { existsSync } from 'node:fs';
import { FileFormatError } from '../errors.js';
import type { DType } from '../frames/dtype.js';
import { formatShape, type NdArray, ndarray } from '../frames/ndarray.js';
import { describeElementType, type H5ElementType, type H5Entry, H5File } from '../h5/index.js';

/** A dataset named by the parameter pair `<param>.file` / `<param>.key`. */
export interface DatasetRef {
  /** The parameter sub-tree, e.g. `mask` (for messages). */
  readonly param: string;
  readonly file: string;
  readonly key: string;
}

/** The numeric dataset a reference resolves to: its shape and stored element type. */
export interface NumericDataset {
  readonly shape: number[];
  readonly dtype: DType;
}

/** `file:key` as messages print it. */
export function refName(ref: DatasetRef): string {
  return `${ref.file}:${ref.key}`;
}

/**
 * Opens the file of `ref` read-only, runs `use` and closes it again. A missing
 * file is reported with the parameter that named it.
 */
export function withFile<T>(ref: DatasetRef, use: (h5: H5File) => T): T {
  if (!existsSync(ref.file)) {
    throw new FileFormatError(`${ref.file}: no such file (${ref.param}.file).`, {
      file: ref.file,
      parameter: `${ref.param}.file`,
      expected: 'an existing HDF5 file',
      found: 'nothing',
    });
  }
  const h5 = H5File.open(ref.file, 'r');
  try {
    return use(h5);
  } finally {
    h5.close();
  }
}

/** The deepest existing group above `key`, and its members: what a user may have meant. */
function nearestMembers(h5: H5File, key: string): string {
  const parts = key.split('/').filter((p) => p !== '');
  for (let i = parts.length - 1; i >= 0; i--) {
    const group = `/${parts.slice(0, i).join('/')}`;
    if (h5.resolve(group).kind !== 'group') continue;
    const names = h5.members(group);
    const shown = names.slice(0, 12).join(', ') + (names.length > 12 ? ', ...' : '');
    return `${group} holds ${shown || 'nothing'}`;
  }
  return 'the file has no such group';
}

/**
 * What `ref.key` is in an open file, following links. A path that is not
 * there gives a FileFormatError naming file, key and parameter.
 */
export function entryOf(h5: H5File, ref: DatasetRef): H5Entry {
  const entry = h5.resolve(ref.key);
  if (entry.kind === 'missing') {
    throw new FileFormatError(
      `${refName(ref)}: no such dataset (${ref.param}.key); ${nearestMembers(h5, ref.key)}.`,
      {
        file: ref.file,
        dataset: ref.key,
        parameter: `${ref.param}.key`,
        expected: 'an existing dataset',
        found: 'nothing at that path',
      },
    );
  }
  return entry;
}

/** The numeric dataset at `ref`; groups, strings and unsupported types are refused. */
function numericDataset(h5: H5File, ref: DatasetRef): NumericDataset {
  const entry = entryOf(h5, ref);
  if (entry.kind !== 'dataset') {
    throw new FileFormatError(`${refName(ref)} is a ${entry.kind}, not a dataset (${ref.param}).`, {
      file: ref.file,
      dataset: ref.key,
      parameter: `${ref.param}.key`,
      expected: 'a numeric dataset',
      found: entry.kind,
    });
  }
  return { shape: entry.shape, dtype: numericType(ref, entry.dtype) };
}

/** The element type of a dataset if it holds numbers, else a FileFormatError. */
export function numericType(ref: DatasetRef, dtype: H5ElementType): DType {
  if (typeof dtype === 'string' && dtype !== 'string') return dtype;
  throw new FileFormatError(
    `${refName(ref)} holds ${describeElementType(dtype)} values, not numbers (${ref.param}).`,
    {
      file: ref.file,
      dataset: ref.key,
      parameter: `${ref.param}.key`,
      expected: 'integers, floats or bools',
      found: describeElementType(dtype),
    },
  );
}

/**
 * Reads the whole dataset at `ref` as float64 (for the small per-scan
 * datasets: positions, masks, dark and flat frames, monitors, filters).
 */
export function readFloat64(h5: H5File, ref: DatasetRef): NdArray<'float64'> {
  const { shape } = numericDataset(h5, ref);
  const read = h5.readDataset(ref.key);
  if (read.dtype === 'string') {
    throw new FileFormatError(`${refName(ref)} holds strings, not numbers (${ref.param}).`, {
      file: ref.file,
      dataset: ref.key,
      expected: 'numbers',
      found: 'strings',
    });
  }
  const out = new Float64Array(read.data.length);
  const data = read.data as ArrayLike<number | bigint>;
  for (let i = 0; i < out.length; i++) out[i] = Number(data[i]);
  return ndarray('float64', shape, out);
}

/** Reads a one-value dataset (scalar or any shape of one element) as a number. */
export function readScalar(h5: H5File, ref: DatasetRef): number {
  const array = readFloat64(h5, ref);
  const value = array.data[0];
  if (array.data.length !== 1 || value === undefined) {
    throw new FileFormatError(
      `${refName(ref)} has shape ${formatShape(array.shape)}; ${ref.param} needs a single value.`,
      {
        file: ref.file,
        dataset: ref.key,
        parameter: `${ref.param}.key`,
        expected: 'a scalar dataset',
        found: formatShape(array.shape),
      },
    );
  }
  return value;
}
