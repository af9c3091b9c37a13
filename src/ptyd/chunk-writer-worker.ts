/**
 * Worker thread of a {@link WorkerSink}: its own h5wasm instance compresses
 * and writes the chunks it is sent, from the shared memory the main thread
 * copied them into.
 */
import { workerData } from 'node:worker_threads';
import { TYPED_ARRAY } from '../frames/dtype.js';
import { ndarray, repeatedRows } from '../frames/ndarray.js';
import { h5ready } from '../h5/index.js';
import { type PoolWorkerData, serveJobs } from '../parallel/worker-pool.js';
import type { Chunk } from '../scan/types.js';
import { writeDurably } from './durable-write.js';
import { h5append } from './h5rw.js';
import { chunkValue, keepOld } from './ptyd-sink.js';
import type { ChunkJob, SharedArray } from './worker-sink.js';
import { WRITER_ATTRIBUTES } from './writer-state.js';

function view(memory: SharedArrayBuffer, array: SharedArray) {
  const Ctor = TYPED_ARRAY[array.dtype];
  const [rows = 1, ...rest] = array.shape;
  const shape = array.repeated ? [1, ...rest] : array.shape;
  const length = shape.reduce((a, b) => a * b, 1);
  const stored = ndarray(array.dtype, shape, new Ctor(memory, array.offset, length));
  return array.repeated ? repeatedRows(stored, rows) : stored;
}

function writeJob(job: ChunkJob): null {
  const chunk: Chunk = {
    num: job.num,
    indices: job.indices,
    data: view(job.memory, job.data),
    weights: view(job.memory, job.weights),
    positions:
      job.positions === null
        ? job.indices.map(() => null)
        : (view(job.memory, job.positions) as Chunk['positions']),
  };
  const value = chunkValue(chunk);
  if (job.kind === 'append') {
    h5append(job.file, { [`chunks/${job.num}`]: value }, job.compression);
  } else {
    keepOld(job.file);
    writeDurably(job.file, value, job.compression, (out) =>
      out.writeStringAttribute('/', WRITER_ATTRIBUTES.run, job.run),
    );
  }
  return null;
}

await h5ready();
serveJobs(workerData as PoolWorkerData, (message) => writeJob(message as unknown as ChunkJob));
