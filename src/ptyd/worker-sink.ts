import { ParallelError } from '../errors.js';
import type { NdArray } from '../frames/ndarray.js';
import { type FileLock, nativeHdf5Status } from '../h5/index.js';
import { type Completion, WorkerPool, workerScript } from '../parallel/worker-pool.js';
import type { PyDict } from '../py/value.js';
import type { Chunk, Meta, ScanProgress, ScanSink } from '../scan/types.js';
import { formatChunkName } from './chunk-name.js';
import { appendExceptDeferred, type H5rwCompression } from './h5rw.js';
import { toCompression } from './h5rw-write.js';
import { chunkValue, PtydSink, type PtydSinkOptions } from './ptyd-sink.js';
import { packShared, type SharedArray } from './shared-arrays.js';

/** One chunk for a worker to store: in its own file (`link`) or appended to the master (`append`). */
export interface ChunkJob {
  kind: 'link' | 'append';
  /** The chunk file (link) or the master (append). */
  file: string;
  num: number;
  indices: number[];
  /** The run id stamped into a chunk file. */
  run: string;
  compression: H5rwCompression;
  memory: SharedArrayBuffer;
  data: SharedArray;
  weights: SharedArray;
  positions: SharedArray | null;
}

/**
 * The large arrays of an append whose small part the main thread wrote
 * (see `appendExceptDeferred`): the worker writes them with the native addon.
 */
export interface DeferredJob {
  kind: 'deferred';
  /** The master. */
  file: string;
  num: number;
  level: number;
  threads: number;
  memory: SharedArrayBuffer;
  arrays: { path: string; attributes: Record<string, string>; array: SharedArray }[];
}

/** What a chunk writer thread is sent. */
export type WriterJob = ChunkJob | DeferredJob;

/** Settings of a {@link WorkerSink}: those of a {@link PtydSink}, plus the number of threads. */
export interface WorkerSinkOptions extends PtydSinkOptions {
  /** Worker threads; append mode uses one writer, which compresses on this many threads. */
  workers: number;
}

interface InFlight {
  num: number;
  file: string;
  job: number;
  worker: number;
  done: boolean;
  /** The master's write lock, held while the worker appends the chunk's arrays. */
  lock: FileLock | null;
}

/**
 * A {@link PtydSink} whose chunks are compressed and written by worker
 * threads while the main thread prepares the next chunks. The output is the
 * same file content as the plain sink's (the same writer code runs; only
 * time stamps differ).
 *
 * - `link`/`merge`: up to `workers` chunk files are written at once, each
 *   worker with its own h5wasm. The master is still rewritten by the main
 *   thread, in chunk order, and only links a chunk file once it is complete
 *   on disk.
 * - `append`: one file has one writer at a time, so one worker appends while
 *   the main thread prepares the next chunk (a pipeline of two stages). With
 *   the native HDF5 addon and gzip, the main thread writes each chunk's
 *   small part (its group, indices, positions) and the worker only the large
 *   arrays, compressed on `workers` threads; that worker never loads h5wasm.
 *   Otherwise the worker appends the whole chunk.
 *
 * What holds instead of "complete when writeChunk returns": a chunk given to
 * `writeChunk` is complete on disk (and linked, in link mode) at the latest
 * when `writeChunk` returns for the chunk `workers` places later (the next
 * one in append mode), and `end()` returns only when every chunk is stored.
 * A failed chunk is reported as a {@link ParallelError} naming the chunk, by
 * the next `writeChunk`, `end` or `close`; chunks after it are not linked.
 */
export class WorkerSink implements ScanSink {
  private readonly inner: PtydSink;
  private readonly workers: number;
  private readonly chunkFormat: string;
  private readonly compression: H5rwCompression;
  private pool: WorkerPool<WriterJob, null> | null = null;
  private readonly memory: (SharedArrayBuffer | null)[] = [];
  private readonly inFlight: InFlight[] = [];
  private failure: ParallelError | null = null;

