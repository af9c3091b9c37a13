/**
 * Memory offered to Linux for transparent huge pages before it is first
 * written (through the native HDF5 addon, when it is built): on some virtual
 * machines first touching fresh memory costs more than filling it. Without
 * the addon this is plain memory. Passed in to the kernels and readers that
 * make large arrays (see `frames/memory.ts`).
 */
import { type DType, TYPED_ARRAY, type TypedArrayFor } from '../frames/dtype.js';
import type { Allocator, RowMover } from '../frames/memory.js';
import { adviseLargeMemory, nativeAddon } from './addon.js';

export { adviseLargeMemory } from './addon.js';

/** The addon's row copy (`copyRows`), else none: the kernel then uses `TypedArray.set`. */
const NATIVE_ROWS: RowMover = (src, dst, plan) => {
  const addon = nativeAddon();
  if (addon === null) throw new Error('the native HDF5 addon is not loaded');
  addon.copyRows(src, dst, plan.map(Number));
};

/**
 * Fresh typed arrays, large ones offered for huge pages; with the addon,
 * the crop/orient kernel writing into them copies rows natively.
 */
export const HUGE_PAGES: Allocator = {
  array<D extends DType>(dtype: D, length: number): TypedArrayFor[D] {
    const array = new TYPED_ARRAY[dtype](length);
    adviseLargeMemory(array);
    return array;
  },
  get rows(): RowMover | undefined {
    // An addon built before copyRows existed has none.
    return typeof nativeAddon()?.copyRows === 'function' ? NATIVE_ROWS : undefined;
  },
};
