/**
 * A second thread that reads a chunk's frame files together with the main
 * thread: reading files from the page cache is memory copying in the kernel,
 * and on two cores two readers take about half the time. The two take frames
 * one at a time, so a helper that is still starting, or shares its core with
 * other work, holds nobody up.
 */
import { availableParallelism } from 'node:os';
import { ParallelError, PtyscanError } from '../errors.js';
import { type Completion, WorkerPool, workerScript } from '../parallel/worker-pool.js';
import type { FrameRange, StackReader } from './npy-stack.js';

/** A {@link FrameRange} as it travels to the worker: the memory as a SharedArrayBuffer. */
export interface ReadJob extends Omit<FrameRange, 'bytes'> {
  memory: SharedArrayBuffer;
  byteOffset: number;
  byteLength: number;
}

/** Below these, one thread is as fast (a hand-off costs about a millisecond). */
const MIN_FRAMES = 8;
const MIN_BYTES = 8 * 1024 * 1024;

/**
 * Reads frames on one worker thread, started on first use; an idle helper
 * does not keep the process alive. It is not used on one core, nor after
 * its thread failed (the caller then reads those frames itself).
 */
export class NpyReadHelper implements StackReader {
  available = availableParallelism() > 1;
  private pool: WorkerPool<ReadJob, null> | null = null;
  private readonly script: URL;

  /** `script`: the worker's module (tests point it elsewhere to see a failing thread). */
  constructor(script: URL = workerScript(import.meta.url, 'read-helper-worker')) {
    this.script = script;
  }

  worthIt(frames: number, bytes: number): boolean {
    return this.available && frames >= MIN_FRAMES && bytes >= MIN_BYTES;
  }

  /**
   * Starts the thread now, so that it is ready by the first chunk; otherwise
   * it starts on first use.
   */
  start(): void {
    if (this.available) this.pool ??= new WorkerPool(this.script, 1);
  }

  readInBackground(range: FrameRange & { claims: Int32Array }): void {
    const { bytes, ...rest } = range;
    if (!(bytes.buffer instanceof SharedArrayBuffer)) {
      throw new ParallelError('The frame reading thread needs shared memory.');
    }
    this.pool ??= new WorkerPool(this.script, 1);
    const job: ReadJob = {
      ...rest,
      memory: bytes.buffer,
      byteOffset: bytes.byteOffset,
      byteLength: bytes.byteLength,
    };
    this.pool.submit(0, job);
  }

  wait(needed: boolean): Error | null | 'lost' {
    if (this.pool === null) return null;
    let completions: Completion<null>[];
    try {
      // Not needed: the job took no frame, and its end is collected by a later call.
      completions = needed ? this.pool.waitUntil(0, 0) : this.pool.collect();
    } catch {
      // The thread is gone: read on one thread from now on.
      this.lose();
      return 'lost';
    }
    for (const completion of completions) {
      if (completion.ok) continue;
      // A file it could not read is the file's problem; anything else, the thread's.
      if (completion.error instanceof PtyscanError) return completion.error;
      this.lose();
      return 'lost';
    }
    return null;
  }

  private lose(): void {
    this.available = false;
    this.close();
  }

  /** Stops the thread. */
  close(): void {
    this.pool?.close();
    this.pool = null;
  }
}
