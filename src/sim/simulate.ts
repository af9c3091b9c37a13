/**
 * A MoonFlowerScan-like simulator: a focused probe scans a procedural object,
 * each frame is the far-field intensity |FFT(probe * object patch)|^2 scaled
 * to a photon count, optionally blurred by the detector, with Poisson noise.
 */

import { ParameterError, type ParameterProblem } from '../errors.js';
import { type FrameStack, type NdArray, ndarray } from '../frames/ndarray.js';
import { Fft2, fftshift } from './fft.js';
import { samplePixelSize, wavelength } from './geometry.js';
import { moonFlower } from './moon-flower.js';
import { type ComplexImage, focusedProbe } from './probe.js';
import { Random } from './random.js';
import { SCAN_PATTERNS, type ScanPattern, scanPositions } from './scan-pattern.js';

/** What to simulate. Lengths in metres, energy in keV. */
export interface SimulationOptions {
  /** Number of frames (scan points). */
  frames: number;
  /** Frame side in pixels; frames are `shape` x `shape`. */
  shape: number;
  /** Expected total photon count of each frame. */
  photons: number;
  pattern: ScanPattern;
  /** Photon energy in keV. */
  energy: number;
  /** Sample-detector distance in metres. */
  distance: number;
  /** Detector pixel size in metres. */
  psize: number;
  /** Seed of the random generator; equal seeds give equal scans. */
  seed: number;
  /** Detector blur: Gaussian sigma in pixels (0 or absent: none). */
  blur?: number;
  /** Distance between neighbouring scan points in metres (default: a tenth of the frame's field of view). */
  step?: number;
  /** Poisson noise on the counts (default true); false gives the noise-free intensity rounded down, as ptypy's MoonFlowerScan does. */
  noise?: boolean;
}

/** ptypy's MoonFlowerScan-like defaults: 100 frames of 128 px at 7.2 keV, 7.19 m. */
export const DEFAULT_SIMULATION: Readonly<SimulationOptions> = {
  frames: 100,
  shape: 128,
  photons: 1e8,
  pattern: 'round',
  energy: 7.2,
  distance: 7.19,
  psize: 172e-6,
  seed: 0,
};

/** Geometry of a simulated scan. */
export interface SimulationMeta {
  /** Photon energy in keV. */
  energy: number;
  /** Sample-detector distance in metres. */
  distance: number;
  /** Detector pixel size in metres. */
  psize: number;
  /** Frame side in pixels. */
  shape: number;
  /** Wavelength in metres. */
  wavelength: number;
  /** Sample-plane pixel size in metres. */
  resolution: number;
  /** Scan step in metres. */
  step: number;
}

/** A whole simulated scan. */
export interface SimulatedScan {
  /** Diffraction frames, shape `[frames, shape, shape]`, counts. */
  frames: FrameStack<'int32'>;
  /** Scan positions in metres, shape `[frames, 2]`, rows `[y, x]`. */
  positions: NdArray<'float64'>;
  meta: SimulationMeta;
}

/** One simulated frame, as {@link simulateFrames} yields it. */
export interface SimulatedFrame {
  index: number;
  /** Counts, shape `[shape, shape]`. */
  data: NdArray<'int32'>;
  /** `[y, x]` in metres. */
  position: readonly [number, number];
}

/** Validated options with the derived geometry and trajectory. */
interface Plan {
  options: SimulationOptions;
  meta: SimulationMeta;
  positions: NdArray<'float64'>;
}

/** Pixels of object kept around the outermost probe footprint. */
const OBJECT_MARGIN = 8;
/** Decorrelates the noise stream from the object stream of the same seed. */
const NOISE_SEED_SALT = 0x5bd1e995;

