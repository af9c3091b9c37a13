/**
 * The position datasets of an {@link Hdf5Loader} as the mapping uses them:
 * a spectro scan's outer index taken, then the column of an (N, k) table.
 */
import { MissingDataError } from '../errors.js';
import { formatShape, type NdArray, ndarray, sizeOf } from '../frames/ndarray.js';
import type { H5File } from '../h5/index.js';
import { type DatasetRef, readFloat64, refName, withFile } from './hdf5-datasets.js';
import type { AxisArray } from './hdf5-mapping.js';

/** `array[i]` along the first axis. */
export function first(
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
 * A position dataset as the mapping uses it: the outer index of a spectro
 * scan, then the column. Read from `h5` when given (a file kept open).
 */
export function readAxis(
  ref: DatasetRef,
  index: number | null,
  outer: number | null,
  which: string,
  h5?: H5File,
): AxisArray {
  let array = h5 === undefined ? withFile(ref, (f) => readFloat64(f, ref)) : readFloat64(h5, ref);
  if (outer !== null) array = first(array, outer, refName(ref), 'outer_index');
  if (index !== null) array = column(array, index, refName(ref), `positions.${which}_index`);
  return { name: refName(ref), shape: array.shape, values: array.data };
}
