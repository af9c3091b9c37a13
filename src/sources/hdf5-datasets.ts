/**
 * Reading the datasets an {@link Hdf5Loader} parameter names: one
 * `<name>.file` / `<name>.key` pair each. Every failure names the parameter,
 * the file and the dataset, so a user can fix the config without a debugger.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { FileFormatError, MissingDataError } from '../errors.js';
import type { DType } from '../frames/dtype.js';
import { formatShape, type NdArray, ndarray } from '../frames/ndarray.js';
import {
  describeElementType,
  type H5ElementType,
  type H5Entry,
  H5File,
  virtualSources,
} from '../h5/index.js';

/** A dataset named by the parameter pair `<param>.file` / `<param>.key`. */
export interface DatasetRef {
  /** The parameter sub-tree, e.g. `mask` (for messages). */
  readonly param: string;
  readonly file: string;
  readonly key: string;
  /** The file is being written under SWMR (SwmrLoader): it is opened to be read so. */
  readonly swmr?: boolean;
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
  const h5 = H5File.open(ref.file, 'r', { swmr: ref.swmr === true });
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
 * there gives a FileFormatError naming file, key and parameter; a link to a
 * file that does not exist a MissingDataError naming that file.
 */
export function entryOf(h5: H5File, ref: DatasetRef): H5Entry {
  const entry = h5.resolve(ref.key);
  if (entry.kind === 'missing') {
    // entry() names the data file behind a dead external link (or throws for one on the way).
    const link = h5.entry(ref.key);
    if (link.kind === 'external-link') {
      throw new MissingDataError(
        `${refName(ref)} links to ${link.targetFile}:${link.targetPath}, which does not exist (${ref.param}.key).`,
        {
          file: ref.file,
          dataset: ref.key,
          parameter: `${ref.param}.key`,
          expected: `the data file ${link.targetFile}`,
          found: 'a dead external link',
        },
      );
    }
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

/**
 * The file and path that really hold `key` of `h5`, following external
 * links on the way (their targets relative to the linking file's folder).
 */
export function datasetLocation(h5: H5File, key: string): { file: string; path: string } {
  const parts = key.split('/').filter((p) => p !== '');
  for (let i = 1; i <= parts.length; i++) {
    const at = h5.entry(`/${parts.slice(0, i).join('/')}`);
    if (at.kind !== 'external-link') continue;
    const target = isAbsolute(at.targetFile)
      ? at.targetFile
      : join(dirname(h5.file), at.targetFile);
    const child = H5File.open(target, 'r', { lock: false });
    try {
      return datasetLocation(child, [at.targetPath, ...parts.slice(i)].join('/'));
    } finally {
      child.close();
    }
  }
  return { file: h5.file, path: `/${parts.join('/')}` };
}

/**
 * Checks that every source file of a virtual dataset exists: HDF5 would read
 * the frames of a missing one as zeros.
 *
 * @throws MissingDataError naming the virtual dataset and the missing file.
 */
export function checkVirtualSources(h5: H5File, ref: DatasetRef): void {
  const { file, path } = datasetLocation(h5, ref.key);
  const missing = virtualSources(file, path).find((s) => s.found === null);
  if (missing === undefined) return;
  throw new MissingDataError(
    `${refName(ref)} is a virtual dataset whose data file ${missing.file} (${missing.dataset}) does not exist (${ref.param}.key).`,
    {
      file,
      dataset: path,
      parameter: `${ref.param}.key`,
      expected: `the data file ${missing.file}`,
      found: 'no such file',
    },
  );
}

/** The dataset at `ref` with its stored numeric type; groups, strings and unsupported types are refused. */
export function numericDataset(h5: H5File, ref: DatasetRef): NumericDataset {
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

/** Reads the whole numeric dataset at `ref`, in its stored dtype (the small per-scan datasets). */
export function readArray(h5: H5File, ref: DatasetRef): NdArray {
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
  return ndarray(read.dtype, shape, read.data);
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

/** Reads the whole dataset at `ref` as float64. */
export function readFloat64(h5: H5File, ref: DatasetRef): NdArray<'float64'> {
  const array = readArray(h5, ref);
  const data = array.data as ArrayLike<number | bigint>;
  return ndarray(
    'float64',
    array.shape,
    Float64Array.from({ length: data.length }, (_, i) => Number(data[i])),
  );
}

/** Reads a one-value dataset (scalar or any shape of one element) as a number (ptypy's `.item()`). */
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
        expected: 'one value (a scalar or any shape of one element)',
        found: formatShape(array.shape),
      },
    );
  }
  return value;
}