function checkOptions(options: SimulationOptions): void {
  const problems: ParameterProblem[] = [];
  const positive = (path: keyof SimulationOptions, value: unknown, integer: boolean): void => {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value > 0 &&
      (!integer || Number.isSafeInteger(value));
    if (!ok) {
      problems.push({
        path,
        expected: integer ? 'a positive integer' : 'a positive number',
        found: String(value),
      });
    }
  };
  positive('frames', options.frames, true);
  positive('shape', options.shape, true);
  positive('photons', options.photons, false);
  positive('energy', options.energy, false);
  positive('distance', options.distance, false);
  positive('psize', options.psize, false);
  if (options.step !== undefined) positive('step', options.step, false);
  if (!SCAN_PATTERNS.includes(options.pattern)) {
    problems.push({
      path: 'pattern',
      expected: SCAN_PATTERNS.map((p) => `'${p}'`).join(' | '),
      found: String(options.pattern),
    });
  }
  if (!Number.isSafeInteger(options.seed)) {
    problems.push({ path: 'seed', expected: 'an integer', found: String(options.seed) });
  }
  const blur = options.blur;
  if (blur !== undefined && !(typeof blur === 'number' && Number.isFinite(blur) && blur >= 0)) {
    problems.push({ path: 'blur', expected: 'a number >= 0 (pixels)', found: String(blur) });
  }
  if (problems.length > 0) throw new ParameterError(problems);
}

function plan(options: SimulationOptions): Plan {
  checkOptions(options);
  const { energy, distance, psize, shape } = options;
  const resolution = samplePixelSize(energy, distance, shape, psize);
  const step = options.step ?? (shape / 10) * resolution;
  const meta: SimulationMeta = {
    energy,
    distance,
    psize,
    shape,
    wavelength: wavelength(energy),
    resolution,
    step,
  };
  return { options, meta, positions: scanPositions(options.pattern, options.frames, step) };
}

/** Separable Gaussian blur; weights are renormalised where the kernel leaves the frame. */
function gaussianBlur(image: Float64Array, n: number, sigma: number): void {
  const reach = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * reach + 1);
  for (let k = -reach; k <= reach; k++)
    kernel[k + reach] = Math.exp(-(k * k) / (2 * sigma * sigma));
  const line = new Float64Array(n);
  const pass = (offset: (i: number, j: number) => number): void => {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        let weight = 0;
        for (let k = Math.max(-reach, -j); k <= Math.min(reach, n - 1 - j); k++) {
          const w = kernel[k + reach]!;
          sum += w * image[offset(i, j + k)]!;
          weight += w;
        }
        line[j] = sum / weight;
      }
      for (let j = 0; j < n; j++) image[offset(i, j)] = line[j]!;
    }
  };
  pass((row, col) => row * n + col);
  pass((col, row) => row * n + col);
}

/** Object pixels needed so every probe footprint lies inside. */
function objectSide(
  positions: NdArray<'float64'>,
  axis: 0 | 1,
  resolution: number,
  n: number,
): number {
  let reach = 0;
  for (let i = axis; i < positions.data.length; i += 2) {
    reach = Math.max(reach, Math.abs(positions.data[i]!) / resolution);
  }
  return 2 * Math.ceil(reach) + n + 2 * OBJECT_MARGIN;
}

/** The object and probe a plan illuminates: the same for the frames and the ground truth. */
function specimen(p: Plan): { object: ComplexImage; probe: ComplexImage } {
  const { shape: n, seed } = p.options;
  const { resolution } = p.meta;
  const height = objectSide(p.positions, 0, resolution, n);
  const width = objectSide(p.positions, 1, resolution, n);
  return { object: moonFlower(new Random(seed), height, width), probe: focusedProbe(n) };
}

