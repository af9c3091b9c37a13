/**
 * Figures drawn on any 2-D canvas context: an image or a scatter map inside
 * axes with tick labels in physical units, a title and a colour bar. The same
 * code draws the PNGs of `ptyscan preview` (Skia through @napi-rs/canvas) and
 * the dashboard of `ptyscan view` (the browser's canvas), so both show the
 * same pictures. Text goes through the context's font renderer.
 */
import { viridis } from './colormap.js';
import {
  type Axis,
  type ColorScale,
  colorOf,
  css,
  drawColorBar,
  drawFrame,
  FIGURE_COLORS,
  line,
  MARGIN,
  plotBox,
  type Surface,
  toPixel,
} from './figure-frame.js';

export {
  type ColorBar,
  type ColorScale,
  type Context2D,
  colorBarLeft,
  FIGURE_COLORS,
  FONT_FAMILY,
  niceStep,
  plotBox,
  type Surface,
  tickLabel,
} from './figure-frame.js';

/** A detector image for {@link drawImageFigure}. */
export interface ImageFigure {
  title: string;
  /** `height * width` values, C order. */
  values: ArrayLike<number>;
  height: number;
  width: number;
  /** 1 = masked, drawn in {@link FIGURE_COLORS}.mask. */
  masked?: ArrayLike<number> | null;
  /** A centre `[row, col]` in pixels to mark with a cross. */
  center?: readonly [number, number] | null;
  /** Detector pixel size in metres: axes in mm from the centre; without it, pixels. */
  psize?: number | null;
}

/** Pixel colours of an image on a log10(1 + v) scale; returns the top of the scale. */
export function logImagePixels(
  values: ArrayLike<number>,
  masked: ArrayLike<number> | null,
  size: number,
): { rgba: Uint8ClampedArray; top: number } {
  let top = 0;
  for (let i = 0; i < size; i++) {
    if (masked?.[i]) continue;
    const v = Math.log10(1 + Math.max(0, values[i]!));
    if (v > top) top = v;
  }
  const rgba = new Uint8ClampedArray(size * 4);
  for (let i = 0; i < size; i++) {
    const color = masked?.[i]
      ? FIGURE_COLORS.mask
      : viridis(top > 0 ? Math.log10(1 + Math.max(0, values[i]!)) / top : 0);
    rgba.set([color[0], color[1], color[2], 255], 4 * i);
  }
  return { rgba, top };
}

/**
 * A detector image on a log scale with masked pixels, the centre cross, axes
 * in mm on the detector (or pixels) and a colour bar in counts.
 */
export function drawImageFigure(s: Surface, figure: ImageFigure): void {
  const { ctx } = s;
  ctx.fillStyle = css(FIGURE_COLORS.background);
  ctx.fillRect(0, 0, s.width, s.height);
  const { height, width } = figure;
  const box = plotBox(s, height / width);
  const { rgba, top } = logImagePixels(figure.values, figure.masked ?? null, height * width);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(s.pixels(rgba, width, height), box.left, box.top, box.w, box.h);
  const center = figure.center ?? [(height - 1) / 2, (width - 1) / 2];
  const unit = figure.psize ? figure.psize * 1e3 : 1;
  const x: Axis = {
    lo: (-0.5 - center[1]) * unit,
    hi: (width - 0.5 - center[1]) * unit,
    p0: box.left,
    p1: box.left + box.w,
  };
  const y: Axis = {
    lo: (-0.5 - center[0]) * unit,
    hi: (height - 0.5 - center[0]) * unit,
    p0: box.top,
    p1: box.top + box.h,
  };
  if (figure.center) {
    // On a pixel centre, so the one-pixel lines stay crisp.
    const cx = Math.floor(toPixel(x, 0)) + 0.5;
    const cy = Math.floor(toPixel(y, 0)) + 0.5;
    ctx.lineWidth = 3;
    ctx.strokeStyle = css(FIGURE_COLORS.axis);
    line(ctx, cx - 9, cy, cx + 9, cy);
    line(ctx, cx, cy - 9, cx, cy + 9);
    ctx.lineWidth = 1;
    ctx.strokeStyle = css(FIGURE_COLORS.center);
    line(ctx, cx - 8, cy, cx + 8, cy);
    line(ctx, cx, cy - 8, cx, cy + 8);
  }
  const units = figure.psize ? 'mm' : 'pixels';
  drawFrame(s, {
    title: figure.title,
    xLabel: `detector x (${units})`,
    yLabel: `detector y (${units})`,
    x,
    y,
  });
  drawColorBar(
    s,
    { scale: 'viridis', min: 0, max: top, log: true, label: 'counts' },
    box.top,
    box.top + box.h,
  );
}

/** Values on the scan positions for {@link drawScatterFigure}. */
export interface ScatterFigure {
  title: string;
  /** Positions `[y0, x0, y1, x1, ...]` in metres. */
  positions: ArrayLike<number>;
  /** One value per position (NaN: drawn grey). */
  values: ArrayLike<number>;
  count: number;
  scale: ColorScale;
  /** Colour bar label with its unit. */
  label: string;
  /** Join the points in acquisition order and mark the first and last. */
  path?: boolean;
  /** Colour range; default min..max of the values (symmetric around 0 for `diverging`). */
  range?: readonly [number, number];
}

function valueRange(values: ArrayLike<number>, count: number, scale: ColorScale): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo > hi) return [0, 1];
  if (scale === 'diverging') {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return [-m, m];
  }
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/**
 * Values drawn as coloured discs on the scan positions (axes in µm, equal
 * scales, y down as rows of the reconstructed image), with a colour bar.
 */
