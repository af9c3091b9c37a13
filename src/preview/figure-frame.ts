/**
 * The frame of every figure: the 2-D context the figures draw on, axes with
 * ticks and tick labels, titles, colour bars and the plot box layout.
 * Nothing here is specific to Node or the browser.
 */
import { diverging, type Rgb, viridis } from './colormap.js';

/** The part of a 2-D canvas context the figures use (the browser's and Skia's both fit). */
export interface Context2D {
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  font: string;
  textAlign: string;
  textBaseline: string;
  imageSmoothingEnabled: boolean;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
  stroke(): void;
  fill(): void;
  fillText(text: string, x: number, y: number): void;
  measureText(text: string): { width: number };
  save(): void;
  restore(): void;
  translate(x: number, y: number): void;
  rotate(angle: number): void;
  drawImage(image: unknown, dx: number, dy: number, dw: number, dh: number): void;
}

/** A context plus a way to turn RGBA pixels into something `drawImage` takes. */
export interface Surface {
  ctx: Context2D;
  width: number;
  height: number;
  pixels(rgba: Uint8ClampedArray, width: number, height: number): unknown;
}

/** Colour scales of the figures. */
export type ColorScale = 'viridis' | 'diverging';

/** Font family the figures ask for (registered by the PNG backend, a CSS fallback in the page). */
export const FONT_FAMILY = 'PtyscanSans, DejaVu Sans, sans-serif';

/** Colours, exported so tests and docs can refer to them. */
export const FIGURE_COLORS = {
  background: [255, 255, 255],
  axis: [0, 0, 0],
  mask: [255, 0, 0],
  center: [255, 255, 255],
  path: [170, 170, 170],
  first: [0, 160, 0],
  last: [214, 39, 40],
} as const satisfies Record<string, Rgb>;

export const MARGIN = { left: 76, right: 130, top: 34, bottom: 52 } as const;
const BAR_WIDTH = 16;

export function css([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}

export function colorOf(scale: ColorScale, t: number): Rgb {
  return scale === 'viridis' ? viridis(t) : diverging(t);
}

/** A 1-2-5 tick step giving about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  const raw = span > 0 && Number.isFinite(span) ? span / count : 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / power;
  const nice = mantissa < 1.5 ? 1 : mantissa < 3.5 ? 2 : mantissa < 7.5 ? 5 : 10;
  return nice * power;
}

/** A tick label with as many decimals as the step needs; large or tiny values in e-notation. */
export function tickLabel(value: number, step: number): string {
  if (Math.abs(value) < step * 1e-6) return '0';
  const magnitude = Math.max(Math.abs(value), step);
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    // Enough digits that neighbouring ticks differ.
    const digits = Math.max(1, Math.floor(Math.log10(magnitude)) - Math.floor(Math.log10(step)));
    return value.toExponential(Math.min(digits, 8)).replace('e+', 'e');
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(decimals);
}

/** A linear axis: data range `[lo, hi]` onto pixels `[p0, p1]`. */
export interface Axis {
  lo: number;
  hi: number;
  p0: number;
  p1: number;
}

export function toPixel(axis: Axis, v: number): number {
  return axis.p0 + ((v - axis.lo) / (axis.hi - axis.lo || 1)) * (axis.p1 - axis.p0);
}

function ticks(axis: Axis, count: number): number[] {
  const lo = Math.min(axis.lo, axis.hi);
  const hi = Math.max(axis.lo, axis.hi);
  const step = niceStep(hi - lo, count);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(v);
  return out;
}

/** What {@link drawFrame} needs: the plot box, its two axes and the labels. */
interface FrameSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  x: Axis;
  y: Axis;
  /** Ticks of the x axis as `[value, label]`, instead of evenly spaced numbers. */
  xTicks?: readonly (readonly [number, string])[];
}

function setFont(ctx: Context2D, px: number): void {
  ctx.font = `${px}px ${FONT_FAMILY}`;
}

