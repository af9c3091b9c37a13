/**
 * The native reading engine: where the addon is built, blocks of frames are
 * read by Debian's libhdf5, their chunks decoded by the addon itself
 * (bitshuffle-LZ4, LZ4, deflate, shuffle, fletcher32, LZF) on every core,
 * and the chunks of a virtual dataset read from its data files, each checked
 * to exist. A dataset the addon cannot read (a filter neither it nor
 * libhdf5's plugins decode, a type that is not plain numbers) is read by
 * h5wasm, with its own plugins. Which engine reads a block is decided here;
 * `H5File.readBlock` is the same either way.
 */
import { availableParallelism } from 'node:os';
import { FileFormatError, H5Error, MissingDataError } from '../errors.js';
import { type DType, TYPED_ARRAY, type TypedArrayFor } from '../frames/dtype.js';
import { type NdArray, ndarray, sizeOf } from '../frames/ndarray.js';
import { type NativeDatasetInfo, nativeAddon } from '../native/addon.js';
import { blockOf } from './block.js';

/** Reads with more threads than this gain nothing: the copy out becomes the bottleneck. */
const MAX_THREADS = 16;

/** Blocks the addon read in this thread, by how (`chunks`, `contiguous`, `virtual+chunks`, `hdf5`, ...). */
const reads = new Map<string, number>();

/** How many blocks the addon read in this thread, by how it read them. */
export function nativeReads(): Readonly<Record<string, number>> {
  return Object.fromEntries(reads);
}

/** Threads the addon decodes a block's chunks on. */
export function readThreads(): number {
  return Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
}

/** An error from the addon's reader, with the fields it sets. */
interface NativeReadError extends Error {
  code?: string;
  file?: string;
}

function isNativeError(error: unknown): error is NativeReadError {
  return error instanceof Error;
}

/** Turns an addon failure into our error, naming the file and dataset. */
function readError(error: unknown, file: string, dataset: string): Error {
  if (!isNativeError(error)) return new H5Error(`${file}:${dataset}: ${String(error)}`);
  const message = `${file}:${dataset}: ${error.message}.`;
  if (error.code === 'missing-source') {
    return new MissingDataError(message, {
      file,
      dataset,
      expected: `the data file ${error.file ?? ''}`.trim(),
      found: 'no such file',
      cause: error,
    });
  }
  if (error.code === 'decode') {
    return new FileFormatError(message, {
      file,
      dataset,
      expected: 'chunks that decode with their filters',
      found: error.message,
      cause: error,
    });
  }
  return new H5Error(message, { file, dataset, found: error.message, cause: error });
}

/**
 * One file opened by the addon's reader (read only, or for reading while
 * another process writes it under SWMR). Knows what the addon can read of
 * each dataset; close it with the H5File that owns it.
 */
export class NativeReadFile {
  private readonly handle: number;
  private readonly infos = new Map<string, NativeDatasetInfo | null>();
  /** Datasets the addon failed to read for lack of a filter: h5wasm reads them. */
  private readonly declined = new Set<string>();
  private closed = false;

  private constructor(
    readonly file: string,
    handle: number,
  ) {
    this.handle = handle;
  }

  /** Opens `file` in the addon, or null when there is no addon or it cannot open the file. */
  static open(file: string, swmr: boolean): NativeReadFile | null {
    const addon = nativeAddon();
    if (addon === null) return null;
    try {
      return new NativeReadFile(file, addon.readOpen(file, swmr));
    } catch {
      // h5wasm opened it; whatever the addon did not like, h5wasm reads the whole file.
      return null;
    }
  }

  /** What the addon knows of the dataset at `path`, or null when it does not read it. */
  info(path: string): NativeDatasetInfo | null {
    if (this.closed || this.declined.has(path)) return null;
    if (!this.infos.has(path)) {
      let info: NativeDatasetInfo | null = null;
      try {
        info = nativeAddon()?.readInfo(this.handle, path) ?? null;
      } catch {
        info = null;
      }
      this.infos.set(path, info?.dtype === null ? null : info);
    }
    return this.infos.get(path) ?? null;
  }

