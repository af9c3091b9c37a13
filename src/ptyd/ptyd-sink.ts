/**
 * The `.ptyd` writer as a {@link ScanSink}: a save mode (see `modes/`) run
 * in this thread, each chunk compressed on `workers` threads.
 */
import { availableParallelism } from 'node:os';
import { nativeHdf5Status } from '../h5/index.js';
import type { PyDict } from '../py/value.js';
import {
  type Chunk,
  InlineRunner,
  type Meta,
  type SaveStrategy,
  type ScanProgress,
  type ScanSink,
} from '../sink/index.js';
import { withDefaultGzip } from './compression.js';
import {
  createSaveStrategy,
  growsInPlace,
  type SaveMode,
  type SaveModeOptions,
} from './modes/index.js';

/** Settings of a {@link PtydSink}: the save mode's, plus the threads that write. */
export interface PtydSinkOptions extends SaveModeOptions {
  /**
   * Threads that compress each chunk (default: every core,
   * `os.availableParallelism()`; 1: this thread alone). Without the native
   * HDF5 addon, h5wasm compresses on this thread.
   */
  workers?: number;
}

/** The runner of `strategy` in one process: this thread, compressing each chunk on `workers` threads. */
export function runnerFor(strategy: SaveStrategy, workers: number): ScanSink {
  return new InlineRunner(strategy, workers);
}

/**
 * Stores a scan in a `.ptyd` file the way ptypy does, chunk by chunk:
 * - `append`: every chunk goes into the master file (`chunks/<n>`), in place;
 * - `link`: every chunk is its own complete file `dfile + chunk_format % n`,
 *   linked from the master by a relative external link; the small master is
 *   replaced atomically as chunks are done, so a reader never sees half a file;
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
 * Every chunk is complete on disk when {@link PtydSink.writeChunk} returns.
 * Unset, the gzip level and shuffle are the scan's defaults (see
 * `compression.ts`: gzip 1 after the shuffle with the native HDF5 addon,
 * ptypy's gzip 4 without), and `workers` is every core.
 */
export class PtydSink implements ScanSink {
  readonly dfile: string;
  readonly mode: SaveMode;
  private readonly runner: ScanSink;

  constructor(options: PtydSinkOptions) {
    this.dfile = options.dfile;
    this.mode = options.mode;
    const native = nativeHdf5Status().available && !growsInPlace(options.mode);
    const compression = withDefaultGzip(options, native);
    this.runner = runnerFor(
      createSaveStrategy({ ...options, ...compression }),
      options.workers ?? availableParallelism(),
    );
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
