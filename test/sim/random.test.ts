import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logFactorial, Random } from '../../src/sim/random.js';

function poissonPmf(k: number, lambda: number): number {
  return Math.exp(-lambda + k * Math.log(lambda) - logFactorial(k));
}

describe('Random', () => {
  it('repeats its sequence for equal seeds and differs for other seeds', () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    const sb = Array.from({ length: 20 }, () => b.nextUint32());
    const sc = Array.from({ length: 20 }, () => c.nextUint32());
    assert.deepEqual(sa, sb);
    assert.notDeepEqual(sa, sc);
  });

  it('draws uniforms in [0, 1) with mean 1/2', () => {
    const rng = new Random(1);
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      assert.ok(u >= 0 && u < 1);
      sum += u;
    }
    // sd of the mean: sqrt(1/12 / n) ~ 0.0009
    assert.ok(Math.abs(sum / n - 0.5) < 0.005);
  });

  it('computes ln(k!) to 1e-13 relative across the table/series boundary', () => {
    let exact = 0;
    for (let k = 1; k <= 300; k++) {
      exact += Math.log(k);
      assert.ok(Math.abs(logFactorial(k) - exact) <= 1e-13 * Math.max(1, exact), `k=${k}`);
    }
    assert.equal(logFactorial(0), 0);
  });

  for (const lambda of [0.3, 3, 9.9, 10, 47.5, 1e4, 1e7]) {
    it(`samples Poisson(${lambda}) with the right mean and variance`, () => {
      const rng = new Random(Math.round(lambda * 10));
      const n = 40_000;
      let sum = 0;
      let sum2 = 0;
      for (let i = 0; i < n; i++) {
        const k = rng.poisson(lambda);
        assert.ok(Number.isInteger(k) && k >= 0);
        sum += k;
        sum2 += k * k;
      }
      const mean = sum / n;
      const variance = sum2 / n - mean * mean;
      // 5 standard errors of the mean; the sample variance has relative sd ~ sqrt(2/n) = 0.7%.
      assert.ok(Math.abs(mean - lambda) < 5 * Math.sqrt(lambda / n), `mean ${mean}`);
      assert.ok(Math.abs(variance / lambda - 1) < 0.05, `variance ${variance}`);
    });
  }

  it('follows the Poisson probabilities in the rejection (PTRS) regime', () => {
    const lambda = 15;
    const n = 200_000;
    const counts = new Map<number, number>();
    const rng = new Random(99);
    for (let i = 0; i < n; i++) {
      const k = rng.poisson(lambda);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (let k = 5; k <= 28; k++) {
      const p = poissonPmf(k, lambda);
      const expected = n * p;
      const sd = Math.sqrt(n * p * (1 - p));
      const found = counts.get(k) ?? 0;
      assert.ok(Math.abs(found - expected) < 5 * sd, `k=${k}: ${found} vs ${expected.toFixed(0)}`);
    }
  });

  it('returns 0 for a zero or invalid mean', () => {
    const rng = new Random(3);
    assert.equal(rng.poisson(0), 0);
    assert.equal(rng.poisson(-1), 0);
    assert.equal(rng.poisson(Number.NaN), 0);
  });
});
