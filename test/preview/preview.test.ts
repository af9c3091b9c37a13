import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { FrameError, ParameterError } from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { viridis } from '../../src/preview/colormap.js';
import { MASK_COLOR, renderLogImage } from '../../src/preview/log-image.js';
import { PLOT_COLORS } from '../../src/preview/positions-plot.js';
import { CENTER_COLOR, renderPreviews } from '../../src/preview/render.js';
import { DEFAULT_SIMULATION, simulateScan } from '../../src/sim/simulate.js';
import { tempDir } from '../helpers/index.js';

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

function countColor(png: PNG, color: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (png.data[i] === color[0] && png.data[i + 1] === color[1] && png.data[i + 2] === color[2])
      n++;
  }
  return n;
}

describe('renderPreviews', () => {
  const masks = ndarray('bool', [1, N, N]);
  masks.data.fill(1);
  masks.data[3 * N + 25] = 0;
  const dir = join(root, 'scan');
  const files = renderPreviews(
    { frames: sim.frames, masks, positions: sim.positions, center: [16, 16] },
    dir,
  );

  it('writes sum, first/middle/last frames and positions', () => {
    assert.deepEqual(
      files.map((f) => basename(f)),
      ['sum.png', 'frame_0000.png', 'frame_0005.png', 'frame_0009.png', 'positions.png'],
    );
    for (const f of files) assert.ok(existsSync(f));
  });

  it('enlarges 32 px frames 8x to 256 px PNGs', () => {
    for (const f of files.slice(0, 4)) {
      const png = readPng(f);
      assert.equal(png.width, 256);
      assert.equal(png.height, 256);
    }
    const plot = readPng(join(dir, 'positions.png'));
    assert.equal(plot.width, 480);
    assert.equal(plot.height, 480);
  });

  it('marks the centre with a cross and masked pixels in the mask colour', () => {
    const sum = readPng(join(dir, 'sum.png'));
    // source pixel 16 spans output pixels 128..135; its centre rounds to 132
    assert.deepEqual(pixel(sum, 132, 132), [...CENTER_COLOR]);
    assert.deepEqual(pixel(sum, 132 + 8, 132), [...CENTER_COLOR]);
    assert.deepEqual(pixel(sum, 132, 132 - 8), [...CENTER_COLOR]);
    // masked source pixel (3, 25) is the 8x8 block at rows 24..31, cols 200..207
    for (let y = 24; y < 32; y++) {
      for (let x = 200; x < 208; x++) assert.deepEqual(pixel(sum, x, y), [...MASK_COLOR]);
    }
    assert.equal(countColor(sum, MASK_COLOR), 64);
    const frame = readPng(join(dir, 'frame_0005.png'));
    assert.deepEqual(pixel(frame, 203, 27), [...MASK_COLOR]);
  });

  it('shows a bright centre: the middle of the pattern is brighter than the corners', () => {
    const frame = readPng(join(dir, 'frame_0000.png'));
    const top = viridis(1);
    // The central disc reaches the top of the colormap; a corner is far below it.
    assert.ok(countColor(frame, top) > 0);
    const corner = pixel(frame, 2, 2);
    assert.notDeepEqual(corner, [...top]);
    assert.ok(pixel(frame, 120, 120)[1] > corner[1], 'green channel rises along viridis');
  });

  it('plots every position with first and last marked', () => {
    const plot = readPng(join(dir, 'positions.png'));
    assert.ok(countColor(plot, PLOT_COLORS.point) >= 10);
    assert.ok(countColor(plot, PLOT_COLORS.first) > 20);
    assert.ok(countColor(plot, PLOT_COLORS.last) > 20);
    assert.ok(countColor(plot, PLOT_COLORS.path) > 0);
    assert.ok(countColor(plot, PLOT_COLORS.axis) > 400, 'axes, ticks and labels');
  });

  it('maps values on a log scale to viridis', () => {
    const values = Float64Array.from([0, 9, 99, 999]);
    const { canvas, zoom } = renderLogImage(values, 2, 2);
    assert.equal(zoom, 128);
    assert.deepEqual(canvas.get(0, 0), viridis(0));
    assert.deepEqual(canvas.get(128, 0), viridis(1 / 3));
    assert.deepEqual(canvas.get(0, 128), viridis(2 / 3));
    assert.deepEqual(canvas.get(255, 255), viridis(1));
    assert.deepEqual(viridis(0), [68, 1, 84]);
    assert.deepEqual(viridis(1), [253, 231, 37]);
  });

  it('reduces large frames by block maximum, keeping a hot pixel visible', () => {
    const big = new Float64Array(1100 * 1100).fill(1);
    big[500 * 1100 + 700] = 1e6;
    const image = renderLogImage(big, 1100, 1100);
    assert.equal(image.canvas.width, 367);
    assert.deepEqual(image.canvas.get(Math.floor(700 / 3), Math.floor(500 / 3)), viridis(1));
  });

  it('defaults to the mass centre, skips positions.png without positions, accepts bigint frames', () => {
    const frames = ndarray('int64', [1, 8, 8]);
    frames.data[2 * 8 + 6] = 100n;
    const out = renderPreviews({ frames, positions: null }, join(root, 'big-int'));
    assert.deepEqual(
      out.map((f) => basename(f)),
      ['sum.png', 'frame_0000.png'],
    );
    const sum = readPng(out[0]!);
    // 8 px -> 32x; mass centre (2, 6) -> output (2.5 * 32 - 0.5) = 79.5 -> 80, (6.5 * 32 - 0.5) -> 208
    assert.deepEqual(pixel(sum, 208, 80), [...CENTER_COLOR]);
  });

  it('rejects bad input with typed errors', () => {
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
