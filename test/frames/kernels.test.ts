import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CenterError, FrameError, ParameterError, RebinError } from '../../src/errors.js';
import { translateToPix } from '../../src/frames/center.js';
import { cropOrient } from '../../src/frames/crop-orient.js';
import { cropPad } from '../../src/frames/crop-pad.js';
import type { DType } from '../../src/frames/dtype.js';
import { massCenter, meanMassCenter } from '../../src/frames/mass-center.js';
import { type FrameStack, ndarray } from '../../src/frames/ndarray.js';
import { orient } from '../../src/frames/orientation.js';
import { addPoissonNoise, seededRandom } from '../../src/frames/poisson.js';
import { rebinData, rebinWeights } from '../../src/frames/rebin.js';
import { roundHalfEven } from '../../src/frames/round.js';
import { assertSameArray, assertSamePair } from './helpers.js';

function randomStack<D extends 'int32' | 'bool' | 'float64' | 'uint16'>(
  dtype: D,
  [n, h, w]: [number, number, number],
  random: () => number,
): FrameStack<D> {
  const stack = ndarray(dtype, [n, h, w]);
  const data = stack.data as Float64Array;
  for (let i = 0; i < data.length; i++) {
    data[i] =
      dtype === 'bool'
        ? random() < 0.8
          ? 1
          : 0
        : Math.floor(random() * 1000) - (dtype === 'int32' ? 100 : 0);
  }
  return stack;
}

/**
 * Pixel-by-pixel reference straight from the rules (README 13, 14, 17):
 * crop/pad around round(center), then transpose, flipud, fliplr.
 */
function reference(
  stack: FrameStack,
  roi: [number, number],
  center: [number, number],
  orientation: number,
): { data: number[]; shape: number[]; dtype: DType } {
  const [n, h, w] = stack.shape as [number, number, number];
  const c = center.map(roundHalfEven) as [number, number];
  const low = [Math.floor(roi[0] / 2) - c[0], Math.floor(roi[1] / 2) - c[1]] as const;
  const high = [c[0] + Math.floor((roi[0] + 1) / 2) - h, c[1] + Math.floor((roi[1] + 1) / 2) - w];
  const pads = low[0] > 0 || low[1] > 0 || high[0]! > 0 || high[1]! > 0;
  const t = (orientation & 4) !== 0;
  const [H, W] = t ? [roi[1], roi[0]] : roi;
  const data: number[] = [];
  for (let f = 0; f < n; f++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const yy = orientation & 2 ? H - 1 - y : y;
        const xx = orientation & 1 ? W - 1 - x : x;
        const [ry, rx] = t ? [xx, yy] : [yy, xx];
        const iy = ry - low[0];
        const ix = rx - low[1];
        const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
        data.push(inside ? Number(stack.data[(f * h + iy) * w + ix]) : 0);
      }
    }
  }
  return { data, shape: [n, H, W], dtype: pads ? 'float64' : stack.dtype };
}

