/**
 * A save strategy run on a pool of worker threads: chunks are compressed and
 * written by the threads while the calling thread prepares the next ones.
 */
import { ParallelError } from '../errors.js';
import {
  type PackedWriteJob,
  packWriteJob,
  stageWrite,
  type WriteJob,
  writeWorkerScript,
} from '../h5/index.js';
import { type Completion, WorkerPool } from '../parallel/worker-pool.js';
import type { PyDict } from '../py/value.js';
import type { Chunk, Meta, SaveStrategy, ScanProgress, ScanSink, StoredChunk } from './types.js';

interface InFlight extends StoredChunk {
  /** The pool's job id (-1: nothing left for a thread). */
  job: number;
  worker: number;
  done: boolean;
  /** Gives back the file's lock, held while a thread writes the chunk's large arrays. */
  release: (() => void) | null;
}

/**
 * Runs a {@link SaveStrategy} on `workers` threads. The file content is the
 * same as in this thread ({@link InlineRunner}); the same write is carried
 * out by `src/h5/`, only elsewhere.
 *
 * - Chunks in files of their own (`separateFiles`): up to `workers` chunk
 *   files are written at once, each wholly by one thread; they are committed
 *   here, in chunk order, once complete on disk.
 * - Chunks into one file: one file has one writer, so one thread writes
 *   while this one prepares the next chunk. This thread writes each chunk's
 *   structure and small objects, the thread its large arrays, compressed on
 *   `workers` threads (with the native addon, that thread never loads h5wasm).
 *
 * What holds instead of "complete when writeChunk returns": a chunk given to
 * `writeChunk` is complete on disk (and committed) at the latest when
 * `writeChunk` returns for the chunk `workers` places later (the next one,
 * into one file), and `end()` returns only when every chunk is stored. A
 * failed chunk is a {@link ParallelError} naming the chunk, thrown by the
 * next `writeChunk`, `heartbeat`, `end` or `close`; chunks after it are not
 * committed.
 */
export class WorkerRunner implements ScanSink {
  private readonly strategy: SaveStrategy;
  private readonly workers: number;
  private pool: WorkerPool<PackedWriteJob, null> | null = null;
  /** Each thread's shared memory, reused once its last job is done. */
  private readonly memory: (SharedArrayBuffer | null)[] = [];
  private readonly inFlight: InFlight[] = [];
  private failure: ParallelError | null = null;

  constructor(strategy: SaveStrategy, workers: number) {
    if (!Number.isInteger(workers) || workers < 1) {
      throw new ParallelError(`workers must be a positive integer, found ${workers}.`, {
        parameter: 'workers',
        expected: 'an integer >= 1',
        found: String(workers),
      });
    }
    this.strategy = strategy;
    this.workers = workers;
  }

  /** Threads writing chunks at the same time: one when every chunk goes into one file. */
  get threads(): number {
    return this.strategy.separateFiles ? this.workers : 1;
  }

  /** Threads compressing one chunk: all of them when chunks are written one at a time. */
  private get compressThreads(): number {
    return this.strategy.separateFiles ? 1 : this.workers;
  }

  begin(info: PyDict): ScanProgress | null {
    const progress = this.strategy.begin(info);
    this.pool = new WorkerPool(writeWorkerScript(), this.threads);
    return progress;
  }

  writeMeta(meta: Meta): void {
    this.settle(this.pool?.waitAll() ?? []);
    this.strategy.writeMeta(meta);
  }

  writeChunk(chunk: Chunk): void {
    const pool = this.requirePool();
    this.settle(pool.collect());
    const worker = pool.leastBusy();
    // The thread's shared memory is reused, and it may still hold the file's lock.
    this.settle(pool.waitUntil(worker, 0));
    const write = this.strategy.chunkWrite(chunk);
    const stored = { num: chunk.num, file: write.file };
    const threads = this.compressThreads;
    // A file of its own is written wholly by the thread.
    const staged = write.kind === 'create' ? null : stageWrite(write);
    if (staged === null) {
      this.submit(pool, worker, stored, { kind: 'write', write, threads }, null);
    } else if (staged.bulk.arrays.length === 0) {
      staged.release();
      this.inFlight.push({ ...stored, job: -1, worker, done: true, release: null });
      this.settle([]);
    } else {
      this.submit(pool, worker, stored, { kind: 'bulk', bulk: staged.bulk, threads }, () =>
        staged.release(),
      );
    }
  }

  heartbeat(): void {
    if (this.pool !== null) this.settle(this.pool.collect());
    this.strategy.heartbeat();
  }

  end(info: PyDict): void {
    if (this.pool !== null) this.settle(this.pool.waitAll());
    this.strategy.end(info);
  }

  close(): void {
    try {
      if (this.pool !== null && this.failure === null) this.settle(this.pool.waitAll());
    } finally {
      this.pool?.close();
      this.pool = null;
      for (const entry of this.inFlight) entry.release?.();
      this.inFlight.length = 0;
      this.strategy.close();
    }
  }

  private requirePool(): WorkerPool<PackedWriteJob, null> {
    if (this.failure !== null) throw this.failure;
    if (this.pool === null) {
      throw new ParallelError('writeChunk() before begin() or after close() of a worker runner.');
    }
    return this.pool;
  }

  private submit(
    pool: WorkerPool<PackedWriteJob, null>,
    worker: number,
    stored: StoredChunk,
    job: WriteJob,
    release: (() => void) | null,
  ): void {
    let id: number;
    try {
      const packed = packWriteJob(job, this.memory[worker] ?? null);
      this.memory[worker] = packed.memory;
      id = pool.submit(worker, packed);
    } catch (error) {
      release?.();
      throw error;
    }
    this.inFlight.push({ ...stored, job: id, worker, done: false, release });
  }

  /** Records finished jobs, commits complete chunks in order, and throws the first failure. */
  private settle(completions: readonly Completion<null>[]): void {
    for (const c of completions) {
      const entry = this.inFlight.find((e) => e.job === c.job);
      if (entry === undefined) continue;
      entry.done = true;
      entry.release?.();
      entry.release = null;
      if (!c.ok && this.failure === null) {
        this.failure = new ParallelError(
          `Chunk ${entry.num} could not be stored in ${entry.file} by worker thread ${c.worker}: ${c.error.message}`,
          {
            file: entry.file,
            expected: `chunk ${entry.num} stored`,
            found: c.error.name,
            cause: c.error,
          },
        );
      }
    }
    while (this.failure === null && this.inFlight[0]?.done === true) {
      const { num, file } = this.inFlight.shift()!;
      this.strategy.commit({ num, file });
    }
    if (this.failure !== null) throw this.failure;
  }
}
