import { FrameError } from '../errors.js';
import { frameDims } from './check.js';
import type { DType } from './dtype.js';
import type { FrameStack } from './ndarray.js';

/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through
 * splitmix32) returning floats in [0, 1) with 53 random bits. The same seed
 * always gives the same sequence, so noisy test data is reproducible.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // 0 <= x < 1, the same on every run
 */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0;
  const next32 = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = next32();
  let s1 = next32();
  let s2 = next32();
  let s3 = next32();
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  return () => ((nextU32() >>> 5) * 0x4000000 + (nextU32() >>> 6)) / 0x20000000000000;
}

function rotl(v: number, k: number): number {
  return (v << k) | (v >>> (32 - k));
}

/** log(k!) for small k, exact enough to be a table. */
const LOG_FACTORIAL = Array.from({ length: 10 }, (_, k) => {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
});

/** log(k!) by table below 10, Stirling's series above (error < 1e-10). */
function logFactorial(k: number): number {
  if (k < 10) return LOG_FACTORIAL[k]!;
  const x = k + 1;
  const x2 = x * x;
  return (
    (x - 0.5) * Math.log(x) -
    x +
    0.5 * Math.log(2 * Math.PI) +
    (1 / 12 - (1 / 360 - 1 / (1260 * x2)) / x2) / x
  );
}

/**
 * One Poisson-distributed count of mean `lambda`: multiplication of uniforms
 * for small means, Hörmann's transformed rejection with squeeze (PTRS, the
 * method numpy uses) from a mean of 10 on.
 */
export function poissonSample(lambda: number, random: () => number): number {
  if (lambda <= 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = random();
    while (p > limit) {
      k++;
      p *= random();
    }
    return k;
  }
  const sqrtLambda = Math.sqrt(lambda);
  const logLambda = Math.log(lambda);
  const b = 0.931 + 2.53 * sqrtLambda;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = random() - 0.5;
    const v = random();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -lambda + k * logLambda - logFactorial(k)
    ) {
      return k;
    }
  }
}

/**
 * ptypy's `add_poisson_noise`: every pixel is replaced by a Poisson count
 * whose mean is the pixel value, negative values counting as 0. Pass a
 * seeded `random` (e.g. {@link seededRandom}) for reproducible output; the
 * counts are returned as float64. numpy's generator differs, so the noise is
 * statistically, not bitwise, the same as ptypy's.
 *
 * @throws {FrameError} naming the frame when a pixel is NaN or infinite.
 */
export function addPoissonNoise(
  stack: FrameStack<DType>,
  random: () => number = Math.random,
): FrameStack<'float64'> {
  const [n, h, w] = frameDims(stack);
  const data = stack.data;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const lambda = Number(data[i]!);
    if (!Number.isFinite(lambda)) {
      const frame = Math.floor(i / (h * w));
      throw new FrameError(`Cannot add Poisson noise to frame ${frame}: it holds ${lambda}.`, {
        frame,
        expected: 'finite pixel values',
        found: `${lambda}`,
      });
    }
    out[i] = poissonSample(lambda, random);
  }
  return { dtype: 'float64', shape: [n, h, w], data: out };
}
