/**
 * The block of a dataset a read asks for, checked against its shape: the
 * same checks whichever engine reads it. Imports no HDF5 engine.
 */
import { H5Error, MissingDataError } from '../errors.js';
import { formatShape } from '../frames/ndarray.js';

/**
 * Checks a block of `count` elements from `start` along the leading axes of
 * a dataset of shape `full` (see {@link H5File.readBlock}); returns the
 * block's full shape and start (the trailing axes whole).
 */
export function blockOf(
  file: string,
  abs: string,
  full: readonly number[],
  start: readonly number[],
  count: readonly number[],
): { shape: number[]; offsets: number[] } {
  const ctx = { file, dataset: abs };
  if (start.length !== count.length || start.length === 0 || start.length > full.length) {
    throw new H5Error(
      `${file}:${abs}: a block of ${start.length} start and ${count.length} count values does not fit shape ${formatShape(full)}.`,
      {
        ...ctx,
        expected: `1..${full.length} leading axes`,
        found: `${start.length}/${count.length}`,
      },
    );
  }
  const outside = start.some((s, i) => {
    const c = count[i] ?? 0;
    return !Number.isInteger(s) || !Number.isInteger(c) || s < 0 || c < 0 || s + c > (full[i] ?? 0);
  });
  if (outside) {
    const found = start.map((s, i) => `${s}:${s + (count[i] ?? 0)}`).join(', ');
    throw new MissingDataError(
      `${file}:${abs}: block [${found}] is outside its shape ${formatShape(full)}.`,
      { ...ctx, expected: `a block within ${formatShape(full)}`, found: `[${found}]` },
    );
  }
  return { shape: full.map((d, i) => count[i] ?? d), offsets: full.map((_, i) => start[i] ?? 0) };
}
