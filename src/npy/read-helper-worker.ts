/** Worker thread of an {@link NpyReadHelper}: reads frame files into the shared stack. */
import { workerData } from 'node:worker_threads';
import { PtyscanError } from '../errors.js';
import { type PoolWorkerData, serveJobs } from '../parallel/worker-pool.js';
import { readFramesInto } from './npy-stack.js';
import type { ReadFailure, ReadJob } from './read-helper.js';

function read(job: ReadJob): ReadFailure | null {
  const { memory, byteOffset, byteLength, ...range } = job;
  try {
    readFramesInto({ ...range, bytes: new Uint8Array(memory, byteOffset, byteLength) });
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
