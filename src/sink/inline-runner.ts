/** A save strategy run in the calling thread: every chunk is on disk when `writeChunk` returns. */
import { applyWrite } from '../h5/index.js';
import type { PyDict } from '../py/value.js';
import type { Chunk, Meta, SaveStrategy, ScanProgress, ScanSink } from './types.js';

/**
 * Runs a {@link SaveStrategy} here: each chunk is written, then committed,
 * before `writeChunk` returns.
 */
export class InlineRunner implements ScanSink {
  private readonly strategy: SaveStrategy;
  private readonly threads: number;

  /** `threads`: threads compressing each chunk's large arrays (with the native HDF5 addon). */
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
    applyWrite(write, { threads: this.threads });
    this.strategy.commit({ num: chunk.num, file: write.file });
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
