/**
 * Scan trajectories. Positions are in metres, shape (count, 2), each row
 * `[y, x]` as ptypy stores them, centred on the origin.
 */

import { ParameterError } from '../errors.js';
import { type NdArray, ndarray } from '../frames/ndarray.js';

/** The scan trajectories the simulator knows. */
export type ScanPattern = 'round' | 'raster' | 'spiral';

/** Every {@link ScanPattern}, for validation and help texts. */
export const SCAN_PATTERNS: readonly ScanPattern[] = ['round', 'raster', 'spiral'];

/** Points on the k-th ring of a round scan; keeps the arc step close to the radial one. */
const POINTS_PER_RING = 6;

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/**
 * Positions of `count` scan points `step` metres apart.
 *
 * - `round`: a centre point, then concentric rings `step` apart, ring k holding 6k points.
 * - `raster`: a square-ish grid of pitch `step`, row by row, centred on the origin.
 * - `spiral`: a Fermat spiral whose density gives one point per `step`^2.
 *
 * @example
 * const pos = scanPositions('spiral', 50, 1e-6); // shape [50, 2]
 */
export function scanPositions(
  pattern: ScanPattern,
  count: number,
  step: number,
): NdArray<'float64'> {
  const problems = [];
  if (!SCAN_PATTERNS.includes(pattern)) {
    problems.push({ path: 'pattern', expected: SCAN_PATTERNS.join(' | '), found: String(pattern) });
  }
  if (!Number.isSafeInteger(count) || count < 1) {
    problems.push({ path: 'frames', expected: 'a positive integer', found: String(count) });
  }
  if (!(step > 0) || !Number.isFinite(step)) {
    problems.push({ path: 'step', expected: 'a positive number of metres', found: String(step) });
  }
  if (problems.length > 0) throw new ParameterError(problems);
  const data = new Float64Array(2 * count);
  const put = (i: number, y: number, x: number): void => {
    data[2 * i] = y;
    data[2 * i + 1] = x;
  };
  if (pattern === 'round') {
    let i = 0;
    for (let ring = 0; i < count; ring++) {
      const points = ring === 0 ? 1 : POINTS_PER_RING * ring;
      for (let p = 0; p < points && i < count; p++, i++) {
        const angle = (2 * Math.PI * p) / points;
        put(i, ring * step * Math.sin(angle), ring * step * Math.cos(angle));
      }
    }
  } else if (pattern === 'raster') {
    const cols = Math.ceil(Math.sqrt(count));
    const rows = Math.ceil(count / cols);
    for (let i = 0; i < count; i++) {
      const r = Math.floor(i / cols);
      const c = i % cols;
      put(i, (r - (rows - 1) / 2) * step, (c - (cols - 1) / 2) * step);
    }
  } else {
    // Area per point pi*c^2 equals step^2.
    const c = step / Math.sqrt(Math.PI);
    for (let i = 0; i < count; i++) {
      const r = c * Math.sqrt(i + 0.5);
      const angle = i * GOLDEN_ANGLE;
      put(i, r * Math.sin(angle), r * Math.cos(angle));
    }
  }
  return ndarray('float64', [count, 2], data);
}