describe('cropOrient (one pass) = orient(cropPad(...)) = the per-pixel rules', () => {
  const random = seededRandom(7);
  const geometries: { raw: [number, number]; roi: [number, number]; center: [number, number] }[] = [
    { raw: [40, 56], roi: [32, 32], center: [20, 28] }, // crop
    { raw: [40, 56], roi: [60, 60], center: [20, 28] }, // pad all round
    { raw: [40, 56], roi: [32, 32], center: [6, 50] }, // pad one side, crop the other
    { raw: [17, 23], roi: [9, 13], center: [8.5, 2.5] }, // odd sizes, half-even centre
    { raw: [12, 9], roi: [20, 5], center: [-3, 40] }, // centre far outside: all padding
  ];
  for (const { raw, roi, center } of geometries) {
    for (const dtype of ['int32', 'bool', 'float64'] as const) {
      it(`${dtype} ${raw} -> ${roi} around ${center}, orientations 0..7`, () => {
        const stack = randomStack(dtype, [3, raw[0], raw[1]], random);
        for (let o = 0; o < 8; o++) {
          const what = `orientation ${o}`;
          const fused = cropOrient(stack, roi, center, o);
          const cropped = cropPad(stack, roi, center);
          const twoStep = orient(cropped.frames, o, cropped.center);
          assertSameArray(fused.frames, twoStep.frames, what);
          assertSamePair(fused.center, twoStep.center, `${what} centre`);
          const ref = reference(stack, roi, center, o);
          assert.equal(fused.frames.dtype, ref.dtype, `${what} dtype`);
          assert.deepEqual([...fused.frames.shape], ref.shape, `${what} shape`);
          assert.deepEqual(Array.from(fused.frames.data, Number), ref.data, `${what} pixels`);
        }
      });
    }
  }

  it('moves int64 frames unchanged and pads them to float64', () => {
    const stack = ndarray(
      'int64',
      [1, 3, 4],
      BigInt64Array.from({ length: 12 }, (_, i) => BigInt(i) + 2n ** 40n),
    );
    const cropped = cropOrient(stack, [2, 2], [1, 1], 3);
    assert.equal(cropped.frames.dtype, 'int64');
    assert.deepEqual(
      [...cropped.frames.data],
      [5n, 4n, 1n, 0n].map((v) => v + 2n ** 40n),
    );
    const padded = cropOrient(stack, [4, 4], [1, 1], 4);
    assert.equal(padded.frames.dtype, 'float64');
    assert.deepEqual([...padded.frames.data].slice(0, 4), [0, 0, 0, 0]);
    assert.equal(padded.frames.data[5], 2 ** 40);
  });

  it('writes into an offered buffer of the right type, clearing old pixels where it pads', () => {
    const stack = randomStack('int32', [2, 10, 12], random);
    for (const [roi, center] of [
      [
        [6, 6],
        [5, 6],
      ],
      [
        [14, 14],
        [5, 6],
      ],
    ] as [[number, number], [number, number]][]) {
      const fresh = cropOrient(stack, roi, center, 5);
      const dirty = new (fresh.frames.data.constructor as Float64ArrayConstructor)(1000).fill(7);
      const reused = cropOrient(stack, roi, center, 5, dirty);
      assert.equal(reused.frames.data.buffer, dirty.buffer);
      assertSameArray(reused.frames, fresh.frames, `reuse ${roi}`);
    }
    const cropped = cropOrient(stack, [6, 6], [5, 6], 0).frames;
    const binned = rebinData(cropped, 2, new Float64Array(500).fill(3));
    assertSameArray(binned, rebinData(cropped, 2), 'rebinData reuse');
    // A buffer of another element type is not used.
    assert.notEqual(rebinData(cropped, 2, new Int32Array(500)).data.length, 500);
    const mask = randomStack('bool', [2, 6, 6], random);
    assertSameArray(
      rebinWeights(mask, 3, new Uint8Array(100).fill(9)),
      rebinWeights(mask, 3),
      'rebinWeights reuse',
    );
  });

  it('returns the input itself when nothing changes', () => {
    const stack = randomStack('int32', [2, 6, 8], random);
    assert.equal(cropOrient(stack, [6, 8], [3, 4], null).frames, stack);
    assert.equal(cropPad(stack, [6, 8], [3.4, 3.5]).frames, stack);
    assert.equal(orient(stack, [false, false, false], [1, 2]).frames, stack);
  });
});

interface NumpySums {
  numpy: string;
  mass_center: {
    h: number;
    w: number;
    dtype: 'float64' | 'float32';
    masked: boolean;
    cubed: boolean;
    out: number[];
  }[];
  mean_mass_center: { n: number; h: number; w: number; out: number[] }[];
  rebin: { dtype: 'float64' | 'float32'; r: number; out_dtype: string; out: number[] }[];
}

const NUMPY = JSON.parse(
  readFileSync(new URL('./fixtures/numpy-sums.json', import.meta.url), 'utf8'),
) as NumpySums;

/** The inputs make-numpy-sums.py builds, with the same float64 operations. */
function values(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => (((k * 7919) % 10007) / 13) * 1.37);
}

