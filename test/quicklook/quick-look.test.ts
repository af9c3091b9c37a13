import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FrameError } from '../../src/errors.js';
import { h5ready } from '../../src/h5/index.js';
import { openPtydReader } from '../../src/ptyd/index.js';
import {
  HISTOGRAM_BINS,
  histogramBin,
  ptydQuickLook,
  QuickLook,
  readPtydGeometry,
} from '../../src/quicklook/index.js';
import { tempDir } from '../helpers/index.js';
import { correlation, type KnownScan, knownObjectScan, writeKnownPtyd } from './known-object.js';

const N = 32;
const root = tempDir('quicklook');
const scan: KnownScan = knownObjectScan();
const count = scan.frames.shape[0]!;

describe('quick-look maps of a scan of a known object', () => {
  const quickLook = new QuickLook({ height: N, width: N, center: [N / 2, N / 2] });
  quickLook.add({ data: scan.frames.data, count, weights: null, positions: scan.positions.data });
  const maps = quickLook.result();

  it('the transmission map correlates with the object transmission (r > 0.99)', () => {
    const r = correlation(maps.transmission, scan.transmission);
    assert.ok(r > 0.99, `r = ${r}`);
  });

  it('the DPC maps correlate with the phase gradient in y and x (r > 0.95 each)', () => {
    const ry = correlation(maps.dpcY, scan.gradY);
    const rx = correlation(maps.dpcX, scan.gradX);
    assert.ok(ry > 0.95, `r(y) = ${ry}`);
    assert.ok(rx > 0.95, `r(x) = ${rx}`);
    // The far field of a phase ramp a (rad/px) moves by a N / 2 pi pixels.
    const slope = (a: Float64Array, b: Float64Array): number => {
      let ab = 0;
      let bb = 0;
      const ma = a.reduce((s, v) => s + v, 0) / a.length;
      const mb = b.reduce((s, v) => s + v, 0) / b.length;
      for (let i = 0; i < a.length; i++) {
        ab += (a[i]! - ma) * (b[i]! - mb);
        bb += (b[i]! - mb) ** 2;
      }
      return ab / bb;
    };
    const expected = N / (2 * Math.PI);
    const sx = slope(maps.dpcX, scan.gradX);
    assert.ok(Math.abs(sx / expected - 1) < 0.2, `slope ${sx}, expected ${expected}`);
  });

  it('keeps the positions, the sum and the histogram', () => {
    assert.equal(maps.frames, count);
    assert.deepEqual([...maps.positions], [...scan.positions.data]);
    let total = 0;
    for (const v of scan.frames.data) total += v;
    assert.equal(
      maps.sum.reduce((s, v) => s + v, 0),
      total,
    );
    assert.equal(
      maps.histogram.reduce((s, v) => s + v, 0),
      count * N * N,
    );
    assert.equal(maps.histogram.length, HISTOGRAM_BINS);
    assert.deepEqual([0, 0.5, 1, 2, 3, 4, 1e12].map(histogramBin), [0, 0, 1, 2, 2, 3, 33]);
  });

  it('rejects blocks that do not fit the frame size', () => {
    assert.throws(
      () => quickLook.add({ data: new Int32Array(10), count: 1, weights: null, positions: null }),
      (e: unknown) => e instanceof FrameError && e.found === '10',
    );
    assert.throws(() => new QuickLook({ height: 0, width: 4 }), FrameError);
  });
});

describe('quick-look maps read from a .ptyd file chunk by chunk', () => {
  before(() => h5ready());

  it('equal the in-memory maps, with masked pixels left out', () => {
    const file = join(root, 'known.ptyd');
    const hidden = [0, 5 * N + 7];
    writeKnownPtyd(file, 50, hidden);
    const reader = openPtydReader(file);
    try {
      assert.deepEqual(readPtydGeometry(reader), {
        center: [N / 2, N / 2],
        psize: 75e-6,
        distance: 5,
        energy: 8,
      });
      const maps = ptydQuickLook(reader).result();
      assert.equal(maps.frames, count);
      const expected = new QuickLook({ height: N, width: N, center: [N / 2, N / 2] });
      const mask = new Int8Array(N * N).fill(1);
      for (const p of hidden) mask[p] = 0;
      expected.add({
        data: scan.frames.data,
        count,
        weights: mask,
        positions: scan.positions.data,
      });
      const want = expected.result();
      assert.deepEqual([...maps.transmission], [...want.transmission]);
      assert.deepEqual([...maps.dpcX], [...want.dpcX]);
      assert.deepEqual([...maps.positions], [...want.positions]);
      assert.equal(maps.masked[5 * N + 7], 1);
      assert.equal(maps.sum[5 * N + 7], 0);
      assert.ok(correlation(maps.transmission, scan.transmission) > 0.99);
    } finally {
      reader.close();
    }
  });
});
