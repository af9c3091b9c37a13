/**
 * The quick-look PNGs of a scan: the summed pattern, the transmission and
 * the two differential-phase-contrast maps on the scan positions, the scan
 * path, a histogram of counts, and single frames. Every picture has axes in
 * physical units and a colour bar.
 */
import { join } from 'node:path';
import type { QuickLookMaps } from '../quicklook/index.js';
import {
  drawHistogramFigure,
  drawImageFigure,
  drawScatterFigure,
  type ImageFigure,
} from './figure.js';
import { renderPng, savePng } from './png-surface.js';

/** Size of every quick-look PNG in pixels. */
export const FIGURE_SIZE = { width: 560, height: 460 } as const;

/** Geometry that turns pixels into physical units (nulls: pixels are shown). */
export interface FigureGeometry {
  /** Detector pixel size in metres. */
  psize: number | null;
  /** Sample-detector distance in metres. */
  distance: number | null;
}

/** `frame_0007.png` for frame 7. */
export function framePreviewName(index: number): string {
  return `frame_${String(index).padStart(4, '0')}.png`;
}

/** Deflection per pixel of centre-of-mass shift, and its unit. */
export function dpcUnit(geometry: FigureGeometry): { scale: number; unit: string } {
  const { psize, distance } = geometry;
  return psize && distance
    ? { scale: (psize / distance) * 1e6, unit: 'µrad' }
    : { scale: 1, unit: 'pixels' };
}

/** Writes one detector image (log scale) as a PNG. */
export function writeImagePng(file: string, figure: ImageFigure): string {
  savePng(
    file,
    renderPng(FIGURE_SIZE.width, FIGURE_SIZE.height, (s) => drawImageFigure(s, figure)),
  );
  return file;
}

/**
 * Writes `sum.png`, and with positions `transmission.png`, `dpc_y.png`,
 * `dpc_x.png`, `positions.png`; always `histogram.png`. Returns the paths.
 */
export function writeQuickLookPngs(
  maps: QuickLookMaps,
  geometry: FigureGeometry,
  outDir: string,
  options: { center?: readonly [number, number] | null; hasPositions: boolean },
): string[] {
  const written: string[] = [];
  const size = FIGURE_SIZE;
  written.push(
    writeImagePng(join(outDir, 'sum.png'), {
      title: `sum of ${maps.frames} frames`,
      values: maps.sum,
      height: maps.height,
      width: maps.width,
      masked: maps.masked,
      center: options.center ?? maps.center,
      psize: geometry.psize,
    }),
  );
  if (options.hasPositions) {
    const { scale, unit } = dpcUnit(geometry);
    const scaled = (values: Float64Array): Float64Array => values.map((v) => v * scale);
    const scatter = (
      name: string,
      title: string,
      values: ArrayLike<number>,
      label: string,
      diverging: boolean,
      path = false,
    ): void => {
      const file = join(outDir, name);
      const png = renderPng(size.width, size.height, (s) =>
        drawScatterFigure(s, {
          title,
          positions: maps.positions,
          values,
          count: maps.frames,
          scale: diverging ? 'diverging' : 'viridis',
          label,
          path,
        }),
      );
      savePng(file, png);
      written.push(file);
    };
    scatter('transmission.png', 'transmission', maps.transmission, 'counts inside the mask', false);
    scatter(
      'dpc_y.png',
      'DPC: centre-of-mass shift in y',
      scaled(maps.dpcY),
      `shift y (${unit})`,
      true,
    );
    scatter(
      'dpc_x.png',
      'DPC: centre-of-mass shift in x',
      scaled(maps.dpcX),
      `shift x (${unit})`,
      true,
    );
    const order = Float64Array.from({ length: maps.frames }, (_, i) => i);
    scatter(
      'positions.png',
      'scan positions (first green, last red)',
      order,
      'frame index',
      false,
      true,
    );
  }
  const histogram = join(outDir, 'histogram.png');
  savePng(
    histogram,
    renderPng(size.width, size.height, (s) =>
      drawHistogramFigure(s, `counts per pixel over ${maps.frames} frames`, maps.histogram),
    ),
  );
  written.push(histogram);
  return written;
}
