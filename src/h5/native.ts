/**
 * The native engine: the optional addon (native/hdf5, built by
 * scripts/build-native.mjs against Debian's libhdf5 and libdeflate) does what
 * h5wasm cannot: writes gzip chunks compressed outside HDF5 (by libdeflate,
 * on several threads, stored by direct chunk writes) and deletes links in
 * place. Which arrays it takes is decided here; without it everything is
 * written by h5wasm. This module loads no h5wasm, so a thread that only
 * writes large arrays never starts a second HDF5 library.
 *
 * `PTYSCAN_NATIVE_HDF5=0` switches it off.
 */
import { H5Error } from '../errors.js';
import { itemSize } from '../frames/dtype.js';
import { type NdArray, repeatOf, sizeOf } from '../frames/ndarray.js';
import { type NativeArraySpec, nativeAddon, nativeAddonDetail } from '../native/addon.js';
import { guessChunks } from './chunks.js';
import { nativeReads } from './native-read.js';
import type { H5ArrayNode } from './tree.js';

/** Arrays below this size are not worth a second open of the file. */
const MIN_BULK_BYTES = 64 * 1024;
/** A row larger than this would make one HDF5 chunk too large: h5wasm writes it, split. */
const MAX_ROW_BYTES = 64 * 1024 * 1024;

/** An array written after the rest of its file: by the addon, or by another thread. */
export interface BulkArray<A = NdArray> {
  /** Its dataset path. */
  readonly path: string;
  readonly node: H5ArrayNode<A>;
}

/** Datasets the addon wrote in this thread. */
let written = 0;

/**
 * Whether the addon is in use, which libhdf5 it runs on (or why not), how
 * many datasets it wrote in this thread, and how many blocks it read, by how
 * (`chunks`: decoded by the addon; `contiguous`; `virtual+...`: from a virtual
 * dataset's data files; `hdf5`: by libhdf5 and its plugins).
 */
export function nativeHdf5Status(): {
  available: boolean;
  detail: string;
  written: number;
  reads: Readonly<Record<string, number>>;
} {
  return {
    available: nativeAddon() !== null,
    detail: nativeAddonDetail(),
    written,
    reads: nativeReads(),
  };
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
 * Whether an array is one of its write's bulk arrays: large, chunked with
 * the default chunk shape, with at least one axis and no empty one. Those are
 * written once the rest of the file is, and may be written by another thread.
 */
export function isBulk(node: H5ArrayNode): boolean {
  const { value: array, storage } = node;
  if (storage.layout === 'contiguous' || storage.chunks !== undefined) return false;
  if (storage.maxshape !== undefined) return false;
  if (storage.filter !== undefined || array.shape.length === 0) return false;
  if (array.shape.some((d) => d < 1)) return false;
  // Sizes from the shape: a lazily repeated array must not be made here.
  return sizeOf(array.shape) * itemSize(array.dtype) >= MIN_BULK_BYTES;
}

/** Whether the addon writes this array: a bulk gzip array of a dtype it knows, its rows fit a chunk, and it is loaded. */
export function nativeWrites(node: H5ArrayNode): boolean {
  const { value: array, storage } = node;
  const compression = storage.compression;
  if (compression?.kind !== 'gzip' || compression.level < 1 || compression.level > 9) return false;
  if (array.dtype === 'int64' || array.dtype === 'uint64') return false;
  return isBulk(node) && rowsPerChunk(array) !== null && nativeAddon() !== null;
}

/**
 * Creates the datasets of `arrays` (which {@link nativeWrites} takes) in
 * `file`, closed by h5wasm (never open in both libraries at once),
 * compressing on `threads` threads.
 */
export function writeNativeArrays(
  file: string,
  arrays: readonly BulkArray[],
  threads: number,
): void {
  if (arrays.length === 0) return;
  const native = nativeAddon();
  if (native === null) {
    throw new H5Error(`${file}: the native HDF5 addon is not available to write large arrays.`, {
      file,
      expected: 'the native HDF5 addon',
      found: nativeHdf5Status().detail,
    });
  }
  const byLevel = new Map<number, NativeArraySpec[]>();
  for (const { path, node } of arrays) {
    const { value: array, storage, attributes } = node;
    const level = storage.compression?.kind === 'gzip' ? storage.compression.level : 4;
    const row = repeatOf(array);
    const specs = byLevel.get(level) ?? [];
    specs.push({
      path,
      dtype: array.dtype,
      shape: array.shape,
      rowsPerChunk: rowsPerChunk(array) ?? 1,
      data: (row ?? array).data,
      repeated: row !== undefined,
      attributes: attributes ?? {},
    });
    byLevel.set(level, specs);
  }
  for (const [level, specs] of byLevel) {
    try {
      native.writeArrays(file, specs, level, Math.max(1, Math.floor(threads)));
      written += specs.length;
    } catch (cause) {
      const where = specs.map((a) => a.path).join(', ');
      throw new H5Error(`${file}: writing ${where} failed: ${(cause as Error).message}`, {
        file,
        dataset: specs[0]?.path,
        cause,
      });
    }
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
