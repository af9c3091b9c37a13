import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DType } from '../../src/frames/dtype.js';
import { type NdArray, ndarray } from '../../src/frames/ndarray.js';
import { CASES, noCorpus } from '../helpers/corpus.js';

/** An array as vectors.json stores it. */
export interface JsonArray {
  dtype: string;
  shape: number[];
  values: unknown;
}

/** The unit vectors recorded from ptypy (empty without the corpus: their tests are skipped). */
export const VECTORS = (
  noCorpus ? {} : JSON.parse(readFileSync(join(CASES, '_units/vectors.json'), 'utf8'))
) as Record<string, unknown>;

function flatten(values: unknown): number[] {
  if (Array.isArray(values)) return values.flatMap(flatten);
  if (typeof values === 'boolean') return [values ? 1 : 0];
  if (typeof values === 'number') return [values];
  throw new Error(`unexpected value ${String(values)}`);
}

/** A vectors.json array as an NdArray of the same dtype. */
export function fromJson(a: JsonArray): NdArray {
  const dtype = a.dtype as DType;
  const flat = flatten(a.values);
  if (dtype === 'int64' || dtype === 'uint64') {
    return ndarray(
      dtype,
      a.shape,
      BigInt64Array.from(flat, (v) => BigInt(v)),
    );
  }
  const arr = ndarray(dtype, a.shape);
  (arr.data as Float64Array).set(flat);
  return arr;
}

/** Asserts dtype, shape and every element's bits (so -0 vs 0 and the last float bit count). */
export function assertSameArray(actual: NdArray, expected: NdArray, what: string): void {
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assert.equal(actual.data.length, expected.data.length, `${what}: length`);
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (!Object.is(a, e)) assert.fail(`${what}: element ${i} is ${a}, expected ${e}`);
  }
}

/** Asserts two number pairs are bit-identical. */
export function assertSamePair(
  actual: readonly number[],
  expected: readonly number[],
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((v, i) => {
    if (!Object.is(v, expected[i])) assert.fail(`${what}[${i}] is ${v}, expected ${expected[i]}`);
  });
}