  /**
   * Reads a block into `out`, or returns false when the addon declines the
   * dataset (a filter only h5wasm's plugins may decode): the caller reads it
   * with h5wasm then, and from then on.
   *
   * @throws MissingDataError for a missing data file of a virtual dataset.
   * @throws FileFormatError for a chunk that does not decode.
   */
  readBlock(
    path: string,
    start: readonly number[],
    count: readonly number[],
    out: ArrayBufferView,
  ): boolean {
    const addon = nativeAddon();
    const info = this.info(path);
    if (addon === null || info === null) return false;
    try {
      const how = addon.readBlock(this.handle, path, start, count, out, readThreads());
      reads.set(how, (reads.get(how) ?? 0) + 1);
      return true;
    } catch (error) {
      const code = isNativeError(error) ? error.code : undefined;
      if (code === 'hdf5' && !info.decodes && info.filters.length > 0) {
        this.declined.add(path);
        return false;
      }
      throw readError(error, this.file, path);
    }
  }

  /** Whether a block of `path` is read on several threads. */
  threaded(path: string): boolean {
    const info = this.info(path);
    if (info === null || readThreads() < 2) return false;
    if (info.layout === 'chunked') return info.decodes;
    return info.layout === 'contiguous' || (info.layout === 'virtual' && info.boxes);
  }

  /** Sees a dataset written under SWMR as it is now. */
  refresh(path: string): void {
    if (this.info(path) === null) return;
    try {
      nativeAddon()?.readRefresh(this.handle, path);
    } catch (error) {
      throw readError(error, this.file, path);
    }
    this.infos.delete(path);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    nativeAddon()?.readClose(this.handle);
  }
}

/**
 * The block `count` at `start` of `path` read by the addon, into `into` (the
 * dataset's dtype, exactly the block's size) or new memory; null when the
 * addon does not read this dataset.
 */
export function readNativeBlock(
  native: NativeReadFile,
  path: string,
  start: readonly number[],
  count: readonly number[],
  into?: TypedArrayFor[DType],
): NdArray | null {
  const info = native.info(path);
  const dtype = info?.dtype;
  if (info === null || !isDType(dtype)) return null;
  const { shape, offsets } = blockOf(native.file, path, info.shape, start, count);
  const n = sizeOf(shape);
  const out = into ?? new TYPED_ARRAY[dtype](n);
  if (!(out instanceof TYPED_ARRAY[dtype]) || out.length !== n) {
    throw new H5Error(`${native.file}:${path}: the memory given does not hold the block.`, {
      file: native.file,
      dataset: path,
      expected: `${n} ${dtype} elements`,
      found: `${out.length} elements of another array type`,
    });
  }
  if (!native.readBlock(path, offsets, shape, out)) return null;
  return ndarray(dtype, shape, out);
}

function isDType(value: string | null | undefined): value is DType {
  return typeof value === 'string' && value in TYPED_ARRAY;
}

/** What the addon sees of a data file another process may still be writing. */
export type NativeFileState =
  | { readonly kind: 'readable'; readonly allocated: NativeDatasetInfo['allocated'] | null }
  /** A process holds HDF5's lock on it: a writer has it open. */
  | { readonly kind: 'locked'; readonly why: string }
  | { readonly kind: 'unreadable'; readonly why: string };

/**
 * Opens `file` in the addon and looks at `dataset` in it: whether a writer
 * holds HDF5's file lock, and whether every chunk of the dataset is written.
 * Null without the addon.
 */
export function nativeFileState(file: string, dataset: string): NativeFileState | null {
  const addon = nativeAddon();
  if (addon === null) return null;
  let handle: number;
  try {
    handle = addon.readOpen(file, false);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return /lock/i.test(why) ? { kind: 'locked', why } : { kind: 'unreadable', why };
  }
  try {
    return { kind: 'readable', allocated: addon.readInfo(handle, dataset).allocated };
  } catch {
    return { kind: 'readable', allocated: null };
  } finally {
    addon.readClose(handle);
  }
}

/**
 * The frames (first axis) each mapping of the virtual dataset at `path` of
 * `file` covers, in mapping order, or null without the addon or when a
 * mapping is not a box.
 */
export function nativeVirtualFrames(
  file: string,
  path: string,
): { start: number; count: number }[] | null {
  const addon = nativeAddon();
  if (addon === null) return null;
  let handle: number;
  try {
    handle = addon.readOpen(file, false);
  } catch {
    return null;
  }
  try {
    const info = addon.readInfo(handle, path);
    if (!info.boxes || info.virtual === null) return null;
    return info.virtual.map((m) => ({ start: m.start[0] ?? 0, count: m.count[0] ?? 0 }));
  } catch {
    return null;
  } finally {
    addon.readClose(handle);
  }
}
