import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  FileFormatError,
  FrameError,
  H5Error,
  MissingDataError,
  ParameterError,
} from '../../src/errors.js';
import { type DType, TYPED_ARRAY, type TypedArrayFor } from '../../src/frames/dtype.js';
import { type FrameStack, type NdArray, ndarray } from '../../src/frames/ndarray.js';
import { type H5ArrayOptions, H5File, h5ready } from '../../src/h5/index.js';
import type { DataPackage } from '../../src/scan/index.js';
import type { ScanParams } from '../../src/scan/pty-scan.js';
import { Hdf5Loader } from '../../src/sources/hdf5-loader.js';
import { createScan, getParams, getSource } from '../../src/sources/index.js';
import { quiet, runToEos, tempDir } from '../helpers/index.js';
import { decodeBitshuffleChunks } from './bitshuffle-lz4.js';

const root = tempDir('hdf5-loader');

const H = 40;
const W = 48;
const N = 10;
const GZIP: H5ArrayOptions = { compression: { kind: 'gzip', level: 4 }, chunks: [1, H, W] };

/** A deterministic, compressible test pattern: frame f, pixel (r, c). */
function pixel(f: number, r: number, c: number): number {
  return (f * 7 + r * 3 + c * 5 + ((r * c) % 11)) % 200;
}

function stack<D extends DType>(dtype: D, n: number, h = H, w = W, first = 0): FrameStack<D> {
  const data = new TYPED_ARRAY[dtype](n * h * w) as TypedArrayFor[D];
  for (let f = 0; f < n; f++) {
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const v = pixel(first + f, r, c);
        (data as unknown as { [i: number]: number | bigint })[f * h * w + r * w + c] =
          dtype.endsWith('64') && dtype.includes('int') ? BigInt(v) : v;
      }
    }
  }
  return ndarray(dtype, [n, h, w], data);
}

function f64(shape: number[], values: number[]): NdArray<'float64'> {
  return ndarray('float64', shape, Float64Array.from(values));
}

/** Raw frame f cropped to rows [top, top+size) x cols [left, left+size). */
function rawCrop(f: number, top: number, left: number, size: number): number[] {
  const out: number[] = [];
  for (let r = top; r < top + size; r++) {
    for (let c = left; c < left + size; c++) out.push(pixel(f, r, c));
  }
  return out;
}

function values(frame: NdArray): number[] {
  return Array.from(frame.data as ArrayLike<number>, Number);
}

function assertClose(found: number[], want: number[], what: string): void {
  assert.equal(found.length, want.length, what);
  const worst = Math.max(...found.map((v, i) => Math.abs(v - want[i]!)));
  assert.ok(worst < 1e-9, `${what}: differs by ${worst}`);
}

/** Runs initialize() and auto(n) until EOS. */
function run(scan: Hdf5Loader, n: number): DataPackage[] {
  return runToEos(scan, n);
}

function records(chunks: DataPackage[]) {
  return chunks.flatMap((c) => c.iterable);
}

let main: string; // 3-D gzip frames with every auxiliary dataset
let grid: string; // 4-D (3, 4, H, W)
let lzf: string;
let bslz4: string;
let master: string; // Eiger-style master with two external data files
const SY = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => 1.5 * i);
const SX = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => -2 * i + 0.25);
const I0 = [100, 120, 80, 100, 90, 110, 100, 105, 95, 100];
const FILTER = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1];
const dark = Array.from({ length: H * W }, (_, i) => (i % 3) + 0.5);
const flat = Array.from({ length: H * W }, (_, i) => (i === 5 ? 0 : 1 + (i % 4) * 0.25));
const mask = Array.from({ length: H * W }, (_, i) => (i % 17 === 0 ? 0 : 1));

