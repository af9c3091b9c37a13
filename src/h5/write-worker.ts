/**
 * A thread that runs write jobs (see `write-job.ts`): the large arrays of a
 * staged write, or whole writes. h5wasm (a second instance, costly to start)
 * is loaded on the first job the native addon cannot do alone.
 */
import { workerData } from 'node:worker_threads';
import { type PoolWorkerData, serveJobs } from '../parallel/worker-pool.js';
import { bulkIsNative, writeNativeBulk } from './bulk.js';
import { type PackedWriteJob, unpackWriteJob } from './write-job.js';

async function loadStore(): Promise<typeof import('./store.js')> {
  const [{ h5ready }, store] = await Promise.all([import('./runtime.js'), import('./store.js')]);
  await h5ready();
  return store;
}

let store: Promise<typeof import('./store.js')> | null = null;

async function run(packed: PackedWriteJob): Promise<null> {
  const job = unpackWriteJob(packed);
  if (job.kind === 'bulk' && bulkIsNative(job.bulk)) {
    writeNativeBulk(job.bulk, job.threads);
    return null;
  }
  store ??= loadStore();
  const h5 = await store;
  if (job.kind === 'bulk') h5.writeBulk(job.bulk, { threads: job.threads });
  else h5.applyWrite(job.write, { threads: job.threads });
  return null;
}

serveJobs<PackedWriteJob, null>(workerData as PoolWorkerData, run);
