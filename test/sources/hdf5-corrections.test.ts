import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readNpy } from '../../src/npy/index.js';
import { PyTuple } from '../../src/py/value.js';
import type { ScanParams } from '../../src/scan/pty-scan.js';
import type { DataPackage } from '../../src/scan/types.js';
import { python } from '../helpers/python.js';
import { fixture, fixtureFolder, loader, run, values } from './hdf5-fixtures.js';

// The corrections as the README of the Hdf5Loader corpus states them, computed
// by numpy itself on the same files: the loader must give the same arrays,
// dtypes included, bit for bit.
const NUMPY = `
import sys, numpy as np, h5py
d = sys.argv[1]
f = h5py.File(d + '/l2.h5', 'r')
w = (slice(2, 14), slice(4, 16))          # shape 12 around the fftshift centre (8, 10) of 16 x 20
def stats(a):
    return a.mean(), a.std()
def dark(raw, dk):
    out = raw - dk
    out[raw < dk] = 0
    return out
def norm(x, v, mean, std, sigma):
    if np.abs(v - mean) < sigma * std:
        x[:] = x / v * mean
    return x
def save(name, frames, weights):
    np.save(d + '/' + name + '_data.npy', np.array(frames)); np.save(d + '/' + name + '_weights.npy', np.array(weights))
raw = lambda key, k: f[key][k][w]
ones = lambda x: np.ones_like(x, dtype=int)
# uint16 frames minus a uint16 dark: never wraps
save('u16_dark', [dark(raw('entry/data_u16', k), f['entry/dark_u16'][w]) for k in range(10)],
     [ones(raw('entry/data_u16', k)) for k in range(10)])
# int32 frames, (1, H, W) int16 dark, float32 flat (truncated back into int32), float64 I0 with sigma 1
i0 = f['entry/i0'][()]; m, s = stats(i0)
out = []
for k in range(10):
    x = dark(raw('entry/data', k), f['entry/dark_1hw'][0][w])
    x[:] = x / f['entry/flat_f32'][w]
    out.append(norm(x, f['entry/i0'][k], m, s, 1))
save('i32_dark_flat_norm', out, [f['entry/mask'][w] for k in range(10)])
# float32 frames normalised by a float32 I0 (float32 arithmetic throughout); bool mask inverted -> int64
i0 = f['entry/i0_f32'][()]; m, s = stats(i0)
save('f32_norm', [norm(raw('entry/data_f32', k), f['entry/i0_f32'][k], m, s, 3) for k in range(10)],
     [1 - f['entry/mask_bool'][w] for k in range(10)])
# int32 frames minus a float64 dark: float64; the weights a bool mask laid out like the data
save('f64_dark_mask_like', [dark(raw('entry/data', k), f['entry/dark_f64'][w]) for k in range(10)],
     [f['entry/mask_like'][k][w] for k in range(10)])
`;

const at = fixtureFolder((dir) => python(NUMPY, [dir]));

function one(params: ScanParams): DataPackage {
  const chunks = run(loader(fixture(at('l2.h5'), { shape: 12n, ...params })), 10);
  assert.equal(chunks.length, 1);
  return chunks[0]!;
}

function same(pkg: DataPackage, name: string): void {
  const data = readNpy(at(`${name}_data.npy`));
  const weights = readNpy(at(`${name}_weights.npy`));
  assert.equal(pkg.chunk.data.dtype, data.dtype, `${name}: data dtype`);
  assert.equal(pkg.chunk.weights.dtype, weights.dtype, `${name}: weights dtype`);
  const found = values(pkg.chunk.data);
  const want = values(data);
  const k = found.findIndex((v, i) => !Object.is(v, want[i]));
  assert.equal(k, -1, `${name}: data[flat ${k}] is ${found[k]}, numpy gives ${want[k]}`);
  assert.deepEqual(values(pkg.chunk.weights), values(weights), `${name}: weights`);
}

