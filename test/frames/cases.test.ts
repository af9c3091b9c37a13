import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { translateToPix } from '../../src/frames/center.js';
import { cropOrient } from '../../src/frames/crop-orient.js';
import { meanMassCenter } from '../../src/frames/mass-center.js';
import { type FrameStack, ndarray } from '../../src/frames/ndarray.js';
import type { Orientation } from '../../src/frames/orientation.js';
import { rebinData, rebinWeights } from '../../src/frames/rebin.js';
import { readNpy } from '../../src/npy/npy.js';
import { CASES, noCorpus } from '../helpers/corpus.js';
import { assertSameArray, assertSamePair } from './helpers.js';

function firstFrames(name: string, n: number): FrameStack {
  const all = readNpy(join(CASES, name, 'raw/frames.npy'));
  const [, h, w] = all.shape as [number, number, number];
  return ndarray(all.dtype, [n, h, w], (all.data as Int32Array).subarray(0, n * h * w));
}

/** The common bool mask repeated for every frame, as ptypy stacks it before cropping. */
function maskStack(name: string, n: number): FrameStack<'bool'> {
  const mask = readNpy(join(CASES, name, 'raw/weight2d.npy'));
  const size = mask.data.length;
  const data = new Uint8Array(n * size);
  for (let f = 0; f < n; f++) data.set(mask.data as Uint8Array, f * size);
  return ndarray('bool', [n, ...mask.shape], data);
}

function finalCenter(name: string): number[] {
  const final = JSON.parse(readFileSync(join(CASES, name, 'expected/final.json'), 'utf8')) as {
    info_center: number[];
  };
  return final.info_center;
}

describe('automatic centre = ptypy final.json info_center, bit-exact', { skip: noCorpus }, () => {
  // The centre is frozen from the first chunk's frames, in load order.
  const cases: [string, number][] = [
    ['autocenter_auto', 8],
    ['noop_square_raw_autocenter', 4],
    ['random_0', 8],
  ];
  for (const [name, n] of cases) {
    it(`${name}: mean of the first ${n} frames' masked mass centres`, () => {
      const frames = firstFrames(name, n);
      const mask = readNpy(join(CASES, name, 'raw/weight2d.npy'));
      assertSamePair(meanMassCenter(frames, mask), finalCenter(name), name);
      // One mask per frame gives the same centre.
      assertSamePair(
        meanMassCenter(frames, maskStack(name, n)),
        finalCenter(name),
        `${name} per-frame mask`,
      );
    });
  }
});

interface KernelCase {
  name: string;
  shape: number;
  center: readonly [number, number] | 'fftshift' | 'geometric' | 'auto';
  orientation: Orientation;
  rebin: number;
}

// Cases whose first chunk is only crop/pad + orientation + rebin of raw frames and the raw mask.
const KERNEL_CASES: KernelCase[] = [
  { name: 'orientation_0', shape: 32, center: [20, 36], orientation: 0, rebin: 1 },
  { name: 'orientation_1', shape: 32, center: [20, 36], orientation: 1, rebin: 1 },
  { name: 'orientation_2', shape: 32, center: [20, 36], orientation: 2, rebin: 1 },
  { name: 'orientation_3', shape: 32, center: [20, 36], orientation: 3, rebin: 1 },
  { name: 'orientation_4', shape: 32, center: [20, 36], orientation: 4, rebin: 1 },
  { name: 'orientation_6', shape: 32, center: [20, 36], orientation: 6, rebin: 1 },
  {
    name: 'orientation_tuple_true_false_true',
    shape: 32,
    center: [20, 36],
    orientation: [true, false, true],
    rebin: 1,
  },
  { name: 'center_half_even', shape: 32, center: [20.5, 33.5], orientation: null, rebin: 1 },
  { name: 'center_geometric', shape: 32, center: 'geometric', orientation: null, rebin: 1 },
  { name: 'pad_crop_mixed_edge_center', shape: 32, center: [6, 50], orientation: null, rebin: 1 },
  { name: 'pad_shape_larger', shape: 60, center: 'fftshift', orientation: null, rebin: 1 },
  { name: 'asymmetric_shape_44x30', shape: 30, center: 'fftshift', orientation: null, rebin: 1 },
  { name: 'rebin_2_mask', shape: 32, center: 'fftshift', orientation: null, rebin: 2 },
  { name: 'rebin_3_two_stage_mean', shape: 24, center: [19, 29], orientation: null, rebin: 3 },
  { name: 'random_1', shape: 24, center: 'geometric', orientation: 4, rebin: 2 },
  { name: 'random_0', shape: 32, center: 'auto', orientation: 1, rebin: 1 },
  { name: 'autocenter_auto', shape: 32, center: 'auto', orientation: null, rebin: 1 },
];

describe('crop/pad + orientation + rebin = ptypy call_0 data and weights, bit-exact', {
  skip: noCorpus,
}, () => {
  for (const c of KERNEL_CASES) {
    it(`${c.name}`, () => {
      const expected = readNpy(join(CASES, c.name, 'expected/call_0_data.npy'));
      const expectedWeights = readNpy(join(CASES, c.name, 'expected/call_0_weights.npy'));
      const n = expected.shape[0]!;
      const frames = firstFrames(c.name, n);
      const weights = maskStack(c.name, n);
      const raw: [number, number] = [frames.shape[1]!, frames.shape[2]!];
      const center =
        c.center === 'auto'
          ? meanMassCenter(frames, weights)
          : typeof c.center === 'string'
            ? translateToPix(raw, c.center)
            : c.center;
      const roi: [number, number] = [c.shape, c.shape];
      let data: FrameStack = cropOrient(frames, roi, center, c.orientation).frames;
      let w: FrameStack = cropOrient(weights, roi, center, c.orientation).frames;
      if (c.rebin > 1) {
        data = rebinData(data, c.rebin);
        w = rebinWeights(w, c.rebin);
      }
      assertSameArray(data, expected, `${c.name} data`);
      assertSameArray(w, expectedWeights, `${c.name} weights`);
    });
  }
});
