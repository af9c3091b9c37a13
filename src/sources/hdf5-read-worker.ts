/** Worker thread of an {@link Hdf5LoaderFast}: reads frame windows into the chunk's shared memory. */
import { workerData } from 'node:worker_threads';
import { TYPED_ARRAY } from '../frames/dtype.js';
import { H5File, h5ready } from '../h5/index.js';
import { type PoolWorkerData, serveJobs } from '../parallel/worker-pool.js';
import { readWindows, type StoredFrames } from './hdf5-frames.js';
import type { Span } from './hdf5-window.js';

/** One share of a chunk: frames `leads` of `stored` (its file an absolute path), into shared memory. */
export interface WindowJob {
  stored: StoredFrames;
  leads: number[][];
  rows: Span;
  cols: Span;
  memory: SharedArrayBuffer;
  byteOffset: number;
  /** Elements of the stored dtype. */
  length: number;
}

const ready = h5ready();

async function read(job: WindowJob): Promise<null> {
  await ready;
  const { stored, leads, rows, cols, memory, byteOffset, length } = job;
  const into = new TYPED_ARRAY[stored.dtype](memory, byteOffset, length);
  const h5 = H5File.open(stored.ref.file, 'r', { lock: false });
  try {
    readWindows(h5, stored, leads, rows, cols, into);
  } finally {
    h5.close();
  }
  return null;
}

serveJobs<WindowJob, null>(workerData as PoolWorkerData, read);
