/**
 * A procedural complex test object: a flower of petals and rings, smooth
 * random blobs and small grains that scatter to high angles, all drawn from a
 * seeded generator. Amplitude lies in [0.5, 1], phase in [0, pi/2].
 */

import type { ComplexImage } from './probe.js';
import type { Random } from './random.js';

interface Blob {
  y: number;
  x: number;
  /** 1 / (2 sigma^2) */
  falloff: number;
  weight: number;
}

function smoothstep(edge0: number, edge1: number, v: number): number {
  const t = Math.min(1, Math.max(0, (v - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

function randomBlobs(
  rng: Random,
  count: number,
  height: number,
  width: number,
  sigma: [number, number],
): Blob[] {
  return Array.from({ length: count }, () => {
    const s = rng.between(sigma[0], sigma[1]);
    return {
      y: rng.between(0, height),
      x: rng.between(0, width),
      falloff: 1 / (2 * s * s),
      weight: rng.between(0.3, 1),
    };
  });
}

/** Sums blobs onto a field, each only within 3 sigma of its centre. */
function paint(field: Float64Array, height: number, width: number, blobs: Blob[]): void {
  for (const b of blobs) {
    const reach = Math.ceil(3 / Math.sqrt(2 * b.falloff));
    const y0 = Math.max(0, Math.floor(b.y) - reach);
    const y1 = Math.min(height - 1, Math.floor(b.y) + reach);
    const x0 = Math.max(0, Math.floor(b.x) - reach);
    const x1 = Math.min(width - 1, Math.floor(b.x) + reach);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d2 = (y - b.y) ** 2 + (x - b.x) ** 2;
        field[y * width + x] = field[y * width + x]! + b.weight * Math.exp(-d2 * b.falloff);
      }
    }
  }
}

/** Scales a non-negative field into [0, 1]. */
function normalise(field: Float64Array): void {
  let max = 0;
  for (const v of field) max = Math.max(max, v);
  if (max > 0) for (let i = 0; i < field.length; i++) field[i] = field[i]! / max;
}

/**
 * A `height` x `width` moon-flower transmission drawn from `rng`.
 *
 * @example
 * const object = moonFlower(new Random(1), 400, 400);
 */
export function moonFlower(rng: Random, height: number, width: number): ComplexImage {
  const size = height * width;
  const cy = height / 2;
  const cx = width / 2;
  const radius = 0.45 * Math.min(height, width);
  const petals = 5 + rng.integer(5);
  const twist = rng.between(0, 2 * Math.PI);
  const ringPeriod = rng.between(0.08, 0.14);

  const smooth = new Float64Array(size);
  paint(smooth, height, width, randomBlobs(rng, 24, height, width, [0.03 * radius, 0.12 * radius]));
  normalise(smooth);
  const grains = new Float64Array(size);
  const grainCount = Math.round(size / 400);
  paint(grains, height, width, randomBlobs(rng, grainCount, height, width, [0.8, 2]));
  normalise(grains);

  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const r = Math.hypot(y - cy, x - cx) / radius;
      const theta = Math.atan2(y - cy, x - cx);
      const edge = 0.55 + 0.35 * Math.cos(petals * theta + twist);
      const petal = 1 - smoothstep(edge - 0.04, edge + 0.04, r);
      const moon = 1 - smoothstep(0.14, 0.17, r);
      const rings = petal * (0.5 + 0.5 * Math.cos((2 * Math.PI * r) / ringPeriod));
      const density = Math.min(1, 0.45 * petal + 0.25 * rings + 0.3 * moon + 0.2 * grains[i]!);
      const thickness = Math.min(1, 0.4 * petal + 0.4 * smooth[i]! + 0.2 * grains[i]!);
      const amplitude = 1 - 0.5 * density;
      const phase = (Math.PI / 2) * thickness;
      re[i] = amplitude * Math.cos(phase);
      im[i] = amplitude * Math.sin(phase);
    }
  }
  return { height, width, re, im };
}