  constructor(options: WorkerSinkOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new ParallelError(`workers must be a positive integer, found ${options.workers}.`, {
        parameter: 'workers',
        expected: 'an integer >= 1',
        found: String(options.workers),
      });
    }
    this.inner = new PtydSink(options);
    this.workers = options.workers;
    this.chunkFormat = options.chunkFormat ?? '.chunk%02d';
    this.compression = {
      ...(options.compression === undefined ? {} : { compression: options.compression }),
      ...(options.level === undefined ? {} : { level: options.level }),
    };
  }

  /** The master `.ptyd` file. */
  get dfile(): string {
    return this.inner.dfile;
  }

  /** Threads writing chunks: one in append mode, else `workers`. */
  get threads(): number {
    return this.inner.mode === 'append' ? 1 : this.workers;
  }

  begin(info: PyDict): ScanProgress | null {
    const progress = this.inner.begin(info);
    this.pool = new WorkerPool(workerScript(import.meta.url, 'chunk-writer-worker'), this.threads);
    return progress;
  }

  writeMeta(meta: Meta): void {
    this.settle(this.pool?.waitAll() ?? []);
    this.inner.writeMeta(meta);
  }

  writeChunk(chunk: Chunk): void {
    const pool = this.requirePool();
    this.settle(pool.collect());
    const worker = pool.leastBusy();
    // The worker's shared memory is reused, and in append mode it may have the master open.
    this.settle(pool.waitUntil(worker, 0));
    if (this.inner.mode === 'append') {
      this.append(pool, worker, chunk);
      return;
    }
    const file = `${this.inner.dfile}${formatChunkName(this.chunkFormat, chunk.num)}`;
    this.submit(pool, worker, chunk.num, file, this.chunkJob(worker, chunk, 'link', file), null);
  }

  /**
   * Appends the chunk to the master: this thread writes the small part
   * through h5wasm, the worker compresses and writes the large arrays with
   * the native addon, under the master's lock. Without the addon the worker
   * appends the whole chunk.
   */
  private append(pool: WorkerPool<WriterJob, null>, worker: number, chunk: Chunk): void {
    const file = this.inner.dfile;
    const value = { [`chunks/${chunk.num}`]: chunkValue(chunk) };
    // Only the addon's gzip arrays are left out of the first part: without it,
    // or with another compression, this thread would compress everything.
    const split = nativeHdf5Status().available && toCompression(this.compression).kind === 'gzip';
    const pending = split ? appendExceptDeferred(file, value, this.compression) : null;
    if (pending === null) {
      this.submit(
        pool,
        worker,
        chunk.num,
        file,
        this.chunkJob(worker, chunk, 'append', file),
        null,
      );
      return;
    }
    if (pending.deferred.length === 0) {
      pending.lock.release();
      return;
    }
    let job: DeferredJob;
    try {
      const { memory, shared } = this.pack(
        worker,
        pending.deferred.map((d) => d.array),
      );
      job = {
        kind: 'deferred',
        file,
        num: chunk.num,
        level: pending.level,
        threads: this.workers,
        memory,
        arrays: pending.deferred.map(({ path, attributes }, i) => ({
          path,
          attributes,
          array: shared[i]!,
        })),
      };
    } catch (error) {
      pending.lock.release();
      throw error;
    }
    this.submit(pool, worker, chunk.num, file, job, pending.lock);
  }

  private submit(
    pool: WorkerPool<WriterJob, null>,
    worker: number,
    num: number,
    file: string,
    job: WriterJob,
    lock: FileLock | null,
  ): void {
    let id: number;
    try {
      id = pool.submit(worker, job);
    } catch (error) {
      lock?.release();
      throw error;
    }
    this.inFlight.push({ num, file, job: id, worker, done: false, lock });
  }

  heartbeat(): void {
    if (this.pool !== null) this.settle(this.pool.collect());
    this.inner.heartbeat();
  }

  end(info: PyDict): void {
    if (this.pool !== null) this.settle(this.pool.waitAll());
    this.inner.end(info);
  }

  close(): void {
    try {
      if (this.pool !== null && this.failure === null) this.settle(this.pool.waitAll());
    } finally {
      this.pool?.close();
      this.pool = null;
      for (const entry of this.inFlight) entry.lock?.release();
      this.inFlight.length = 0;
      this.inner.close();
    }
  }

  private requirePool(): WorkerPool<WriterJob, null> {
    if (this.failure !== null) throw this.failure;
    if (this.pool === null) {
      throw new ParallelError('writeChunk() before begin() or after close() of a WorkerSink.');
    }
    return this.pool;
  }

  /** Copies `arrays` into the worker's shared memory (grown when too small). */
  private pack(worker: number, arrays: readonly NdArray[]) {
    const packed = packShared(arrays, this.memory[worker] ?? null);
    this.memory[worker] = packed.memory;
    return packed;
  }

  /** A whole chunk for a worker, copied into its shared memory. */
  private chunkJob(worker: number, chunk: Chunk, kind: 'link' | 'append', file: string): ChunkJob {
    const positions = Array.isArray(chunk.positions) ? null : chunk.positions;
    const arrays = [chunk.data, chunk.weights, ...(positions === null ? [] : [positions])];
    const { memory, shared } = this.pack(worker, arrays);
    return {
      kind,
      file,
      num: chunk.num,
      indices: [...chunk.indices],
      run: this.inner.runId,
      // One append writer compresses on every thread it was given; link writers on one each.
      compression: { ...this.compression, threads: kind === 'append' ? this.workers : 1 },
      memory,
      data: shared[0]!,
      weights: shared[1]!,
      positions: shared[2] ?? null,
    };
  }

  /** Records finished jobs, links complete chunk files in order, and throws the first failure. */
  private settle(completions: readonly Completion<null>[]): void {
    for (const c of completions) {
      const entry = this.inFlight.find((e) => e.job === c.job);
      if (entry === undefined) continue;
      entry.done = true;
      entry.lock?.release();
      entry.lock = null;
      if (!c.ok && this.failure === null) {
        const cause = c.error;
        this.failure = new ParallelError(
          `Chunk ${entry.num} could not be stored in ${entry.file} by worker thread ${c.worker}: ${c.error.message}`,
          { file: entry.file, expected: `chunk ${entry.num} stored`, found: c.error.name, cause },
        );
      }
    }
    while (this.failure === null && this.inFlight[0]?.done === true) {
      const head = this.inFlight.shift()!;
      if (this.inner.mode !== 'append') this.inner.linkChunkFile(head.num, head.file);
    }
    if (this.failure !== null) throw this.failure;
  }
}
