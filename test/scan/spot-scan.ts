import { type NdArray, ndarray } from '../../src/frames/ndarray.js';
import { PtyScan, type PtyScanOptions, type ScanParams } from '../../src/scan/index.js';
import type { LoadResult } from '../../src/scan/types.js';

/** A small in-memory source: n frames h x w with a bright spot at (sy, sx). */
export class SpotScan extends PtyScan {
  frames: NdArray<'int32'>[];
  mask: NdArray | null = null;
  positions: NdArray | null = null;
  shapeOf: (i: number) => [number, number] = () => [20, 24];

  constructor(pars: ScanParams, options: PtyScanOptions = {}, n = 6) {
    super({ num_frames: BigInt(n), ...pars }, options);
    this.frames = Array.from({ length: n }, (_, i) => {
      const [h, w] = this.shapeOf(i);
      const f = ndarray('int32', [h, w]);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) f.data[y * w + x] = 1 + ((y * 7 + x * 3 + i) % 5);
      f.data[6 * w + 15] = 500;
      return f;
    });
  }
  override loadWeight(): NdArray | null {
    return this.mask;
  }
  override loadPositions(): NdArray | null {
    return this.positions;
  }
  override load(indices: readonly number[]): LoadResult {
    return { data: new Map(indices.map((i) => [i, this.frames[i]!])) };
  }
}
