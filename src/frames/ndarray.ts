import { FrameError } from '../errors.js';
import { allocate, type DType, type TypedArrayFor } from './dtype.js';

/**
 * An n-dimensional array in C order: a dtype, a shape and a flat typed array.
 * Frame stacks are `NdArray`s of shape `[n, h, w]`.
 */
export interface NdArray<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: TypedArrayFor[D];
}

/** A stack of `n` frames of `h` x `w` pixels, shape `[n, h, w]`. */
export type FrameStack<D extends DType = DType> = NdArray<D>;

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Makes an NdArray, checking that the data length fits the shape. */
export function ndarray<D extends DType>(
  dtype: D,
  shape: readonly number[],
  data?: TypedArrayFor[D],
): NdArray<D> {
  const size = sizeOf(shape);
  const values = data ?? allocate(dtype, size);
  if (values.length !== size) {
    throw new FrameError(
      `Array of shape (${shape.join(', ')}) needs ${size} elements, found ${values.length}.`,
      { expected: `${size} elements`, found: `${values.length}` },
    );
  }
  return { dtype, shape: [...shape], data: values };
}

/** Arrays made by {@link repeatedRows}, with the one row block they repeat. */
const REPEATED = new WeakMap<NdArray, NdArray>();

/**
 * `n` copies of a one-row array along a new first axis (`[1, ...]` to
 * `[n, ...]`), made in memory only when `data` is first read. A writer that
 * knows {@link repeatOf} can store it without ever making the copies.
 */
export function repeatedRows<D extends DType>(row: NdArray<D>, n: number): NdArray<D> {
  if (row.shape[0] !== 1) {
    throw new FrameError(`Only a single row can be repeated, found ${formatShape(row.shape)}.`, {
      expected: 'shape (1, ...)',
      found: formatShape(row.shape),
    });
  }
  const shape = [n, ...row.shape.slice(1)];
  let data: TypedArrayFor[D] | null = null;
  const array: NdArray<D> = {
    dtype: row.dtype,
    shape,
    get data() {
      if (data === null) {
        data = allocate(row.dtype, sizeOf(shape));
        const target = data as { set(src: ArrayLike<number | bigint>, offset: number): void };
        const rowData = row.data as ArrayLike<number | bigint>;
        for (let i = 0; i < n; i++) target.set(rowData, i * rowData.length);
      }
      return data;
    },
  };
  REPEATED.set(array, row);
  return array;
}

/** The one-row array `array` repeats, if it was made by {@link repeatedRows}. */
export function repeatOf<D extends DType>(array: NdArray<D>): NdArray<D> | undefined {
  return REPEATED.get(array) as NdArray<D> | undefined;
}

/** Zero-filled NdArray. */
export function zeros<D extends DType>(dtype: D, shape: readonly number[]): NdArray<D> {
  return ndarray(dtype, shape);
}

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Shape as numpy prints it, e.g. `(17, 40, 56)`. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Joins arrays along their first axis (frames after frames). Every array must
 * have the first one's dtype and trailing shape.
 *
 * @throws {FrameError} naming the first array that does not fit.
 */
export function concatRows<D extends DType>(arrays: readonly NdArray<D>[]): NdArray<D> {
  const first = arrays[0];
  if (first === undefined) throw new FrameError('Nothing to join: no arrays were given.');
  const tail = first.shape.slice(1);
  let rows = 0;
  for (const [i, a] of arrays.entries()) {
    if (a.dtype !== first.dtype || !sameShape(a.shape.slice(1), tail)) {
      throw new FrameError(
        `Array ${i} is ${a.dtype} ${formatShape(a.shape)}, array 0 is ${first.dtype} ${formatShape(first.shape)}.`,
        {
          expected: `${first.dtype} (n, ${tail.join(', ')})`,
          found: `${a.dtype} ${formatShape(a.shape)}`,
        },
      );
    }
    rows += a.shape[0] ?? 0;
  }
  const out = ndarray(first.dtype, [rows, ...tail]);
  const target = out.data as { set(src: ArrayLike<number | bigint>, offset: number): void };
  let offset = 0;
  for (const a of arrays) {
    target.set(a.data as ArrayLike<number | bigint>, offset);
    offset += a.data.length;
  }
  return out;
}
