import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameError } from '../../src/errors.js';
import { Fft, Fft2, fftshift, ifftshift } from '../../src/sim/fft.js';
import { Random } from '../../src/sim/random.js';

/** Textbook O(N^2) 2-D DFT, the reference. */
function dft2(re: Float64Array, im: Float64Array, h: number, w: number, sign: number) {
  const outRe = new Float64Array(h * w);
  const outIm = new Float64Array(h * w);
  for (let ky = 0; ky < h; ky++) {
    for (let kx = 0; kx < w; kx++) {
      let sr = 0;
      let si = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const a = sign * 2 * Math.PI * ((ky * y) / h + (kx * x) / w);
          const vr = re[y * w + x]!;
          const vi = im[y * w + x]!;
          sr += vr * Math.cos(a) - vi * Math.sin(a);
          si += vr * Math.sin(a) + vi * Math.cos(a);
        }
      }
      outRe[ky * w + kx] = sr;
      outIm[ky * w + kx] = si;
    }
  }
  return { re: outRe, im: outIm };
}

function randomComplex(rng: Random, n: number) {
  const re = Float64Array.from({ length: n }, () => rng.between(-1, 1));
  const im = Float64Array.from({ length: n }, () => rng.between(-1, 1));
  return { re, im };
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const SIZES: [number, number][] = [
  [1, 1],
  [1, 8],
  [4, 8],
  [8, 8],
  [16, 4],
  [3, 5],
  [6, 10],
  [7, 12],
  [13, 9],
];

describe('FFT', () => {
  for (const [h, w] of SIZES) {
    it(`matches a direct DFT on ${h}x${w} (forward and inverse)`, () => {
      const rng = new Random(h * 100 + w);
      const x = randomComplex(rng, h * w);
      const ref = dft2(x.re, x.im, h, w, -1);
      const re = x.re.slice();
      const im = x.im.slice();
      const fft = new Fft2(h, w);
      fft.forward(re, im);
      assert.ok(maxDiff(re, ref.re) < 1e-10 * h * w, `real part off by ${maxDiff(re, ref.re)}`);
      assert.ok(maxDiff(im, ref.im) < 1e-10 * h * w);
      const inv = dft2(x.re, x.im, h, w, 1);
      const re2 = x.re.slice();
      const im2 = x.im.slice();
      fft.inverse(re2, im2);
      for (let i = 0; i < h * w; i++) {
        assert.ok(Math.abs(re2[i]! - inv.re[i]! / (h * w)) < 1e-12);
        assert.ok(Math.abs(im2[i]! - inv.im[i]! / (h * w)) < 1e-12);
      }
    });
  }

  it('round-trips forward then inverse on a large non-power-of-two length', () => {
    const n = 1000;
    const x = randomComplex(new Random(5), n);
    const re = x.re.slice();
    const im = x.im.slice();
    const fft = new Fft(n);
    fft.forward(re, im);
    fft.inverse(re, im);
    assert.ok(maxDiff(re, x.re) < 1e-12);
    assert.ok(maxDiff(im, x.im) < 1e-12);
  });

  it('puts a delta at the origin to a flat spectrum', () => {
    const re = new Float64Array(64);
    const im = new Float64Array(64);
    re[0] = 1;
    new Fft2(8, 8).forward(re, im);
    assert.ok(re.every((v) => Math.abs(v - 1) < 1e-15));
    assert.ok(im.every((v) => Math.abs(v) < 1e-15));
  });

  it('shifts like numpy fftshift / ifftshift, odd and even', () => {
    const odd = Float64Array.from([0, 1, 2, 3, 4]);
    assert.deepEqual([...fftshift(odd, 1, 5)], [3, 4, 0, 1, 2]);
    assert.deepEqual([...ifftshift(odd, 1, 5)], [2, 3, 4, 0, 1]);
    const even = Float64Array.from([0, 1, 2, 3]);
    assert.deepEqual([...fftshift(even, 4, 1)], [2, 3, 0, 1]);
    const grid = Float64Array.from({ length: 12 }, (_, i) => i);
    // numpy.fft.fftshift(np.arange(12).reshape(3, 4))
    assert.deepEqual([...fftshift(grid, 3, 4)], [10, 11, 8, 9, 2, 3, 0, 1, 6, 7, 4, 5]);
    assert.deepEqual([...ifftshift(fftshift(grid, 3, 4), 3, 4)], [...grid]);
  });

  it('rejects bad lengths with a FrameError', () => {
    assert.throws(() => new Fft(0), FrameError);
    assert.throws(() => new Fft(2.5), FrameError);
    assert.throws(
      () => new Fft2(4, 4).forward(new Float64Array(15), new Float64Array(16)),
      (e: unknown) => e instanceof FrameError && e.expected === '16 values',
    );
  });
});
