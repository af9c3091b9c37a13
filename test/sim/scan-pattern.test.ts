import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParameterError } from '../../src/errors.js';
import type { NdArray } from '../../src/frames/ndarray.js';
import { SCAN_PATTERNS, type ScanPattern, scanPositions } from '../../src/sim/scan-pattern.js';

const STEP = 1.5e-6;

/** Distance from each point to its nearest neighbour. */
function nearest(pos: NdArray<'float64'>): number[] {
  const n = pos.shape[0]!;
  const d = pos.data;
  return Array.from({ length: n }, (_, i) => {
    let best = Number.POSITIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      if (j !== i)
        best = Math.min(best, Math.hypot(d[2 * i]! - d[2 * j]!, d[2 * i + 1]! - d[2 * j + 1]!));
    }
    return best;
  });
}

function radius(pos: NdArray<'float64'>, i: number): number {
  return Math.hypot(pos.data[2 * i]!, pos.data[2 * i + 1]!);
}

describe('scan patterns', () => {
  for (const pattern of SCAN_PATTERNS) {
    for (const count of [1, 7, 50, 137]) {
      it(`${pattern}: ${count} positions of shape (n, 2) in metres`, () => {
        const pos = scanPositions(pattern, count, STEP);
        assert.equal(pos.dtype, 'float64');
        assert.deepEqual(pos.shape, [count, 2]);
        assert.ok(pos.data.every(Number.isFinite));
        // everything within a few steps per sqrt(count): metres, not pixels
        for (let i = 0; i < count; i++) assert.ok(radius(pos, i) < STEP * (1 + Math.sqrt(count)));
      });
    }
  }

  it('round: a centre point, then rings of 6k points k steps out', () => {
    const pos = scanPositions('round', 19, STEP);
    assert.equal(radius(pos, 0), 0);
    for (let i = 1; i <= 6; i++) assert.ok(Math.abs(radius(pos, i) - STEP) < 1e-18);
    for (let i = 7; i < 19; i++) assert.ok(Math.abs(radius(pos, i) - 2 * STEP) < 1e-18);
    const nn = nearest(scanPositions('round', 100, STEP));
    assert.ok(
      Math.min(...nn) > 0.9 * STEP && Math.max(...nn) < 1.05 * STEP,
      `nn ${Math.min(...nn)}`,
    );
  });

  it('raster: a centred grid with pitch step, row by row', () => {
    const pos = scanPositions('raster', 25, STEP);
    const nn = nearest(pos);
    for (const d of nn) assert.ok(Math.abs(d - STEP) < 1e-15);
    let sy = 0;
    let sx = 0;
    for (let i = 0; i < 25; i++) {
      sy += pos.data[2 * i]!;
      sx += pos.data[2 * i + 1]!;
    }
    assert.ok(Math.abs(sy) < 1e-15 && Math.abs(sx) < 1e-15);
    // rows: y constant along a row of 5, x increasing
    assert.equal(pos.data[0], pos.data[8]);
    assert.ok(pos.data[3]! > pos.data[1]!);
    assert.ok(pos.data[10]! > pos.data[0]!);
  });

  it('spiral: radius grows with index, neighbours about one step apart', () => {
    const pos = scanPositions('spiral', 200, STEP);
    for (let i = 1; i < 200; i++) assert.ok(radius(pos, i) > radius(pos, i - 1));
    const nn = nearest(pos).sort((a, b) => a - b);
    const median = nn[100]!;
    assert.ok(median > 0.8 * STEP && median < 1.3 * STEP, `median nn ${median / STEP} steps`);
  });

  it('reports every bad argument in one ParameterError', () => {
    assert.throws(
      () => scanPositions('zigzag' as ScanPattern, 0, -1),
      (e: unknown) =>
        e instanceof ParameterError &&
        e.problems.map((p) => p.path).join() === 'pattern,frames,step',
    );
  });
});
