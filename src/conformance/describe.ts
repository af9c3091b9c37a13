import { createHash } from 'node:crypto';
import type { NdArray } from '../frames/ndarray.js';
import { isNdArray, PyTuple, type PyValue, pyTypeName } from '../py/value.js';

/** A JSON-like value with numbers only (what Python's json module writes). */
export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/** A value as Python's `json.dumps` would show it (arrays as nested lists, ints as numbers). */
export function toPlain(value: PyValue): Plain {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  if (value instanceof PyTuple) return value.items.map(toPlain);
  if (Array.isArray(value)) return value.map(toPlain);
  if (isNdArray(value)) return nested(value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
}

function nested(array: NdArray): Plain {
  const flat = Array.from(array.data as ArrayLike<number | bigint>, (v) =>
    array.dtype === 'bool' ? v === 1 : Number(v),
  );
  const build = (dim: number, offset: number): Plain => {
    const n = array.shape[dim] ?? 1;
    if (dim === array.shape.length - 1) return flat.slice(offset, offset + n);
    const stride = array.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, i) => build(dim + 1, offset + i * stride));
  };
  return array.shape.length === 0 ? (flat[0] ?? null) : build(0, 0);
}

/** Python's type of a value as the corpus writes it: `int`, `ndarray<int64>[2]`, `tuple[float]`, ... */
export function typeString(value: PyValue): string {
  if (isNdArray(value)) return `ndarray<${value.dtype}>[${value.shape.join(', ')}]`;
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : null;
  if (items === null) return pyTypeName(value);
  const kinds = [...new Set(items.map(typeString))].sort();
  return `${pyTypeName(value)}[${kinds.join(', ')}]`;
}

/** sha256 of the C-order bytes of an array (what the corpus records). */
export function sha256Of(array: NdArray): string {
  const bytes = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  return createHash('sha256').update(bytes).digest('hex');
}

/** First difference between two plain values, or null when they are equal bit for bit. */
export function firstDifference(found: Plain, expected: Plain, path = ''): string | null {
  if (typeof expected === 'number' && typeof found === 'number') {
    return Object.is(found, expected) || (found === 0 && expected === 0)
      ? null
      : `${path || 'value'}: expected ${expected}, found ${found}`;
  }
  if (Array.isArray(expected) || Array.isArray(found)) {
    if (!Array.isArray(expected) || !Array.isArray(found) || expected.length !== found.length) {
      return `${path || 'value'}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const d = firstDifference(found[i]!, expected[i]!, `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (
    typeof expected === 'object' &&
    expected !== null &&
    typeof found === 'object' &&
    found !== null
  ) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(found)]);
    for (const key of [...keys].sort()) {
      if (!(key in found)) return `${path}.${key}: missing`;
      if (!(key in expected)) return `${path}.${key}: unexpected`;
      const d = firstDifference(found[key]!, expected[key]!, path ? `${path}.${key}` : key);
      if (d !== null) return d;
    }
    return null;
  }
  return found === expected
    ? null
    : `${path || 'value'}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`;
}
