import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParameterError } from '../../src/errors.js';
import { samplePixelSize, wavelength } from '../../src/sim/geometry.js';
import {
  DEFAULT_SIMULATION,
  type SimulationOptions,
  simulateFrames,
  simulateScan,
} from '../../src/sim/simulate.js';

const SMALL: SimulationOptions = { ...DEFAULT_SIMULATION, frames: 24, shape: 32, photons: 1e5 };

function frameTotals(data: Int32Array, count: number): number[] {
  const size = data.length / count;
  return Array.from({ length: count }, (_, k) => {
    let t = 0;
    for (let i = k * size; i < (k + 1) * size; i++) t += data[i]!;
    return t;
  });
}

/** Sum of absolute differences between horizontal neighbours of the mean frame. */
function roughness(data: Int32Array, count: number, n: number): number {
  let tv = 0;
  for (let k = 0; k < count; k++) {
    for (let y = 0; y < n; y++) {
      for (let x = 1; x < n; x++) {
        const i = k * n * n + y * n + x;
        tv += Math.abs(data[i]! - data[i - 1]!);
      }
    }
  }
  return tv;
}

describe('geometry', () => {
  it('follows lambda = 1.23984193e-9 / E and dx = lambda z / (N psize)', () => {
    assert.equal(wavelength(1), 1.23984193e-9);
    assert.ok(Math.abs(wavelength(7.2) - 1.722002680555e-10) < 1e-21);
    const dx = samplePixelSize(7.2, 7.19, 128, 172e-6);
    assert.ok(Math.abs(dx - (1.23984193e-9 / 7.2) * (7.19 / (128 * 172e-6))) < 1e-22);
  });
});

describe('simulateScan', () => {
  const sim = simulateScan(SMALL);

  it('returns int32 frames, float64 positions and the geometry', () => {
    assert.equal(sim.frames.dtype, 'int32');
    assert.deepEqual(sim.frames.shape, [24, 32, 32]);
    assert.equal(sim.positions.dtype, 'float64');
    assert.deepEqual(sim.positions.shape, [24, 2]);
    assert.equal(sim.meta.energy, 7.2);
    assert.equal(sim.meta.distance, 7.19);
    assert.equal(sim.meta.psize, 172e-6);
    assert.equal(sim.meta.resolution, samplePixelSize(7.2, 7.19, 32, 172e-6));
    assert.ok(sim.frames.data.every((v) => v >= 0));
  });

  it('gives each frame the requested photon count on average (Poisson totals)', () => {
    const totals = frameTotals(sim.frames.data, 24);
    const mean = totals.reduce((a, b) => a + b) / totals.length;
    // A frame total is Poisson(1e5): sd 316, so the mean of 24 has sd ~65.
    assert.ok(Math.abs(mean - 1e5) < 0.01 * 1e5, `mean ${mean}`);
    for (const t of totals) assert.ok(Math.abs(t - 1e5) < 6 * Math.sqrt(1e5), `total ${t}`);
    // Not all equal: there is noise.
    assert.ok(new Set(totals).size > 1);
  });

  it('has its brightest pixels in the central disc of the focused probe', () => {
    const n = 32;
    const sum = new Float64Array(n * n);
    for (let i = 0; i < sim.frames.data.length; i++) {
      sum[i % (n * n)] = sum[i % (n * n)]! + sim.frames.data[i]!;
    }
    let best = 0;
    for (let i = 1; i < n * n; i++) if (sum[i]! > sum[best]!) best = i;
    const y = Math.floor(best / n);
    const x = best % n;
    assert.ok(Math.hypot(y - n / 2, x - n / 2) <= n / 8 + 1, `peak at ${y},${x}`);
    // The disc holds most of the photons.
    let inside = 0;
    let total = 0;
    for (let i = 0; i < n * n; i++) {
      total += sum[i]!;
      if (Math.hypot(Math.floor(i / n) - n / 2, (i % n) - n / 2) <= n / 8 + 1) inside += sum[i]!;
    }
    assert.ok(inside / total > 0.5, `disc fraction ${inside / total}`);
  });

  it('is deterministic for a seed and changes with the seed', () => {
    const again = simulateScan(SMALL);
    assert.deepEqual(again.frames.data, sim.frames.data);
    assert.deepEqual(again.positions.data, sim.positions.data);
    const other = simulateScan({ ...SMALL, seed: 1 });
    assert.notDeepEqual(other.frames.data, sim.frames.data);
  });

  it('yields the same frames one at a time with simulateFrames', () => {
    const n = 32;
    let count = 0;
    for (const f of simulateFrames(SMALL)) {
      assert.deepEqual(f.data.shape, [n, n]);
      assert.deepEqual(
        f.data.data,
        sim.frames.data.subarray(f.index * n * n, (f.index + 1) * n * n),
      );
      assert.deepEqual(f.position, [
        sim.positions.data[2 * f.index],
        sim.positions.data[2 * f.index + 1],
      ]);
      count++;
    }
    assert.equal(count, 24);
  });

  it('uses the given step and pattern', () => {
    const raster = simulateScan({ ...SMALL, frames: 4, pattern: 'raster', step: 2e-7 });
    assert.deepEqual(
      [...raster.positions.data],
      [-1e-7, -1e-7, -1e-7, 1e-7, 1e-7, -1e-7, 1e-7, 1e-7],
    );
    assert.equal(raster.meta.step, 2e-7);
  });

  it('blurs the detector image when asked, keeping the photon count', () => {
    const sharp = simulateScan({ ...SMALL, frames: 4, photons: 1e9 });
    const blurred = simulateScan({ ...SMALL, frames: 4, photons: 1e9, blur: 1.5 });
    assert.ok(roughness(blurred.frames.data, 4, 32) < 0.8 * roughness(sharp.frames.data, 4, 32));
    for (const t of frameTotals(blurred.frames.data, 4)) assert.ok(Math.abs(t / 1e9 - 1) < 1e-3);
  });

  it('validates every option up front with one ParameterError', () => {
    const bad = {
      ...SMALL,
      frames: 0,
      energy: -1,
      pattern: 'zigzag',
      blur: -2,
    } as unknown as SimulationOptions;
    assert.throws(
      () => simulateFrames(bad),
      (e: unknown) =>
        e instanceof ParameterError &&
        e.problems.map((p) => p.path).join() === 'frames,energy,pattern,blur' &&
        /frames: expected a positive integer, found 0/.test(e.message),
    );
    assert.throws(() => simulateScan({ ...SMALL, shape: 31.5 }), ParameterError);
  });
});
