/**
 * The optional native addon (native/hdf5, built by scripts/build-native.mjs
 * against Debian's libhdf5, libdeflate and, when installed, ISA-L): what it
 * is, which deflate implementations it has, and deleting links in place.
 * The writes themselves are `native-engine.ts`. This module loads no h5wasm.
 *
 * `PTYSCAN_NATIVE_HDF5=0` switches it off.
 */
import { H5Error } from '../errors.js';
import { type NativeDeflateEngines, nativeAddon, nativeAddonDetail } from '../native/addon.js';
import { nativeReads } from './native-read.js';

/** Datasets the addon wrote in this thread. */
let written = 0;

/** Counts datasets the addon wrote (for {@link nativeHdf5Status}). */
export function countNativeWrites(datasets: number): void {
  written += datasets;
}

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

/** The deflate implementations of the addon (null without it). */
export function nativeDeflateEngines(): NativeDeflateEngines | null {
  return nativeAddon()?.deflateEngines() ?? null;
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
