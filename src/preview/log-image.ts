/**
 * Renders a 2-D intensity image on a log scale with the viridis colormap,
 * masked pixels in {@link MASK_COLOR}, resized to a comfortable viewing size.
 */

import { Canvas } from './canvas.js';
import { type Rgb, viridis } from './colormap.js';

/** Colour of masked (invalid) pixels; viridis never comes close to pure red. */
export const MASK_COLOR: Rgb = [255, 0, 0];

/** Small images are enlarged by an integer factor to at least this many pixels. */
const MIN_SIDE = 256;
/** Large images are reduced by an integer factor to at most about this many pixels. */
const MAX_SIDE = 1024;
const REDUCED_SIDE = 512;

/** An image rendered for display, and how source pixels map onto it. */
export interface RenderedImage {
  canvas: Canvas;
  /** Output pixels per source pixel (below 1 when the image was reduced). */
  zoom: number;
  /** Output pixel position of a source position (pixel centres at integers). */
  toCanvas(y: number, x: number): [number, number];
}

/**
 * Renders `values` (`height` x `width`, C order) as log10(1 + v) in viridis,
 * scaled to the largest unmasked value. `masked[i] = 1` paints pixel i in
 * {@link MASK_COLOR}. Images smaller than 256 px are enlarged by an integer
 * factor; images above 1024 px are reduced by block maximum, so single hot
 * pixels stay visible.
 */
export function renderLogImage(
  values: Float64Array,
  height: number,
  width: number,
  masked: Uint8Array | null = null,
): RenderedImage {
  const side = Math.max(height, width);
  const up = side < MIN_SIDE ? Math.ceil(MIN_SIDE / side) : 1;
  const down = side > MAX_SIDE ? Math.ceil(side / REDUCED_SIDE) : 1;
  const outH = Math.ceil(height / down);
  const outW = Math.ceil(width / down);
  // Block maximum of log values, and whether any pixel of the block is masked.
  const level = new Float64Array(outH * outW).fill(Number.NEGATIVE_INFINITY);
  const hidden = new Uint8Array(outH * outW);
  let top = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const o = Math.floor(y / down) * outW + Math.floor(x / down);
      if (masked?.[i]) {
        hidden[o] = 1;
        continue;
      }
      const v = Math.log10(1 + Math.max(0, values[i]!));
      if (v > level[o]!) level[o] = v;
      if (v > top) top = v;
    }
  }
  const canvas = new Canvas(outW * up, outH * up);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const o = y * outW + x;
      const color = hidden[o] ? MASK_COLOR : viridis(top > 0 ? level[o]! / top : 0);
      canvas.fillRect(x * up, y * up, up, up, color);
    }
  }
  const zoom = up / down;
  return {
    canvas,
    zoom,
    toCanvas: (y, x) => [(y + 0.5) * zoom - 0.5, (x + 0.5) * zoom - 0.5],
  };
}
