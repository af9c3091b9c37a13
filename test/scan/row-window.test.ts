/**
 * Reading only the ROI's rows (scan/row-window.ts): NumpyScan reads a
 * window of each frame once the geometry is known, and every chunk is the
 * same to the bit as from whole frames: odd and half-pixel centres (the
 * half-to-even rounding), padding past the frame, transposes, rebinning,
 * named and automatic centres, a common mask.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FrameError } from '../../src/errors.js';
import type { FrameStack } from '../../src/frames/ndarray.js';
import { type NdArray, ndarray } from '../../src/frames/ndarray.js';
import { encodeNpy, parseNpyHeader } from '../../src/npy/index.js';
import type { CommonData, LoadResult, ScanParams } from '../../src/scan/index.js';
import { PtyScan } from '../../src/scan/index.js';
import { NumpyScan } from '../../src/sources/index.js';
import { quiet, runToEos, tempDir } from '../helpers/index.js';

const H = 37;
const W = 41;
const FRAMES = 9;
const root = tempDir('row-window');

/** A raw folder in ptypy's tutorial layout: FRAMES frames of H x W int32, every pixel distinct. */
function rawFolder(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'ccd'), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const frame = ndarray('int32', [H, W]);
    for (let p = 0; p < H * W; p++) frame.data[p] = i * 100000 + p;
    const file = `ccd/diffraction_${String(i).padStart(4, '0')}.npy`;
    writeFileSync(join(dir, file), encodeNpy(frame));
    lines.push(`${file} ${i * 1e-6} ${-i * 1e-6}\n`);
  }
  writeFileSync(join(dir, 'positions.txt'), lines.join(''));
  return dir;
}

const raw = rawFolder('raw');

/** A NumpyScan whose `correct()` sees the frames: the scan then loads them whole. */
class WholeNumpyScan extends NumpyScan {
  override correct(data: FrameStack, weights: FrameStack | null, _common: CommonData) {
    return { data, weights };
  }
}

/** A common mask, so that weights are cropped with the frames. */
function commonMask(): NdArray {
  const mask = ndarray('bool', [H, W]);
  for (let p = 0; p < H * W; p++) mask.data[p] = (p * 7) % 11 === 0 ? 0 : 1;
  return mask;
}

class MaskedNumpyScan extends NumpyScan {
  override loadWeight(): NdArray {
    return commonMask();
  }
}

class MaskedWholeScan extends WholeNumpyScan {
  override loadWeight(): NdArray {
    return commonMask();
  }
}

/** Every chunk's arrays and the meta, as plain values. */
function run(Scan: typeof NumpyScan, pars: ScanParams, base = raw): unknown[] {
  const scan = new Scan({ base_path: base, ...pars }, quiet);
  const out = runToEos(scan, 4, { close: true }).map((pkg) => ({
    indices: pkg.chunk.indices,
    data: [
      pkg.chunk.data.dtype,
      pkg.chunk.data.shape,
      Array.from(pkg.chunk.data.data as ArrayLike<number>),
    ],
    weights: [pkg.chunk.weights.shape, Array.from(pkg.chunk.weights.data as ArrayLike<number>)],
    positions: pkg.chunk.positions,
    meta: { center: pkg.common.center, shape: pkg.common.shape },
  }));
  return out;
}

describe('reading only the rows of the ROI', () => {
  const cases: [string, ScanParams][] = [
    ['a half-pixel centre, flipped', { shape: 16n, center: [13.5, 20], orientation: 3n }],
    ['an odd half-pixel centre, transposed', { shape: 16n, center: [14.5, 19.5], orientation: 4n }],
    // 14 // 2 = 7: the ROI starts on an odd row, where rounding 13.5 - 7 = 6.5 would give 6, not 7.
    ['a half-pixel centre and a ROI starting on an odd row', { shape: 14n, center: [13.5, 20] }],
    ['an integer centre near the top, padded there', { shape: 20n, center: [5n, 20n] }],
    ['a ROI larger than the frame (padding on every side)', { shape: 48n, center: [18n, 20n] }],
    ['rebin 2', { shape: 16n, center: [20.5, 21], rebin: 2n, orientation: 1n }],
    ["the centre 'fftshift'", { shape: 12n, center: 'fftshift' }],
    ['the automatic centre (first chunk whole)', { shape: 16n, auto_center: true }],
  ];
  for (const [what, pars] of cases) {
    it(`gives the chunks whole frames give: ${what}`, () => {
      const windowed = run(NumpyScan, pars);
      assert.equal(windowed.length, 3);
      assert.deepEqual(windowed, run(WholeNumpyScan, pars));
    });
  }

  it('with a common mask, the weights are those of whole frames', () => {
    const pars = { shape: 16n, center: [13.5, 20], orientation: 3n };
    assert.deepEqual(run(MaskedNumpyScan, pars), run(MaskedWholeScan, pars));
  });

  it('reads no row outside the ROI: frames cut short below it still prepare', () => {
    const cut = rawFolder('cut');
    // Keep the header and rows 0..23 of each frame: a whole-frame read fails.
    for (let i = 0; i < FRAMES; i++) {
      const file = join(cut, 'ccd', `diffraction_${String(i).padStart(4, '0')}.npy`);
      truncateSync(file, parseNpyHeader(readFileSync(file), file).dataOffset + 24 * W * 4);
    }
    const pars = { shape: 12n, center: [12n, 20n] };
    assert.deepEqual(run(NumpyScan, pars, cut), run(WholeNumpyScan, pars));
    assert.throws(() => run(WholeNumpyScan, pars, cut), /truncated/);
  });

  it('frames of another shape than the source announced are read whole', () => {
    class WrongShape extends NumpyScan {
      override frameShape(): [number, number] {
        return [H + 30, W];
      }
    }
    const pars = { shape: 16n, center: [13.5, 20], orientation: 3n };
    assert.deepEqual(run(WrongShape, pars), run(WholeNumpyScan, pars));
  });

  it('a source whose rows do not match its frames gets a FrameError', () => {
    class BadRows extends PtyScan {
      override load(indices: readonly number[]): LoadResult {
        const data = ndarray('int32', [indices.length, 10, W]);
        return { data, rows: { start: 0, end: 12, frameRows: H } };
      }
    }
    const scan = new BadRows({ num_frames: 4n, shape: 8n, center: [5n, 20n] }, quiet);
    scan.initialize();
    assert.throws(() => scan.auto(4), FrameError);
    scan.close();
  });
});
