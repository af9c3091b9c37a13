import { FrameError } from '../errors.js';
import { allocate, type DType, type NumberDType, type TypedArrayFor } from './dtype.js';

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

/** NdArray whose elements are JS numbers. */
export type NumberArray = NdArray<NumberDType>;

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
