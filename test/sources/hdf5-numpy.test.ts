import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DType, TYPED_ARRAY } from '../../src/frames/dtype.js';
import {
  arrayScalarType,
  castFloat,
  type NpType,
  promoteTypes,
  trueDivideType,
} from '../../src/sources/hdf5-numpy.js';
import { python } from '../helpers/python.js';

// The Hdf5Loader corrects frames with numpy's dtype rules; here every rule is
// checked against numpy itself (Debian's numpy 1.24, as the reference corpus used).
const TYPES = Object.keys(TYPED_ARRAY) as DType[];

function numpy<T>(code: string): T {
  return JSON.parse(python(`import json, numpy as np\n${code}`)) as T;
}

describe('numpy 1.24 dtype rules used by the Hdf5Loader corrections', () => {
  it('promote_types of every pair of dtypes', () => {
    const want = numpy<string[][]>(
      `T=${JSON.stringify(TYPES)}\nprint(json.dumps([[str(np.promote_types(a, b)) for b in T] for a in T]))`,
    );
    TYPES.forEach((a, i) => {
      TYPES.forEach((b, j) => {
        assert.equal(promoteTypes(a, b), want[i]![j], `${a} + ${b}`);
      });
    });
  });

  it('array-scalar results with value-based casting (numpy scalars and Python ints)', () => {
    const scalars: [NpType, number][] = [
      ['int64', 1],
      ['int64', 100],
      ['int64', 300],
      ['int64', -1],
      ['int64', 70000],
      ['uint8', 200],
      ['int32', 5],
      ['float64', 2.5],
      ['float64', 1e300],
      ['float32', 3.5],
      ['bool', 1],
    ];
    const code = `
T=${JSON.stringify(TYPES)}
S=${JSON.stringify(scalars)}
out=[]
for a in T:
    row=[]
    for t, v in S:
        arr=np.ones(2, dtype=a)
        s=np.dtype(t).type(v)
        try: row.append(str((arr * s).dtype))
        except Exception: row.append(None)
    out.append(row)
print(json.dumps(out))`;
    const want = numpy<(string | null)[][]>(code);
    TYPES.forEach((a, i) => {
      scalars.forEach(([t, v], j) => {
        const expected = want[i]![j];
        if (expected === null || a === 'bool') return;
        assert.equal(arrayScalarType(a, t, v), expected, `${a} array * ${t}(${v})`);
      });
    });
  });

  it('true division computes integers in float64 and floats in their own type', () => {
    const want = numpy<string[]>(
      `T=${JSON.stringify(TYPES.filter((t) => t !== 'bool'))}\nprint(json.dumps([str((np.ones(2, t) / np.ones(2, t)).dtype) for t in T]))`,
    );
    TYPES.filter((t) => t !== 'bool').forEach((t, i) => {
      assert.equal(trueDivideType(t), want[i], t);
    });
  });

  it('the unsafe cast of floats into every dtype, NaN, infinities and out-of-range values included', () => {
    const values = [
      0,
      1.7,
      -1.7,
      -3.7,
      255.9,
      300.2,
      70000.7,
      -40000.2,
      5e9,
      -3e9,
      1e20,
      NaN,
      Infinity,
      -Infinity,
    ];
    const literal = (v: number) =>
      Number.isNaN(v)
        ? "float('nan')"
        : Number.isFinite(v)
          ? `float(${JSON.stringify(String(v))})`
          : `float('${v > 0 ? 'inf' : '-inf'}')`;
    // numpy's scalar and vectorised loops disagree for some unsigned values out of range:
    // only values where both agree are a rule (ptyscan follows the scalar loop).
    const code = `
import warnings
warnings.simplefilter('ignore')
T=${JSON.stringify(TYPES)}
V=[${values.map(literal).join(',')}]
out=[]
for t in T:
    row=[]
    for v in V:
        one=np.zeros(1, dtype=t); one[:]=np.array([v])
        block=np.zeros(64, dtype=t); block[:]=np.full(64, v)
        f=(lambda x: repr(float(x))) if t.startswith('float') else (lambda x: str(int(x)))
        row.append(f(one[0]) if f(one[0]) == f(block[0]) else None)
    out.append(row)
print(json.dumps(out))`;
    const want = numpy<(string | null)[][]>(code);
    let rules = 0;
    TYPES.forEach((t, i) => {
      values.forEach((v, j) => {
        const expected = want[i]![j];
        if (expected === null || expected === undefined) return;
        rules++;
        const found = castFloat(t, v);
        if (t.startsWith('float')) {
          const value =
            { nan: NaN, inf: Infinity, '-inf': -Infinity }[expected] ?? Number(expected);
          assert.ok(Object.is(found, value), `${t}(${v}): ${found} vs ${expected}`);
        } else if (Math.abs(Number(expected)) < 2 ** 53) {
          // Integers beyond 2^53 are not exact in our float arithmetic (documented).
          assert.equal(found, Number(expected), `${t}(${v})`);
        }
      });
    });
    assert.ok(
      rules > 140,
      `${rules} of ${TYPES.length * values.length} casts are one rule in numpy`,
    );
  });
});
