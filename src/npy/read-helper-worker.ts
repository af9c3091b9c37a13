/** Worker thread of an {@link NpyReadHelper}: reads frame files into the shared stack. */
import { workerData } from 'node:worker_threads';
import { type PoolWorkerData, serveJobs } from '../parallel/worker-pool.js';
import { readFramesInto } from './npy-stack.js';
import type { ReadJob } from './read-helper.js';

function read(job: ReadJob): null {
  const { memory, byteOffset, byteLength, ...range } = job;
  readFramesInto({ ...range, bytes: new Uint8Array(memory, byteOffset, byteLength) });
  return null;
}

serveJobs(workerData as PoolWorkerData, read);
