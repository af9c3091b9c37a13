import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { FrameError, ParameterError } from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { h5ready } from '../../src/h5/index.js';
import {
  colorBarLeft,
  diverging,
  FIGURE_COLORS,
  FIGURE_SIZE,
  plotBox,
  previewPtyd,
  renderPreviews,
  viridis,
} from '../../src/preview/index.js';
import { openPtydReader } from '../../src/ptyd/index.js';
import { DEFAULT_SIMULATION, simulateScan } from '../../src/sim/simulate.js';
import { tempDir } from '../helpers/index.js';
import { writeKnownPtyd } from '../quicklook/known-object.js';

const root = tempDir('preview');

const N = 32;
const sim = simulateScan({ ...DEFAULT_SIMULATION, frames: 10, shape: N, photons: 1e6, seed: 4 });

function readPng(file: string): PNG {
  return PNG.sync.read(readFileSync(file));
}

function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const i = 4 * (y * png.width + x);
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

function near(a: readonly number[], b: readonly number[], tolerance = 3): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);
}

/** Pixels in a rectangle that are not the background (text, lines). */
function inked(png: PNG, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) if (!near(pixel(png, x, y), FIGURE_COLORS.background, 40)) n++;
  }
  return n;
}

describe('renderPreviews', () => {
  const masks = ndarray('bool', [1, N, N]);
  masks.data.fill(1);
  masks.data[3 * N + 25] = 0;
  const dir = join(root, 'scan');
  const files = renderPreviews(
    {
      frames: sim.frames,
      masks,
      positions: sim.positions,
      center: [16, 16],
      geometry: { psize: 172e-6, distance: 7.19 },
    },
    dir,
  );

  it('writes the quick-look maps and the first, middle and last frames', () => {
    assert.deepEqual(
      files.map((f) => basename(f)),
      [
        'sum.png',
        'transmission.png',
        'dpc_y.png',
        'dpc_x.png',
        'positions.png',
        'histogram.png',
        'frame_0000.png',
        'frame_0005.png',
        'frame_0009.png',
      ],
    );
    for (const f of files) {
      const png = readPng(f);
      assert.equal(png.width, FIGURE_SIZE.width);
      assert.equal(png.height, FIGURE_SIZE.height);
    }
  });

  it('draws the frame in the plot box with the mask in red and the centre cross', () => {
    const sum = readPng(join(dir, 'sum.png'));
    const box = plotBox(sum, 1);
    const at = (row: number, col: number): [number, number, number] =>
      pixel(
        sum,
        Math.floor(box.left + ((col + 0.5) * box.w) / N),
        Math.floor(box.top + ((row + 0.5) * box.h) / N),
      );
    assert.deepEqual(at(3, 25), [...FIGURE_COLORS.mask]);
    assert.notDeepEqual(at(3, 24), [...FIGURE_COLORS.mask]);
    const cx = Math.floor(box.left + (16.5 * box.w) / N);
    const cy = Math.floor(box.top + (16.5 * box.h) / N);
    assert.ok(near(pixel(sum, cx + 4, cy), FIGURE_COLORS.center, 15), 'white arm of the cross');
    // The bright central disc sits at the top of the colour scale; a corner far below.
    let top = 0;
    for (let row = 0; row < N; row++)
      for (let col = 0; col < N; col++) if (near(at(row, col), viridis(1), 2)) top++;
    assert.ok(top > 0, 'some pixel at the top of the scale');
    assert.ok(at(1, 1)[1] < at(14, 14)[1], 'corner darker than the middle');
  });

  it('has a colour bar from the bottom to the top of the scale, and text', () => {
    const sum = readPng(join(dir, 'sum.png'));
    const box = plotBox(sum, 1);
    const x = colorBarLeft(FIGURE_SIZE.width) + 8;
    assert.ok(near(pixel(sum, x, box.top + 1), viridis(1), 6), 'top of the bar');
    assert.ok(near(pixel(sum, x, box.top + box.h - 2), viridis(0), 6), 'bottom of the bar');
    assert.ok(
      inked(sum, box.left, box.top + box.h + 30, box.left + box.w, sum.height) > 100,
      'x axis title',
    );
    assert.ok(inked(sum, 0, box.top, 30, box.top + box.h) > 100, 'y axis title');
    assert.ok(inked(sum, x + 20, box.top, sum.width, box.top + box.h) > 100, 'colour bar labels');
  });

  it('colours the DPC maps with a diverging scale and the scan path in index order', () => {
    const dpc = readPng(join(dir, 'dpc_x.png'));
    const counts = { red: 0, blue: 0 };
    for (let y = 0; y < dpc.height; y++) {
      for (let x = 0; x < FIGURE_SIZE.width - 110; x++) {
        const [r, , b] = pixel(dpc, x, y);
        if (r > b + 60) counts.red++;
        if (b > r + 60) counts.blue++;
      }
    }
    assert.ok(counts.red > 50 && counts.blue > 50, JSON.stringify(counts));
    assert.deepEqual(diverging(0.5), [247, 247, 247]);
    const path = readPng(join(dir, 'positions.png'));
    let first = 0;
    let last = 0;
    for (let i = 0; i < path.data.length; i += 4) {
      const c = [path.data[i]!, path.data[i + 1]!, path.data[i + 2]!];
      if (near(c, FIGURE_COLORS.first, 2)) first++;
      if (near(c, FIGURE_COLORS.last, 2)) last++;
    }
    assert.ok(first > 20 && last > 20, `first ${first}, last ${last}`);
  });

  it('without positions writes the sum, histogram and frames only; bigint frames work', () => {
    const frames = ndarray('int64', [1, 8, 8]);
    frames.data[2 * 8 + 6] = 100n;
    const out = renderPreviews({ frames, positions: null }, join(root, 'big-int'));
    assert.deepEqual(
      out.map((f) => basename(f)),
      ['sum.png', 'histogram.png', 'frame_0000.png'],
    );
  });

  it('rejects bad input with typed errors and writes nothing', () => {
    const out = join(root, 'bad');
    assert.throws(
      () => renderPreviews({ frames: sim.frames, masks: ndarray('bool', [2, N, N]) }, out),
      (e: unknown) => e instanceof FrameError && e.found === '(2, 32, 32)',
    );
    assert.throws(
      () => renderPreviews({ frames: ndarray('int32', [1, 1, 2, 2]) }, out),
      FrameError,
    );
    assert.throws(
      () => renderPreviews({ frames: sim.frames }, out, { frameIndices: [10] }),
      (e: unknown) => e instanceof ParameterError && e.parameter === 'frameIndices',
    );
    assert.throws(
      () => renderPreviews({ frames: sim.frames, positions: ndarray('float64', [10, 3]) }, out),
      FrameError,
    );
    assert.ok(!existsSync(out), 'nothing written for bad input');
  });
});

describe('previewPtyd', () => {
  before(() => h5ready());

  it('streams a .ptyd file: maps in physical units, frames read one by one', () => {
    const file = join(root, 'known.ptyd');
    writeKnownPtyd(file, 40, [7]);
    const reader = openPtydReader(file);
    try {
      const out = join(root, 'known-preview');
      const files = previewPtyd(reader, out, { frameIndices: [0, 195] });
      assert.deepEqual(
        files.map((f) => basename(f)),
        [
          'sum.png',
          'transmission.png',
          'dpc_y.png',
          'dpc_x.png',
          'positions.png',
          'histogram.png',
          'frame_0000.png',
          'frame_0195.png',
        ],
      );
      const frame = readPng(join(out, 'frame_0195.png'));
      const box = plotBox(frame, 1);
      const masked = pixel(
        frame,
        Math.floor(box.left + (7.5 * box.w) / 32),
        Math.floor(box.top + box.h / 64),
      );
      assert.deepEqual(masked, [...FIGURE_COLORS.mask]);
      assert.throws(
        () => previewPtyd(reader, out, { frameIndices: [196] }),
        (e: unknown) => e instanceof ParameterError && /\[0, 195\]/.test(e.message),
      );
    } finally {
      reader.close();
    }
  });
});
