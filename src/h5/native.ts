/**
 * The optional native HDF5 addon (native/hdf5, built by scripts/build-native.mjs
 * into build/ptyscan_hdf5.node against Debian's libhdf5 and libdeflate). It
 * does the two things h5wasm cannot: write gzip chunks compressed outside
 * HDF5 (by libdeflate, on several threads) and delete a link. Without it,
 * everything still works through h5wasm alone, more slowly.
 *
 * `PTYSCAN_NATIVE_HDF5=0` switches it off.
 */
import { H5Error } from '../errors.js';
import { itemSize } from '../frames/dtype.js';
import { type NdArray, repeatOf, sizeOf } from '../frames/ndarray.js';
import { type NativeArraySpec, nativeAddon, nativeAddonDetail } from '../native/addon.js';
import { guessChunks } from './chunks.js';

/** An array whose dataset is written after the h5wasm part of a file, by the addon. */
export interface DeferredArray {
  path: string;
  array: NdArray;
  attributes: Record<string, string>;
}

/** Arrays below this size are not worth a second open of the file. */
const MIN_BYTES = 64 * 1024;
/** A row larger than this would make one HDF5 chunk too large: h5wasm writes it, split. */
const MAX_ROW_BYTES = 64 * 1024 * 1024;

/** Datasets the addon wrote in this thread. */
let written = 0;

/** Whether the addon is in use, which libhdf5 it runs on (or why not), and how many datasets it wrote in this thread. */
export function nativeHdf5Status(): { available: boolean; detail: string; written: number } {
  return { available: nativeAddon() !== null, detail: nativeAddonDetail(), written };
}

/** Rows per chunk for the addon: h5wasm's chunk shape when it keeps whole rows, else one row. */
function rowsPerChunk(array: NdArray): number | null {
  const [rows = 0, ...rest] = array.shape;
  const item = itemSize(array.dtype);
  const rowBytes = rest.reduce((a, b) => a * b, item);
  if (rows < 1 || rowBytes < 1 || rowBytes > MAX_ROW_BYTES) return null;
  const guess = guessChunks(array.shape, item);
  return guess.slice(1).every((c, i) => c === rest[i]) ? (guess[0] ?? 1) : 1;
}

/**
 * Whether the addon should write `array` with gzip `level`: it is loaded, the
 * array is large enough, has at least one axis and its rows fit a chunk.
 */
export function canDefer(array: NdArray, level: number): boolean {
  if (level < 1 || level > 9 || array.shape.length === 0) return false;
  // Sizes from the shape: a lazily repeated array must not be made here.
  if (sizeOf(array.shape) * itemSize(array.dtype) < MIN_BYTES) return false;
  if (array.shape.some((d) => d < 1)) return false;
  if (array.dtype === 'int64' || array.dtype === 'uint64') return false;
  return rowsPerChunk(array) !== null && nativeAddon() !== null;
}

/**
 * Creates the deferred datasets in `file` (closed by h5wasm: never open in
 * both libraries at once), compressing on `threads` threads.
 */
export function writeDeferred(
  file: string,
  arrays: readonly DeferredArray[],
  level: number,
  threads: number,
): void {
  if (arrays.length === 0) return;
  const native = nativeAddon();
  if (native === null) {
    throw new H5Error(`${file}: the native HDF5 addon is not available to write deferred arrays.`, {
      file,
      expected: 'the native HDF5 addon',
      found: nativeHdf5Status().detail,
    });
  }
  const specs = arrays.map(({ path, array, attributes }): NativeArraySpec => {
    const row = repeatOf(array);
    return {
      path,
      dtype: array.dtype,
      shape: array.shape,
      rowsPerChunk: rowsPerChunk(array) ?? 1,
      data: (row ?? array).data,
      repeated: row !== undefined,
      attributes,
    };
  });
  try {
    native.writeArrays(file, specs, level, Math.max(1, Math.floor(threads)));
    written += specs.length;
  } catch (cause) {
    const where = arrays.map((a) => a.path).join(', ');
    throw new H5Error(`${file}: writing ${where} failed: ${(cause as Error).message}`, {
      file,
      dataset: arrays[0]?.path,
      cause,
    });
  }
}

/** Whether links can be deleted in place (else a file must be copied to drop an object). */
export function canDeleteLinks(): boolean {
  return nativeAddon() !== null;
}

/** Deletes the objects at `paths` in `file` (closed by h5wasm); their space is not reclaimed. */
export function deleteLinks(file: string, paths: readonly string[]): void {
  if (paths.length === 0) return;
  const native = nativeAddon();
  if (native === null) {
    throw new H5Error(`${file}: deleting ${paths.join(', ')} needs the native HDF5 addon.`, {
      file,
      expected: 'the native HDF5 addon',
      found: nativeHdf5Status().detail,
    });
  }
  try {
    native.deleteLinks(file, [...paths]);
  } catch (cause) {
    throw new H5Error(`${file}: deleting ${paths.join(', ')} failed: ${(cause as Error).message}`, {
      file,
      dataset: paths[0],
      cause,
    });
  }
}