export function drawScatterFigure(s: Surface, figure: ScatterFigure): void {
  const { ctx } = s;
  ctx.fillStyle = css(FIGURE_COLORS.background);
  ctx.fillRect(0, 0, s.width, s.height);
  const { count, positions, values } = figure;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const py = positions[2 * i]! * 1e6;
    const px = positions[2 * i + 1]! * 1e6;
    if (!Number.isFinite(py) || !Number.isFinite(px)) continue;
    y0 = Math.min(y0, py);
    y1 = Math.max(y1, py);
    x0 = Math.min(x0, px);
    x1 = Math.max(x1, px);
  }
  if (y0 > y1) [y0, y1, x0, x1] = [-1, 1, -1, 1];
  const span = Math.max(y1 - y0, x1 - x0, 1e-3);
  const pad = span * 0.06;
  const midY = (y0 + y1) / 2;
  const midX = (x0 + x1) / 2;
  const halfY = (y1 - y0) / 2 + pad;
  const halfX = (x1 - x0) / 2 + pad;
  const box = plotBox(s, halfY / halfX);
  const x: Axis = { lo: midX - halfX, hi: midX + halfX, p0: box.left, p1: box.left + box.w };
  const y: Axis = { lo: midY - halfY, hi: midY + halfY, p0: box.top, p1: box.top + box.h };
  const range = figure.range ?? valueRange(values, count, figure.scale);
  // Discs about as wide as the mean spacing, so a dense scan reads as a map.
  const spacing = Math.sqrt(((y1 - y0 || span) * (x1 - x0 || span)) / Math.max(1, count));
  const radius = Math.max(1.5, Math.min(12, 0.6 * spacing * (box.w / (2 * halfX))));
  const at = (i: number): [number, number] => [
    toPixel(x, positions[2 * i + 1]! * 1e6),
    toPixel(y, positions[2 * i]! * 1e6),
  ];
  if (figure.path && count > 1) {
    ctx.strokeStyle = css(FIGURE_COLORS.path);
    ctx.lineWidth = 1;
    ctx.beginPath();
    const [sx, sy] = at(0);
    ctx.moveTo(sx, sy);
    for (let i = 1; i < count; i++) {
      const [px, py] = at(i);
      if (Number.isFinite(px) && Number.isFinite(py)) ctx.lineTo(px, py);
    }
    ctx.stroke();
  }
  for (let i = 0; i < count; i++) {
    const [px, py] = at(i);
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    const v = values[i]!;
    const t = (v - range[0]) / (range[1] - range[0] || 1);
    ctx.fillStyle = Number.isFinite(v) ? css(colorOf(figure.scale, t)) : 'rgb(200, 200, 200)';
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (figure.path && count > 0) {
    for (const [i, color] of [
      [0, FIGURE_COLORS.first],
      [count - 1, FIGURE_COLORS.last],
    ] as const) {
      const [px, py] = at(i);
      ctx.fillStyle = css(color);
      ctx.beginPath();
      ctx.arc(px, py, Math.max(4, radius), 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  drawFrame(s, { title: figure.title, xLabel: 'x (µm)', yLabel: 'y (µm)', x, y });
  drawColorBar(
    s,
    { scale: figure.scale, min: range[0], max: range[1], label: figure.label },
    box.top,
    box.top + box.h,
  );
}

/** The lower edge of histogram bin `k` in counts. */
function binLabel(k: number): string {
  if (k === 0) return '0';
  const counts = 2 ** (k - 1);
  return counts < 1e5 ? String(counts) : counts.toExponential(0).replace('e+', 'e');
}

/** Bars of a histogram of pixel counts (bins of {@link histogramBin}), log counts. */
export function drawHistogramFigure(s: Surface, title: string, histogram: ArrayLike<number>): void {
  const { ctx } = s;
  ctx.fillStyle = css(FIGURE_COLORS.background);
  ctx.fillRect(0, 0, s.width, s.height);
  let last = 1;
  let top = 1;
  for (let k = 0; k < histogram.length; k++) {
    if (histogram[k]! > 0) last = k + 1;
    top = Math.max(top, histogram[k]!);
  }
  const left = MARGIN.left;
  const boxTop = MARGIN.top;
  const w = s.width - MARGIN.left - 24;
  const h = s.height - MARGIN.top - MARGIN.bottom;
  const x: Axis = { lo: -0.5, hi: last - 0.5, p0: left, p1: left + w };
  const y: Axis = { lo: Math.log10(top) + 0.2, hi: 0, p0: boxTop, p1: boxTop + h };
  ctx.fillStyle = css(viridis(0.35));
  for (let k = 0; k < last; k++) {
    const v = histogram[k]!;
    if (!(v > 0)) continue;
    const px0 = toPixel(x, k - 0.4);
    const px1 = toPixel(x, k + 0.4);
    const py = toPixel(y, Math.log10(v));
    ctx.fillRect(px0, py, px1 - px0, boxTop + h - py);
  }
  drawFrame(s, {
    title,
    xLabel: 'counts per pixel (bins of doubling width)',
    yLabel: 'pixels (log10)',
    x,
    // Bin k holds [2^(k-1), 2^k) counts; the tick at a bin names its lower edge.
    xTicks: [0, 1, 4, 7, 11, 14, 17, 21, 24, 27, 31]
      .filter((k) => k < last)
      .map((k) => [k, binLabel(k)] as const),
    y: { ...y, lo: 0, hi: Math.log10(top) + 0.2, p0: boxTop + h, p1: boxTop },
  });
}
