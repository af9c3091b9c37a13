/**
 * The one mask of an exchange format, from a scan's per-frame weights: a
 * pixel is masked when its weight is 0 in any frame. What that loses (weights
 * between 0 and 1, masks that differ from frame to frame) is noted, so the
 * writer can warn once. Memory: one frame.
 */
import { FrameError } from '../errors.js';
import { type FrameStack, formatShape, repeatOf, sameShape } from '../frames/ndarray.js';

/** Per-frame weights, folded into one mask. */
export class MaskAccumulator {
  private masked: Uint8Array | null = null;
  private first: Uint8Array | null = null;
  private frameShape: [number, number] | null = null;
  /** A weight other than 0 and 1 was seen. */
  fractional = false;
  /** The masked pixels differ between frames. */
  varies = false;

  /** Adds a chunk's weights `[n, h, w]`. */
  add(weights: FrameStack, file: string): void {
    const [n = 0, h = 0, w = 0] = weights.shape;
    if (this.frameShape === null) {
      this.frameShape = [h, w];
      this.masked = new Uint8Array(h * w);
    } else if (!sameShape(this.frameShape, [h, w])) {
      throw new FrameError(
        `${file}: weights ${formatShape(weights.shape)} do not match the first chunk's frames ${formatShape(this.frameShape)}.`,
        { file, expected: formatShape(this.frameShape), found: formatShape([h, w]) },
      );
    }
    // A common mask repeated for every frame is looked at once.
    const row = repeatOf(weights);
    const source = row ?? weights;
    const frames = row === undefined ? n : Math.min(n, 1);
    const values = source.data as ArrayLike<number | bigint>;
    const size = h * w;
    const masked = this.masked!;
    const known = this.first !== null;
    const first = this.first ?? new Uint8Array(size);
    for (let f = 0; f < frames; f++) {
      const base = f * size;
      const compare = known || f > 0;
      for (let i = 0; i < size; i++) {
        const v = Number(values[base + i]);
        const zero = v === 0 ? 1 : 0;
        if (zero === 0 && v !== 1) this.fractional = true;
        if (!compare) first[i] = zero;
        else if (first[i] !== zero) this.varies = true;
        masked[i] = masked[i]! | zero;
      }
    }
    this.first = first;
  }

  /** The frame shape, or null before any weights. */
  shape(): [number, number] | null {
    return this.frameShape;
  }

  /** 1 where a pixel is masked in any frame, else 0 (null before any weights). */
  maskedPixels(): Uint8Array | null {
    return this.masked;
  }

  /** The warnings a writer gives once at the end, naming its format. */
  losses(format: string): string[] {
    const out: string[] = [];
    if (this.varies) {
      out.push(
        `the frames' masks differ: ${format} has one mask, which masks every pixel masked in any frame`,
      );
    }
    if (this.fractional) {
      out.push(`weights other than 0 and 1 are not kept by ${format}: only which pixels are 0`);
    }
    return out;
  }
}
