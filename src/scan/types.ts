import type { FrameStack, NdArray } from '../frames/ndarray.js';
import type { PyDict, PyValue } from '../py/value.js';

/**
 * The meta data a scan hands to a reconstruction (`out['common']` in ptypy).
 * Before the first data chunk it holds the raw parameters (`shape: 256n`,
 * `center: 'fftshift'`, ...); from the first chunk on, `shape` is an int64 pair,
 * `center` and `psize` float64 pairs. Python ints are bigints.
 */
export interface Meta extends PyDict {
  version: PyValue;
  num_frames: bigint | null;
  label: string | null;
  shape: PyValue;
  psize: PyValue;
  energy: PyValue;
  center: PyValue;
  distance: PyValue;
}

/** One prepared chunk: consecutive frames with their weights and positions. */
export interface Chunk {
  /** Chunk counter: 0, 1, ... (data chunks only). */
  num: number;
  /** Frame indices, consecutive, in order. */
  indices: number[];
  /** Prepared frames, shape `[n, h, w]`. */
  data: FrameStack;
  /** Prepared weights, same shape as `data` (bool, or float64 where ptypy keeps floats). */
  weights: FrameStack;
  /** `[n, 2]` positions in metres (`[y, x]`), or `null` per frame when there are none. */
  positions: NdArray<'float64'> | null[];
}

/** One frame as a reconstruction consumes it. */
export interface FrameRecord {
  index: number;
  /** The prepared frame, `[h, w]` (a view into the chunk's stack). */
  data: NdArray;
  /** `weights > 0`, `[h, w]` bool. */
  mask: NdArray<'bool'>;
  /** `[y, x]` in metres, or null. */
  position: Float64Array | null;
}

/** A data chunk as returned by `auto()`. */
export interface DataPackage {
  msg: 'data';
  /** The scan's meta data: the same object on every call, updated in place. */
  common: Meta;
  chunk: Chunk;
  iterable: FrameRecord[];
}

/** `auto()` found fewer than `min_frames` new frames and the scan is not over. */
export interface WaitMessage {
  msg: 'WAIT';
}

/** The scan is complete; every later `auto()` returns this again. */
export interface EosMessage {
  msg: 'EOS';
}

/** What `auto()` returns. */
export type AutoResult = DataPackage | WaitMessage | EosMessage;

/** The WAIT message (a shared constant). */
export const WAIT: WaitMessage = Object.freeze({ msg: 'WAIT' });
/** The EOS message (a shared constant). */
export const EOS: EosMessage = Object.freeze({ msg: 'EOS' });

/**
 * What a source's `load(indices)` returns: the raw frames, and optionally
 * per-frame positions and weights. Either a stack in the order of `indices`
 * or a map from index to 2-D frame.
 */
export interface LoadResult {
  data: FrameStack | ReadonlyMap<number, NdArray>;
  positions?: ReadonlyMap<number, ArrayLike<number>>;
  weights?: FrameStack | ReadonlyMap<number, NdArray>;
  /**
   * True when `data` is a stack the source fills again on its next `load()`
   * (reusing memory is much cheaper than fresh memory): the scan never hands
   * that stack out, and copies it when the prepared frames would be it.
   */
  scratch?: boolean;
}

/** What `loadCommon()` may return: scan-wide data shared by all frames. */
export interface CommonData {
  weight2d?: NdArray;
  positions_scan?: NdArray<'float64'>;
}

/** `check(frames, start)`: how many frames are accessible, and whether the scan has ended (null: let the scan decide). */
export type CheckResult = readonly [accessible: number, endOfScan: boolean | null];

/** Receives warnings and progress notes; defaults to stderr. */
export interface Logger {
  warn(message: string): void;
  info(message: string): void;
}

/**
 * How far a scan got: enough to continue it in a new process without writing
 * any frame twice (`resume`).
 */
export interface ScanProgress {
  /** Index of the next frame to prepare. */
  framestart: number;
  /** Number of data chunks already stored. */
  chunknum: number;
  /** The centre frozen on the first chunk (raw frame coordinates), with its dtype. */
  center: { value: [number, number]; dtype: 'int64' | 'float64' };
  /** The ROI shape frozen on the first chunk. */
  roi: [number, number];
  /** The meta data stored with the first chunk. */
  meta: PyDict;
}

/** Where prepared data goes besides the caller: a `.ptyd` writer or anything else. */
export interface ScanSink {
  /**
   * Called at the end of `initialize()` with every parameter. A sink that
   * continues an interrupted file returns how far that file got, and the scan
   * carries on from there.
   */
  begin(info: PyDict): ScanProgress | null;
  /** Called with the first data chunk. */
  writeMeta(meta: Meta): void;
  /** Called for every data chunk; the chunk must be safely stored when this returns. */
  writeChunk(chunk: Chunk): void;
  /** Called while the scan waits for frames: a live file's writer shows it is still alive. */
  heartbeat?(): void;
  /** Called at every EOS with the final parameters (frozen centre, ROI shape). */
  end(info: PyDict): void;
  /** Releases files and locks. */
  close(): void;
}
