/**
 * A focused probe: a circular pupil (the focusing optic's aperture, seen in
 * the far field) with a defocus phase, propagated to the sample plane. Its
 * far field is a bright disc, as in real ptychography data.
 */

import { Fft2, fftshift, ifftshift } from './fft.js';

/** A complex image in split form, `height` x `width`, C order. */
export interface ComplexImage {
  readonly height: number;
  readonly width: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** Pupil radius as a fraction of the frame width. */
const PUPIL_FRACTION = 1 / 8;

/**
 * Defocus in waves at the pupil edge per pixel of pupil radius; with this the
 * geometric beam diameter in the sample plane is about a third of the frame.
 */
const DEFOCUS_WAVES_PER_PIXEL = 1 / 6;

/**
 * The probe of an `n` x `n` frame, centred, its peak amplitude 1. Its
 * diameter is about n/3 sample pixels.
 */
export function focusedProbe(n: number): ComplexImage {
  const radius = Math.max(1.5, n * PUPIL_FRACTION);
  const waves = DEFOCUS_WAVES_PER_PIXEL * radius;
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  const centre = n >> 1;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const r = Math.hypot(y - centre, x - centre);
      // One pixel of soft edge keeps the pupil round on small grids.
      const amplitude = Math.min(1, Math.max(0, radius + 0.5 - r));
      const phase = Math.PI * waves * (r / radius) ** 2;
      re[y * n + x] = amplitude * Math.cos(phase);
      im[y * n + x] = amplitude * Math.sin(phase);
    }
  }
  const fft = new Fft2(n, n);
  const pr = ifftshift(re, n, n);
  const pi = ifftshift(im, n, n);
  fft.inverse(pr, pi);
  fftshift(pr, n, n, re);
  fftshift(pi, n, n, im);
  let peak = 0;
  for (let i = 0; i < n * n; i++) peak = Math.max(peak, Math.hypot(re[i]!, im[i]!));
  for (let i = 0; i < n * n; i++) {
    re[i] = re[i]! / peak;
    im[i] = im[i]! / peak;
  }
  return { height: n, width: n, re, im };
}
