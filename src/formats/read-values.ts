/** Numbers read from a dataset of a file being read as an exchange format, checked. */
import { FileFormatError } from '../errors.js';
import type { H5File } from '../h5/index.js';

/** A dataset's values as numbers (any numeric dtype). */
export function numbersAt(h5: H5File, file: string, path: string): number[] {
  const value = h5.readDataset(path);
  if (value.dtype === 'string') {
    throw new FileFormatError(`${file}:${path} holds text, not numbers.`, {
      file,
      dataset: path,
      expected: 'numbers',
      found: 'strings',
    });
  }
  return Array.from(value.data as ArrayLike<number | bigint>, Number);
}

/** One finite number (a scalar or a one-element dataset). */
export function numberAt(h5: H5File, file: string, path: string): number {
  const values = numbersAt(h5, file, path);
  if (values.length !== 1 || !Number.isFinite(values[0])) {
    throw new FileFormatError(`${file}:${path} is not one number.`, {
      file,
      dataset: path,
      expected: 'a single finite number',
      found: `${values.length} values`,
    });
  }
  return values[0]!;
}
