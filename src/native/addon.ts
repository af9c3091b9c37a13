/**
 * Loading the optional native addon (native/hdf5, built by
 * scripts/build-native.mjs into build/ptyscan_hdf5.node against Debian's
 * libhdf5, libdeflate and liblz4). It imports nothing of ptyscan's, so any module
 * may use it. `PTYSCAN_NATIVE_HDF5=0` switches it off.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

/** String attributes of an object the addon writes. */
export type NativeAttributes = Readonly<Record<string, string>>;

/** HDF5's core filters of a compressed dataset: the byte shuffle (optional), then deflate. */
export interface NativeDeflate {
  shuffle: boolean;
  /** deflate level 0..9. */
  level: number;
  /** Which implementation compresses (default `auto`: the one the addon picks for the level). */
  engine?: 'auto' | 'libdeflate' | 'isal';
}

/** An array's chunks compressed elsewhere ({@link NativeAddon.encodeArrays}). */
export interface NativeEncoded {
  /** The distinct compressed chunks, one after the other. */
  bytes: Uint8Array;
  /** `[offset, size, offset, size, ...]` of each distinct chunk in `bytes`. */
  blocks: number[];
  /** For each HDF5 chunk, the index of its block (a repeated array's chunks share one). */
  chunkBlocks: number[];
}

/** An array dataset to write: values, layout and filters. */
export interface NativeArray {
  dtype: string;
  shape: readonly number[];
  /** The whole array, or one row when `repeated`; absent when `encoded` is given. */
  data?: ArrayBufferView;
  /** Every row is `data`: each distinct chunk is compressed once. */
  repeated: boolean;
  layout: 'contiguous' | 'chunked';
  /** Chunk shape of an uncompressed chunked array. */
  chunks?: readonly number[];
  /** HDF5's fletcher32 checksum (uncompressed chunked arrays). */
  fletcher32?: boolean;
  /** Shuffle and deflate, in chunks of `rowsPerChunk` whole rows, stored by direct chunk writes. */
  deflate?: NativeDeflate & { rowsPerChunk: number };
  /** The chunks, already compressed (by {@link NativeAddon.encodeArrays} with the same `deflate`). */
  encoded?: NativeEncoded;
  /**
   * `data` holds only the first `rows` rows of `shape`: they go through
   * HDF5's filter pipeline, and the rest comes later as `slab` steps.
   */
  rows?: number;
}

/** One step of {@link NativeAddon.writeTree}, run in order; paths are absolute. */
export type NativeOp =
  | { op: 'group'; path: string; attributes?: NativeAttributes; ifMissing?: boolean }
  | { op: 'delete'; path: string }
  | { op: 'string'; path: string; text: string; attributes?: NativeAttributes }
  | { op: 'link'; path: string; file: string; target: string }
  | { op: 'attributes'; path: string; attributes: NativeAttributes }
  | ({ op: 'array'; path: string; attributes?: NativeAttributes } & NativeArray)
  | {
      /** Values written into the existing dataset at `path` at `offset`, extending it within its maxshape. */
      op: 'slab';
      path: string;
      offset: readonly number[];
      dtype: string;
      shape: readonly number[];
      data: ArrayBufferView;
      repeated: false;
      /** The dataset's pipeline: the rows are compressed here, from a chunk boundary on. */
      deflate?: NativeDeflate & { rowsPerChunk: number };
    };

/** One array for {@link NativeAddon.encodeArrays}. */
export interface NativeEncodeSpec extends NativeDeflate {
  dtype: string;
  shape: readonly number[];
  data: ArrayBufferView;
  repeated: boolean;
  rowsPerChunk: number;
}

/** The deflate implementations the addon was built with. */
export interface NativeDeflateEngines {
  libdeflate: string;
  /** ISA-L's igzip, or null when the addon was built without it. */
  isal: string | null;
  /** The implementation used at each level 0..9. */
  levels: string[];
}

/** A dataset as the addon's reader sees it (`readInfo`). */
export interface NativeDatasetInfo {
  shape: number[];
  /** -1 for an unlimited axis. */
  maxshape: number[];
  /** Plain little- or big-endian numbers (int8..uint64, float32, float64), else null. */
  dtype: string | null;
  littleEndian: boolean;
  layout: 'chunked' | 'contiguous' | 'virtual' | 'compact';
  chunks: number[] | null;
  filters: { id: number; name: string; cdValues: number[] }[];
  /** Every filter is one the addon decodes itself. */
  decodes: boolean;
  /** Whether storage is allocated: every chunk written (`all`), some (`part`), none. */
  allocated: 'all' | 'part' | 'none' | 'unknown';
  /** The mappings of a virtual dataset (box start and count in it), else null. */
  virtual: { file: string; dataset: string; start: number[]; count: number[] }[] | null;
  /** Every virtual mapping is a box the addon reads from its source itself. */
  boxes: boolean;
}

