/** A simulated scan with a real mask, saved as .ptyd, and reading a .ptyd's frames back whole. */
import { join } from 'node:path';
import { concatRows, type NdArray, ndarray } from '../../src/frames/ndarray.js';
import { h5read } from '../../src/ptyd/index.js';
import { isNdArray, isPyDict, type PyDict } from '../../src/py/value.js';
import type { PtyScanOptions, ScanParams } from '../../src/scan/index.js';
import { MoonFlowerScan } from '../../src/sources/index.js';
import { quiet, runToEos } from '../helpers/index.js';

/** A MoonFlowerScan whose detector has a dead column and a few hot pixels masked. */
export class MaskedMoonFlower extends MoonFlowerScan {
  constructor(pars: ScanParams, options: PtyScanOptions = quiet) {
    super(pars, options);
  }

  override loadWeight(): NdArray {
    const side = Number(this.info.shape);
    const mask = ndarray('bool', [side, side], new Uint8Array(side * side).fill(1));
    for (let y = 0; y < side; y++) mask.data[y * side + 3] = 0;
    for (const i of [5, side * 7 + 11, side * side - 2]) mask.data[i] = 0;
    return mask;
  }
}

/** Writes a simulated, masked scan of `frames` frames of `side` pixels as `<dir>/<name>` (append, chunks of `chunk`). */
export function simulatedPtyd(
  dir: string,
  name: string,
  frames = 23,
  side = 32,
  chunk = 10,
): string {
  const dfile = join(dir, name);
  const scan = new MaskedMoonFlower({
    num_frames: BigInt(frames),
    shape: BigInt(side),
    save: 'append',
    dfile,
    seed: 3n,
    energy: 6.2,
    distance: 5.1,
    psize: 7.5e-5,
  });
  runToEos(scan, chunk, { close: true });
  return dfile;
}

/** A .ptyd's frames, weights and positions joined over its chunks, and its meta. */
export interface PtydContent {
  data: NdArray;
  weights: NdArray;
  positions: Float64Array;
  meta: PyDict;
}

/** Everything of a .ptyd in memory (small test files only). */
export function ptydContent(file: string): PtydContent {
  const value = h5read(file);
  const chunks = value.chunks;
  if (!isPyDict(chunks) || !isPyDict(value.meta)) throw new Error(`${file}: not a .ptyd`);
  const keys = Object.keys(chunks).sort((a, b) => Number(a) - Number(b));
  const part = (key: string, field: string): NdArray => {
    const chunk = chunks[key];
    const array = isPyDict(chunk) ? chunk[field] : undefined;
    if (!isNdArray(array)) throw new Error(`${file}: chunk ${key} has no ${field} array`);
    return array;
  };
  return {
    data: concatRows(keys.map((k) => part(k, 'data'))),
    weights: concatRows(keys.map((k) => part(k, 'weights'))),
    positions: Float64Array.from(
      concatRows(keys.map((k) => part(k, 'positions'))).data as Float64Array,
    ),
    meta: value.meta,
  };
}

/** 1 where a weight is above 0. */
export function usable(weights: NdArray): number[] {
  return Array.from(weights.data as ArrayLike<number>, (v) => (Number(v) > 0 ? 1 : 0));
}
