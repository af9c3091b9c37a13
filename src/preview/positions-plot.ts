/**
 * A scatter plot of scan positions in micrometres: dots joined in index
 * order, the first and last point marked, equal scales on both axes, y
 * increasing downwards as rows do in the reconstructed image.
 */

import { Canvas } from './canvas.js';
import type { Rgb } from './colormap.js';
import { GLYPH_HEIGHT } from './font.js';

/** Plot colours, exported so tests and docs can refer to them. */
export const PLOT_COLORS = {
  background: [255, 255, 255],
  axis: [0, 0, 0],
  path: [170, 170, 170],
  point: [31, 119, 180],
  first: [0, 160, 0],
  last: [214, 39, 40],
} as const satisfies Record<string, Rgb>;

const SIZE = 480;
const MARGIN = { left: 64, right: 24, top: 40, bottom: 48 } as const;
const FONT_SCALE = 2;
const TICK_LENGTH = 5;
const MICRONS_PER_METRE = 1e6;

/** A 1-2-5 tick step giving about `count` intervals over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / power;
  const nice = mantissa < 1.5 ? 1 : mantissa < 3.5 ? 2 : mantissa < 7.5 ? 5 : 10;
  return nice * power;
}

function tickLabel(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const text = value.toFixed(decimals);
  return Number(text) === 0 ? '0' : text;
}

/**
 * Plots `positions` (metres, `count` rows of `[y, x]`) on a 480 x 480 canvas.
 *
 * @example
 * plotPositions(sim.positions.data, sim.positions.shape[0]).save('positions.png');
 */
export function plotPositions(positions: ArrayLike<number>, count: number): Canvas {
  const canvas = new Canvas(SIZE, SIZE, PLOT_COLORS.background);
  const ys: number[] = [];
  const xs: number[] = [];
  for (let i = 0; i < count; i++) {
    ys.push(positions[2 * i]! * MICRONS_PER_METRE);
    xs.push(positions[2 * i + 1]! * MICRONS_PER_METRE);
  }
  const finite = (v: number[]): number[] => {
    const f = v.filter(Number.isFinite);
    return f.length > 0 ? f : [0];
  };
  const lo = (v: number[]): number => finite(v).reduce((a, b) => Math.min(a, b));
  const hi = (v: number[]): number => finite(v).reduce((a, b) => Math.max(a, b));
  const midY = (lo(ys) + hi(ys)) / 2;
  const midX = (lo(xs) + hi(xs)) / 2;
  // One scale for both axes keeps circles round; 5% headroom keeps dots off the frame.
  const half = Math.max(hi(ys) - lo(ys), hi(xs) - lo(xs), 1e-3) * 0.55;
  const plotW = SIZE - MARGIN.left - MARGIN.right;
  const plotH = SIZE - MARGIN.top - MARGIN.bottom;
  const scale = Math.min(plotW, plotH) / (2 * half);
  const px = (x: number): number => MARGIN.left + plotW / 2 + (x - midX) * scale;
  const py = (y: number): number => MARGIN.top + plotH / 2 + (y - midY) * scale;

  const { axis } = PLOT_COLORS;
  canvas.line(MARGIN.left, MARGIN.top, MARGIN.left + plotW, MARGIN.top, axis);
  canvas.line(MARGIN.left, MARGIN.top + plotH, MARGIN.left + plotW, MARGIN.top + plotH, axis);
  canvas.line(MARGIN.left, MARGIN.top, MARGIN.left, MARGIN.top + plotH, axis);
  canvas.line(MARGIN.left + plotW, MARGIN.top, MARGIN.left + plotW, MARGIN.top + plotH, axis);
  const textH = GLYPH_HEIGHT * FONT_SCALE;
  const step = niceStep((plotW / scale) * 0.999, 4);
  for (
    let v = Math.ceil((midX - plotW / 2 / scale) / step) * step;
    px(v) <= MARGIN.left + plotW;
    v += step
  ) {
    const x = px(v);
    const label = tickLabel(v, step);
    canvas.line(x, MARGIN.top + plotH, x, MARGIN.top + plotH + TICK_LENGTH, axis);
    canvas.text(Math.round(x - Canvas.textWidth(label) / 2), MARGIN.top + plotH + 9, label, axis);
  }
  for (
    let v = Math.ceil((midY - plotH / 2 / scale) / step) * step;
    py(v) <= MARGIN.top + plotH;
    v += step
  ) {
    const y = py(v);
    const label = tickLabel(v, step);
    canvas.line(MARGIN.left - TICK_LENGTH, y, MARGIN.left, y, axis);
    canvas.text(MARGIN.left - 9 - Canvas.textWidth(label), Math.round(y - textH / 2), label, axis);
  }
  const xTitle = 'x (um)';
  canvas.text(MARGIN.left + plotW / 2 - Canvas.textWidth(xTitle) / 2, SIZE - 16, xTitle, axis);
  canvas.text(8, MARGIN.top - 24, 'y (um)', axis);

  for (let i = 1; i < count; i++) {
    canvas.line(px(xs[i - 1]!), py(ys[i - 1]!), px(xs[i]!), py(ys[i]!), PLOT_COLORS.path);
  }
  for (let i = 0; i < count; i++) canvas.disc(px(xs[i]!), py(ys[i]!), 2, PLOT_COLORS.point);
  if (count > 0) {
    canvas.disc(px(xs[count - 1]!), py(ys[count - 1]!), 4, PLOT_COLORS.last);
    canvas.disc(px(xs[0]!), py(ys[0]!), 4, PLOT_COLORS.first);
  }
  const legendX = SIZE - MARGIN.right - Canvas.textWidth('first  last') - 24;
  canvas.disc(legendX, MARGIN.top - 19, 4, PLOT_COLORS.first);
  canvas.text(legendX + 8, MARGIN.top - 24, 'first', axis);
  const lastX = legendX + 8 + Canvas.textWidth('first  ');
  canvas.disc(lastX, MARGIN.top - 19, 4, PLOT_COLORS.last);
  canvas.text(lastX + 8, MARGIN.top - 24, 'last', axis);
  return canvas;
}
