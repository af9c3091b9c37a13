import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { PtyscanError } from '../errors.js';
import { type DType, itemSize, TYPED_ARRAY, type TypedArrayFor } from '../frames/dtype.js';
import { type FrameStack, ndarray } from '../frames/ndarray.js';
import type { H5File } from '../h5/index.js';
import { type Completion, WorkerPool, workerScript } from '../parallel/worker-pool.js';
import { defineParams } from '../params/index.js';
import { readWindows, type StoredFrames } from './hdf5-frames.js';
import { Hdf5Loader } from './hdf5-loader.js';
import type { LoaderPlan } from './hdf5-plan.js';
import type { WindowJob } from './hdf5-read-worker.js';

/** Below this many bytes per chunk one thread is as fast (a hand-off costs about a millisecond). */
const MIN_THREADED_BYTES = 1024 * 1024;

/**
 * ptypy's `Hdf5LoaderFast` by name: the same frames, weights and positions
 * as {@link Hdf5Loader} (in ptypy it is a multiprocessing variant whose
 * normalisation and mask inversion differ by accident; ptyscan gives
 * Hdf5Loader's numbers). Each chunk's frame windows are read, and
 * decompressed, by this thread and `availableParallelism() - 1` worker
 * threads together, each with its own HDF5 library; the corrections then
 * run as in Hdf5Loader.
 */
export class Hdf5LoaderFast extends Hdf5Loader {
  static override params = defineParams(
    `
[name]
default = 'Hdf5LoaderFast'
`,
    {
      name: 'Hdf5LoaderFast',
      parent: Hdf5Loader.params,
      description: 'Hdf5Loader reading frames on several threads',
    },
  );

  /**
   * Threads of ours that read frames in the last `load()` (1: this thread
   * alone; 0: the HDF5 layer read them on its own threads).
   */
  lastLoadThreads = 1;
  private pool: WorkerPool<WindowJob, null> | null = null;
  private readonly threads = Math.max(1, availableParallelism());

  protected override readRaw(
    h5: H5File,
    stored: StoredFrames,
    leads: readonly (readonly number[])[],
    window: LoaderPlan['window'],
    into: TypedArrayFor[DType],
  ): FrameStack {
    const { rows, cols } = window;
    const size = (rows[1] - rows[0]) * (cols[1] - cols[0]);
    const bytes = itemSize(stored.dtype);
    const shares = Math.min(this.threads, leads.length);
    // Where the HDF5 layer already reads on every core, threads of ours would only compete.
    const threaded = h5.readsOnThreads(stored.parts?.[0]?.key ?? stored.ref.key);
    if (threaded || shares < 2 || leads.length * size * bytes < MIN_THREADED_BYTES) {
      this.lastLoadThreads = threaded ? 0 : 1;
      return super.readRaw(h5, stored, leads, window, into);
    }
    const memory = new SharedArrayBuffer(leads.length * size * bytes);
    const out = new TYPED_ARRAY[stored.dtype](memory);
    this.pool ??= new WorkerPool(
      workerScript(import.meta.url, 'hdf5-read-worker'),
      this.threads - 1,
    );
    const absolute: StoredFrames = {
      ...stored,
      ref: { ...stored.ref, file: resolve(stored.ref.file) },
    };
    // Contiguous shares, so runs of consecutive frames stay one read each.
    const bounds = Array.from({ length: shares + 1 }, (_, s) =>
      Math.round((s * leads.length) / shares),
    );
    const jobs = new Map<number, [number, number]>();
    for (let s = 1; s < shares; s++) {
      const [a, b] = [bounds[s]!, bounds[s + 1]!];
      const job: WindowJob = {
        stored: absolute,
        leads: leads.slice(a, b).map((l) => [...l]),
        rows,
        cols,
        memory,
        byteOffset: a * size * bytes,
        length: (b - a) * size,
      };
      jobs.set(this.pool.submit(s - 1, job), [a, b]);
    }
    readWindows(
      h5,
      stored,
      leads.slice(0, bounds[1]),
      rows,
      cols,
      out.subarray(0, bounds[1]! * size),
    );
    this.collect(h5, stored, leads, window, out, size, jobs);
    this.lastLoadThreads = shares;
    return ndarray(stored.dtype, [leads.length, rows[1] - rows[0], cols[1] - cols[0]], out);
  }

  /** Waits for the workers' shares; a share whose thread is gone is read here instead. */
  private collect(
    h5: H5File,
    stored: StoredFrames,
    leads: readonly (readonly number[])[],
    window: LoaderPlan['window'],
    out: ReturnType<typeof readWindows>['data'],
    size: number,
    jobs: Map<number, [number, number]>,
  ): void {
    let completions: Completion<null>[] = [];
    try {
      completions = this.pool?.waitAll() ?? [];
    } catch {
      // A thread died: read everything it had on this thread, and go on without the pool.
      this.pool?.close();
      this.pool = null;
    }
    const done = new Set<number>();
    for (const c of completions) {
      if (c.ok) done.add(c.job);
      // A file it could not read is the file's problem; anything else, the thread's (read here).
      else if (c.error instanceof PtyscanError) throw c.error;
    }
    for (const [job, [a, b]] of jobs) {
      if (done.has(job)) continue;
      readWindows(
        h5,
        stored,
        leads.slice(a, b),
        window.rows,
        window.cols,
        out.subarray(a * size, b * size),
      );
    }
  }

  override close(): void {
    super.close();
    this.pool?.close();
    this.pool = null;
  }
}
