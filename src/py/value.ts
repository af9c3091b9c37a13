import { type NdArray, repeatOf } from '../frames/ndarray.js';

/**
 * Python values as ptypy stores them in `.ptyd` files and parameter trees.
 * The mapping keeps Python's int/float distinction, which `.ptyd` files carry
 * (an `energy` of 9 is stored as INT64, 7.2 as FLOAT64):
 *
 * | Python | JS |
 * |---|---|
 * | None | `null` |
 * | bool | `boolean` |
 * | int | `bigint` |
 * | float | `number` |
 * | str | `string` |
 * | numpy array | {@link NdArray} |
 * | list | `PyValue[]` |
 * | tuple | {@link PyTuple} |
 * | dict | {@link PyDict} (a plain object) |
 */
export type PyValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | NdArray
  | PyValue[]
  | PyTuple
  | PyDict;

/** A Python dict with string keys. */
export interface PyDict {
  [key: string]: PyValue;
}

/** A Python tuple: a list that is stored with the `tuple`/`arraytuple` type. */
export class PyTuple {
  readonly items: PyValue[];
  constructor(items: PyValue[]) {
    this.items = items;
  }
}

/** True for an {@link NdArray}. */
export function isNdArray(value: unknown): value is NdArray {
  return (
    typeof value === 'object' &&
    value !== null &&
    'dtype' in value &&
    'shape' in value &&
    'data' in value &&
    // A lazily repeated array is one without making its copies.
    (repeatOf(value as NdArray) !== undefined ||
      ArrayBuffer.isView((value as { data: unknown }).data))
  );
}

/** Dicts that stand for a ptypy `Param` (a parameter sub-tree) rather than a plain dict. */
const PARAM_GROUPS = new WeakSet<PyDict>();

/**
 * Marks `dict` as a ptypy `Param`: h5rw stores it with the group type
 * `param` instead of `dict` (ptypy's `info` holds its nested parameter
 * groups that way). Returns `dict`; a copy of it is a plain dict again.
 */
export function markParam<T extends PyDict>(dict: T): T {
  PARAM_GROUPS.add(dict);
  return dict;
}

/** True for a dict marked by {@link markParam}. */
export function isParam(dict: PyDict): boolean {
  return PARAM_GROUPS.has(dict);
}

/** True for a plain-object dict (not an array, tuple or NdArray). */
export function isPyDict(value: PyValue | undefined): value is PyDict {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof PyTuple) &&
    !isNdArray(value)
  );
}

/** Python's type name of a value, as the conformance corpus reports it. */
export function pyTypeName(value: PyValue): string {
  if (value === null) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  if (value instanceof PyTuple) return 'tuple';
  if (isNdArray(value)) return 'ndarray';
  return 'dict';
}
