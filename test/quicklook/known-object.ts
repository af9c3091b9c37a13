/**
 * A scan of a known object for the quick-look tests: an absorbing disc and
 * a phase bump (a Gaussian, so its gradient is known everywhere), scanned on a
 * raster by the focused probe of src/sim, far field without normalisation so
 * the counts carry the transmission.
 */
import { type NdArray, ndarray } from '../../src/frames/ndarray.js';
import { h5write } from '../../src/ptyd/index.js';
import { Fft2, fftshift, focusedProbe, Random } from '../../src/sim/index.js';

export interface KnownScan {
  frames: NdArray<'int32'>;
  positions: NdArray<'float64'>;
  /** Per frame: the object's intensity transmission weighted by the probe intensity. */
  transmission: Float64Array;
  /** Per frame: the probe-weighted phase gradient in y and x (radians per pixel). */
  gradY: Float64Array;
  gradX: Float64Array;
  /** Sample pixel size in metres the positions are given in. */
  pixel: number;
}

export function knownObjectScan(contrast = 0.2, n = 32, side = 14, step = 3): KnownScan {
  const pixel = 50e-9;
  const span = (side - 1) * step;
  const size = span + n + 2;
  const amp = new Float64Array(size * size);
  const phase = new Float64Array(size * size);
  const dpy = new Float64Array(size * size);
  const dpx = new Float64Array(size * size);
  const c1 = [size * 0.35, size * 0.6];
  const c2 = [size * 0.6, size * 0.4];
  const sigma = size / 7;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const r1 = Math.hypot(y - c1[0]!, x - c1[1]!);
      amp[i] = 1 - contrast / (1 + Math.exp((r1 - size / 6) / 1.5));
      const gy = y - c2[0]!;
      const gx = x - c2[1]!;
      const g = 2.5 * Math.exp(-(gy * gy + gx * gx) / (2 * sigma * sigma));
      phase[i] = g;
      dpy[i] = (-gy / (sigma * sigma)) * g;
      dpx[i] = (-gx / (sigma * sigma)) * g;
    }
  }
  const probe = focusedProbe(n);
  const fft = new Fft2(n, n);
  const count = side * side;
  const frames = ndarray('int32', [count, n, n]);
  const positions = ndarray('float64', [count, 2]);
  const transmission = new Float64Array(count);
  const gradY = new Float64Array(count);
  const gradX = new Float64Array(count);
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  const intensity = new Float64Array(n * n);
  const centred = new Float64Array(n * n);
  const noise = new Random(7);
  let k = 0;
  for (let a = 0; a < side; a++) {
    for (let b = 0; b < side; b++, k++) {
      const top = 1 + a * step;
      const left = 1 + b * step;
      positions.data[2 * k] = (top + n / 2 - size / 2) * pixel;
      positions.data[2 * k + 1] = (left + n / 2 - size / 2) * pixel;
      let w = 0;
      let t = 0;
      let sy = 0;
      let sx = 0;
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          const o = (top + r) * size + left + c;
          const q = r * n + c;
          const or = amp[o]! * Math.cos(phase[o]!);
          const oi = amp[o]! * Math.sin(phase[o]!);
          const pr = probe.re[q]!;
          const pi = probe.im[q]!;
          re[q] = pr * or - pi * oi;
          im[q] = pr * oi + pi * or;
          const p2 = pr * pr + pi * pi;
          const e = p2 * amp[o]! * amp[o]!;
          w += p2;
          t += e;
          sy += e * dpy[o]!;
          sx += e * dpx[o]!;
        }
      }
      transmission[k] = t / w;
      gradY[k] = sy / t;
      gradX[k] = sx / t;
      fft.forward(re, im);
      for (let q = 0; q < n * n; q++) intensity[q] = re[q]! * re[q]! + im[q]! * im[q]!;
      fftshift(intensity, n, n, centred);
      for (let q = 0; q < n * n; q++) {
        frames.data[k * n * n + q] = noise.poisson(centred[q]! * 2);
      }
    }
  }
  return { frames, positions, transmission, gradY, gradX, pixel };
}

/** Pearson correlation of two equally long series. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]! / n;
    mb += b[i]! / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Writes the scan as a .ptyd in chunks of `chunk` frames, with a mask hiding `hidden`. */
export function writeKnownPtyd(file: string, chunk: number, hidden: number[] = []): void {
  const scan = knownObjectScan();
  const count = scan.frames.shape[0]!;
  const N = scan.frames.shape[1]!;
  const chunks: Record<string, Record<string, ReturnType<typeof ndarray>>> = {};
  for (let start = 0, c = 0; start < count; start += chunk, c++) {
    const n = Math.min(chunk, count - start);
    const weights = ndarray('int8', [n, N, N]);
    weights.data.fill(1);
    for (let k = 0; k < n; k++) for (const p of hidden) weights.data[k * N * N + p] = 0;
    chunks[String(c)] = {
      data: ndarray('int32', [n, N, N], scan.frames.data.slice(start * N * N, (start + n) * N * N)),
      weights,
      positions: ndarray('float64', [n, 2], scan.positions.data.slice(2 * start, 2 * (start + n))),
      indices: ndarray(
        'int64',
        [n],
        BigInt64Array.from({ length: n }, (_, k) => BigInt(start + k)),
      ),
    };
  }
  h5write(file, {
    chunks,
    meta: {
      center: ndarray('float64', [2], Float64Array.of(N / 2, N / 2)),
      psize: 75e-6,
      distance: 5,
      energy: 8.0,
    },
  });
}
