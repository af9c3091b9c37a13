/**
 * numpy 1.24's dtype rules, as far as ptypy's Hdf5Loader meets them when it
 * corrects frames: type promotion between two arrays, the value-based
 * promotion of an array with a numpy or Python scalar, true division of
 * integers giving float64, and the unsafe cast of a float back into an
 * integer frame (`intensity[:] = ...`), which on x86 goes through a 32- or
 * 64-bit conversion whose out-of-range result is the most negative integer.
 * Reproducing them is what makes corrected frames equal ptypy's bit for bit.
 */
import type { DType } from '../frames/dtype.js';

/** A numpy element type: ours, plus float16, which only appears as a scalar's minimal type. */
export type NpType = DType | 'float16';

type Kind = 'bool' | 'int' | 'uint' | 'float';

const KIND: Record<NpType, Kind> = {
  bool: 'bool',
  int8: 'int',
  int16: 'int',
  int32: 'int',
  int64: 'int',
  uint8: 'uint',
  uint16: 'uint',
  uint32: 'uint',
  uint64: 'uint',
  float16: 'float',
  float32: 'float',
  float64: 'float',
};

const BITS: Record<NpType, number> = {
  bool: 1,
  int8: 8,
  uint8: 8,
  int16: 16,
  uint16: 16,
  float16: 16,
  int32: 32,
  uint32: 32,
  float32: 32,
  int64: 64,
  uint64: 64,
  float64: 64,
};

const INT_OF_BITS: Record<number, NpType> = { 8: 'int8', 16: 'int16', 32: 'int32', 64: 'int64' };
const UINT_OF_BITS: Record<number, NpType> = {
  8: 'uint8',
  16: 'uint16',
  32: 'uint32',
  64: 'uint64',
};
const FLOAT_OF_BITS: Record<number, NpType> = { 16: 'float16', 32: 'float32', 64: 'float64' };

/** numpy's category order for value-based casting: bool < integers < floats. */
function category(t: NpType): number {
  const kind = KIND[t];
  return kind === 'bool' ? 0 : kind === 'float' ? 2 : 1;
}

/** True for the integer dtypes (signed or not). */
export function isIntegerType(t: NpType): boolean {
  return KIND[t] === 'int' || KIND[t] === 'uint';
}

/** `np.promote_types(a, b)`. */
export function promoteTypes(a: NpType, b: NpType): NpType {
  if (a === b) return a;
  const ka = KIND[a];
  const kb = KIND[b];
  if (ka === 'bool') return b;
  if (kb === 'bool') return a;
  if (ka === 'float' || kb === 'float') {
    const [f, other] = ka === 'float' ? [a, b] : [b, a];
    // Bits a float needs to hold every value of the other type exactly.
    const needed =
      KIND[other] === 'float' ? BITS[other] : BITS[other] <= 8 ? 16 : BITS[other] <= 16 ? 32 : 64;
    return FLOAT_OF_BITS[Math.max(BITS[f], needed)]!;
  }
  if (ka === kb) return (ka === 'int' ? INT_OF_BITS : UINT_OF_BITS)[Math.max(BITS[a], BITS[b])]!;
  const [signed, unsigned] = ka === 'int' ? [a, b] : [b, a];
  if (BITS[unsigned] < BITS[signed]) return signed;
  if (BITS[unsigned] === 64) return 'float64';
  return INT_OF_BITS[Math.max(BITS[signed], 2 * BITS[unsigned])]!;
}

/**
 * numpy's `min_scalar_type` of a scalar of type `t` and value `v`, and
 * whether an unsigned result also fits the signed type of the same size
 * (numpy then promotes it with a signed array as that signed type).
 */
