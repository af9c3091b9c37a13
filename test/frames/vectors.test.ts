import { describe, it } from 'node:test';
import { type CenterName, translateToPix } from '../../src/frames/center.js';
import { cropPad } from '../../src/frames/crop-pad.js';
import { massCenter } from '../../src/frames/mass-center.js';
import type { FrameStack } from '../../src/frames/ndarray.js';
import { type Orientation, orient } from '../../src/frames/orientation.js';
import { rebinData } from '../../src/frames/rebin.js';
import { roundHalfEven } from '../../src/frames/round.js';
import { noCorpus } from '../helpers/corpus.js';
import { assertSameArray, assertSamePair, fromJson, type JsonArray, VECTORS } from './helpers.js';

function group<T>(name: string): T[] {
  return VECTORS[name] as T[];
}

function values(a: JsonArray): number[] {
  return Array.from(fromJson(a).data, Number);
}

describe('ptypy unit vectors (_units/vectors.json), bit-exact', { skip: noCorpus }, () => {
  it('np_round: half to even, -0.5 -> -0', () => {
    const { in: xs, out } = VECTORS.np_round as { in: number[]; out: number[] };
    assertSamePair(xs.map(roundHalfEven), out, 'np.round');
  });

  it('translate_to_pix: every named centre on every raw shape', () => {
    const cases = group<{ sh: [number, number]; center: CenterName; out: JsonArray }>(
      'translate_to_pix',
    );
    for (const c of cases) {
      assertSamePair(translateToPix(c.sh, c.center), values(c.out), `${c.center} on ${c.sh}`);
    }
  });

  it('crop_pad_symmetric_2d: pixels, dtype (float64 when padding) and centre', () => {
    const cases = group<{
      input: JsonArray;
      newshape: [number, number];
      center: [number, number];
      out: JsonArray;
      out_center: JsonArray;
    }>('crop_pad_symmetric_2d');
    for (const c of cases) {
      const what = `${c.input.dtype} ${c.input.shape} -> ${c.newshape} around ${c.center}`;
      const result = cropPad(fromJson(c.input) as FrameStack, c.newshape, c.center);
      assertSameArray(result.frames, fromJson(c.out), what);
      assertSamePair(result.center, values(c.out_center), `${what} centre`);
    }
  });

  it('switch_orientation: ints 0..7, tuples and None, with the centre', () => {
    const cases = group<{
      input: JsonArray;
      orientation: Orientation;
      center: [number, number];
      out: JsonArray;
      out_center: JsonArray;
    }>('switch_orientation');
    for (const c of cases) {
      const what = `orientation ${JSON.stringify(c.orientation)}`;
      const result = orient(fromJson(c.input) as FrameStack, c.orientation, c.center);
      assertSameArray(result.frames, fromJson(c.out), what);
      assertSamePair(result.center, values(c.out_center), `${what} centre`);
    }
  });

  it('rebin_2d: int32, float64 and bool by 2 and 3', () => {
    const cases = group<{ input: JsonArray; rebin: number; out: JsonArray }>('rebin_2d');
    for (const c of cases) {
      const result = rebinData(fromJson(c.input) as FrameStack<'int32'>, c.rebin);
      assertSameArray(result, fromJson(c.out), `${c.input.dtype} rebin ${c.rebin}`);
    }
  });

  it('mass_center: three int32 frames', () => {
    const cases = group<{ input: JsonArray; out: JsonArray }>('mass_center');
    for (const c of cases) {
      const frame = fromJson(c.input);
      const [h, w] = frame.shape as [number, number];
      assertSamePair(massCenter(frame.data as Int32Array, h, w), values(c.out), 'mass centre');
    }
  });
});
