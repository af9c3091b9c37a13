/**
 * Complex FFTs on split real/imaginary Float64Arrays. Power-of-two lengths use
 * an iterative radix-2 transform; other lengths use Bluestein's chirp-z
 * algorithm on top of it, so any size works. Conventions follow numpy:
 * forward uses exp(-2*pi*i*k*n/N), the inverse is scaled by 1/N.
 */

import { FrameError } from '../errors.js';

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Radix-2 transform of a fixed power-of-two length. */
class Radix2 {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly reversed: Uint32Array;

  constructor(readonly n: number) {
    const half = n >> 1;
    this.cos = new Float64Array(half);
    this.sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / n);
      this.sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    this.reversed = new Uint32Array(n);
    const bits = Math.log2(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.reversed[i] = r;
    }
  }

  /** Unscaled in-place transform; `sign` -1 is forward, +1 inverse. */
  run(re: Float64Array, im: Float64Array, sign: number): void {
    const { n, cos, sin, reversed } = this;
    for (let i = 0; i < n; i++) {
      const j = reversed[i]!;
      if (j > i) {
        const tr = re[i]!;
        re[i] = re[j]!;
        re[j] = tr;
        const ti = im[i]!;
        im[i] = im[j]!;
        im[j] = ti;
      }
    }
    for (let size = 2; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const wr = cos[k * step]!;
          const wi = sign * sin[k * step]!;
          const a = start + k;
          const b = a + half;
          const br = re[b]!;
          const bi = im[b]!;
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
    }
  }
}

/** Bluestein's algorithm: a length-n DFT as a power-of-two convolution. */
class Bluestein {
  private readonly inner: Radix2;
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  /** Spectrum of the conjugate chirp, the convolution kernel. */
  private readonly kernelRe: Float64Array;
  private readonly kernelIm: Float64Array;
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;

  constructor(readonly n: number) {
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    this.inner = new Radix2(m);
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // k^2 mod 2n keeps the angle small, so large k lose no precision.
      const angle = (Math.PI * ((k * k) % (2 * n))) / n;
      this.chirpRe[k] = Math.cos(angle);
      this.chirpIm[k] = -Math.sin(angle);
    }
    this.kernelRe = new Float64Array(m);
    this.kernelIm = new Float64Array(m);
    for (let k = 0; k < n; k++) {
      this.kernelRe[k] = this.chirpRe[k]!;
      this.kernelIm[k] = -this.chirpIm[k]!;
      if (k > 0) {
        this.kernelRe[m - k] = this.chirpRe[k]!;
        this.kernelIm[m - k] = -this.chirpIm[k]!;
      }
    }
    this.inner.run(this.kernelRe, this.kernelIm, -1);
    this.workRe = new Float64Array(m);
    this.workIm = new Float64Array(m);
  }

  /** Unscaled forward transform in place. */
  forward(re: Float64Array, im: Float64Array): void {
    const { n, chirpRe, chirpIm, kernelRe, kernelIm, workRe, workIm } = this;
    const m = workRe.length;
    workRe.fill(0);
    workIm.fill(0);
    for (let k = 0; k < n; k++) {
      workRe[k] = re[k]! * chirpRe[k]! - im[k]! * chirpIm[k]!;
      workIm[k] = re[k]! * chirpIm[k]! + im[k]! * chirpRe[k]!;
    }
    this.inner.run(workRe, workIm, -1);
    for (let k = 0; k < m; k++) {
      const r = workRe[k]! * kernelRe[k]! - workIm[k]! * kernelIm[k]!;
      workIm[k] = workRe[k]! * kernelIm[k]! + workIm[k]! * kernelRe[k]!;
      workRe[k] = r;
    }
    this.inner.run(workRe, workIm, 1);
    for (let k = 0; k < n; k++) {
      const r = workRe[k]! / m;
      const i = workIm[k]! / m;
      re[k] = r * chirpRe[k]! - i * chirpIm[k]!;
      im[k] = r * chirpIm[k]! + i * chirpRe[k]!;
    }
  }
}

/**
 * A 1-D complex FFT of a fixed length, transforming in place.
 *
 * @example
 * const fft = new Fft(12);
 * fft.forward(re, im); // re, im: Float64Array(12)
 */
export class Fft {
  private readonly radix2: Radix2 | null;
  private readonly bluestein: Bluestein | null;

