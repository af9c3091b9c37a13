/**
 * Beamline-style HDF5 files for the Hdf5Loader tests, written by h5py (one
 * folder per test file), and the helpers the tests share.
 */
import { join } from 'node:path';
import { before } from 'node:test';
import type { NdArray } from '../../src/frames/ndarray.js';
import { h5ready } from '../../src/h5/index.js';
import type { PtyScan, ScanParams } from '../../src/scan/pty-scan.js';
import type { DataPackage, FrameRecord } from '../../src/scan/types.js';
import { Hdf5Loader } from '../../src/sources/index.js';
import { capturingLogger, runToEos, tempDir } from '../helpers/index.js';
import { python } from '../helpers/python.js';

/** Frame size of every fixture. */
export const H = 16;
export const W = 20;

/** The raw value of pixel (r, c) of frame k (the same formula as the fixture script's). */
export function pixel(k: number, r: number, c: number): number {
  return (k * 7 + r * 3 + c * 5 + ((r * c) % 11)) % 200;
}

/** Raw frame k's window rows [r0, r1) x columns [c0, c1), in C order. */
export function rawWindow(
  k: number,
  [r0, r1]: [number, number],
  [c0, c1]: [number, number],
): number[] {
  const out: number[] = [];
  for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out.push(pixel(k, r, c));
  return out;
}

/** Slow and fast positions of grid point (s, f) in the fixtures, before multipliers. */
export function slowAt(s: number, f: number): number {
  return 10 * s + 0.25 * f;
}
export function fastAt(s: number, f: number): number {
  return -2 * f + 0.5 * s;
}

const SCRIPT = `
import sys, numpy as np, h5py
H, W = ${H}, ${W}
def frames(n):
    k, r, c = np.meshgrid(np.arange(n), np.arange(H), np.arange(W), indexing='ij')
    return ((k * 7 + r * 3 + c * 5 + (r * c) % 11) % 200).astype(np.int32)
def grid(a, b):
    s, f = np.meshgrid(np.arange(a), np.arange(b), indexing='ij')
    return (10 * s + 0.25 * f), (-2 * f + 0.5 * s)
def gz(f, key, data):
    f.create_dataset(key, data=data, chunks=(1,) * (data.ndim - 2) + data.shape[-2:], compression='gzip')
d = sys.argv[1]
with h5py.File(d + '/l1.h5', 'w') as f:
    gz(f, 'entry/data', frames(12).reshape(3, 4, H, W)); sy, sx = grid(3, 4)
    f['entry/sy'] = sy; f['entry/sx'] = sx; f['entry/i0'] = np.linspace(90, 110, 12).reshape(3, 4)
    f['entry/ff'] = np.array([[1, 1, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]], bool)
with h5py.File(d + '/l2.h5', 'w') as f:
    gz(f, 'entry/data', frames(10)); sy, sx = grid(1, 10)
    f['entry/sy'] = sy[0]; f['entry/sx'] = sx[0]
    f['entry/motors'] = np.stack([sx[0], np.zeros(10), sy[0]], axis=1)
    f['entry/ff'] = np.array([2, 0, 1, 1, 0, 1, 1, 0, 1, 1], np.uint8)
    f['entry/i0'] = np.array([100, 120, 80, 100, 90, 110, 100, 105, 95, 100], np.float64)
    f['entry/i0_const'] = np.ones(10, np.int64)
    f['entry/i0_f32'] = np.linspace(95, 105, 10).astype(np.float32)
    f['entry/mask'] = (np.arange(H * W).reshape(H, W) % 17 != 0).astype(np.uint8)
    f['entry/mask_bool'] = np.arange(H * W).reshape(H, W) % 13 != 0
    f['entry/mask_like'] = (np.arange(10 * H * W).reshape(10, H, W) % 7 != 0)
    flags = np.zeros((H, W), np.uint32); flags[1, 2] = 4; flags[3, 3] = 1; flags[5, 1:4] = 2**31
    f['entry/flags'] = flags
    f['entry/dark_u16'] = (np.arange(H * W).reshape(H, W) % 60).astype(np.uint16)
    f['entry/dark_f64'] = np.arange(H * W).reshape(H, W) % 37 + 0.5
    f['entry/dark_1hw'] = (np.arange(H * W).reshape(1, H, W) % 50).astype(np.int16)
    f['entry/flat_f32'] = (0.8 + (np.arange(H * W).reshape(H, W) % 5) * 0.1).astype(np.float32)
    f['entry/data_u16'] = frames(10).astype(np.uint16)
    f['entry/data_f32'] = (frames(10) * 1.25).astype(np.float32)
    f['entry/data_i64'] = frames(10).astype(np.int64)
    f['entry/energy_ev'] = np.array([8700.0], np.float32)
    f['entry/energies'] = np.array([7.1, 7.12, 7.14])
    f['entry/distance_mm'] = np.float32(1503.7)
    f['entry/psize_um'] = np.array([[55.0]])
    f['entry/title'] = 'not numbers'
with h5py.File(d + '/l3.h5', 'w') as f:
    gz(f, 'entry/data', frames(12)); sy, sx = grid(3, 4)
    f['entry/sy'] = sy; f['entry/sx'] = sx; f['entry/i0'] = np.linspace(90, 110, 12).reshape(3, 4)
    f['entry/ff'] = np.array([[1, 0, 1, 1], [1, 1, 0, 1], [0, 1, 1, 1]], np.int8)
with h5py.File(d + '/l4.h5', 'w') as f:
    gz(f, 'entry/data', frames(12).reshape(3, 4, H, W)); sy, sx = grid(3, 4)
    f['entry/sy'] = sy[:, 0]; f['entry/sx'] = sx[0, :]; f['entry/i0'] = np.linspace(90, 110, 12).reshape(3, 4)
    f['entry/ff'] = np.array([[1, 0, 1, 1], [1, 1, 0, 1], [0, 1, 1, 1]], np.int8)
with h5py.File(d + '/l5.h5', 'w') as f:
    gz(f, 'entry/data', frames(12)); sy, sx = grid(3, 4)
    f['entry/sy'] = sy[:, 0]; f['entry/sx'] = sx[0, :]; f['entry/i0'] = np.linspace(90, 110, 12).reshape(3, 4)
    f['entry/ff'] = np.array([[1, 0, 1, 1], [1, 1, 0, 1], [0, 1, 1, 1]], np.int8)
with h5py.File(d + '/spectro.h5', 'w') as f:
    gz(f, 'entry/data', frames(12).reshape(2, 6, H, W)); sy, sx = grid(2, 6)
    f['entry/sy'] = sy; f['entry/sx'] = sx; f['entry/energy'] = np.array([7.1, 7.3])
with h5py.File(d + '/top.h5', 'w') as f:
    f['entry/data'] = h5py.ExternalLink('l2.h5', 'entry/data')
    f['entry/sy'] = h5py.ExternalLink('l2.h5', 'entry/sy')
    f['entry/sx'] = h5py.ExternalLink('l2.h5', 'entry/sx')
    f['entry/dead'] = h5py.ExternalLink('nothere.h5', 'entry/data')
for name, first, n in (('scan_data_000001.h5', 0, 6), ('scan_data_000002.h5', 6, 4)):
    with h5py.File(d + '/' + name, 'w') as f:
        gz(f, 'entry/data/data', frames(first + n)[first:].astype(np.uint32))
for master, sources in (('scan_master.h5', ('scan_data_000001.h5', 'scan_data_000002.h5')),
                        ('broken_master.h5', ('scan_data_000001.h5', 'scan_data_000009.h5'))):
    with h5py.File(d + '/' + master, 'w') as f:
        layout = h5py.VirtualLayout(shape=(10, H, W), dtype=np.uint32)
        for (lo, hi), src in zip(((0, 6), (6, 10)), sources):
            layout[lo:hi] = h5py.VirtualSource(src, 'entry/data/data', shape=(hi - lo, H, W))
        f.create_virtual_dataset('entry/data/data', layout, fillvalue=0)
        f['entry/data/data_000001'] = h5py.ExternalLink(sources[0], 'entry/data/data')
        f['entry/data/data_000002'] = h5py.ExternalLink(sources[1], 'entry/data/data')
        sy, sx = grid(1, 10); f['entry/sample/y'] = sy[0]; f['entry/sample/x'] = sx[0]
`;