before(async () => {
  await h5ready();
  main = join(root, 'main.h5');
  let f = H5File.open(main, 'w');
  f.writeArray('/entry/data/data', stack('int32', N), GZIP);
  f.writeArray('/entry/sy', f64([N], SY));
  f.writeArray('/entry/sx', f64([N], SX));
  f.writeArray('/entry/mask', ndarray('uint8', [H, W], Uint8Array.from(mask)));
  f.writeArray('/entry/mask_small', ndarray('uint8', [H, W - 1], new Uint8Array(H * (W - 1))));
  f.writeArray(
    '/entry/dark',
    f64([2, H, W], [...dark.map((d) => d - 1), ...dark.map((d) => d + 1)]),
  );
  f.writeArray('/entry/flat', f64([H, W], flat));
  f.writeArray('/entry/I0', f64([N], I0));
  f.writeArray('/entry/filter', ndarray('int8', [N], Int8Array.from(FILTER)));
  f.writeScalar('/entry/energy_ev', 8000);
  f.writeScalar('/entry/distance_mm', 5000);
  f.writeArray('/entry/psize_um', f64([1], [75]));
  f.writeArray('/entry/i64', stack('int64', 3), { chunks: [1, H, W] });
  f.writeString('/entry/title', 'not numbers');
  f.close();

  grid = join(root, 'grid.h5');
  f = H5File.open(grid, 'w');
  f.writeArray('/data', ndarray('uint16', [3, 4, H, W], stack('uint16', 12).data), {
    compression: { kind: 'gzip', level: 1 },
    chunks: [1, 1, H, W],
  });
  f.writeArray('/y', f64([3], [10, 20, 30]));
  f.writeArray('/x', f64([4], [1, 2, 3, 4]));
  f.writeArray('/y2d', f64([3, 4], [10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30]));
  f.writeArray('/x2d', f64([3, 4], [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]));
  f.writeArray('/y5', f64([5], [1, 2, 3, 4, 5]));
  f.close();

  lzf = join(root, 'lzf.h5');
  f = H5File.open(lzf, 'w');
  f.writeArray('/data', stack('int32', 6, 64, 64), {
    compression: { kind: 'lzf' },
    chunks: [1, 64, 64],
  });
  f.close();

  bslz4 = join(root, 'bslz4.h5');
  f = H5File.open(bslz4, 'w');
  // bitshuffle's own options: block size 0 (automatic), compression 2 (LZ4).
  f.writeArray('/entry/data/data', stack('uint32', 6, 64, 64), {
    filter: { id: 32008, cdValues: [0, 2] },
    chunks: [1, 64, 64],
  });
  f.close();

  const eiger = join(root, 'eiger');
  master = join(eiger, 'scan_master.h5');
  const parts: [string, number, number][] = [
    ['scan_data_000001.h5', 0, 4],
    ['scan_data_000002.h5', 4, 3],
  ];
  for (const [name, first, n] of parts) {
    mkdirSync(eiger, { recursive: true });
    const df = H5File.open(join(eiger, name), 'w');
    df.writeArray('/entry/data/data', stack('uint16', n, H, W, first), {
      filter: { id: 32008, cdValues: [0, 2] },
      chunks: [1, H, W],
    });
    df.close();
  }
  f = H5File.open(master, 'w');
  f.createExternalLink('/entry/data/data_000001', 'scan_data_000001.h5', '/entry/data/data');
  f.createExternalLink('/entry/data/data_000002', 'scan_data_000002.h5', '/entry/data/data');
  f.writeScalar('/entry/instrument/detector/x_pixel_size', 75e-6);
  f.close();
});

function loader(pars: ScanParams): Hdf5Loader {
  return new Hdf5Loader({ shape: 32n, ...pars }, quiet);
}

const FRAMES = { file: '', key: '/entry/data/data' };

