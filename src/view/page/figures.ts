/// <reference lib="dom" />
/** The figures of src/preview drawn on the page's canvases. */
import type { Surface } from '../../preview/figure.js';

/** A {@link Surface} over a canvas element. */
export function canvasSurface(canvas: HTMLCanvasElement): Surface | null {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return null;
  return {
    ctx,
    width: canvas.width,
    height: canvas.height,
    pixels(rgba, width, height) {
      const image = document.createElement('canvas');
      image.width = width;
      image.height = height;
      image
        .getContext('2d')
        ?.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
      return image;
    },
  };
}
