/**
 * A save strategy run over MPI ranks with every rank compressing, not the
 * master alone: chunks that are files of their own are written by the rank
 * that holds them; chunks that go into the master's file are compressed by
 * that rank and stored by the master as they are (direct chunk writes).
 */
import { ParallelError } from '../errors.js';
import type { AnyTypedArray } from '../frames/dtype.js';
import { applyWrite, encodeWrite, type H5Write, type StoredArray } from '../h5/index.js';
import { errorFromWire, errorToWire, type WireError } from '../parallel/error-wire.js';
import type { Communicator } from '../parallel/index.js';
import type { PyDict } from '../py/value.js';
import { gatherChunk } from './gather.js';
import type { Chunk, Meta, SaveStrategy, ScanProgress, ScanStorage, StoredChunk } from './types.js';

/** What a rank reports after writing (or compressing) the chunk it held. */
interface WriteOutcome extends StoredChunk {
  rank: number;
  /** The error, when the chunk could not be written or compressed. */
  error: WireError | null;
  /** A chunk for the master's file: its write, compressed, for the master to store. */
  write: H5Write<StoredArray> | null;
}

/**
 * Chunk `n` is gathered on rank `n % size`, which holds it; once every rank
 * holds one (a round), or when the scan waits or ends, all ranks compress
 * theirs at the same time (each on `threads` threads) and write it: into a
 * file of its own (`separateFiles`), else the master stores each rank's
 * compressed chunk into its file. The master commits them in chunk order.
 * The files are those one process writes. A chunk is on disk once the
 * `auto()` that ends its round has returned. The strategy exists on every
 * rank; only the master begins, commits and ends it.
 */
export class RankRounds implements ScanStorage {
  private readonly comm: Communicator;
  private readonly strategy: SaveStrategy;
  private readonly threads: number;
  private held: Chunk | null = null;
  /** Memory of the last chunk this rank held, reused for the next. */
  private memory: AnyTypedArray | undefined;

  /** `threads`: threads each rank compresses its chunk on. */
  constructor(comm: Communicator, strategy: SaveStrategy, threads = 1) {
    this.comm = comm;
    this.strategy = strategy;
    this.threads = Math.max(1, threads);
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
   * Writes (or compresses) the chunk this rank holds, then commits every
   * rank's chunks on the master, in chunk order (a collective call). A chunk
   * that could not be stored is a {@link ParallelError} on every rank; the
   * chunks after it are not committed.
   */
  private flush(): void {
    const chunk = this.held;
    this.held = null;
    const outcome = chunk === null ? null : this.store(chunk);
    const outcomes = this.comm.gatherValues(outcome, 0);
    let failure: WriteOutcome | null = null;
    if (outcomes !== null) {
      const written = outcomes.filter((o) => o !== null).sort((a, b) => a.num - b.num);
      for (const o of written) {
        failure = o.error === null ? this.commitOn(o) : o;
        if (failure !== null) break;
      }
      // The chunks before the failure stay readable, whichever rank the job ends on.
      if (failure !== null) this.publishQuietly();
    }
    failure = this.comm.bcast(failure === null ? null : { ...failure, write: null }, 0);
    if (failure?.error) {
      const cause = errorFromWire(failure.error);
      const reason = `${cause.name}: ${cause.message}`;
      throw new ParallelError(
        `Chunk ${failure.num} could not be stored in ${failure.file} by rank ${failure.rank}: ${reason}`,
        { file: failure.file, expected: `chunk ${failure.num} stored`, found: reason, cause },
      );
    }
  }

  /** {@link SaveStrategy.publish} on the master; its own failure must not hide the chunk's. */
  private publishQuietly(): void {
    try {
      this.strategy.publish();
    } catch {
      // The chunk files stay, and a resume adopts them.
    }
  }

  /** This rank's part of a round: the chunk's own file written, or the master's chunk compressed. */
  private store(chunk: Chunk): WriteOutcome {
    const rank = this.comm.rank;
    const file = this.strategy.chunkFile(chunk.num);
    try {
      const write = this.strategy.chunkWrite(chunk);
      if (this.strategy.separateFiles) {
        applyWrite(write, { threads: this.threads });
        return { num: chunk.num, file: write.file, rank, error: null, write: null };
      }
      return { num: chunk.num, file, rank, error: null, write: encodeWrite(write, this.threads) };
    } catch (error) {
      return { num: chunk.num, file, rank, error: errorToWire(error), write: null };
    }
  }

  /** On the master: stores a rank's compressed chunk if it brought one, then commits it; the failure, if any. */
  private commitOn(outcome: WriteOutcome): WriteOutcome | null {
    if (outcome.write !== null) {
      try {
        applyWrite(outcome.write, { threads: this.threads });
      } catch (error) {
        return { ...outcome, rank: this.comm.rank, error: errorToWire(error), write: null };
      }
    }
    this.strategy.commit({ num: outcome.num, file: outcome.file });
    return null;
  }
}
