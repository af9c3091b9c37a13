import type { FrameStack, NdArray } from '../frames/ndarray.js';
import type { Chunk, Meta } from '../sink/types.js';

export type { Chunk, Logger, Meta, ScanProgress, ScanSink } from '../sink/types.js';

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
   * Set when `data` (and `weights`) hold only rows `[start, end)` of frames
   * of `frameRows` rows: what a source may return when `load()` was given a
   * {@link RowWindow}.
   */
  rows?: RowWindow & { frameRows: number };
  /**
   * True when `data` is a stack the source fills again on its next `load()`
   * (reusing memory is much cheaper than fresh memory): the scan never hands
   * that stack out, and copies it when the prepared frames would be it.
   */
  scratch?: boolean;
}

/**
 * The rows of the raw frames a chunk's preparation uses (the region of
 * interest, clipped to the frame): once the centre and ROI are frozen, the
 * scan passes it to `load()`, and a source that can read part of a frame
 * may read only these rows (saying so in {@link LoadResult.rows}).
 */
export interface RowWindow {
  start: number;
  end: number;
}

/** What `loadCommon()` may return: scan-wide data shared by all frames. */
export interface CommonData {
  weight2d?: NdArray;
  positions_scan?: NdArray<'float64'>;
}

/** `check(frames, start)`: how many frames are accessible, and whether the scan has ended (null: let the scan decide). */
export type CheckResult = readonly [accessible: number, endOfScan: boolean | null];
