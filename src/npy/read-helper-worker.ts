/** Worker thread of an {@link NpyReadHelper}: reads frame files into the shared stack. */
import { workerData } from 'node:worker_threads';
import { errorRecord, PtyscanError } from '../errors.js';
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
    return { failure: errorRecord(error) };
  }
}

serveJobs(workerData as PoolWorkerData, (message) => read(message as unknown as ReadJob));
