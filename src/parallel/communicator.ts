import { ParallelError } from '../errors.js';
import type { AnyTypedArray } from '../frames/dtype.js';
import type { TypedArrayConstructor } from './wire.js';

/** Reduction applied element-wise by {@link Communicator.allreduce}. */
export type ReduceOp = 'sum' | 'max' | 'min';

/** Largest message tag every MPI implementation accepts (MPI_TAG_UB is at least this). */
export const MAX_TAG = 32767;

/**
 * The ranks of a job and the collective operations ptyscan needs between them.
 * {@link SingleProcess} is the one-rank job; `MpiCommunicator` runs over MPI.
 *
 * Every call is blocking and collective calls (`barrier`, `bcast`,
 * `allreduce`, `gather`, `gatherv`, `gatherValues`) must be made by every rank
 * in the same order. Values sent with `bcast` and `gatherValues` may be
 * `null`, booleans, numbers (NaN and infinities included), bigints, strings,
 * typed arrays, `NdArray`s, `PyTuple`s, arrays and plain objects of
 * these; anything else throws {@link ParallelError} naming where it sits.
 *
 * @example
 * ```ts
 * const comm = getCommunicator();
 * const meta = comm.bcast(comm.isMaster ? readMeta() : null);
 * const total = comm.allreduce(myFrames.length, 'sum');
 * const parts = comm.gatherv(mySums); // Float64Array[] on rank 0, null elsewhere
 * ```
 */
export interface Communicator {
  /** `'single'` for one process, `'mpi'` under mpirun. */
  readonly kind: 'single' | 'mpi';
  /** This process's rank, `0 <= rank < size`. */
  readonly rank: number;
  /** Number of ranks in the job. */
  readonly size: number;
  /** True on rank 0, which does the job's I/O and logging. */
  readonly isMaster: boolean;
  /** Waits until every rank has called it. */
  barrier(): void;
  /**
   * Returns `root`'s value on every rank. `root` gets its own object back;
   * the other ranks get a copy (their `value` argument is ignored, pass `null`).
   */
  bcast<T>(value: T, root?: number): T;
  /** Element-wise reduction over all ranks; every rank gets the result. */
  allreduce(value: number, op?: ReduceOp): number;
  /** Element-wise reduction over all ranks; arrays must have one length on every rank. */
  allreduce(value: Float64Array, op?: ReduceOp): Float64Array;
  /**
   * Concatenates equally long typed arrays of one type, in rank order, on
   * `root`; returns `null` on the other ranks.
   */
  gather<T extends AnyTypedArray>(data: T, root?: number): T | null;
  /** Typed arrays of one type and any length, one per rank, on `root`; `null` elsewhere. */
  gatherv<T extends AnyTypedArray>(data: T, root?: number): T[] | null;
  /**
   * Concatenates every rank's bytes of `data` (any lengths), in rank order,
   * straight into `out` on `root` (which must be exactly as long as all of
   * them together); the other ranks pass `null`. No intermediate copy.
   */
  gatherInto(data: AnyTypedArray, out: AnyTypedArray | null, root?: number): void;
  /** Every rank's value (see the value rules above), in rank order, on `root`; `null` elsewhere. */
  gatherValues<T>(value: T, root?: number): T[] | null;
  /** Sends a typed array to rank `dest` (not to itself); `tag` is 0..{@link MAX_TAG}. */
  send(data: AnyTypedArray, dest: number, tag?: number): void;
  /** Receives the next typed array that rank `source` sent with `tag`, of the type it was sent as. */
  recv(source: number, tag?: number): AnyTypedArray;
  /**
   * Receives like the other overload and checks the array is a `type`
   * (e.g. `Float32Array`), throwing {@link ParallelError} when it is not.
   */
  recv<C extends TypedArrayConstructor>(source: number, tag: number, type: C): InstanceType<C>;
  /** Ends the whole job at once with exit code `code`. */
  abort(code?: number): never;
}

/** Throws ParallelError unless `rank` is a rank of a job of `size`. */
export function assertRank(rank: number, size: number, what: string): void {
  if (!Number.isInteger(rank) || rank < 0 || rank >= size) {
    throw new ParallelError(`${what} must be a rank of this job, found ${rank}.`, {
      expected: `an integer in 0..${size - 1}`,
      found: String(rank),
    });
  }
}

/** Throws ParallelError unless `tag` is a valid message tag. */
export function assertTag(tag: number): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > MAX_TAG) {
    throw new ParallelError(`Message tag must be an integer in 0..${MAX_TAG}, found ${tag}.`, {
      expected: `an integer in 0..${MAX_TAG}`,
      found: String(tag),
    });
  }
}

/** Throws ParallelError for a send or receive addressed to the calling rank itself. */
export function assertPeer(peer: number, rank: number, size: number, what: string): void {
  assertRank(peer, size, what);
  if (peer === rank) {
    throw new ParallelError(
      `Rank ${rank} cannot ${what === 'dest' ? 'send to' : 'receive from'} itself: a blocking ` +
        'message to oneself never completes.',
      { expected: 'another rank', found: String(peer) },
    );
  }
}

/** Throws ParallelError unless a received array is of the type the receiver asked for. */
export function assertReceivedType<C extends TypedArrayConstructor>(
  data: AnyTypedArray,
  type: C | undefined,
  source: number,
  tag: number,
): void {
  if (type !== undefined && !(data instanceof type)) {
    throw new ParallelError(
      `Rank ${source} sent a ${data.constructor.name} with tag ${tag} where a ${type.name} was expected.`,
      { expected: type.name, found: data.constructor.name },
    );
  }
}
