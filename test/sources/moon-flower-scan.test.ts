import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParameterError } from '../../src/errors.js';
import type { NdArray } from '../../src/frames/ndarray.js';
import { isNdArray } from '../../src/py/value.js';
import { DEFAULT_SIMULATION, describeSimulation, simulateScan } from '../../src/sim/simulate.js';
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

  it("takes ptypy's MoonFlowerScan names: density, model, psf, add_poisson_noise, block_wait_count", () => {
    const options = {
      ...DEFAULT_SIMULATION,
      frames: 6,
      shape: 32,
      photons: 1e5,
      pattern: 'raster' as const,
      blur: 0.7,
      noise: false,
    };
    const { meta } = describeSimulation(options);
    // density is the step as a fraction of the frame's field of view (shape x sample pixel).
    const sim = simulateScan({ ...options, step: 0.2 * meta.shape * meta.resolution });
    const scan = new MoonFlowerScan(
      {
        num_frames: 6n,
        shape: 32n,
        photons: 1e5,
        density: 0.2,
        model: 'raster',
        psf: 0.7,
        add_poisson_noise: false,
        block_wait_count: 1n,
      },
      quiet,
    );
    scan.initialize();
    const messages: string[] = [];
    const frames: number[] = [];
    for (let msg = scan.auto(2); msg.msg !== 'EOS'; msg = scan.auto(2)) {
      messages.push(msg.msg);
      if (msg.msg === 'data') frames.push(...Array.from(msg.chunk.data.data as Int32Array));
    }
    // block_wait_count 1: every second check finds nothing, as in ptypy.
    assert.deepEqual(messages, ['data', 'WAIT', 'data', 'WAIT', 'data']);
    assert.deepEqual(frames, Array.from(sim.frames.data));
    // add_poisson_noise False: the expected intensities rounded down, not the noisy counts.
    const noisy = simulateScan({ ...options, noise: true, step: sim.meta.step });
    assert.notDeepEqual(Array.from(noisy.frames.data), frames);
  });

  it('a ptypy name and ours with different values, or step with density, is a ParameterError', () => {
    assert.throws(
      () =>
        new MoonFlowerScan(
          { pattern: 'round', model: 'spiral', blur: 1.0, psf: 1.0, step: 1e-6, density: 0.2 },
          quiet,
        ),
      (e: unknown) =>
        e instanceof ParameterError &&
        e.problems.map((p) => p.path).join(' | ') === 'pattern, model | step, density',
    );
  });

  it('bad simulation parameters are ParameterErrors before any frame is made', () => {
    assert.throws(
      () => new MoonFlowerScan({ photons: -1.0, pattern: 'zigzag', blur: -2.0 }, quiet),
      (e: unknown) => e instanceof ParameterError && e.problems.length === 3,
    );
  });
});
