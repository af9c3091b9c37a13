/**
 * PNG previews of frames held in memory: the quick-look maps of
 * {@link writeQuickLookPngs} plus a few single frames.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FrameError, ParameterError } from '../errors.js';
import { type FrameStack, formatShape, type NdArray, sizeOf } from '../frames/ndarray.js';
import { QuickLook } from '../quicklook/index.js';
import {
  type FigureGeometry,
  framePreviewName,
  writeImagePng,
  writeQuickLookPngs,
} from './quick-look-pngs.js';

/** What to preview. */
export interface PreviewInput {
  /** Frames, shape `[n, h, w]` (a single `[h, w]` frame is accepted too). */
  frames: FrameStack;
  /** Validity masks (1 = valid, 0 = masked), `[n, h, w]`, `[1, h, w]` or `[h, w]`. */
  masks?: FrameStack<'bool'>;
  /** Scan positions in metres, shape `[n, 2]`, rows `[y, x]`. */
  positions?: NdArray<'float64'> | null;
  /** Centre `[row, col]` in pixels to mark, and to take centre-of-mass shifts from. */
  center?: [number, number];
  /** Pixel size and distance for axes in physical units. */
  geometry?: Partial<FigureGeometry>;
}

/** Choices for {@link renderPreviews}. */
export interface PreviewOptions {
  /** Frame indices to render singly (default: first, middle and last). */
  frameIndices?: readonly number[];
}

interface Checked {
  count: number;
  height: number;
  width: number;
  /** 0 without masks, 1 for one mask shared by all frames, else count. */
  maskPlanes: number;
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
      { expected: 'n, h, w >= 1', found: formatShape(frames.shape) },
    );
  }
  let maskPlanes = 0;
  if (masks) {
    const planes = sizeOf(masks.shape) / (height * width);
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
  const positions = input.positions ?? null;
  if (
    positions &&
    (positions.shape.length !== 2 || positions.shape[1] !== 2 || positions.shape[0] !== count)
  ) {
    throw new FrameError(
      `Scan positions must have shape (${count}, 2), found ${formatShape(positions.shape)}.`,
      { expected: `(${count}, 2)`, found: formatShape(positions.shape) },
    );
  }
  return { count, height, width, maskPlanes };
}

/**
 * Writes PNG previews into `outDir` (created if needed) and returns the
 * paths written: the quick-look maps (`sum.png`, with positions
 * `transmission.png`, `dpc_y.png`, `dpc_x.png`, `positions.png`, and
 * `histogram.png`), then `frame_%04d.png` for the chosen frames.
 *
 * @example
 * const files = renderPreviews({ frames: sim.frames, positions: sim.positions }, 'preview');
 */
export function renderPreviews(
  input: PreviewInput,
  outDir: string,
  options: PreviewOptions = {},
): string[] {
  const { count, height, width, maskPlanes } = check(input);
  const size = height * width;
  const indices = options.frameIndices ?? [0, Math.floor(count / 2), count - 1];
  const bad = indices.filter((k) => !Number.isSafeInteger(k) || k < 0 || k >= count);
  if (bad.length > 0) {
    throw new ParameterError([
      { path: 'frameIndices', expected: `integers in [0, ${count - 1}]`, found: bad.join(', ') },
    ]);
  }
  mkdirSync(outDir, { recursive: true });
  const positions = input.positions ?? null;
  const quickLook = new QuickLook({
    height,
    width,
    ...(input.center ? { center: input.center } : {}),
  });
  const data = input.frames.data as ArrayLike<number | bigint>;
  const masks = input.masks?.data ?? null;
  for (let k = 0; k < count; k++) {
    const plane = maskPlanes === 1 ? 0 : k;
    quickLook.add({
      data: subarray(data, k * size, size),
      count: 1,
      weights: masks ? masks.subarray(plane * size, (plane + 1) * size) : null,
      positions: positions ? positions.data.subarray(2 * k, 2 * k + 2) : null,
    });
  }
  const geometry: FigureGeometry = {
    psize: input.geometry?.psize ?? null,
    distance: input.geometry?.distance ?? null,
  };
  const maps = quickLook.result();
  const written = writeQuickLookPngs(maps, geometry, outDir, {
    center: input.center ?? null,
    hasPositions: positions !== null,
  });
  for (const k of [...new Set(indices)]) {
    const plane = maskPlanes === 1 ? 0 : k;
    const mask = masks?.subarray(plane * size, (plane + 1) * size);
    written.push(
      writeImagePng(join(outDir, framePreviewName(k)), {
        title: `frame ${k}`,
        values: Float64Array.from(subarray(data, k * size, size), Number),
        height,
        width,
        masked: mask ? mask.map((v) => (v ? 0 : 1)) : null,
        center: input.center ?? null,
        psize: geometry.psize,
      }),
    );
  }
  return written;
}

function subarray(
  data: ArrayLike<number | bigint>,
  start: number,
  length: number,
): ArrayLike<number | bigint> {
  const typed = data as ArrayLike<number | bigint> & {
    subarray?: (a: number, b: number) => ArrayLike<number | bigint>;
  };
  return typed.subarray
    ? typed.subarray(start, start + length)
    : Array.from({ length }, (_, i) => data[start + i]!);
}
