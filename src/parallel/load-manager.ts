import { ParallelError } from '../errors.js';

/**
 * Splits work items (frame ids) over the ranks of a parallel job the way ptypy
 * does, so that every rank of a ptyscan job and of a ptypy job loads the same
 * frames.
 *
 * The manager remembers how many items each rank has received so far (its
 * {@link LoadManager.load}). Each {@link LoadManager.assign} call evens the
 * accumulated loads out: after the call every rank holds `floor(total / size)`
 * items, and the `total % size` highest ranks hold one more. Each rank's share
 * of the new ids is one contiguous block, in rank order.
 *
 * @example
 * ```ts
 * const manager = new LoadManager(comm.size);
 * const mine = manager.assign(frameIds)[comm.rank]; // positions within frameIds
 * const myIds = mine.map((i) => frameIds[i]);
 * ```
 */
export class LoadManager {
  /** Number of ranks the work is split over. */
  readonly size: number;
  private readonly accumulated: number[];
  private readonly owner = new Map<number, number>();

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new ParallelError(`LoadManager needs a whole number of ranks >= 1, found ${size}.`, {
        expected: 'an integer >= 1',
        found: String(size),
      });
    }
    this.size = size;
    this.accumulated = new Array<number>(size).fill(0);
  }

  /** Items each rank has received so far, indexed by rank (a copy). */
  get load(): number[] {
    return [...this.accumulated];
  }

  /**
   * Assigns `ids` to ranks and returns, for each rank, the **positions within
   * `ids`** (not the ids themselves) that rank takes. With one rank every call
   * returns `[[0, 1, ..., n - 1]]`.
   */
  assign(ids: readonly number[]): number[][] {
    const total = this.accumulated.reduce((a, b) => a + b, 0) + ids.length;
    const base = Math.floor(total / this.size);
    const extra = total % this.size;
    const out: number[][] = [];
    let next = 0;
    for (let rank = 0; rank < this.size; rank++) {
      const target = base + (rank >= this.size - extra ? 1 : 0);
      // Loads are always balanced after a call and totals only grow, so every
      // target is at least the rank's load and the shares add up to ids.length.
      const share = target - this.accumulated[rank]!;
      const positions: number[] = [];
      for (let k = 0; k < share; k++) positions.push(next + k);
      for (const p of positions) this.owner.set(ids[p]!, rank);
      this.accumulated[rank]! += share;
      next += share;
      out.push(positions);
    }
    return out;
  }

  /** The rank an id was last assigned to; throws when the id was never assigned. */
  rankOf(id: number): number {
    const rank = this.owner.get(id);
    if (rank === undefined) {
      throw new ParallelError(`Frame id ${id} was never assigned to a rank.`, {
        expected: 'an id passed to LoadManager.assign()',
        found: String(id),
      });
    }
    return rank;
  }
}
