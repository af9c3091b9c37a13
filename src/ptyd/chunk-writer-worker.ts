/**
 * Worker thread of a {@link WorkerSink}: stores the chunks it is sent, from
 * the shared memory the main thread copied them into. An append whose small
 * part the main thread wrote needs only the native addon here; h5wasm (a
 * second instance, costly to start) is loaded on the first whole chunk.
 */
import { workerData } from 'node:worker_threads';
import { writeDeferred } from '../h5/native.js';
import { type PoolWorkerData, serveJobs } from '../parallel/worker-pool.js';
import { viewShared } from './shared-arrays.js';
import type { WriterJob } from './worker-sink.js';

let wholeChunks: Promise<typeof import('./write-whole-chunk.js')> | null = null;

async function write(job: WriterJob): Promise<null> {
  if (job.kind === 'deferred') {
    const arrays = job.arrays.map(({ path, attributes, array }) => ({
      path,
      attributes,
      array: viewShared(job.memory, array),
    }));
    writeDeferred(job.file, arrays, job.level, job.threads);
    return null;
  }
  wholeChunks ??= import('./write-whole-chunk.js');
  (await wholeChunks).writeWholeChunk(job);
  return null;
}

serveJobs<WriterJob, null>(workerData as PoolWorkerData, write);
