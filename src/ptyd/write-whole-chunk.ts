/**
 * The h5wasm side of a chunk writer thread (see chunk-writer-worker.ts): a
 * whole chunk, written as its own file (`link`) or appended to the master
 * when the append cannot be split. Loaded on the first such job.
 */
import { h5ready } from '../h5/index.js';
import type { Chunk } from '../scan/types.js';
import { writeDurably } from './durable-write.js';
import { h5append } from './h5rw.js';
import { chunkValue, keepOld } from './ptyd-sink.js';
import { viewShared } from './shared-arrays.js';
import type { ChunkJob } from './worker-sink.js';
import { WRITER_ATTRIBUTES } from './writer-state.js';

await h5ready();

/** Stores the chunk of `job` from the shared memory the main thread copied it into. */
export function writeWholeChunk(job: ChunkJob): void {
  const chunk: Chunk = {
    num: job.num,
    indices: job.indices,
    data: viewShared(job.memory, job.data),
    weights: viewShared(job.memory, job.weights),
    positions:
      job.positions === null
        ? job.indices.map(() => null)
        : (viewShared(job.memory, job.positions) as Chunk['positions']),
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
}