/** The functions the addon exports. */
export interface NativeAddon {
  /**
   * Creates `file` (`create`) or opens it for writing, runs `ops` in order
   * (compressing the deflate arrays on `threads` threads first), flushes and
   * closes it. An error carries the `path` it concerns.
   */
  writeTree(file: string, create: boolean, ops: NativeOp[], threads: number): void;
  /** Compresses each array chunk by chunk on `threads` threads, for a writeTree elsewhere. */
  encodeArrays(arrays: NativeEncodeSpec[], threads: number): NativeEncoded[];
  deflateEngines(): NativeDeflateEngines;
  /** Opens `file` read-only (`swmr`: while another process writes it under SWMR); a handle. */
  readOpen(file: string, swmr: boolean): number;
  readClose(handle: number): void;
  readInfo(handle: number, path: string): NativeDatasetInfo;
  /** Sees a dataset written under SWMR as it is now (its shape, its new chunks). */
  readRefresh(handle: number, path: string): void;
  /**
   * Reads the block `count` at `start` into `out` (the dataset's dtype),
   * decoding chunks on `threads` threads; says how (`chunks`, `contiguous`,
   * `virtual+...`, `hdf5`). Errors carry `code`: `missing-source` (with
   * `file`), `decode`, `hdf5` or `usage`.
   */
  readBlock(
    handle: number,
    path: string,
    start: readonly number[],
    count: readonly number[],
    out: ArrayBufferView,
    threads: number,
  ): string;
  deleteLinks(file: string, paths: string[]): void;
  /**
   * The crop/orient kernel's row copy for a whole stack (`frames/transform.ts`):
   * `plan` is `[n, inH, inW, roiH, roiW, low0, low1, flipud, fliplr]`.
   */
  copyRows(src: ArrayBufferView, dst: ArrayBufferView, plan: number[]): void;
  /** Asks Linux for transparent huge pages under the view's memory; whether it was applied. */
  adviseHugePages(view: ArrayBufferView): boolean;
  /** Whether libhdf5 serialises calls from several threads itself. */
  threadSafe(): boolean;
  version(): string;
}

const NATIVE_ENV = 'PTYSCAN_NATIVE_HDF5';

let loaded: { addon: NativeAddon | null; reason: string } | undefined;

function load(): { addon: NativeAddon | null; reason: string } {
  if (process.env[NATIVE_ENV] === '0') return { addon: null, reason: `${NATIVE_ENV}=0` };
  const candidates = ['../../build/ptyscan_hdf5.node', '../../../build/ptyscan_hdf5.node'].map(
    (rel) => fileURLToPath(new URL(rel, import.meta.url)),
  );
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) {
    return {
      addon: null,
      reason:
        'not built (apt-get install libhdf5-dev libdeflate-dev liblz4-dev libisal-dev pkg-config, then npx ptyscan doctor --build)',
    };
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    // Worker threads write files at the same time: only a thread-safe libhdf5 may serve them.
    if (!isMainThread && !addon.threadSafe()) {
      return { addon: null, reason: `libhdf5 ${addon.version()} is not thread-safe` };
    }
    return { addon, reason: `libhdf5 ${addon.version()}` };
  } catch (cause) {
    return { addon: null, reason: `${path} cannot be loaded: ${(cause as Error).message}` };
  }
}

/** The addon, or null when it is not built, cannot be loaded or is switched off. */
export function nativeAddon(): NativeAddon | null {
  loaded ??= load();
  return loaded.addon;
}

/** Which libhdf5 the addon runs on, or why it is not in use. */
export function nativeAddonDetail(): string {
  loaded ??= load();
  return loaded.reason;
}

/** Below this, huge pages cannot help (they are 2 MiB). */
const HUGE_PAGE_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Offers large fresh memory to the kernel for huge pages before it is first
 * written: on some virtual machines first touching memory costs more than
 * filling it, page by page. Without the addon it does nothing.
 */
export function adviseLargeMemory(view: ArrayBufferView): void {
  if (view.byteLength < HUGE_PAGE_MIN_BYTES) return;
  nativeAddon()?.adviseHugePages(view);
}
