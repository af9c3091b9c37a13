/**
 * Arrays laid out in one SharedArrayBuffer, for a worker thread to read in
 * place (a common mask, repeated row by row, as its one row).
 */
import { type DType, TYPED_ARRAY } from '../frames/dtype.js';
import { type NdArray, ndarray, repeatedRows, repeatOf } from '../frames/ndarray.js';
import { adviseLargeMemory } from '../native/memory.js';

/** An array laid out in shared memory. */
export interface SharedArray {
  dtype: DType;
  shape: number[];
  /** Byte offset in the shared memory. */
  offset: number;
  /** Only the first row is in the memory: every row is that one ({@link repeatedRows}). */
  repeated: boolean;
}

const ALIGN = 8;

function aligned(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/**
 * Copies `arrays` into `memory`, or into new shared memory when it is too
 * small (a repeated array, such as a common mask, as its one row), and says
 * where each one is.
 */
export function packShared(
  arrays: readonly NdArray[],
  memory: SharedArrayBuffer | null,
): { memory: SharedArrayBuffer; shared: SharedArray[] } {
  const stored = arrays.map((array) => repeatOf(array) ?? array);
  const offsets: number[] = [];
  let size = 0;
  for (const array of stored) {
    offsets.push(size);
    size = aligned(size + array.data.byteLength);
  }
  let target = memory;
  if (target === null || target.byteLength < size) {
    target = new SharedArrayBuffer(size);
    adviseLargeMemory(new Uint8Array(target));
  }
  const bytes = new Uint8Array(target);
  const shared = arrays.map((array, i): SharedArray => {
    const { data } = stored[i]!;
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offsets[i]!);
    return {
      dtype: array.dtype,
      shape: [...array.shape],
      offset: offsets[i]!,
      repeated: stored[i] !== array,
    };
  });
  return { memory: target, shared };
}

/** The array `array` describes, viewed in place in `memory`. */
export function viewShared(memory: SharedArrayBuffer, array: SharedArray): NdArray {
  const Ctor = TYPED_ARRAY[array.dtype];
  const [rows = 1, ...rest] = array.shape;
  const shape = array.repeated ? [1, ...rest] : array.shape;
  const length = shape.reduce((a, b) => a * b, 1);
  const stored = ndarray(array.dtype, shape, new Ctor(memory, array.offset, length));
  return array.repeated ? repeatedRows(stored, rows) : stored;
}
