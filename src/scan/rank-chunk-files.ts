import { ParallelError } from '../errors.js';
import type { AnyTypedArray } from '../frames/dtype.js';
import type { Communicator } from '../parallel/index.js';
import {
  type ChunkFileOptions,
  chunkFilePath,
  type PtydSink,
  writeChunkFile,
} from '../ptyd/ptyd-sink.js';
import { gatherChunk } from './distribute.js';
import type { Chunk } from './types.js';

/** What a rank reports after writing the chunk it held. */
interface WriteOutcome {
  num: number;
  file: string;
  rank: number;
  /** `name: message` of the error, when the file could not be written. */
  error: string | null;
}

/**
 * Link and merge modes over MPI ranks: chunk files are compressed and
 * written by every rank, not by the master alone. Chunk `n` is gathered on
 * rank `n % size`, which holds it; once every rank holds one (a round), or
 * when the scan waits or ends, all ranks write theirs at the same time and
 * the master links the complete files in chunk order. The files are those
 * one process writes. A chunk is on disk once the `auto()` that ends its
 * round has returned.
 */
export class RankChunkFiles {
  private readonly comm: Communicator;
  private readonly options: ChunkFileOptions;
  /** The master's sink, which links the files; null on the other ranks. */
  private readonly master: PtydSink | null;
  private run = '';
  private held: Chunk | null = null;
  /** Memory of the last chunk this rank held, reused for the next. */
  private memory: AnyTypedArray | undefined;

  constructor(comm: Communicator, options: ChunkFileOptions, master: PtydSink | null) {
    this.comm = comm;
    this.options = options;
    this.master = master;
  }

  /** Takes the run id the master's sink stamps into chunk files (a collective call). */
  begin(): void {
    this.run = this.comm.bcast(this.master?.runId ?? null, 0) as string;
  }

  /**
   * Gathers this rank's part of `chunk` on the rank that writes it (a
   * collective call); at the end of a round, every rank writes.
   */
  add(chunk: Chunk): void {
    const root = chunk.num % this.comm.size;
    const whole = gatherChunk(this.comm, chunk, this.memory, root);
    if (whole !== null) {
      this.held = whole;
      if (whole !== chunk) this.memory = whole.data.data;
    }
    if (root === this.comm.size - 1) this.flush();
  }

  /**
   * Writes the chunk this rank holds, then links every rank's files on the
   * master, in chunk order (a collective call). A chunk that could not be
   * written is a {@link ParallelError} on every rank; the chunks after it are
   * not linked.
   */
  flush(): void {
    const chunk = this.held;
    this.held = null;
    let outcome: WriteOutcome | null = null;
    if (chunk !== null) {
      const rank = this.comm.rank;
      try {
        outcome = {
          num: chunk.num,
          file: writeChunkFile(this.options, this.run, chunk),
          rank,
          error: null,
        };
      } catch (error) {
        const e = error as Error;
        const file = chunkFilePath(this.options, chunk.num);
        outcome = { num: chunk.num, file, rank, error: `${e.name}: ${e.message}` };
      }
    }
    const outcomes = this.comm.gatherValues(outcome, 0);
    let failure: WriteOutcome | null = null;
    if (outcomes !== null && this.master !== null) {
      const written = outcomes.filter((o) => o !== null).sort((a, b) => a.num - b.num);
      for (const o of written) {
        if (o.error !== null) {
          failure = o;
          break;
        }
        this.master.linkChunkFile(o.num, o.file);
      }
    }
    failure = this.comm.bcast(failure, 0) as WriteOutcome | null;
    if (failure !== null) {
      throw new ParallelError(
        `Chunk ${failure.num} could not be stored in ${failure.file} by rank ${failure.rank}: ${failure.error}`,
        { file: failure.file, expected: `chunk ${failure.num} stored`, found: failure.error ?? '' },
      );
    }
  }
}
