/**
 * An RGBA pixel buffer with the few drawing operations the previews need,
 * and atomic PNG output through pngjs.
 */

import { renameSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { FileFormatError } from '../errors.js';
import type { Rgb } from './colormap.js';
import { GLYPH_GAP, GLYPH_WIDTH, glyph, textWidth } from './font.js';

/** An opaque RGBA image, C order, 4 bytes per pixel. */
export class Canvas {
  readonly data: Uint8Array;

  /** A `width` x `height` canvas filled with `background`. */
  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.data = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  /** Sets one pixel; pixels outside the canvas are ignored. */
  set(x: number, y: number, [r, g, b]: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = 4 * (y * this.width + x);
    this.data[i] = r;
    this.data[i + 1] = g;
    this.data[i + 2] = b;
    this.data[i + 3] = 255;
  }

  /** RGB of one pixel. */
  get(x: number, y: number): Rgb {
    const i = 4 * (y * this.width + x);
    return [this.data[i]!, this.data[i + 1]!, this.data[i + 2]!];
  }

  /** Fills the rectangle with top-left corner (x, y). */
  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) this.set(xx, yy, color);
  }

  /** A one-pixel line from (x0, y0) to (x1, y1) (Bresenham). */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb): void {
    // A NaN end point would never be reached: draw nothing.
    if (![x0, y0, x1, y1].every(Number.isFinite)) return;
    x0 = Math.round(x0);
    y0 = Math.round(y0);
    x1 = Math.round(x1);
    y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      this.set(x0, y0, color);
      if (x0 === x1 && y0 === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }

  /** A filled disc of `radius` pixels centred on (cx, cy). */
  disc(cx: number, cy: number, radius: number, color: Rgb): void {
    if (!Number.isFinite(cx) || !Number.isFinite(cy)) return;
    const x0 = Math.round(cx);
    const y0 = Math.round(cy);
    const r = Math.ceil(radius);
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        if (dx * dx + dy * dy <= radius * radius + 0.25) this.set(x0 + dx, y0 + dy, color);
      }
    }
  }

  /** A `+` of arm length `arm` at (cx, cy), outlined in `outline` so it shows on any colour. */
  cross(cx: number, cy: number, arm: number, color: Rgb, outline: Rgb): void {
    const x = Math.round(cx);
    const y = Math.round(cy);
    this.fillRect(x - arm - 1, y - 1, 2 * arm + 3, 3, outline);
    this.fillRect(x - 1, y - arm - 1, 3, 2 * arm + 3, outline);
    this.fillRect(x - arm, y, 2 * arm + 1, 1, color);
    this.fillRect(x, y - arm, 1, 2 * arm + 1, color);
  }

  /** Writes `text` with its top-left corner at (x, y), each font pixel `scale` pixels wide. */
  text(x: number, y: number, text: string, color: Rgb, scale = 2): void {
    let left = x;
    for (const char of text) {
      glyph(char).forEach((row, gy) => {
        for (let gx = 0; gx < row.length; gx++) {
          if (row[gx] === '#')
            this.fillRect(left + gx * scale, y + gy * scale, scale, scale, color);
        }
      });
      left += (GLYPH_WIDTH + GLYPH_GAP) * scale;
    }
  }

  /** Width in pixels of `text` drawn at `scale`. */
  static textWidth(text: string, scale = 2): number {
    return textWidth(text) * scale;
  }

  /** Encodes the canvas as PNG bytes. */
  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    png.data.set(this.data);
    return PNG.sync.write(png);
  }

  /** Writes the PNG to `file` via a temporary file and a rename. */
  save(file: string): void {
    const temp = `${file}.part`;
    try {
      writeFileSync(temp, this.toPng());
      renameSync(temp, file);
    } catch (cause) {
      throw new FileFormatError(`${file}: cannot write the PNG (${(cause as Error).message}).`, {
        file,
        cause,
      });
    }
  }
}