describe('Hdf5Loader corrections, compared with numpy on the same files', () => {
  const with_ = (key: string) => ({ file: at('l2.h5'), key });

  it('uint16 frames minus a uint16 dark: pixels below the dark become 0 (no wrap), uint16 kept', () => {
    same(
      one({ intensities: with_('entry/data_u16'), darkfield: with_('entry/dark_u16') }),
      'u16_dark',
    );
  });

  it('int32 frames, a (1, H, W) int16 dark, a float32 flat truncated back into int32, an I0 with sigma 1 (outliers kept unnormalised)', () => {
    const pkg = one({
      darkfield: with_('entry/dark_1hw'),
      flatfield: with_('entry/flat_f32'),
      normalisation: { ...with_('entry/i0'), sigma: 1n },
      mask: with_('entry/mask'),
    });
    same(pkg, 'i32_dark_flat_norm');
  });

  it('float32 frames normalised by a float32 I0 in float32 arithmetic; an inverted bool mask becomes int64 weights', () => {
    same(
      one({
        intensities: with_('entry/data_f32'),
        normalisation: with_('entry/i0_f32'),
        mask: { ...with_('entry/mask_bool'), invert: true },
      }),
      'f32_norm',
    );
  });

  it('int32 frames minus a float64 dark give float64; a mask laid out like the frames is each frame own weights', () => {
    same(
      one({ darkfield: with_('entry/dark_f64'), mask: with_('entry/mask_like') }),
      'f64_dark_mask_like',
    );
  });

  it('a constant normalisation has std 0 and is never applied', () => {
    const plain = one({});
    const constant = one({ normalisation: with_('entry/i0_const') });
    assert.deepEqual(values(constant.chunk.data), values(plain.chunk.data));
  });
});

describe('Hdf5Loader recorded values and meta', () => {
  const with_ = (key: string) => ({ file: at('l2.h5'), key });

  it('energy value * multiplier + offset, distance and pixel size * multiplier; psize reaches meta with the first chunk', () => {
    const scan = loader(
      fixture(at('l2.h5'), {
        shape: 12n,
        psize: 1e-4,
        recorded_energy: { ...with_('entry/energy_ev'), multiplier: 1e-3, offset: -0.0125 },
        recorded_distance: { ...with_('entry/distance_mm'), multiplier: 1e-3 },
        recorded_psize: { ...with_('entry/psize_um'), multiplier: 1e-6 },
      }),
    );
    scan.initialize();
    // float32 values are widened exactly: 8700.0f * 0.001 - 0.0125.
    assert.equal(scan.meta.energy, 8700 * 1e-3 - 0.0125);
    assert.equal(scan.meta.distance, Math.fround(1503.7) * 1e-3);
    assert.equal(scan.meta.psize, 1e-4, 'meta keeps the psize parameter until the first chunk');
    assert.equal(scan.info.psize, 55 * 1e-6);
    assert.equal(scan.info.energy, 7.2, 'info keeps the energy parameter');
    const msg = scan.auto(10);
    assert.equal(msg.msg, 'data');
    assert.deepEqual(values(scan.meta.psize as never), [55 * 1e-6, 55 * 1e-6]);
    scan.close();
  });

  it('electron_data: meta energy becomes the photon energy of the electrons wavelength (300 keV -> 630.1668456975675)', () => {
    const scan = loader(fixture(at('l2.h5'), { energy: 300.0, electron_data: true }));
    scan.initialize();
    assert.equal(scan.meta.energy, 630.1668456975675);
    assert.equal(scan.info.energy, 300.0);
    scan.close();
  });

  it('a spectro scan (energy with several values) reads data, positions and energy at outer_index', () => {
    const spectro = at('spectro.h5');
    const scan = loader(
      fixture(spectro, {
        outer_index: 1n,
        shape: new PyTuple([12n, 12n]),
        recorded_energy: { file: spectro, key: 'entry/energy' },
      }),
    );
    assert.equal(scan.plan.recorded.outerIndex, 1);
    const recs = run(scan, 10).flatMap((c) => c.iterable);
    assert.equal(recs.length, 6);
    assert.deepEqual(scan.sourceIndex(2), [1, 2]);
    assert.equal(scan.meta.energy, 7.3);
    const first = loader(
      fixture(spectro, { recorded_energy: { file: spectro, key: 'entry/energy' } }),
    );
    assert.equal(first.plan.recorded.outerIndex, 0, 'outer_index defaults to 0');
  });
});
