import { ParameterError } from '../errors.js';
import { type NdArray, ndarray } from '../frames/ndarray.js';
import { isNdArray, PyTuple, type PyValue } from '../py/value.js';

/*
 * Readers of single parameter values. Parameters arrive as Python-style values
 * (bigint = int, number = float, PyTuple / array = tuple, NdArray = array);
 * these turn them into what the pipeline computes with, and fail with a
 * ParameterError naming the parameter when a value cannot be used.
 */

function invalid(path: string, expected: string, value: PyValue | undefined): never {
  throw new ParameterError([{ path, expected, found: describe(value) }]);
}

/** A short description of a value for error messages. */
export function describe(value: PyValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (typeof value === 'bigint') return `${value} (int)`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isNdArray(value)) return `array of shape (${value.shape.join(', ')}) ${value.dtype}`;
  if (value instanceof PyTuple) return `tuple of ${value.items.length}`;
  if (Array.isArray(value)) return `list of ${value.length}`;
  return 'a dict';
}

/** The items of a tuple, list or 1-D array, or null for anything else. */
export function sequenceItems(value: PyValue | undefined): PyValue[] | null {
  if (value instanceof PyTuple) return value.items;
  if (Array.isArray(value)) return value;
  if (isNdArray(value) && value.shape.length === 1) {
    return Array.from(value.data as ArrayLike<number | bigint>, (v) =>
      typeof v === 'bigint' ? v : value.dtype.startsWith('float') ? v : BigInt(v),
    );
  }
  return null;
}

/** A number from an int or float value. */
export function toNumber(value: PyValue | undefined, path: string): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return invalid(path, 'a finite number', value);
}

/** An integer from an int (or integral float) value. */
export function toInt(value: PyValue | undefined, path: string): number {
  const n = toNumber(value, path);
  if (!Number.isInteger(n)) invalid(path, 'an integer', value);
  return n;
}

/** An optional integer: null stays null. */
export function toOptionalInt(value: PyValue | undefined, path: string): number | null {
  return value === null || value === undefined ? null : toInt(value, path);
}

/** Python's truthiness of a value (used where ptypy tests `if value:`). */
export function truthy(value: PyValue | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (value instanceof PyTuple) return value.items.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isNdArray(value)) return value.data.length > 0;
  return Object.keys(value).length > 0;
}

/** ptypy's `expect2`: a scalar becomes a pair, a sequence gives its last two entries. */
export function expect2(value: PyValue | undefined, path: string): [number, number] {
  const items = sequenceItems(value);
  if (items === null) {
    const n = toNumber(value, path);
    return [n, n];
  }
  if (items.length === 0) invalid(path, 'a number or a pair of numbers', value);
  if (items.length === 1) {
    const n = toNumber(items[0], path);
    return [n, n];
  }
  return [toNumber(items[items.length - 2], path), toNumber(items[items.length - 1], path)];
}

/** True when every entry of a scalar or sequence is a Python int. */
export function allInts(value: PyValue | undefined): boolean {
  const items = sequenceItems(value);
  if (isNdArray(value)) return !value.dtype.startsWith('float');
  if (items === null) return typeof value === 'bigint';
  return items.every((v) => typeof v === 'bigint');
}

/** A 1-D NdArray of two numbers. */
export function pair<D extends 'int64' | 'float64'>(
  dtype: D,
  values: readonly [number, number],
): NdArray<D> {
  const data =
    dtype === 'int64' ? BigInt64Array.from(values, (v) => BigInt(v)) : Float64Array.from(values);
  return ndarray(dtype, [2], data as NdArray<D>['data']);
}

/** The numbers of a 1-D NdArray of any numeric dtype. */
function numbersOf(array: NdArray): number[] {
  return Array.from(array.data as ArrayLike<number | bigint>, Number);
}

/** An (N, 2) float64 array of positions from an NdArray or nested lists. */
export function toPositions(value: PyValue | undefined, path: string): NdArray<'float64'> {
  if (isNdArray(value)) {
    if (value.shape.length !== 2 || value.shape[1] !== 2) {
      invalid(path, 'positions of shape (N, 2)', value);
    }
    return ndarray('float64', value.shape, Float64Array.from(numbersOf(value)));
  }
  const rows = sequenceItems(value);
  if (rows === null) return invalid(path, 'an (N, 2) array of positions', value);
  const out = new Float64Array(rows.length * 2);
  rows.forEach((row, i) => {
    const cells = sequenceItems(row);
    if (cells === null || cells.length !== 2) invalid(`${path}[${i}]`, 'a [y, x] pair', row);
    out[2 * i] = toNumber(cells[0], `${path}[${i}][0]`);
    out[2 * i + 1] = toNumber(cells[1], `${path}[${i}][1]`);
  });
  return ndarray('float64', [rows.length, 2], out);
}