describe(`float data follows numpy's summation order (fixtures from numpy ${NUMPY.numpy})`, () => {
  it('massCenter of float64 and float32 frames, masked and not', () => {
    for (const c of NUMPY.mass_center) {
      const raw = values(c.h * c.w).map((v) => (c.cubed ? v * v * v : v));
      const frame = c.dtype === 'float32' ? Float32Array.from(raw) : raw;
      const mask = c.masked
        ? Uint8Array.from({ length: c.h * c.w }, (_, k) => (k % 11 !== 0 ? 1 : 0))
        : undefined;
      assertSamePair(massCenter(frame, c.h, c.w, mask), c.out, `${c.dtype} ${c.h}x${c.w}`);
    }
  });

  it('meanMassCenter of a float64 stack', () => {
    for (const c of NUMPY.mean_mass_center) {
      const stack = ndarray('float64', [c.n, c.h, c.w], values(c.n * c.h * c.w));
      assertSamePair(meanMassCenter(stack), c.out, 'mean centre');
    }
  });

  it('rebinData of float64 and float32 stacks by 2, 3, 8 and 16 (pairwise once r >= 8)', () => {
    for (const c of NUMPY.rebin) {
      const raw = values(2 * 48 * 48);
      const stack =
        c.dtype === 'float32'
          ? ndarray('float32', [2, 48, 48], Float32Array.from(raw))
          : ndarray('float64', [2, 48, 48], raw);
      const out = rebinData(stack, c.r);
      assert.equal(out.dtype, c.out_dtype, `${c.dtype} r=${c.r} dtype`);
      assertSamePair(Array.from(out.data), c.out, `${c.dtype} r=${c.r}`);
    }
  });
});

describe('rebinWeights', () => {
  it('keeps a binned pixel only when all its sub-pixels are valid', () => {
    const w = ndarray(
      'float64',
      [1, 4, 4],
      Float64Array.from([1, 2, 0, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1]),
    );
    const out = rebinWeights(w, 2);
    assert.equal(out.dtype, 'bool');
    assert.deepEqual([...out.data], [1, 0, 1, 0]);
  });

  it('takes the maximum over the whole stack, so with no complete block the fullest ones win', () => {
    const w = ndarray(
      'bool',
      [2, 2, 4],
      Uint8Array.from([1, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0]),
    );
    // Block fractions: frame 0 -> 3/4, 2/4; frame 1 -> 3/4, 0.
    assert.deepEqual([...rebinWeights(w, 2).data], [1, 0, 1, 0]);
  });
});

describe('rebinWeights = (two-stage mean of weights > 0) == its maximum', () => {
  function reference(w: FrameStack, r: number): number[] {
    const [n, h, wd] = w.shape as [number, number, number];
    const m: number[] = [];
    for (let f = 0; f < n; f++) {
      for (let i = 0; i < h / r; i++) {
        for (let j = 0; j < wd / r; j++) {
          let t = 0;
          for (let a = 0; a < r; a++) {
            let s = 0;
            for (let k = 0; k < r; k++)
              s += Number(w.data[(f * h + i * r + a) * wd + j * r + k]) > 0 ? 1 : 0;
            t += s / r;
          }
          m.push(t / r);
        }
      }
    }
    const max = Math.max(...m);
    return m.map((v) => (v === max ? 1 : 0));
  }

  const random = seededRandom(11);
  for (const r of [2, 3, 4]) {
    for (const density of [0.9, 0.3]) {
      it(`r = ${r}, ${density * 100}% valid pixels, bool and float64 weights, aligned or not`, () => {
        const bool = randomStack('bool', [3, 12, 24], () => (random() < density ? 0.5 : 0.9));
        const float = ndarray(
          'float64',
          bool.shape,
          Float64Array.from(bool.data, (v) => (v ? random() : -random())),
        );
        // A stack starting at an odd byte offset takes the byte-wise path.
        const shifted = new Uint8Array(bool.data.length + 1);
        shifted.set(bool.data, 1);
        const odd = ndarray('bool', bool.shape, shifted.subarray(1));
        const want = reference(bool, r);
        for (const w of [bool, float, odd]) assert.deepEqual([...rebinWeights(w, r).data], want);
      });
    }
  }
});

describe('Poisson noise', () => {
  it('is reproducible with a seeded generator and clips negative values to 0', () => {
    const stack = ndarray(
      'float64',
      [2, 50, 50],
      Float64Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? -5 : i % 200)),
    );
    const a = addPoissonNoise(stack, seededRandom(1));
    const b = addPoissonNoise(stack, seededRandom(1));
    assert.equal(a.dtype, 'float64');
    assert.deepEqual([...a.shape], [2, 50, 50]);
    assert.deepEqual(a.data, b.data);
    assert.notDeepEqual(a.data, addPoissonNoise(stack, seededRandom(2)).data);
    for (let i = 0; i < 5000; i += 3) assert.equal(a.data[i], 0);
    assert.ok(a.data.every((v) => Number.isInteger(v) && v >= 0));
  });

  it('has the mean and variance of the input for small and large means', () => {
    const random = seededRandom(3);
    for (const lambda of [0.5, 4, 30, 1000]) {
      const n = 40000;
      const out = addPoissonNoise(
        ndarray('float64', [1, 200, 200], new Float64Array(n).fill(lambda)),
        random,
      );
      const mean = out.data.reduce((s, v) => s + v, 0) / n;
      const variance = out.data.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
      // 6 standard errors: a wrong sampler misses by far more.
      assert.ok(Math.abs(mean - lambda) < 6 * Math.sqrt(lambda / n), `mean ${mean} for ${lambda}`);
      assert.ok(
        Math.abs(variance / lambda - 1) < 6 * Math.sqrt(2 / n),
        `variance ${variance} for ${lambda}`,
      );
    }
  });
});