describe('Hdf5Loader: frames', () => {
  it('3-D gzip frames through initialize + auto equal a direct crop of the raw frames, with positions', () => {
    const h5 = H5File.open(main);
    const entry = h5.entry('/entry/data/data');
    h5.close();
    assert.ok(entry.kind === 'dataset' && entry.filters.some((x) => x.id === 1), 'gzip on disk');
    const scan = loader({
      intensities: { ...FRAMES, file: main },
      positions: {
        slow_key: '/entry/sy',
        fast_key: '/entry/sx',
        slow_multiplier: 1e-6,
        fast_multiplier: 2e-6,
      },
    });
    const chunks = run(scan, 4);
    assert.deepEqual(
      chunks.map((c) => c.chunk.indices),
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
      ],
    );
    assert.equal(scan.numFrames, N);
    // fftshift centre of 40 x 48 is (20, 24): a 32 px ROI starts at (4, 8).
    for (const rec of records(chunks)) {
      assert.equal(rec.data.dtype, 'int32');
      assert.deepEqual(values(rec.data), rawCrop(rec.index, 4, 8, 32), `frame ${rec.index}`);
      assert.deepEqual(Array.from(rec.position ?? []), [
        SY[rec.index]! * 1e-6,
        SX[rec.index]! * 2e-6,
      ]);
      assert.ok(
        values(rec.mask).every((m) => m === 1),
        'no mask given: every pixel valid',
      );
    }
    scan.close();
  });

  it('reads frames chunk by chunk in hyperslabs, never the whole dataset', () => {
    const blocks: number[][] = [];
    const whole: string[] = [];
    const proto = H5File.prototype;
    const readBlock = proto.readBlock;
    const readDataset = proto.readDataset;
    proto.readBlock = function (this: H5File, path, start, count) {
      blocks.push([...count]);
      return readBlock.call(this, path, start, count);
    };
    proto.readDataset = function (this: H5File, path, slice) {
      if (path === '/entry/data/data') whole.push(path);
      return readDataset.call(this, path, slice);
    };
    try {
      run(loader({ intensities: { ...FRAMES, file: main } }), 3);
    } finally {
      proto.readBlock = readBlock;
      proto.readDataset = readDataset;
    }
    assert.deepEqual(whole, []);
    assert.deepEqual(blocks, [[3], [3], [3], [1]]);
  });

  it('without positions or num_frames the scan has the stored frame count and ends with EOS', () => {
    const scan = loader({ intensities: { ...FRAMES, file: main } });
    const chunks = run(scan, 100);
    assert.equal(scan.numFrames, N);
    assert.equal(scan.meta.num_frames, BigInt(N));
    assert.equal(chunks.length, 1);
    assert.deepEqual(chunks[0]?.chunk.positions, new Array(N).fill(null));
    assert.equal(scan.auto(5).msg, 'EOS');
  });

  it('num_frames smaller than the dataset stops there', () => {
    const scan = loader({ intensities: { ...FRAMES, file: main }, num_frames: 6n });
    assert.equal(records(run(scan, 4)).length, 6);
  });

  it('int64 frames come out as float64', () => {
    const scan = loader({ intensities: { file: main, key: '/entry/i64' } });
    const recs = records(run(scan, 2));
    assert.equal(recs.length, 3);
    assert.equal(recs[0]?.data.dtype, 'float64');
    assert.deepEqual(values(recs[2]!.data), rawCrop(2, 4, 8, 32));
  });

  it('4-D (A, B, H, W) frames in C order; 1-D slow (A) and fast (B) axes make the A x B grid', () => {
    const scan = loader({
      intensities: { file: grid, key: '/data' },
      positions: { slow_key: '/y', fast_key: '/x', slow_multiplier: 1e-6, fast_multiplier: 1e-7 },
    });
    const chunks = run(scan, 5);
    assert.deepEqual(
      chunks.map((c) => c.chunk.indices.length),
      [5, 5, 2],
    );
    const recs = records(chunks);
    assert.equal(recs.length, 12);
    for (const rec of recs) {
      const a = Math.floor(rec.index / 4);
      const b = rec.index % 4;
      assert.equal(rec.data.dtype, 'uint16');
      assert.deepEqual(values(rec.data), rawCrop(rec.index, 4, 8, 32), `frame ${rec.index}`);
      const [y = 0, x = 0] = rec.position ?? [];
      assert.ok(
        Math.abs(y - [10, 20, 30][a]! * 1e-6) < 1e-18 && Math.abs(x - (b + 1) * 1e-7) < 1e-18,
      );
    }
  });

  it('4-D frames with (A, B) position arrays give the same positions as the 1-D axes', () => {
    const positions = (slow_key: string, fast_key: string) => {
      const scan = loader({
        intensities: { file: grid, key: '/data' },
        positions: { slow_key, fast_key },
      });
      scan.initialize();
      return Array.from(scan.positionsScan?.data ?? []);
    };
    const axes = positions('/y', '/x');
    assert.equal(axes.length, 24);
    assert.deepEqual(positions('/y2d', '/x2d'), axes);
    assert.deepEqual(axes.slice(0, 10), [10, 1, 10, 2, 10, 3, 10, 4, 20, 1]);
  });

  it('LZF frames', () => {
    const h5 = H5File.open(lzf);
    const entry = h5.entry('/data');
    h5.close();
    assert.ok(entry.kind === 'dataset' && entry.filters.some((x) => x.id === 32000), 'LZF on disk');
    const recs = records(run(loader({ intensities: { file: lzf, key: '/data' } }), 4));
    assert.equal(recs.length, 6);
    // fftshift centre of 64 x 64 is (32, 32): a 32 px ROI starts at 16.
    for (const rec of recs) assert.deepEqual(values(rec.data), rawCrop(rec.index, 16, 16, 32));
  });

  it('bitshuffle-LZ4 frames (filter 32008 written through h5wasm-plugins)', () => {
    const h5 = H5File.open(bslz4);
    const entry = h5.entry('/entry/data/data');
    h5.close();
    assert.ok(entry.kind === 'dataset');
    const bshuf = entry.filters.find((x) => x.id === 32008);
    assert.ok(bshuf, 'bitshuffle filter on disk');
    assert.equal(bshuf.cdValues[2], 4, 'element size 4 (uint32)');
    assert.equal(bshuf.cdValues[4], 2, 'LZ4 compression');
    assert.ok(statSync(bslz4).size < (6 * 64 * 64 * 4) / 2, 'the chunks are compressed');
    // An independent decoder of the format finds the six frames in the file's bytes.
    const decoded = decodeBitshuffleChunks(new Uint8Array(readFileSync(bslz4)), 64 * 64 * 4, 4);
    const frames = stack('uint32', 6, 64, 64).data;
    assert.equal(decoded.length, 6);
    decoded.forEach((chunk, f) => {
      assert.deepEqual(
        new Uint32Array(chunk.buffer),
        frames.subarray(f * 4096, (f + 1) * 4096),
        `chunk ${f}`,
      );
    });
    const recs = records(run(loader({ intensities: { file: bslz4, key: '/entry/data/data' } }), 4));
    assert.equal(recs.length, 6);
    for (const rec of recs) {
      assert.equal(rec.data.dtype, 'uint32');
      assert.deepEqual(values(rec.data), rawCrop(rec.index, 16, 16, 32));
    }
  });

  it('an Eiger-style master: the data group concatenates the externally linked stacks in name order', () => {
    const h5 = H5File.open(master);
    assert.equal(h5.entry('/entry/data/data_000001').kind, 'external-link');
    h5.close();
    const recs = records(run(loader({ intensities: { file: master, key: '/entry/data' } }), 3));
    assert.deepEqual(
      recs.map((r) => r.index),
      [0, 1, 2, 3, 4, 5, 6],
    );
    // Chunk [3, 4, 5] spans both data files.
    for (const rec of recs) assert.deepEqual(values(rec.data), rawCrop(rec.index, 4, 8, 32));
  });

  it('a key pointing through one external link reads that data file', () => {
    const recs = records(
      run(loader({ intensities: { file: master, key: '/entry/data/data_000002' } }), 5),
    );
    assert.equal(recs.length, 3);
    recs.forEach((rec, k) => {
      assert.deepEqual(values(rec.data), rawCrop(4 + k, 4, 8, 32));
    });
  });
});

