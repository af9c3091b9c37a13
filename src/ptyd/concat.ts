import { FileFormatError, type FrameError } from '../errors.js';
import { concatRows, type NdArray } from '../frames/ndarray.js';
import { isNdArray, isPyDict, type PyDict, type PyValue } from '../py/value.js';

function fail(file: string, what: string, expected: string, found: string): never {
  throw new FileFormatError(`${file}: cannot merge chunks: ${what}.`, { file, expected, found });
}

function concatArrays(arrays: NdArray[], key: string, file: string): NdArray {
  try {
    return concatRows(arrays);
  } catch (cause) {
    const e = cause as FrameError;
    throw new FileFormatError(`${file}: cannot merge chunks: '${key}' differs between chunks.`, {
      file,
      ...(e.expected === undefined ? {} : { expected: e.expected }),
      ...(e.found === undefined ? {} : { found: e.found }),
      cause,
    });
  }
}

/** Joins chunk dicts `{indices, positions, data, weights}` into one, sorted by frame index. */
export function concatChunks(chunks: readonly PyDict[], file: string): PyDict {
  const out: PyDict = {};
  const keys = Object.keys(chunks[0] ?? {});
  for (const key of keys) {
    const values = chunks.map((c) => c[key]);
    if (values.every(isNdArray)) {
      out[key] = concatArrays(values as NdArray[], key, file);
    } else if (values.every((v) => Array.isArray(v))) {
      out[key] = (values as PyValue[][]).flat();
    } else if (key === 'positions') {
      // Some chunks without positions: the merged chunk has none either.
      out[key] = values.flatMap((v) =>
        isNdArray(v) ? Array(v.shape[0]).fill(null) : (v as PyValue[]),
      );
    } else {
      fail(
        file,
        `'${key}' is not of one kind in every chunk`,
        'arrays or lists',
        values.map((v) => (isPyDict(v as PyValue) ? 'dict' : typeof v)).join(', '),
      );
    }
  }
  return out;
}
