/**
 * A save strategy run in the calling thread, each chunk compressed on
 * several threads: every chunk is on disk when `writeChunk` returns.
 */
import { H5Error, PtyscanError } from '../errors.js';
import { applyWrite } from '../h5/index.js';
import type { PyDict } from '../py/value.js';
import type { Chunk, Meta, SaveStrategy, ScanProgress, ScanSink } from './types.js';

/**
 * Runs a {@link SaveStrategy} here: each chunk is written (its arrays
 * compressed on `threads` threads by the native HDF5 addon), then
 * committed, before `writeChunk` returns. A chunk that cannot be stored is
 * an {@link H5Error} naming the chunk, its file and the cause; the chunks
 * committed before it stay as they are.
 */
export class InlineRunner implements ScanSink {
  private readonly strategy: SaveStrategy;
  private readonly threads: number;

  /** `threads`: threads compressing each chunk (with the native HDF5 addon). */
  constructor(strategy: SaveStrategy, threads = 1) {
    this.strategy = strategy;
    this.threads = threads;
  }

  begin(info: PyDict): ScanProgress | null {
    return this.strategy.begin(info);
  }

  writeMeta(meta: Meta): void {
    this.strategy.writeMeta(meta);
  }

  writeChunk(chunk: Chunk): void {
    const write = this.strategy.chunkWrite(chunk);
    const file = write.file;
    try {
      applyWrite(write, { threads: this.threads });
    } catch (cause) {
      const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      throw new H5Error(`Chunk ${chunk.num} could not be stored in ${file}: ${reason}`, {
        file,
        expected: `chunk ${chunk.num} stored`,
        found: cause instanceof PtyscanError ? cause.name : reason,
        cause,
      });
    }
    this.strategy.commit({ num: chunk.num, file });
  }

  heartbeat(): void {
    this.strategy.heartbeat();
  }

  end(info: PyDict): void {
    this.strategy.end(info);
  }

  close(): void {
    this.strategy.close();
  }
}
