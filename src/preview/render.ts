/**
 * PNG previews of a scan: the summed diffraction pattern, a few single
 * frames and the scan trajectory, for a quick look at prepared or raw data.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FrameError, ParameterError } from '../errors.js';
import { type FrameStack, formatShape, type NdArray, sizeOf } from '../frames/ndarray.js';
import type { Rgb } from './colormap.js';
import { renderLogImage } from './log-image.js';
import { plotPositions } from './positions-plot.js';

/** What to preview. */
export interface PreviewInput {
  /** Frames, shape `[n, h, w]` (a single `[h, w]` frame is accepted too). */
  frames: FrameStack;
  /** Validity masks (1 = valid, 0 = masked), `[n, h, w]`, `[1, h, w]` or `[h, w]`. */
  masks?: FrameStack<'bool'>;
  /** Scan positions in metres, shape `[n, 2]`, rows `[y, x]`. */
  positions?: NdArray<'float64'> | null;
  /** Centre `[row, col]` in pixels to mark; default: the mass centre of the summed frames. */
  center?: [number, number];
}

/** Choices for {@link renderPreviews}. */
export interface PreviewOptions {
  /** Frame indices to render singly (default: first, middle and last). */
  frameIndices?: readonly number[];
}

/** Colour of the centre cross and of its outline. */
export const CENTER_COLOR: Rgb = [255, 255, 255];
export const CENTER_OUTLINE: Rgb = [0, 0, 0];

const CROSS_ARM = 8;

interface Checked {
  count: number;
  height: number;
  width: number;
  /** Number view of the frame values (bigints converted). */
  value: (i: number) => number;
  /** Number of mask planes: 0 without masks, 1 for one mask shared by all frames, else count. */
  maskPlanes: number;
  masks: Uint8Array | null;
}

function check(input: PreviewInput): Checked {
  const { frames, masks } = input;
  const dims = frames.shape.length;
  if (dims !== 2 && dims !== 3) {
    throw new FrameError(
      `Previews need frames of shape (n, h, w) or (h, w), found ${formatShape(frames.shape)}.`,
      { expected: '(n, h, w)', found: formatShape(frames.shape) },
    );
  }
  const [count, height, width] = dims === 3 ? frames.shape : [1, ...frames.shape];
  if (!count || !height || !width) {
    throw new FrameError(
      `Previews need at least one non-empty frame, found ${formatShape(frames.shape)}.`,
      {
        expected: 'n, h, w >= 1',
        found: formatShape(frames.shape),
      },
    );
  }
  const data = frames.data;
  // Number() is the identity on numbers and converts int64/uint64 bigints.
  const value = (i: number): number => Number(data[i]!);
  let maskPlanes = 0;
  if (masks) {
    const planeSize = height * width;
    const planes = sizeOf(masks.shape) / planeSize;
    const tail = masks.shape.slice(-2);
    const okShape =
      tail[0] === height &&
      tail[1] === width &&
      (planes === 1 || planes === count) &&
      masks.shape.length <= 3;
    if (!okShape) {
      throw new FrameError(
        `Preview masks must be (${count}, ${height}, ${width}), (1, ${height}, ${width}) or (${height}, ${width}); found ${formatShape(masks.shape)}.`,
        { expected: `(${count}, ${height}, ${width})`, found: formatShape(masks.shape) },
      );
    }
    maskPlanes = planes;
  }
  return { count, height, width, value, maskPlanes, masks: masks ? masks.data : null };
}

/** 1 where a pixel of frame `k` is masked (or, with k = -1, masked in any frame). */
function maskedPixels(c: Checked, k: number): Uint8Array | null {
  if (!c.masks) return null;
  const size = c.height * c.width;
  const out = new Uint8Array(size);
  const planes =
    k < 0 ? Array.from({ length: c.maskPlanes }, (_, p) => p) : [c.maskPlanes === 1 ? 0 : k];
  for (const p of planes) {
    for (let i = 0; i < size; i++) if (!c.masks[p * size + i]) out[i] = 1;
  }
  return out;
}

function massCenter(
  sum: Float64Array,
  masked: Uint8Array | null,
  height: number,
  width: number,
): [number, number] {
  let total = 0;
  let cy = 0;
  let cx = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = masked?.[i] ? 0 : Math.max(0, sum[i]!);
      total += v;
      cy += v * y;
      cx += v * x;
    }
  }
  return total > 0 ? [cy / total, cx / total] : [(height - 1) / 2, (width - 1) / 2];
}

/** `frame_0007.png` for frame 7. */
export function framePreviewName(index: number): string {
  return `frame_${String(index).padStart(4, '0')}.png`;
}

/**
 * Writes PNG previews into `outDir` (created if needed) and returns the
 * paths written:
 * - `sum.png`: the summed frames, log scale, viridis; masked pixels (invalid
 *   in any frame) in red; the centre marked by a white cross.
 * - `frame_%04d.png`: single frames, log scale, their own masks in red.
 * - `positions.png`: the scan positions in micrometres, when positions are given.
 * Frames smaller than 256 px are enlarged by an integer factor.
 *
 * @example
 * const files = renderPreviews({ frames: sim.frames, positions: sim.positions }, 'preview');
 */
export function renderPreviews(
  input: PreviewInput,
  outDir: string,
  options: PreviewOptions = {},
): string[] {
  const c = check(input);
  const { count, height, width, value } = c;
  const size = height * width;
  const indices = options.frameIndices ?? [0, Math.floor(count / 2), count - 1];
  const bad = indices.filter((k) => !Number.isSafeInteger(k) || k < 0 || k >= count);
  if (bad.length > 0) {
    throw new ParameterError([
      { path: 'frameIndices', expected: `integers in [0, ${count - 1}]`, found: bad.join(', ') },
    ]);
  }
  const positions = input.positions ?? null;
  if (positions && (positions.shape.length !== 2 || positions.shape[1] !== 2)) {
    throw new FrameError(
      `Scan positions must have shape (n, 2), found ${formatShape(positions.shape)}.`,
      {
        expected: '(n, 2)',
        found: formatShape(positions.shape),
      },
    );
  }
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];

  const sum = new Float64Array(size);
  for (let k = 0; k < count; k++) {
    for (let i = 0; i < size; i++) sum[i] = sum[i]! + value(k * size + i);
  }
  const anyMasked = maskedPixels(c, -1);
  const sumImage = renderLogImage(sum, height, width, anyMasked);
  const [cy, cx] = input.center ?? massCenter(sum, anyMasked, height, width);
  const [oy, ox] = sumImage.toCanvas(cy, cx);
  sumImage.canvas.cross(ox, oy, CROSS_ARM, CENTER_COLOR, CENTER_OUTLINE);
  const sumFile = join(outDir, 'sum.png');
  sumImage.canvas.save(sumFile);
  written.push(sumFile);

  const frame = new Float64Array(size);
  for (const k of [...new Set(indices)]) {
    for (let i = 0; i < size; i++) frame[i] = value(k * size + i);
    const file = join(outDir, framePreviewName(k));
    renderLogImage(frame, height, width, maskedPixels(c, k)).canvas.save(file);
    written.push(file);
  }

  if (positions) {
    const file = join(outDir, 'positions.png');
    plotPositions(positions.data, positions.shape[0] ?? 0).save(file);
    written.push(file);
  }
  return written;
}
