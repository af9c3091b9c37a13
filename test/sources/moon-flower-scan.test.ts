import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParameterError } from '../../src/errors.js';
import type { NdArray } from '../../src/frames/ndarray.js';
import { isNdArray } from '../../src/py/value.js';
import { DEFAULT_SIMULATION, simulateScan } from '../../src/sim/simulate.js';
import { MoonFlowerScan } from '../../src/sources/index.js';
import { quiet, runToEos } from '../helpers/index.js';

describe('MoonFlowerScan', () => {
  it('prepares exactly the frames and positions of simulateScan with the same options', () => {
    const options = {
      ...DEFAULT_SIMULATION,
      frames: 9,
      shape: 32,
      photons: 1e5,
      pattern: 'spiral' as const,
      seed: 7,
      blur: 0.5,
    };
    const sim = simulateScan(options);
    const scan = new MoonFlowerScan(
      { num_frames: 9n, shape: 32n, photons: 1e5, pattern: 'spiral', seed: 7n, blur: 0.5 },
      quiet,
    );
    scan.initialize();
    assert.equal(scan.numFrames, 9);
    const chunks = runToEos(scan, 4, { initialize: false });
    assert.deepEqual(
      chunks.map((c) => c.chunk.indices),
      [[0, 1, 2, 3], [4, 5, 6, 7], [8]],
    );
    const frames = chunks.flatMap((c) => Array.from(c.chunk.data.data as Int32Array));
    assert.deepEqual(frames, Array.from(sim.frames.data));
    const positions = chunks.flatMap((c) => c.iterable.map((r) => Array.from(r.position ?? [])));
    assert.deepEqual(positions.flat(), Array.from(sim.positions.data));
    const center = chunks[0]!.common.center;
    assert.ok(isNdArray(center));
    assert.deepEqual(Array.from(center.data as Float64Array), [16, 16]);
  });

  it('loads an earlier frame again by restarting the simulation (same seed, same frame)', () => {
    const scan = new MoonFlowerScan({ num_frames: 4n, shape: 16n, seed: 2n }, quiet);
    const late = scan.load([2, 3]).data as ReadonlyMap<number, NdArray>;
    const early = scan.load([0, 1, 2]).data as ReadonlyMap<number, NdArray>;
    assert.deepEqual(
      Array.from(early.get(2)!.data as Int32Array),
      Array.from(late.get(2)!.data as Int32Array),
    );
    const sim = simulateScan({ ...DEFAULT_SIMULATION, frames: 4, shape: 16, seed: 2 });
    assert.deepEqual(
      Array.from(early.get(0)!.data as Int32Array),
      Array.from(sim.frames.data.subarray(0, 256)),
    );
    assert.throws(() => scan.load([4]), /simulates 4 frames; frame 4 was asked for/);
  });

  it('bad simulation parameters are ParameterErrors before any frame is made', () => {
    assert.throws(
      () => new MoonFlowerScan({ photons: -1.0, pattern: 'zigzag', blur: -2.0 }, quiet),
      (e: unknown) => e instanceof ParameterError && e.problems.length === 3,
    );
  });
});
