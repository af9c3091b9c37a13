import { ParallelError } from '../errors.js';
import type { DType } from '../frames/dtype.js';
import { type NdArray, repeatOf } from '../frames/ndarray.js';
import { type Completion, WorkerPool, workerScript } from '../parallel/worker-pool.js';
import type { PyDict } from '../py/value.js';
import type { Chunk, Meta, ScanProgress, ScanSink } from '../scan/types.js';
import { formatChunkName } from './chunk-name.js';
import type { H5rwCompression } from './h5rw.js';
import { PtydSink, type PtydSinkOptions } from './ptyd-sink.js';

/** An array laid out in a worker's shared memory. */
export interface SharedArray {
  dtype: DType;
  shape: number[];
  /** Byte offset in the shared memory. */
  offset: number;
  /** Only the first row is in the memory: every row is that one ({@link repeatedRows}). */
  repeated: boolean;
}

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
}

const ALIGN = 8;

function aligned(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

function bytesOf(array: NdArray): Uint8Array {
  return new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
}

/**
 * A {@link PtydSink} whose chunks are compressed and written by worker
 * threads, each with its own h5wasm, while the main thread prepares the
 * next chunks. The output is the same file content as the plain sink's (the
 * same writer code runs in the worker; only time stamps differ).
 *
 * - `link`/`merge`: up to `workers` chunk files are written at once. The
 *   master is still rewritten by the main thread, in chunk order, and only
 *   links a chunk file once it is complete on disk.
 * - `append`: one file has one writer, so one worker appends while the main
 *   thread prepares the next chunk (a pipeline of two stages). With the
 *   native HDF5 addon that worker compresses each chunk on `workers` threads
 *   (h5wasm alone compresses on one).
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
  private pool: WorkerPool | null = null;
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
    // The worker's shared memory is reused: wait until it is idle.
    this.settle(pool.waitUntil(worker, 0));
    const mode = this.inner.mode === 'append' ? 'append' : 'link';
    const file =
      mode === 'append'
        ? this.inner.dfile
        : `${this.inner.dfile}${formatChunkName(this.chunkFormat, chunk.num)}`;
    const job = this.layout(worker, chunk, mode, file);
    const id = pool.submit(worker, job);
    this.inFlight.push({ num: chunk.num, file, job: id, worker, done: false });
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
      this.inner.close();
    }
  }

  private requirePool(): WorkerPool {
    if (this.failure !== null) throw this.failure;
    if (this.pool === null) {
      throw new ParallelError('writeChunk() before begin() or after close() of a WorkerSink.');
    }
    return this.pool;
  }

  /** Copies the chunk into the worker's shared memory and describes where each array is. */
  private layout(worker: number, chunk: Chunk, kind: 'link' | 'append', file: string): ChunkJob {
    const positions = Array.isArray(chunk.positions) ? null : chunk.positions;
    // A common mask travels as its one frame.
    const weightRow = repeatOf(chunk.weights);
    const arrays = [
      chunk.data,
      weightRow ?? chunk.weights,
      ...(positions === null ? [] : [positions]),
    ];
    const offsets: number[] = [];
    let size = 0;
    for (const array of arrays) {
      offsets.push(size);
      size = aligned(size + array.data.byteLength);
    }
    let memory = this.memory[worker] ?? null;
    if (memory === null || memory.byteLength < size) {
      memory = new SharedArrayBuffer(size);
      this.memory[worker] = memory;
    }
    const target = new Uint8Array(memory);
    arrays.forEach((array, i) => {
      target.set(bytesOf(array), offsets[i]!);
    });
    const describe = (array: NdArray, i: number): SharedArray => ({
      dtype: array.dtype,
      shape: [...array.shape],
      offset: offsets[i]!,
      repeated: i === 1 && weightRow !== undefined,
    });
    return {
      kind,
      file,
      num: chunk.num,
      indices: [...chunk.indices],
      run: this.inner.runId,
      // One append writer compresses on every thread it was given; link writers on one each.
      compression: { ...this.compression, threads: kind === 'append' ? this.workers : 1 },
      memory,
      data: describe(chunk.data, 0),
      weights: describe(chunk.weights, 1),
      positions: positions === null ? null : describe(positions, 2),
    };
  }

  /** Records finished jobs, links complete chunk files in order, and throws the first failure. */
  private settle(completions: readonly Completion[]): void {
    for (const c of completions) {
      const entry = this.inFlight.find((e) => e.job === c.job);
      if (entry === undefined) continue;
      entry.done = true;
      if (!c.ok && this.failure === null) {
        const cause = Object.assign(new Error(c.error.message), { name: c.error.name });
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