describe('Hdf5Loader: mask, corrections, filter, recorded values', () => {
  const base = () => ({ intensities: { ...FRAMES, file: main } });

  it('mask: nonzero is good; mask.invert makes nonzero bad', () => {
    const plain = loader({ ...base(), mask: { key: '/entry/mask' } });
    assert.deepEqual(values(plain.loadWeight()!), mask);
    const inverted = loader({ ...base(), mask: { key: '/entry/mask', invert: true } });
    assert.deepEqual(
      values(inverted.loadWeight()!),
      mask.map((m) => 1 - m),
    );
    // The prepared weights are the cropped mask.
    const rec = records(
      run(loader({ ...base(), mask: { key: '/entry/mask', invert: true } }), 10),
    )[3]!;
    const expected: number[] = [];
    for (let r = 4; r < 36; r++) for (let c = 8; c < 40; c++) expected.push(1 - mask[r * W + c]!);
    assert.deepEqual(values(rec.mask), expected);
  });

  it('dark and flat: (data - mean dark) / flat in float64, negatives set to 0, dead flat pixels 0 and masked', () => {
    const scan = loader({
      ...base(),
      darkfield: { key: '/entry/dark' },
      flatfield: { key: '/entry/flat' },
    });
    scan.initialize();
    const raw = scan.load([2, 3]).data as FrameStack;
    const { data } = scan.correct(raw, null, {});
    assert.equal(data.dtype, 'float64');
    for (const [k, f] of [2, 3].entries()) {
      for (let i = 0; i < H * W; i++) {
        const r = Math.floor(i / W);
        const want = flat[i] === 0 ? 0 : Math.max(0, (pixel(f, r, i % W) - dark[i]!) / flat[i]!);
        assert.equal(data.data[k * H * W + i], want, `frame ${f} pixel ${i}`);
      }
    }
    const clipped = [2, 3].some((f) =>
      dark.some((d, i) => flat[i] !== 0 && pixel(f, Math.floor(i / W), i % W) < d),
    );
    assert.ok(clipped, 'some pixels fall below the dark level and are clipped');
    assert.equal(scan.weight2d?.data[5], 0, 'the zero flat pixel is masked');
    assert.equal(scan.weight2d?.data[6], 1);
  });

  it('normalisation divides each frame by its monitor relative to the mean monitor', () => {
    const scan = loader({ ...base(), normalisation: { key: '/entry/I0' } });
    const recs = records(run(scan, 4));
    const mean = I0.reduce((a, b) => a + b) / N;
    for (const rec of recs) {
      assert.equal(rec.data.dtype, 'float64');
      const want = rawCrop(rec.index, 4, 8, 32).map((v) => (v * mean) / I0[rec.index]!);
      assertClose(values(rec.data), want, `frame ${rec.index}`);
    }
  });

  it('framefilter keeps the flagged frames, their positions and monitor values', () => {
    const scan = loader({
      ...base(),
      positions: { slow_key: '/entry/sy', fast_key: '/entry/sx' },
      normalisation: { key: '/entry/I0' },
      framefilter: { key: '/entry/filter' },
    });
    const recs = records(run(scan, 3));
    const kept = FILTER.flatMap((v, i) => (v ? [i] : []));
    assert.equal(scan.numFrames, kept.length);
    assert.deepEqual(
      recs.map((r) => r.index),
      kept.map((_, k) => k),
    );
    const mean = kept.reduce((s, i) => s + I0[i]!, 0) / kept.length;
    for (const rec of recs) {
      const raw = kept[rec.index]!;
      assert.deepEqual(Array.from(rec.position ?? []), [SY[raw], SX[raw]]);
      const want = rawCrop(raw, 4, 8, 32).map((v) => (v * mean) / I0[raw]!);
      assertClose(values(rec.data), want, `frame ${rec.index} (raw ${raw})`);
    }
  });

  it('recorded energy, distance and psize times their multipliers replace the parameters', () => {
    const scan = loader({
      ...base(),
      energy: 6.0,
      distance: 1.0,
      recorded_energy: { key: '/entry/energy_ev', multiplier: 1e-3 },
      recorded_distance: { key: '/entry/distance_mm', multiplier: 1e-3 },
      recorded_psize: { key: '/entry/psize_um', multiplier: 1e-6 },
    });
    assert.equal(scan.info.energy, 8);
    assert.equal(scan.info.distance, 5);
    assert.ok(Math.abs(Number(scan.info.psize) - 75e-6) < 1e-18);
    const chunks = run(scan, 10);
    assert.equal(chunks[0]?.common.energy, 8);
    // Only where a key is set: the user's distance stays without recorded_distance.
    const partial = loader({
      ...base(),
      distance: 1.5,
      recorded_energy: { key: '/entry/energy_ev' },
    });
    assert.equal(partial.info.distance, 1.5);
    assert.equal(partial.info.energy, 8000);
  });

  it('is registered as Hdf5Loader, with its parameter tree; createScan resolves relative files', async () => {
    assert.equal(getSource('Hdf5Loader'), Hdf5Loader);
    assert.ok(getParams('Hdf5Loader')?.get('intensities.key'));
    const scan = await createScan(
      {
        name: 'Hdf5Loader',
        intensities: { file: relative(root, main), key: '/entry/data/data' },
        positions: { file: relative(root, main), slow_key: '/entry/sy', fast_key: '/entry/sx' },
        shape: 32n,
      },
      { baseDir: root, ...quiet },
    );
    assert.ok(scan instanceof Hdf5Loader);
    assert.equal(records(run(scan, 5)).length, N);
  });
});

