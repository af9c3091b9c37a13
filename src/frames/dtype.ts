/**
 * dtypes as string literals, with one type-level map to typed arrays and one
 * runtime table of constructors. `bool` is stored as one byte per element (0/1).
 */

/** The element types ptyscan handles. */
export type DType =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';

/** The typed array that holds elements of each dtype. */
export interface TypedArrayFor {
  bool: Uint8Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  float32: Float32Array;
  float64: Float64Array;
}

/** Any typed array ptyscan stores elements in. */
export type AnyTypedArray = TypedArrayFor[DType];

/** dtypes whose elements are JS numbers (everything except 64-bit integers). */
export type NumberDType = Exclude<DType, 'int64' | 'uint64'>;

type Ctor<D extends DType> = {
  new (length: number): TypedArrayFor[D];
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArrayFor[D];
  readonly BYTES_PER_ELEMENT: number;
};

/** Runtime table: dtype -> typed array constructor. */
export const TYPED_ARRAY: { readonly [D in DType]: Ctor<D> } = {
  bool: Uint8Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** numpy's names (`dtype.str`, little-endian) for each dtype. */
export const NUMPY_DESCR: { readonly [D in DType]: string } = {
  bool: '|b1',
  int8: '|i1',
  uint8: '|u1',
  int16: '<i2',
  uint16: '<u2',
  int32: '<i4',
  uint32: '<u4',
  int64: '<i8',
  uint64: '<u8',
  float32: '<f4',
  float64: '<f8',
};

/** Bytes per element of a dtype. */
export function itemSize(dtype: DType): number {
  return TYPED_ARRAY[dtype].BYTES_PER_ELEMENT;
}

/** True for dtypes whose elements are JS numbers rather than bigints. */
export function isNumberDType(dtype: DType): dtype is NumberDType {
  return dtype !== 'int64' && dtype !== 'uint64';
}

/** Allocates a zero-filled typed array of `length` elements of `dtype`. */
export function allocate<D extends DType>(dtype: D, length: number): TypedArrayFor[D] {
  return new TYPED_ARRAY[dtype](length);
}
