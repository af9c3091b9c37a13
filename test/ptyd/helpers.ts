import { isNdArray, PyTuple, type PyValue } from '../../src/py/value.js';

/**
 * What reading back a file we wrote gives for `value`: h5wasm stores bool as
 * int8, so bool arrays come back int8 and booleans (scalars, list items) as
 * the Python ints 1/0.
 */
export function asWrittenByUs(value: PyValue): PyValue {
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (Array.isArray(value)) return value.map(asWrittenByUs);
  if (value instanceof PyTuple) return new PyTuple(value.items.map(asWrittenByUs));
  if (isNdArray(value)) {
    if (value.dtype !== 'bool') return value;
    return {
      dtype: 'int8',
      shape: value.shape,
      data: new Int8Array(value.data.buffer, value.data.byteOffset, value.data.length),
    };
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asWrittenByUs(v)]));
  }
  return value;
}

/** A small seeded generator (LCG) so property tests are reproducible. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