describe('Hdf5Loader: bad input', () => {
  it('a missing file is a FileFormatError naming the file and the parameter', () => {
    const missing = join(root, 'nope.h5');
    const scan = loader({ intensities: { file: missing, key: '/data' } });
    assert.throws(
      () => scan.initialize(),
      (e: unknown) =>
        e instanceof FileFormatError &&
        e.file === missing &&
        e.message.includes(missing) &&
        e.message.includes('intensities.file'),
    );
  });

  it('a key that does not exist names file and key, and what the nearest group holds', () => {
    const scan = loader({ intensities: { file: main, key: '/entry/data/dat' } });
    assert.throws(
      () => scan.initialize(),
      (e: unknown) =>
        e instanceof FileFormatError &&
        e.file === main &&
        e.dataset === '/entry/data/dat' &&
        e.message.includes(`${main}:/entry/data/dat`) &&
        e.message.includes('/entry/data holds data'),
    );
    assert.throws(
      () =>
        loader({
          ...{ intensities: { ...FRAMES, file: main } },
          recorded_energy: { key: '/entry/E' },
        }),
      (e: unknown) => e instanceof FileFormatError && e.message.includes('recorded_energy.key'),
    );
  });

  it('4-D positions that match neither the frames nor the grid name both datasets and shapes', () => {
    const scan = loader({
      intensities: { file: grid, key: '/data' },
      positions: { slow_key: '/y5', fast_key: '/x' },
    });
    assert.throws(
      () => scan.initialize(),
      (e: unknown) =>
        e instanceof FrameError &&
        e.message.includes(`${grid}:/y5 has shape (5,)`) &&
        e.message.includes(`${grid}:/x has shape (4,)`) &&
        e.message.includes('(3, 4, 40, 48)'),
    );
  });

  it('a mask of the wrong shape is a FrameError naming both shapes', () => {
    const scan = loader({
      intensities: { ...FRAMES, file: main },
      mask: { key: '/entry/mask_small' },
    });
    assert.throws(
      () => scan.initialize(),
      (e: unknown) =>
        e instanceof FrameError && e.message.includes('(40, 47)') && e.message.includes('(40, 48)'),
    );
  });

  it('a non-numeric dataset is a FileFormatError', () => {
    const scan = loader({ intensities: { file: main, key: '/entry/title' } });
    assert.throws(
      () => scan.initialize(),
      (e: unknown) =>
        e instanceof FileFormatError &&
        e.dataset === '/entry/title' &&
        e.message.includes('string'),
    );
  });

  it('a per-frame dataset of the wrong length names it and the frame count', () => {
    const scan = loader({
      intensities: { ...FRAMES, file: main },
      framefilter: { key: '/entry/mask' },
    });
    assert.throws(
      () => scan.initialize(),
      (e: unknown) =>
        e instanceof FileFormatError &&
        e.message.includes(`${main}:/entry/mask has shape (40, 48)`) &&
        e.message.includes('framefilter needs one value per frame'),
    );
    const short = loader({
      intensities: { file: grid, key: '/data' },
      normalisation: { file: grid, key: '/y5' },
    });
    assert.throws(
      () => short.initialize(),
      (e: unknown) => e instanceof FileFormatError && e.message.includes('holds 12 frames'),
    );
  });

  it('missing required keys and a lone position key are ParameterErrors listing every problem', () => {
    assert.throws(
      () => new Hdf5Loader({ positions: { slow_key: '/y' } }, quiet),
      (e: unknown) =>
        e instanceof ParameterError &&
        ['intensities.file', 'intensities.key', 'positions.fast_key'].every((p) =>
          e.problems.some((x) => x.path === p),
        ),
    );
  });
});

describe('H5File additions used by the loader', () => {
  it('readBlock reads a block of the leading axes and refuses one outside the dataset', () => {
    const h5 = H5File.open(grid);
    try {
      const block = h5.readBlock('/data', [1, 2], [1, 2]);
      assert.deepEqual(block.shape, [1, 2, H, W]);
      assert.deepEqual(values(block as NdArray).slice(0, W), rawCrop(6, 0, 0, W).slice(0, W));
      assert.throws(() => h5.readBlock('/data', [2, 3], [1, 2]), MissingDataError);
      assert.throws(() => h5.readBlock('/data', [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]), H5Error);
    } finally {
      h5.close();
    }
  });

  it('writeArray refuses a filter together with a compression', () => {
    const h5 = H5File.open(join(root, 'both.h5'), 'w');
    try {
      assert.throws(
        () =>
          h5.writeArray('/d', stack('int32', 2), {
            compression: { kind: 'gzip', level: 1 },
            filter: { id: 32008, cdValues: [0, 2] },
          }),
        H5Error,
      );
    } finally {
      h5.close();
    }
  });
});
