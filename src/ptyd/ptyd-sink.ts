/**
 * The `.ptyd` writer as a {@link ScanSink}: a save mode (see `modes/`) run
 * in this thread, or on worker threads with `workers` above 1.
 */
import type { PyDict } from '../py/value.js';
import {
  type Chunk,
  InlineRunner,
  type Meta,
  type SaveStrategy,
  type ScanProgress,
  type ScanSink,
  WorkerRunner,
} from '../sink/index.js';
import { createSaveStrategy, type SaveMode, type SaveModeOptions } from './modes/index.js';

/** Settings of a {@link PtydSink}: the save mode's, plus the threads that write. */
export interface PtydSinkOptions extends SaveModeOptions {
  /**
   * Threads that compress and write (default 1: this thread). Link/merge:
   * up to this many chunk files at once; append: one writer thread that
   * compresses each chunk on this many threads (with the native HDF5 addon).
   */
  workers?: number;
}

/** The runner of `strategy`: this thread, or `workers` worker threads. */
export function runnerFor(strategy: SaveStrategy, workers: number): ScanSink {
  return workers > 1 ? new WorkerRunner(strategy, workers) : new InlineRunner(strategy);
}

/**
 * Stores a scan in a `.ptyd` file the way ptypy does, chunk by chunk:
 * - `append`: every chunk goes into the master file (`chunks/<n>`), in place;
 * - `link`: every chunk is its own complete file `dfile + chunk_format % n`,
 *   linked from the master by a relative external link; the small master is
 *   replaced atomically after each chunk, so a reader never sees half a file;
 * - `merge`: like `link` while the scan runs, then at the end one chunk with
 *   every frame in index order, and the chunk files are removed.
 *
 * In link and merge modes the master carries the writer state
 * (`ptyscan_state`, `ptyscan_heartbeat`, `ptyscan_run`, see
 * `writer-state.ts`), files are forced to disk before they are renamed into
 * place, and an interrupted scan can be continued with `resume`. Append mode
 * writes into the master in place: a writer killed in the middle of a write
 * can leave the whole file unreadable, so it cannot be resumed.
 *
 * With one worker, every chunk is complete on disk when
 * {@link PtydSink.writeChunk} returns; with more, see `sink/worker-runner.ts`.
 */
export class PtydSink implements ScanSink {
  readonly dfile: string;
  readonly mode: SaveMode;
  private readonly runner: ScanSink;

  constructor(options: PtydSinkOptions) {
    this.dfile = options.dfile;
    this.mode = options.mode;
    this.runner = runnerFor(createSaveStrategy(options), options.workers ?? 1);
  }

  begin(info: PyDict): ScanProgress | null {
    return this.runner.begin(info);
  }

  writeMeta(meta: Meta): void {
    this.runner.writeMeta(meta);
  }

  writeChunk(chunk: Chunk): void {
    this.runner.writeChunk(chunk);
  }

  heartbeat(): void {
    this.runner.heartbeat?.();
  }

  end(info: PyDict): void {
    this.runner.end(info);
  }

  close(): void {
    this.runner.close();
  }
}
