/**
 * Memory offered to Linux for transparent huge pages before it is first
 * written (through the native HDF5 addon, when it is built): on some virtual
 * machines first touching fresh memory costs more than filling it. Without
 * the addon this is plain memory. Passed in to the kernels and readers that
 * make large arrays (see `frames/memory.ts`).
 */
import { type DType, TYPED_ARRAY, type TypedArrayFor } from '../frames/dtype.js';
import type { Allocator } from '../frames/memory.js';
import { adviseLargeMemory } from './addon.js';

export { adviseLargeMemory } from './addon.js';

/** Fresh typed arrays, large ones offered for huge pages. */
export const HUGE_PAGES: Allocator = {
  array<D extends DType>(dtype: D, length: number): TypedArrayFor[D] {
    const array = new TYPED_ARRAY[dtype](length);
    adviseLargeMemory(array);
    return array;
  },
};
