/**
 * Quick-look maps of a scan, accumulated chunk by chunk: the summed pattern,
 * a histogram of pixel counts, and per frame the counts inside the mask
 * (transmission) and the centre-of-mass shift in y and x (differential phase
 * contrast). Memory is one frame of sums plus a few numbers per frame, so it
 * stays flat in the number of pixels of the scan.
 */
import { FrameError } from '../errors.js';

/** Pixel counts of a histogram bin: bin 0 holds 0 (and below), bin k holds [2^(k-1), 2^k). */
export const HISTOGRAM_BINS = 34;

/** The geometry a {@link QuickLook} accumulates over. */
export interface QuickLookGeometry {
  height: number;
  width: number;
  /** Reference centre `[row, col]` in pixels the DPC shifts are taken from; default the middle. */
  center?: readonly [number, number];
}

/** One block of frames handed to {@link QuickLook.add}. */
export interface FrameBlock {
  /** `count` frames of `height * width` values, C order (bigints accepted). */
  data: ArrayLike<number | bigint>;
  count: number;
  /**
   * Validity (non-zero = valid): `count` frames of weights, one shared frame
   * (`height * width` values), or null for all valid.
   */
  weights: ArrayLike<number | bigint> | null;
  /** Scan positions in metres, `count` rows of `[y, x]`, or null. */
  positions: ArrayLike<number> | null;
}

/** What {@link QuickLook.result} hands out (views into the accumulator: copy to keep). */
export interface QuickLookMaps {
  height: number;
  width: number;
  center: readonly [number, number];
  /** Frames accumulated. */
  frames: number;
  /** Sum of every frame, `height * width`. */
  sum: Float64Array;
  /** 1 where a pixel was masked in some frame. */
  masked: Uint8Array;
  /** Counts inside the mask, per frame. */
  transmission: Float64Array;
  /** Centre-of-mass row minus `center[0]`, per frame, in pixels (NaN for an empty frame). */
  dpcY: Float64Array;
  /** Centre-of-mass column minus `center[1]`, per frame, in pixels. */
  dpcX: Float64Array;
  /** Scan positions `[y0, x0, y1, x1, ...]` in metres (NaN where unknown). */
  positions: Float64Array;
  /** Pixel counts per bin ({@link HISTOGRAM_BINS} bins, see {@link histogramBin}). */
  histogram: Float64Array;
}

/** Bin of a pixel count in {@link QuickLookMaps.histogram}. */
export function histogramBin(value: number): number {
  if (!(value >= 1)) return 0;
  return Math.min(HISTOGRAM_BINS - 1, 1 + Math.floor(Math.log2(value)));
}

/** A growable Float64Array. */
class Column {
  data = new Float64Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * Accumulates quick-look maps over blocks of frames.
 *
 * @example
 * const ql = new QuickLook({ height: 128, width: 128 });
 * ql.add({ data: chunk.data, count: 10, weights: null, positions: null });
 * const { transmission, dpcY, dpcX } = ql.result();
 */
export class QuickLook {
  readonly height: number;
  readonly width: number;
  readonly center: readonly [number, number];
  private readonly sum: Float64Array;
  private readonly masked: Uint8Array;
  private readonly histogram = new Float64Array(HISTOGRAM_BINS);
  private readonly transmission = new Column();
  private readonly dpcY = new Column();
  private readonly dpcX = new Column();
  private readonly positions = new Column();

  constructor(geometry: QuickLookGeometry) {
    const { height, width } = geometry;
    if (!(Number.isSafeInteger(height) && height > 0 && Number.isSafeInteger(width) && width > 0)) {
      throw new FrameError(`Quick-look maps need a frame size, found ${height} x ${width}.`, {
        expected: 'positive integer height and width',
        found: `${height} x ${width}`,
      });
    }
    this.height = height;
    this.width = width;
    this.center = geometry.center ?? [(height - 1) / 2, (width - 1) / 2];
    this.sum = new Float64Array(height * width);
    this.masked = new Uint8Array(height * width);
  }

  /** Frames accumulated so far. */
  get frames(): number {
    return this.transmission.length;
  }

  /** Adds a block of frames. */
  add(block: FrameBlock): void {
    const { height, width, sum, masked, histogram } = this;
    const size = height * width;
    const { data, count, weights, positions } = block;
    if (data.length !== count * size) {
      throw new FrameError(
        `Quick-look block of ${count} frames of ${height} x ${width} needs ${count * size} values, found ${data.length}.`,
        { expected: `${count * size} values`, found: String(data.length) },
      );
    }
    const perFrame = weights !== null && weights.length === count * size;
    if (weights !== null && !perFrame && weights.length !== size) {
      throw new FrameError(
        `Quick-look weights must be ${count} frames or one frame of ${height} x ${width}, found ${weights.length} values.`,
        { expected: `${count * size} or ${size} values`, found: String(weights.length) },
      );
    }
    const [cy, cx] = this.center;
    for (let k = 0; k < count; k++) {
      const base = k * size;
      const wBase = perFrame ? base : 0;
      let total = 0;
      let my = 0;
      let mx = 0;
      for (let y = 0; y < height; y++) {
        const row = y * width;
        let rowTotal = 0;
        let rowX = 0;
        for (let x = 0; x < width; x++) {
          const i = row + x;
          const v = Number(data[base + i]);
          if (weights !== null && !(Number(weights[wBase + i]) > 0)) {
            masked[i] = 1;
            continue;
          }
          sum[i] = sum[i]! + v;
          histogram[histogramBin(v)] = histogram[histogramBin(v)]! + 1;
          if (v > 0) {
            rowTotal += v;
            rowX += v * x;
          }
        }
        total += rowTotal;
        my += rowTotal * y;
        mx += rowX;
      }
      this.transmission.push(total);
      this.dpcY.push(total > 0 ? my / total - cy : Number.NaN);
      this.dpcX.push(total > 0 ? mx / total - cx : Number.NaN);
      this.positions.push(positions ? positions[2 * k]! : Number.NaN);
      this.positions.push(positions ? positions[2 * k + 1]! : Number.NaN);
    }
  }

  /** The maps so far. */
  result(): QuickLookMaps {
    return {
      height: this.height,
      width: this.width,
      center: this.center,
      frames: this.frames,
      sum: this.sum,
      masked: this.masked,
      transmission: this.transmission.view(),
      dpcY: this.dpcY.view(),
      dpcX: this.dpcX.view(),
      positions: this.positions.view(),
      histogram: this.histogram,
    };
  }
}
