/**
 * PNG figures in Node: the figures of `figure.ts` drawn by Skia through
 * @napi-rs/canvas, text set in DejaVu Sans (shipped by @fontsource/dejavu-sans,
 * so no system font is needed), written atomically.
 */

import { renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Skia from '@napi-rs/canvas';
import { FileFormatError } from '../errors.js';
import type { Surface } from './figure.js';

const FONT_FILE = '@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff2';
const require = createRequire(import.meta.url);
let skia: typeof Skia | null = null;

/** Loads Skia (a native module, so only when a PNG is drawn) and registers the figure font once. */
function loadSkia(): typeof Skia {
  if (skia !== null) return skia;
  const loaded = require('@napi-rs/canvas') as typeof Skia;
  const path = require.resolve(FONT_FILE);
  if (loaded.GlobalFonts.registerFromPath(path, 'PtyscanSans') === null) {
    throw new FileFormatError(`${path}: the figure font could not be loaded.`, {
      file: path,
      expected: 'a WOFF2 font',
      found: 'a file Skia cannot read',
    });
  }
  skia = loaded;
  return loaded;
}

/**
 * Draws with `draw` on a `width` x `height` Skia canvas and returns the PNG bytes.
 *
 * @example
 * const png = renderPng(480, 400, (s) => drawHistogramFigure(s, 'counts', maps.histogram));
 */
export function renderPng(width: number, height: number, draw: (s: Surface) => void): Buffer {
  const { createCanvas, ImageData } = loadSkia();
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const surface: Surface = {
    ctx,
    width,
    height,
    pixels(rgba, w, h) {
      const image = createCanvas(w, h);
      image.getContext('2d').putImageData(new ImageData(rgba, w, h), 0, 0);
      return image;
    },
  };
  draw(surface);
  return canvas.toBuffer('image/png');
}

/** Writes PNG bytes to `file` via a temporary file and a rename. */
export function savePng(file: string, png: Buffer): void {
  const temp = `${file}.part`;
  try {
    writeFileSync(temp, png);
    renameSync(temp, file);
  } catch (cause) {
    throw new FileFormatError(`${file}: cannot write the PNG (${(cause as Error).message}).`, {
      file,
      cause,
    });
  }
}
