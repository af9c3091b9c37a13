/**
 * One open file as h5wasm knows it. The reading, writing and link functions
 * of `src/h5/` work on a handle; {@link H5File} owns it (opening, closing,
 * routing through external links).
 */
import { H5Error } from '../errors.js';
import type { H5Module } from './runtime.js';

/** The file's name, h5wasm's module and file id, and the largest single read or write. */
export interface H5Handle {
  readonly file: string;
  readonly module: H5Module;
  readonly id: bigint;
  readonly maxIoBytes: number;
}

/** `nbytes` of WASM memory for one read or write (at most `maxIoBytes`); free it with `_free`. */
export function malloc(h: H5Handle, nbytes: number, where: string): number {
  if (nbytes > h.maxIoBytes && nbytes > 0) {
    throw new H5Error(
      `${h.file}:${where}: ${nbytes} bytes in one piece exceed the ${h.maxIoBytes}-byte limit.`,
      { file: h.file, dataset: where },
    );
  }
  const ptr = h.module._malloc(Math.max(nbytes, 1));
  if (!ptr) {
    throw new H5Error(`Out of WASM memory allocating ${nbytes} bytes for ${h.file}:${where}.`, {
      file: h.file,
      dataset: where,
    });
  }
  return ptr;
}

/** Runs `use` with `bytes` copied into WASM memory. */
export function withHeap<T>(
  h: H5Handle,
  bytes: Uint8Array,
  where: string,
  use: (ptr: number) => T,
): T {
  const ptr = malloc(h, bytes.byteLength, where);
  try {
    h.module.HEAPU8.set(bytes, ptr);
    return use(ptr);
  } finally {
    h.module._free(ptr);
  }
}