  /** Plans a transform of length `n` (any positive integer). */
  constructor(readonly n: number) {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new FrameError(`FFT length must be a positive integer, found ${n}.`, {
        expected: 'a positive integer',
        found: String(n),
      });
    }
    this.radix2 = isPowerOfTwo(n) ? new Radix2(n) : null;
    this.bluestein = this.radix2 === null ? new Bluestein(n) : null;
  }

  /** Forward transform (unscaled), in place. */
  forward(re: Float64Array, im: Float64Array): void {
    if (this.radix2) this.radix2.run(re, im, -1);
    else this.bluestein?.forward(re, im);
  }

  /** Inverse transform scaled by 1/n, in place. */
  inverse(re: Float64Array, im: Float64Array): void {
    const { n } = this;
    if (this.radix2) {
      this.radix2.run(re, im, 1);
    } else {
      // inverse(x) = conj(forward(conj(x))) / n
      for (let k = 0; k < n; k++) im[k] = -im[k]!;
      this.bluestein?.forward(re, im);
      for (let k = 0; k < n; k++) im[k] = -im[k]!;
    }
    for (let k = 0; k < n; k++) {
      re[k] = re[k]! / n;
      im[k] = im[k]! / n;
    }
  }
}

/**
 * A 2-D complex FFT of a fixed `height` x `width` (C order), in place.
 *
 * @example
 * const fft = new Fft2(128, 128);
 * fft.forward(re, im); // re, im: Float64Array(128 * 128)
 */
export class Fft2 {
  private readonly rows: Fft;
  private readonly cols: Fft;
  private readonly colRe: Float64Array;
  private readonly colIm: Float64Array;

  /** Plans a transform of `height` x `width` pixels. */
  constructor(
    readonly height: number,
    readonly width: number,
  ) {
    this.rows = new Fft(width);
    this.cols = height === width ? this.rows : new Fft(height);
    this.colRe = new Float64Array(height);
    this.colIm = new Float64Array(height);
  }

  /** Forward transform (unscaled), in place. */
  forward(re: Float64Array, im: Float64Array): void {
    this.run(re, im, false);
  }

  /** Inverse transform scaled by 1/(height*width), in place. */
  inverse(re: Float64Array, im: Float64Array): void {
    this.run(re, im, true);
  }

  private run(re: Float64Array, im: Float64Array, inverse: boolean): void {
    const { height, width, colRe, colIm } = this;
    const size = height * width;
    if (re.length !== size || im.length !== size) {
      throw new FrameError(
        `FFT of ${height}x${width} needs ${size} values, found ${re.length} real and ${im.length} imaginary.`,
        { expected: `${size} values`, found: `${re.length} and ${im.length}` },
      );
    }
    for (let y = 0; y < height; y++) {
      const r = re.subarray(y * width, (y + 1) * width);
      const i = im.subarray(y * width, (y + 1) * width);
      if (inverse) this.rows.inverse(r, i);
      else this.rows.forward(r, i);
    }
    for (let x = 0; x < width; x++) {
      for (let y = 0; y < height; y++) {
        colRe[y] = re[y * width + x]!;
        colIm[y] = im[y * width + x]!;
      }
      if (inverse) this.cols.inverse(colRe, colIm);
      else this.cols.forward(colRe, colIm);
      for (let y = 0; y < height; y++) {
        re[y * width + x] = colRe[y]!;
        im[y * width + x] = colIm[y]!;
      }
    }
  }
}

/**
 * Moves the zero-frequency pixel of a `height` x `width` image to the centre
 * (numpy's `fftshift`), writing into `out` (a new array when omitted).
 */
export function fftshift(
  data: Float64Array,
  height: number,
  width: number,
  out?: Float64Array,
): Float64Array {
  return roll2(data, height, width, height >> 1, width >> 1, out);
}

/** Undoes {@link fftshift} (numpy's `ifftshift`); differs from it for odd sizes. */
export function ifftshift(
  data: Float64Array,
  height: number,
  width: number,
  out?: Float64Array,
): Float64Array {
  return roll2(data, height, width, -(height >> 1), -(width >> 1), out);
}

function roll2(
  data: Float64Array,
  height: number,
  width: number,
  dy: number,
  dx: number,
  out: Float64Array = new Float64Array(height * width),
): Float64Array {
  if (out === data) throw new FrameError('fftshift cannot work in place; pass another array.');
  for (let y = 0; y < height; y++) {
    const ty = (((y + dy) % height) + height) % height;
    for (let x = 0; x < width; x++) {
      const tx = (((x + dx) % width) + width) % width;
      out[ty * width + tx] = data[y * width + x]!;
    }
  }
  return out;
}
