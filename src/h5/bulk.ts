/**
 * The second part of a write: the large arrays, written once the rest of
 * the file is (see `store.ts`), here or in another thread; then, for a new
 * file, forced to disk and renamed into place. Writing arrays the native
 * addon takes needs no h5wasm: a thread that only does that never loads it.
 */
import { renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NdArray } from '../frames/ndarray.js';
import { fsyncPath } from './durable.js';
import { type BulkArray, nativeWrites, writeNativeArrays } from './native.js';

/** The large arrays of a write, still to be written into `file`. */
export interface BulkWrite<A = NdArray> {
  /** The file they go into (a new file's temp name). */
  readonly file: string;
  readonly arrays: readonly BulkArray<A>[];
  /** A new file's last steps: forced to disk, then renamed to `renameTo` (null: the file is in place). */
  readonly finish: { readonly sync: boolean; readonly renameTo: string | null };
}

/** True when the native addon writes every array of `bulk` (no h5wasm needed). */
export function bulkIsNative(bulk: BulkWrite): boolean {
  return bulk.arrays.every((a) => nativeWrites(a.node));
}

/** Writes the arrays the addon takes, on `threads` threads, then finishes the file. */
export function writeNativeBulk(bulk: BulkWrite, threads: number): void {
  try {
    writeNativeArrays(
      bulk.file,
      bulk.arrays.filter((a) => nativeWrites(a.node)),
      threads,
    );
    finishBulk(bulk);
  } catch (error) {
    abandonBulk(bulk);
    throw error;
  }
}

/** A new file's last steps: to disk, renamed into place, its folder to disk. */
export function finishBulk(bulk: BulkWrite): void {
  const { sync, renameTo } = bulk.finish;
  if (renameTo === null) return;
  if (sync) fsyncPath(bulk.file);
  renameSync(bulk.file, renameTo);
  if (sync) fsyncPath(dirname(renameTo));
}

/** Removes a new file's temp after a failure (an existing file is left as it is). */
export function abandonBulk(bulk: BulkWrite): void {
  if (bulk.finish.renameTo !== null) rmSync(bulk.file, { force: true });
}