/** Background, title, the plot box with ticks and tick labels, axis titles. */
export function drawFrame(s: Surface, spec: FrameSpec): void {
  const { ctx } = s;
  const axisColor = css(FIGURE_COLORS.axis);
  ctx.strokeStyle = axisColor;
  ctx.fillStyle = axisColor;
  ctx.lineWidth = 1;
  const left = Math.min(spec.x.p0, spec.x.p1);
  const top = Math.min(spec.y.p0, spec.y.p1);
  const w = Math.abs(spec.x.p1 - spec.x.p0);
  const h = Math.abs(spec.y.p1 - spec.y.p0);
  ctx.strokeRect(left - 0.5, top - 0.5, w + 1, h + 1);
  setFont(ctx, 12);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const xStep = niceStep(Math.abs(spec.x.hi - spec.x.lo), 4);
  const xTicks = spec.xTicks ?? ticks(spec.x, 4).map((v) => [v, tickLabel(v, xStep)] as const);
  for (const [v, label] of xTicks) {
    const px = Math.round(toPixel(spec.x, v)) + 0.5;
    line(ctx, px, top + h, px, top + h + 5);
    ctx.fillText(label, px, top + h + 7);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const yStep = niceStep(Math.abs(spec.y.hi - spec.y.lo), 4);
  for (const v of ticks(spec.y, 4)) {
    const py = Math.round(toPixel(spec.y, v)) + 0.5;
    line(ctx, left - 5, py, left, py);
    ctx.fillText(tickLabel(v, yStep), left - 7, py);
  }
  setFont(ctx, 13);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(spec.xLabel, left + w / 2, s.height - 8);
  ctx.save();
  ctx.translate(16, top + h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(spec.yLabel, 0, 0);
  ctx.restore();
  setFont(ctx, 14);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(spec.title, left, 10);
}

export function line(ctx: Context2D, x0: number, y0: number, x1: number, y1: number): void {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

/** A colour bar. `log`: values are log10(1 + v) and ticks sit at powers of ten. */
export interface ColorBar {
  scale: ColorScale;
  /** Value range shown (in the transformed units when `log`). */
  min: number;
  max: number;
  label: string;
  log?: boolean;
}

/** Left edge of the colour bar of a figure `width` pixels wide. */
export function colorBarLeft(width: number): number {
  return width - MARGIN.right + 22;
}

export function drawColorBar(s: Surface, bar: ColorBar, top: number, bottom: number): void {
  const { ctx } = s;
  const x = colorBarLeft(s.width);
  const h = bottom - top;
  for (let i = 0; i < h; i++) {
    ctx.fillStyle = css(colorOf(bar.scale, 1 - i / Math.max(1, h - 1)));
    ctx.fillRect(x, top + i, BAR_WIDTH, 1);
  }
  ctx.strokeStyle = css(FIGURE_COLORS.axis);
  ctx.fillStyle = css(FIGURE_COLORS.axis);
  ctx.lineWidth = 1;
  ctx.strokeRect(x - 0.5, top - 0.5, BAR_WIDTH + 1, h + 1);
  const axis: Axis = { lo: bar.min, hi: bar.max, p0: bottom, p1: top };
  setFont(ctx, 11);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const values: [number, string][] = [];
  if (bar.log) {
    for (let k = 0; 10 ** k - 1 <= 10 ** bar.max; k++) {
      const at = Math.log10(10 ** k);
      if (at >= bar.min && at <= bar.max) values.push([Math.log10(1 + 10 ** k), powerLabel(k)]);
    }
    if (values.length === 0 || bar.min <= 0) values.unshift([0, '0']);
  } else {
    const step = niceStep(bar.max - bar.min, 4);
    for (const v of ticks(axis, 4)) values.push([v, tickLabel(v, step)]);
  }
  for (const [v, text] of values) {
    if (v < Math.min(bar.min, bar.max) - 1e-12 || v > Math.max(bar.min, bar.max) + 1e-12) continue;
    const py = Math.round(toPixel(axis, v)) + 0.5;
    line(ctx, x + BAR_WIDTH, py, x + BAR_WIDTH + 4, py);
    ctx.fillText(text, x + BAR_WIDTH + 6, py);
  }
  ctx.save();
  ctx.translate(s.width - 10, (top + bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  setFont(ctx, 12);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(bar.label, 0, 0);
  ctx.restore();
}

function powerLabel(k: number): string {
  return k <= 3 ? String(10 ** k) : `1e${k}`;
}

/** The plot box that keeps `aspect` (height / width of the data) inside the margins of a figure. */
export function plotBox(
  s: { width: number; height: number },
  aspect: number,
): { left: number; top: number; w: number; h: number } {
  const availW = s.width - MARGIN.left - MARGIN.right;
  const availH = s.height - MARGIN.top - MARGIN.bottom;
  let w = availW;
  let h = w * aspect;
  if (h > availH) {
    h = availH;
    w = h / aspect;
  }
  const left = MARGIN.left + (availW - w) / 2;
  const top = MARGIN.top + (availH - h) / 2;
  return { left: Math.round(left), top: Math.round(top), w: Math.round(w), h: Math.round(h) };
}