function minScalarType(t: NpType, v: number): { type: NpType; smallUnsigned: boolean } {
  const kind = KIND[t];
  if (kind === 'bool') return { type: 'bool', smallUnsigned: false };
  if (kind === 'float') {
    if (!Number.isFinite(v) || (v > -65000 && v < 65000))
      return { type: 'float16', smallUnsigned: false };
    if (t !== 'float16' && v > -3.4e38 && v < 3.4e38)
      return { type: 'float32', smallUnsigned: false };
    return { type: t, smallUnsigned: false };
  }
  if (v >= 0) {
    for (const bits of [8, 16, 32]) {
      if (v < 2 ** bits) return { type: UINT_OF_BITS[bits]!, smallUnsigned: v < 2 ** (bits - 1) };
    }
    return { type: 'uint64', smallUnsigned: v < 2 ** 63 };
  }
  for (const bits of [8, 16, 32]) {
    if (v >= -(2 ** (bits - 1))) return { type: INT_OF_BITS[bits]!, smallUnsigned: false };
  }
  return { type: 'int64', smallUnsigned: false };
}

/**
 * The result type of an operation between an array of type `array` and a
 * scalar of type `scalar` with value `value` (numpy 1.x value-based casting):
 * a scalar of a higher category (bool < int < float) promotes normally;
 * otherwise only its minimal type for `value` takes part. A Python int is a
 * scalar of type int64, a Python float one of type float64.
 */
export function arrayScalarType(array: NpType, scalar: NpType, value: number): NpType {
  if (category(scalar) > category(array)) return promoteTypes(array, scalar);
  const { type, smallUnsigned } = minScalarType(scalar, value);
  const asSigned = smallUnsigned && KIND[array] === 'int' ? INT_OF_BITS[BITS[type]]! : type;
  return promoteTypes(array, asSigned);
}

/** The type numpy's true division computes in for operands promoted to `t`: integers divide in float64. */
export function trueDivideType(t: NpType): NpType {
  return KIND[t] === 'float' ? t : 'float64';
}

/** Rounds or wraps an exact result into type `t` (integers modulo 2^bits, floats to their precision). */
export function roundInto(t: NpType, v: number): number {
  switch (t) {
    case 'float64':
      return v;
    case 'float32':
      return Math.fround(v);
    case 'bool':
      return v !== 0 ? 1 : 0;
    case 'int64':
    case 'uint64':
      return v;
    default:
      return wrapInteger(t, v);
  }
}

function wrapInteger(t: NpType, v: number): number {
  const bits = BITS[t];
  const span = 2 ** bits;
  let r = v % span;
  if (r < 0) r += span;
  if (KIND[t] === 'int' && r >= span / 2) r -= span;
  return r + 0; // no -0
}

/** x86's truncating conversion to a signed integer of `bits` bits: out of range or NaN gives the minimum. */
function truncateTo(bits: 32 | 64, v: number): number {
  const t = Math.trunc(v);
  const limit = 2 ** (bits - 1);
  return Number.isFinite(t) && t >= -limit && t < limit ? t : -limit;
}

/**
 * numpy's unsafe cast of a float value into an element of `t`, as x86 does
 * it: float32 rounds; integers truncate toward zero through a 32-bit (types
 * up to int32) or 64-bit (uint32, 64-bit types) conversion, whose invalid
 * result (NaN, infinity, out of range) is the most negative value, then keep
 * the low bits.
 */
export function castFloat(t: NpType, v: number): number {
  switch (t) {
    case 'float64':
      return v;
    case 'float32':
    case 'float16':
      return Math.fround(v);
    case 'bool':
      return v !== 0 ? 1 : 0;
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
      return wrapInteger(t, truncateTo(32, v));
    case 'int32':
      return truncateTo(32, v);
    case 'uint32':
      return wrapInteger(t, truncateTo(64, v));
    case 'int64':
      return truncateTo(64, v);
    case 'uint64':
      // Values from 2^63 on are converted as v - 2^63 and the top bit set again.
      return v >= 2 ** 63
        ? wrapInteger(t, truncateTo(64, v - 2 ** 63) + 2 ** 63)
        : wrapInteger(t, truncateTo(64, v));
  }
}
