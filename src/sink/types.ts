/**
 * Where prepared chunks go: the contract between a scan and its storage.
 * A scan drives a {@link ScanStorage} (every rank of its communicator calls
 * every method, in the same order); the built-in storage composes a
 * {@link SaveStrategy} (what goes where in the file: append, link, merge,
 * one module each in `ptyd/modes/`) with a runner that decides where the
 * writing happens (this thread, a worker pool, MPI ranks: the other files
 * of this folder). A strategy never knows where it runs; a runner never
 * knows which strategy it runs.
 */
import type { FrameStack, NdArray } from '../frames/ndarray.js';
import type { H5Write } from '../h5/index.js';
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

/** A chunk on disk, as its writer reports it to the master: which chunk, in which file. */
export interface StoredChunk {
  num: number;
  file: string;
}

/**
 * One save mode: what goes where in the file, and in what order. The master
 * (rank 0, the main thread) calls `begin`, `writeMeta`, `commit`, `heartbeat`,
 * `end` and `close`; `chunkWrite` is called wherever a chunk is stored (any
 * rank or thread when `separateFiles`, else the master), and what it returns
 * is carried out by `src/h5/`, here or elsewhere.
 */
export interface SaveStrategy {
  /**
   * Each chunk is a file of its own: chunks may be written on any rank or
   * thread, several at a time, and are committed in order afterwards.
   * Otherwise every chunk goes into the master's file, one after the other.
   */
  readonly separateFiles: boolean;
  /**
   * The mode reads back files it wrote (merge mode merges its chunk files at
   * the end): h5wasm must then be loaded (`await h5ready()`) even when the
   * native addon does every write.
   */
  readonly readsBack: boolean;
  /** Opens the output, or picks up an interrupted one and says how far it got (the resume point). */
  begin(info: PyDict): ScanProgress | null;
  /** What chunk writers elsewhere must know after `begin` (a sendable text: the run id). */
  handover(): string;
  /** Takes the master's {@link handover} on a rank that writes chunks but did not `begin`. */
  takeOver(state: string): void;
  /** Stores the meta data (with the first chunk). */
  writeMeta(meta: Meta): void;
  /** The file chunk `num` goes into. */
  chunkFile(num: number): string;
  /** The write that stores `chunk` (into {@link chunkFile}). */
  chunkWrite(chunk: Chunk): H5Write;
  /** Makes a stored chunk part of the scan; called in chunk order once it is on disk. */
  commit(stored: StoredChunk): void;
  /**
   * The scan waits for frames: committed chunks become visible to readers
   * (see {@link publish}) and a live file shows its writer is alive.
   */
  heartbeat(): void;
  /**
   * Every committed chunk becomes visible to readers now (a link-mode
   * master links them); before a failure ends the scan. Modes whose chunks
   * are visible once committed do nothing.
   */
  publish(): void;
  /** The scan ended: the final parameters (frozen centre, ROI shape) are stored. */
  end(info: PyDict): void;
  /** Releases files and locks. */
  close(): void;
}

/**
 * What a scan drives: every rank calls every method in the same order (the
 * calls are collective under MPI). Each rank hands `writeChunk` its own part
 * of the chunk.
 */
export interface ScanStorage {
  /** Opens the output; every rank gets how far an interrupted one got. */
  begin(info: PyDict): ScanProgress | null;
  /** The meta data, once, with the first chunk. */
  writeMeta(meta: Meta): void;
  /** This rank's part of a chunk (all of it in one process). */
  writeChunk(part: Chunk): void;
  /** The scan waits for frames: held chunks go to disk, a live file shows its writer is alive. */
  wait(): void;
  /** The scan ended. */
  end(info: PyDict): void;
  /** Releases files and locks. */
  close(): void;
}