/**
 * The fixture files of one test file: written by h5py into a new folder
 * before its tests (HDF5 made ready too) and removed after them. Returns the
 * path of a file in that folder (`at('')` is the folder). `then` runs on
 * the folder once the files are there.
 */
export function fixtureFolder(then?: (dir: string) => void): (name: string) => string {
  const dir = tempDir('hdf5');
  before(async () => {
    await h5ready();
    python(SCRIPT, [dir]);
    then?.(dir);
  });
  return (name) => join(dir, name);
}

/** Parameters of a fixture file with the standard keys (positions in the same file). */
export function fixture(file: string, extra: ScanParams = {}): ScanParams {
  const { positions, ...rest } = extra;
  return {
    auto_center: false,
    intensities: { file, key: 'entry/data' },
    positions: {
      file,
      slow_key: 'entry/sy',
      fast_key: 'entry/sx',
      slow_multiplier: 1e-6,
      fast_multiplier: 2e-6,
      ...((positions as object | undefined) ?? {}),
    },
    ...rest,
  };
}

/** An Hdf5Loader (or `cls`) on `params`, quiet. */
export function loader(params: ScanParams, cls: typeof Hdf5Loader = Hdf5Loader): Hdf5Loader {
  return new cls(params, { logger: capturingLogger() });
}

/** initialize() and auto(n) until EOS: the data packages. */
export function run(scan: PtyScan, n: number): DataPackage[] {
  return runToEos(scan, n, { close: true });
}

/** Every frame record of a run. */
export function records(chunks: readonly DataPackage[]): FrameRecord[] {
  return chunks.flatMap((c) => c.iterable);
}

/** The elements of an array as numbers. */
export function values(array: NdArray): number[] {
  return Array.from(array.data as ArrayLike<number | bigint>, Number);
}

/** The weights of frame `k` of a chunk, as numbers. */
export function weightsOf(pkg: DataPackage, k: number): number[] {
  const [, h = 0, w = 0] = pkg.chunk.weights.shape;
  return values(pkg.chunk.weights).slice(k * h * w, (k + 1) * h * w);
}
