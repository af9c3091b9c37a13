/**
 * The viridis colormap (perceptually uniform, readable in grey and by
 * colour-blind viewers) from nine anchor colours, linearly interpolated.
 */

/** RGB, each 0..255. */
export type Rgb = readonly [number, number, number];

const VIRIDIS_ANCHORS: readonly Rgb[] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 73, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [110, 206, 88],
  [253, 231, 37],
];

/** 256-entry lookup table, RGB triplets. */
const VIRIDIS_LUT: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  const last = VIRIDIS_ANCHORS.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * last;
    const k = Math.min(last - 1, Math.floor(t));
    const f = t - k;
    const a = VIRIDIS_ANCHORS[k]!;
    const b = VIRIDIS_ANCHORS[k + 1]!;
    for (let c = 0; c < 3; c++) lut[3 * i + c] = Math.round(a[c]! + f * (b[c]! - a[c]!));
  }
  return lut;
})();

/** Viridis colour of `t` in [0, 1] (clamped; NaN maps to 0). */
export function viridis(t: number): Rgb {
  const i = Number.isNaN(t) ? 0 : Math.round(Math.min(1, Math.max(0, t)) * 255);
  return [VIRIDIS_LUT[3 * i]!, VIRIDIS_LUT[3 * i + 1]!, VIRIDIS_LUT[3 * i + 2]!];
}

/** Anchors of a blue-white-red diverging scale (ColorBrewer RdBu, reversed). */
const DIVERGING_ANCHORS: readonly Rgb[] = [
  [33, 102, 172],
  [103, 169, 207],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [239, 138, 98],
  [178, 24, 43],
];

/** Diverging colour of `t` in [0, 1]: blue below 0.5, white at 0.5, red above (NaN maps to white). */
export function diverging(t: number): Rgb {
  const u = Number.isNaN(t) ? 0.5 : Math.min(1, Math.max(0, t));
  const last = DIVERGING_ANCHORS.length - 1;
  const k = Math.min(last - 1, Math.floor(u * last));
  const f = u * last - k;
  const a = DIVERGING_ANCHORS[k]!;
  const b = DIVERGING_ANCHORS[k + 1]!;
  const mix = (c: 0 | 1 | 2): number => Math.round(a[c] + f * (b[c] - a[c]));
  return [mix(0), mix(1), mix(2)];
}
