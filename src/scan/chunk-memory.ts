/**
 * The memory chunks are prepared into, from chunk to chunk: the one place
 * that decides what may be reused (fresh memory is slow to touch on some
 * machines) and where fresh memory comes from.
 */
import type { AnyTypedArray } from '../frames/dtype.js';
import type { Allocator } from '../frames/memory.js';
import { type FrameStack, ndarray } from '../frames/ndarray.js';
import type { Prepared, PrepareMemory } from './prepare.js';

/**
 * The cropped stack before rebinning is the scan's alone, so it is always
 * reused; the prepared data only with `recycle` (the caller is done with a
 * chunk when it asks for the next one). Fresh memory comes from `allocator`.
 */
export class ChunkMemory {
  private readonly recycle: boolean;
  private readonly allocator: Allocator;
  private output: AnyTypedArray | undefined;
  private intermediate: AnyTypedArray | undefined;

  constructor(recycle: boolean, allocator: Allocator) {
    this.recycle = recycle;
    this.allocator = allocator;
  }

  /** What the next chunk may be prepared into. */
  forPrepare(): PrepareMemory {
    return {
      allocator: this.allocator,
      ...(this.output === undefined ? {} : { output: this.output }),
      ...(this.intermediate === undefined ? {} : { intermediate: this.intermediate }),
    };
  }

  /** Keeps what a chunk prepared from `input` was made in, for the next chunk. */
  keep(prepared: Prepared, input: FrameStack): void {
    this.intermediate = prepared.intermediate;
    this.output = this.recycle && prepared.data !== input ? prepared.data.data : undefined;
  }

  /**
   * `data` as the caller may keep it: a copy when it is still a source's
   * scratch stack, which the next `load()` fills again.
   */
  detach(data: FrameStack, scratch: ArrayBufferLike | null): FrameStack {
    if (scratch === null || data.data.buffer !== scratch) return data;
    return ndarray(data.dtype, data.shape, data.data.slice());
  }
}