function* run(p: Plan): Generator<SimulatedFrame, void, undefined> {
  const { shape: n, photons, seed, blur } = p.options;
  const noisy = p.options.noise !== false;
  const { resolution } = p.meta;
  const { object, probe } = specimen(p);
  const { height, width } = object;
  const noise = new Random(seed ^ NOISE_SEED_SALT);
  const fft = new Fft2(n, n);
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  const intensity = new Float64Array(n * n);
  const centred = new Float64Array(n * n);
  const half = n >> 1;
  for (let index = 0; index < p.options.frames; index++) {
    const y = p.positions.data[2 * index]!;
    const x = p.positions.data[2 * index + 1]!;
    const top = (height >> 1) - half + Math.round(y / resolution);
    const left = (width >> 1) - half + Math.round(x / resolution);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const o = (top + r) * width + left + c;
        const q = r * n + c;
        const pr = probe.re[q]!;
        const pi = probe.im[q]!;
        const or = object.re[o]!;
        const oi = object.im[o]!;
        re[q] = pr * or - pi * oi;
        im[q] = pr * oi + pi * or;
      }
    }
    fft.forward(re, im);
    for (let q = 0; q < n * n; q++) intensity[q] = re[q]! * re[q]! + im[q]! * im[q]!;
    fftshift(intensity, n, n, centred);
    if (blur !== undefined && blur > 0) gaussianBlur(centred, n, blur);
    let total = 0;
    for (const v of centred) total += v;
    const scale = total > 0 ? photons / total : 0;
    const counts = new Int32Array(n * n);
    for (let q = 0; q < n * n; q++) {
      const expected = centred[q]! * scale;
      counts[q] = noisy ? noise.poisson(expected) : Math.floor(expected);
    }
    yield { index, data: ndarray('int32', [n, n], counts), position: [y, x] };
  }
}

/**
 * Validates `options` and returns the scan's geometry and positions without
 * simulating any frame.
 */
export function describeSimulation(options: SimulationOptions): {
  meta: SimulationMeta;
  positions: NdArray<'float64'>;
} {
  const { meta, positions } = plan(options);
  return { meta, positions };
}

/** What a simulated scan really is, for checking a reconstruction against it. */
export interface SimulationTruth {
  /** The complex transmission, `height` x `width` object pixels. */
  object: ComplexImage;
  /** The complex probe in the sample plane, `shape` x `shape` (peak amplitude 1). */
  probe: ComplexImage;
  /**
   * The object pixel under scan position (0, 0) and under the probe's centre
   * pixel (`shape // 2`): frame k illuminates the object rows from
   * `centre[0] - shape // 2 + round(y_k / resolution)` on (columns alike).
   */
  centre: [number, number];
  meta: SimulationMeta;
  positions: NdArray<'float64'>;
}

/**
 * The object, probe and geometry of the scan `options` simulates (no frame
 * is computed). Object and probe pixels are `meta.resolution` metres.
 *
 * @example
 * const truth = simulationTruth({ ...DEFAULT_SIMULATION, frames: 50 });
 * truth.object.height; // object rows
 */
export function simulationTruth(options: SimulationOptions): SimulationTruth {
  const p = plan(options);
  const { object, probe } = specimen(p);
  return {
    object,
    probe,
    centre: [object.height >> 1, object.width >> 1],
    meta: p.meta,
    positions: p.positions,
  };
}

/**
 * Simulates a scan one frame at a time, so a caller can write each frame as
 * it is "acquired". Yields exactly the frames {@link simulateScan} returns.
 * Throws {@link ParameterError} on invalid options, before the first frame.
 *
 * @example
 * for (const f of simulateFrames({ ...DEFAULT_SIMULATION, frames: 10 })) save(f.index, f.data);
 */
export function simulateFrames(
  options: SimulationOptions,
): Generator<SimulatedFrame, void, undefined> {
  // Validate now, not at the first next(): a generator body runs lazily.
  return run(plan(options));
}

/**
 * Simulates a whole scan in memory.
 *
 * @example
 * const sim = simulateScan({ ...DEFAULT_SIMULATION, frames: 50, pattern: 'spiral', seed: 3 });
 * sim.frames.shape; // [50, 128, 128]
 */
export function simulateScan(options: SimulationOptions): SimulatedScan {
  const p = plan(options);
  const n = p.options.shape;
  const frames = ndarray('int32', [p.options.frames, n, n]);
  for (const f of run(p)) frames.data.set(f.data.data, f.index * n * n);
  return { frames, positions: p.positions, meta: p.meta };
}
