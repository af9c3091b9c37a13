import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { readNpy } from '../../src/npy/npy.js';
import type { DataPackage } from '../../src/scan/index.js';
import { rawFrameName, writeRawFolder } from '../../src/sim/raw-folder.js';
import { DEFAULT_SIMULATION, simulateScan } from '../../src/sim/simulate.js';
import { NumpyScan } from '../../src/sources/index.js';
import { quiet, runToEos, tempDir } from '../helpers/index.js';

const root = tempDir('scratch');

before(async () => {
  const sim = simulateScan({ ...DEFAULT_SIMULATION, frames: 23, shape: 32, seed: 5 });
  await writeRawFolder(root, sim);
});

/** Every package of a scan, kept until the end. */
function allPackages(pars: Record<string, bigint | null>): DataPackage[] {
  const scan = new NumpyScan({ base_path: root, ...pars }, quiet);
  return runToEos(scan, 10, { close: true, wait: 'skip' });
}

it('NumpyScan reuses its raw stack, yet every package kept by the caller stays intact', () => {
  // No crop, orientation or rebin: the prepared frames are the raw frames, so they must be copied out.
  const kept = allPackages({ shape: null, orientation: null });
  assert.deepEqual(
    kept.map((p) => p.chunk.indices.length),
    [10, 10, 3],
  );
  for (const pkg of kept) {
    pkg.chunk.indices.forEach((index, k) => {
      const frame = readNpy(join(root, rawFrameName(index))).data as Int32Array;
      const size = frame.length;
      assert.deepEqual(pkg.chunk.data.data.subarray(k * size, (k + 1) * size), frame);
    });
  }
  const buffers = new Set(kept.map((p) => p.chunk.data.data.buffer));
  assert.equal(buffers.size, kept.length);
});

it('with cropping, kept packages hold their own frames too', () => {
  const cropped = allPackages({ shape: 16n, orientation: 3n });
  const again = allPackages({ shape: 16n, orientation: 3n });
  assert.equal(cropped.length, 3);
  cropped.forEach((p, i) => {
    assert.deepEqual(p.chunk.data, again[i]!.chunk.data);
  });
  assert.notDeepEqual(
    cropped[0]!.chunk.data.data.slice(0, 256),
    cropped[1]!.chunk.data.data.slice(0, 256),
  );
});