describe('bad input gets typed errors', () => {
  const stack = ndarray('int32', [2, 6, 8]);

  it('rejects stacks that are not (n, h, w)', () => {
    const flat = ndarray('int32', [6, 8]);
    assert.throws(
      () => cropPad(flat, [4, 4], [3, 4]),
      (e) => e instanceof FrameError && /\(6, 8\)/.test(e.message),
    );
    assert.throws(() => orient(flat, 1, [3, 4]), FrameError);
    assert.throws(() => rebinData(flat, 2), FrameError);
    assert.throws(() => meanMassCenter(flat), FrameError);
    const short = { dtype: 'int32', shape: [2, 6, 8], data: new Int32Array(10) } as const;
    assert.throws(
      () => cropOrient(short, [4, 4], [3, 4], 0),
      (e) => e instanceof FrameError && e.found === '10',
    );
  });

  it('rejects NaN or infinite centres and bad ROI shapes', () => {
    assert.throws(
      () => cropPad(stack, [4, 4], [Number.NaN, 3]),
      (e) => e instanceof CenterError && /finite/.test(e.message),
    );
    assert.throws(() => orient(stack, 1, [1, Number.POSITIVE_INFINITY]), CenterError);
    assert.throws(
      () => cropOrient(stack, [0, 4], [3, 4], 0),
      (e) => e instanceof ParameterError && e.parameter === 'shape',
    );
    assert.throws(() => cropPad(stack, [4.5, 4], [3, 4]), ParameterError);
    assert.throws(
      () => translateToPix([40, 56], 'middle' as 'fft'),
      (e) => e instanceof ParameterError && e.parameter === 'center',
    );
  });

  it('rejects orientations other than 0..7 or three booleans', () => {
    for (const bad of [8, -1, 1.5, [true, false] as unknown as [boolean, boolean, boolean]]) {
      assert.throws(
        () => orient(stack, bad, [3, 4]),
        (e) => e instanceof ParameterError && e.parameter === 'orientation',
      );
    }
  });

  it('rejects rebin factors below 1, fractional, or not dividing the frame', () => {
    for (const r of [0, -2, 1.5]) {
      assert.throws(
        () => rebinData(stack, r),
        (e) => e instanceof RebinError && e.parameter === 'rebin',
      );
    }
    assert.throws(
      () => rebinData(stack, 4),
      (e) => e instanceof RebinError && /\(6, 8\)/.test(e.message),
    );
    assert.throws(() => rebinWeights(stack, 3), RebinError);
  });

  it('names the frame whose masked intensity is zero instead of returning NaN', () => {
    const frames = ndarray(
      'int32',
      [3, 2, 2],
      Int32Array.from([1, 2, 3, 4, 0, 5, 6, 0, 1, 1, 1, 1]),
    );
    const mask = Uint8Array.from([1, 0, 0, 1]);
    assert.throws(
      () => meanMassCenter(frames, mask, 100),
      (e) => e instanceof CenterError && e.frame === 101 && /frame 101/.test(e.message),
    );
    assert.throws(() => massCenter(new Int32Array(4), 2, 2), CenterError);
    assert.throws(() => meanMassCenter(ndarray('int32', [0, 2, 2])), CenterError);
    assert.throws(
      () => meanMassCenter(frames, new Uint8Array(5)),
      (e) => e instanceof FrameError && e.found === '5',
    );
  });

  it('rejects NaN pixels for Poisson noise, naming the frame', () => {
    const frames = ndarray(
      'float64',
      [2, 2, 2],
      Float64Array.from([1, 2, 3, 4, 5, Number.NaN, 7, 8]),
    );
    assert.throws(
      () => addPoissonNoise(frames, seededRandom(0)),
      (e) => e instanceof FrameError && e.frame === 1,
    );
  });
});
