/**
 * A save strategy whose chunks are files of their own, run over MPI ranks:
 * every rank compresses and writes chunk files, not the master alone.
 */
import { ParallelError } from '../errors.js';
import type { AnyTypedArray } from '../frames/dtype.js';
import { applyWrite } from '../h5/index.js';
import { errorFromWire, errorToWire, type WireError } from '../parallel/error-wire.js';
import type { Communicator } from '../parallel/index.js';
import type { PyDict } from '../py/value.js';
import { gatherChunk } from './gather.js';
import type { Chunk, Meta, SaveStrategy, ScanProgress, ScanStorage, StoredChunk } from './types.js';

/** What a rank reports after writing the chunk it held. */
interface WriteOutcome extends StoredChunk {
  rank: number;
  /** The error, when the file could not be written. */
  error: WireError | null;
}

/**
 * Chunk `n` is gathered on rank `n % size`, which holds it; once every rank
 * holds one (a round), or when the scan waits or ends, all ranks write
 * theirs at the same time and the master commits them in chunk order. The
 * files are those one process writes. A chunk is on disk once the `auto()`
 * that ends its round has returned. The strategy exists on every rank; only
 * the master begins, commits and ends it.
 */
export class RankRounds implements ScanStorage {
  private readonly comm: Communicator;
  private readonly strategy: SaveStrategy;
  private held: Chunk | null = null;
  /** Memory of the last chunk this rank held, reused for the next. */
  private memory: AnyTypedArray | undefined;

  constructor(comm: Communicator, strategy: SaveStrategy) {
    this.comm = comm;
    this.strategy = strategy;
  }

  begin(info: PyDict): ScanProgress | null {
    const { comm, strategy } = this;
    const progress = comm.bcast(comm.isMaster ? strategy.begin(info) : null, 0);
    const state = comm.bcast(comm.isMaster ? strategy.handover() : null, 0);
    if (!comm.isMaster && state !== null) strategy.takeOver(state);
    return progress;
  }

  writeMeta(meta: Meta): void {
    if (this.comm.isMaster) this.strategy.writeMeta(meta);
  }

  /** Gathers this rank's part of the chunk on the rank that writes it; at the end of a round, every rank writes. */
  writeChunk(part: Chunk): void {
    const root = part.num % this.comm.size;
    const whole = gatherChunk(this.comm, part, this.memory, root);
    if (whole !== null) {
      this.held = whole;
      if (whole !== part) this.memory = whole.data.data;
    }
    if (root === this.comm.size - 1) this.flush();
  }

  wait(): void {
    // Chunks held for writing go to disk now: a live reader must not wait for them.
    this.flush();
    if (this.comm.isMaster) this.strategy.heartbeat();
  }

  end(info: PyDict): void {
    this.flush();
    if (this.comm.isMaster) this.strategy.end(info);
  }

  close(): void {
    if (this.comm.isMaster) this.strategy.close();
  }

  /**
   * Writes the chunk this rank holds, then commits every rank's files on the
   * master, in chunk order (a collective call). A chunk that could not be
   * written is a {@link ParallelError} on every rank; the chunks after it
   * are not committed.
   */
  private flush(): void {
    const chunk = this.held;
    this.held = null;
    let outcome: WriteOutcome | null = null;
    if (chunk !== null) {
      const rank = this.comm.rank;
      const file = this.strategy.chunkFile(chunk.num);
      try {
        const write = this.strategy.chunkWrite(chunk);
        applyWrite(write);
        outcome = { num: chunk.num, file: write.file, rank, error: null };
      } catch (error) {
        outcome = { num: chunk.num, file, rank, error: errorToWire(error) };
      }
    }
    const outcomes = this.comm.gatherValues(outcome, 0);
    let failure: WriteOutcome | null = null;
    if (outcomes !== null) {
      const written = outcomes.filter((o) => o !== null).sort((a, b) => a.num - b.num);
      for (const o of written) {
        if (o.error !== null) {
          failure = o;
          break;
        }
        this.strategy.commit({ num: o.num, file: o.file });
      }
    }
    failure = this.comm.bcast(failure, 0);
    if (failure?.error) {
      const cause = errorFromWire(failure.error);
      const reason = `${cause.name}: ${cause.message}`;
      throw new ParallelError(
        `Chunk ${failure.num} could not be stored in ${failure.file} by rank ${failure.rank}: ${reason}`,
        { file: failure.file, expected: `chunk ${failure.num} stored`, found: reason, cause },
      );
    }
  }
}
