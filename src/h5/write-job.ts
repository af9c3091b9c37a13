/**
 * A write (or the large arrays of a staged one) on its way to a worker
 * thread: its arrays copied into one SharedArrayBuffer, the tree carrying
 * references into it. The thread that runs such jobs is `write-worker.ts`.
 */
import type { NdArray } from '../frames/ndarray.js';
import { packShared, type SharedArray, viewShared } from '../parallel/shared-arrays.js';
import { workerScript } from '../parallel/worker-pool.js';
import type { BulkWrite } from './bulk.js';
import { type H5Write, mapWrite } from './tree.js';

/** A whole write, or the bulk arrays of a staged one, with the threads that compress it. */
export type WriteJob<A = NdArray> =
  | { readonly kind: 'write'; readonly write: H5Write<A>; readonly threads: number }
  | { readonly kind: 'bulk'; readonly bulk: BulkWrite<A>; readonly threads: number };

/** A {@link WriteJob} whose arrays are in `memory`. */
export interface PackedWriteJob {
  readonly memory: SharedArrayBuffer;
  readonly job: WriteJob<SharedArray>;
}

function mapJob<A, B>(job: WriteJob<A>, f: (value: A) => B): WriteJob<B> {
  if (job.kind === 'write') return { ...job, write: mapWrite(job.write, f) };
  const arrays = job.bulk.arrays.map(({ path, node }) => ({
    path,
    node: { ...node, value: f(node.value) },
  }));
  return { ...job, bulk: { ...job.bulk, arrays } };
}

/** Copies the job's arrays into `memory` (new shared memory when it is too small). */
export function packWriteJob(job: WriteJob, memory: SharedArrayBuffer | null): PackedWriteJob {
  const arrays: NdArray[] = [];
  const indexed = mapJob(job, (array) => arrays.push(array) - 1);
  const packed = packShared(arrays, memory);
  return { memory: packed.memory, job: mapJob(indexed, (i) => packed.shared[i]!) };
}

/** The job with its arrays viewed in place in the shared memory. */
export function unpackWriteJob(packed: PackedWriteJob): WriteJob {
  return mapJob(packed.job, (shared) => viewShared(packed.memory, shared));
}

/** The script of the threads that run write jobs. */
export function writeWorkerScript(): URL {
  return workerScript(import.meta.url, 'write-worker');
}
