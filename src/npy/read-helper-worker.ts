/** Worker thread of an {@link NpyReadHelper}: reads frame files into the shared stack. */
import { workerData } from 'node:worker_threads';
import { PtyscanError } from '../errors.js';
import { type PoolWorkerData, serveJobs } from '../parallel/worker-pool.js';
import type { NpyHeader } from './npy.js';
import { readFrameInto } from './npy-stack.js';
import type { ReadFailure } from './read-helper.js';

interface ReadJob {
  files: string[];
  indices: number[] | null;
  first: NpyHeader;
  memory: SharedArrayBuffer;
  byteOffset: number;
  byteLength: number;
  /** Stack slot of the first file. */
  slot: number;
}

function read(job: ReadJob): ReadFailure | null {
  const bytes = new Uint8Array(job.memory, job.byteOffset, job.byteLength);
  const probe = new Uint8Array(4096);
  try {
    job.files.forEach((file, k) => {
      readFrameInto(file, job.indices?.[k], job.first, bytes, job.slot + k, probe);
    });
    return null;
  } catch (error) {
    if (!(error instanceof PtyscanError)) throw error;
    const { file, dataset, parameter, frame, expected, found } = error;
    const context = { file, dataset, parameter, frame, expected, found };
    const defined = Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined));
    return { failure: { name: error.name, message: error.message, context: defined } };
  }
}

serveJobs(workerData as PoolWorkerData, (message) => read(message as unknown as ReadJob));
