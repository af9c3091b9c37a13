/**
 * CxiScan and FoldSliceScan on files other programs write (here h5py, in
 * PyNX's and fold_slice's layouts): positions, geometry and mask as the
 * writers meant them, and re-preparation (crop, rebin, orientation).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { h5ready } from '../../src/h5/index.js';
import { isNdArray } from '../../src/py/value.js';
import { CxiScan, createScan, FoldSliceScan } from '../../src/sources/index.js';
import { python, quiet, runToEos, tempDir } from '../helpers/index.js';

const dir = tempDir('exchange-scans');

before(async () => {
  await h5ready();
});

/** A CXI file the way PyNX's save_ptycho_data_cxi lays it out: (3, N) float32 positions, energy in J, no units on the positions. */
function pynxStyleCxi(): string {
  const file = join(dir, 'pynx.cxi');
  python(
    `import h5py, numpy as np, sys
f = h5py.File(sys.argv[1], 'w')
f['cxi_version'] = 140
n = 5
iobs = np.arange(n * 16 * 16, dtype='float32').reshape(n, 16, 16)
xyz = np.zeros((3, n), dtype=np.float32)
xyz[0] = np.arange(n) * 1e-6
xyz[1] = -np.arange(n) * 2e-6
f['entry_1/sample_1/geometry_1/translation'] = xyz
d = f.create_group('entry_1/instrument_1/detector_1')
d['data'] = iobs
d['distance'] = 1.5
d['distance'].attrs['units'] = 'm'
d['x_pixel_size'] = 55e-6
d['y_pixel_size'] = 55e-6
mask = np.zeros((16, 16), 'int8')
mask[0, 0] = 1
mask[2, 5] = 4
d['mask'] = mask
f['entry_1/instrument_1/source_1/energy'] = 12384e-10 / 1.5e-10 * 1.60218e-19
f.create_group('entry_1/data_1')
f['entry_1/data_1/data'] = h5py.SoftLink('/entry_1/instrument_1/detector_1/data')
f['entry_1/instrument_1/name'] = 'id16A'`,
    [file],
  );
  return file;
}

describe('CxiScan', () => {
  it("reads PyNX's layout: (3, N) positions, energy in J, soft-linked frames, a mask of flags", () => {
    const file = pynxStyleCxi();
    const scan = new CxiScan({ file }, quiet);
    // The frame shape validate checks against, known before a frame is read.
    assert.deepEqual(scan.frameShape(0), [16, 16]);
    const [pkg] = runToEos(scan, 10, { close: true });
    assert.ok(pkg);
    assert.deepEqual(pkg.chunk.data.shape, [5, 16, 16]);
    assert.equal(pkg.chunk.data.dtype, 'float32');
    assert.equal((pkg.chunk.data.data as Float32Array)[16 * 16 + 3], 16 * 16 + 3);
    assert.ok(isNdArray(pkg.chunk.positions));
    // ptyscan's (y, x) from PyNX's x and y rows (float32 values, read as float64).
    const f32 = (v: number) => Math.fround(v);
    assert.deepEqual(
      Array.from(pkg.chunk.positions.data),
      [0, 1, 2, 3, 4].flatMap((i) => [f32(-i * 2e-6) + 0, f32(i * 1e-6)]),
    );
    const weights = Array.from(pkg.chunk.weights.data as ArrayLike<number>).slice(0, 256);
    assert.equal(weights.filter((w) => w === 0).length, 2, 'both flagged pixels masked');
    assert.equal(weights[0], 0);
    assert.equal(weights[2 * 16 + 5], 0);
    assert.ok(Math.abs(Number(scan.meta.energy) - (12.384 / 1.5) * (1.60218 / 1.602176634)) < 1e-9);
    assert.ok(isNdArray(scan.meta.psize));
    assert.deepEqual(Array.from(scan.meta.psize.data as Float64Array), [55e-6, 55e-6]);
    assert.equal(scan.meta.distance, 1.5);
  });

  it('prepares again: a crop and a rebin of the file, its pixel size doubled', async () => {
    const file = pynxStyleCxi();
    const scan = await createScan(
      { name: 'CxiScan', file, shape: 8n, rebin: 2n, center: [8, 8] },
      quiet,
    );
    const [pkg] = runToEos(scan, 10, { close: true });
    assert.ok(pkg);
    assert.deepEqual(pkg.chunk.data.shape, [5, 4, 4]);
    assert.ok(isNdArray(scan.meta.psize));
    assert.deepEqual(Array.from(scan.meta.psize.data as Float64Array), [110e-6, 110e-6]);
  });
});

describe('FoldSliceScan', () => {
  it('reads /dp and /ppX, /ppY; frames MATLAB wrote come back with orientation 4 (transpose)', () => {
    const folder = join(dir, 'matlab', '1');
    mkdirSync(folder, { recursive: true });
    const file = join(folder, 'data_roi0_dp.hdf5');
    // MATLAB's h5write of dp(y, x, n) shows in C order as (n, x, y).
    python(
      `import h5py, numpy as np, sys
dp_yx = np.arange(3 * 5 * 5, dtype='float64').reshape(3, 5, 5)
h5py.File(sys.argv[1], 'w')['dp'] = np.transpose(dp_yx, (0, 2, 1))
p = h5py.File(sys.argv[2], 'w')
p['ppX'] = np.array([1e-6, 2e-6, 3e-6])
p['ppY'] = np.array([-1e-6, -2e-6, -3e-6])`,
      [file, join(folder, 'data_roi0_para.hdf5')],
    );
    const scan = new FoldSliceScan({ file, orientation: 4n }, quiet);
    assert.deepEqual(scan.frameShape(0), [5, 5]);
    const [pkg] = runToEos(scan, 10, { close: true });
    assert.ok(pkg);
    assert.deepEqual(pkg.chunk.data.shape, [3, 5, 5]);
    assert.deepEqual(
      Array.from(pkg.chunk.data.data as Float64Array),
      Array.from({ length: 75 }, (_, i) => i),
    );
    assert.ok(isNdArray(pkg.chunk.positions));
    assert.deepEqual(Array.from(pkg.chunk.positions.data), [-1e-6, 1e-6, -2e-6, 2e-6, -3e-6, 3e-6]);
    assert.deepEqual(scan.paramOrigins(), {});
  });
});
