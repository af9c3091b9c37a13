import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CenterError,
  FrameError,
  MissingDataError,
  ParameterError,
  RebinError,
  StateError,
} from '../../src/errors.js';
import { meanMassCenter } from '../../src/frames/index.js';
import { type NdArray, ndarray } from '../../src/frames/ndarray.js';
import type { LoadResult } from '../../src/scan/types.js';
import { capturingLogger } from '../helpers/index.js';
import { SpotScan } from './spot-scan.js';

describe('PtyScan', () => {
  it('prepares chunks, then WAITs for nothing and ends with EOS repeatedly', () => {
    const scan = new SpotScan({ shape: 16n, center: 'fftshift' });
    scan.initialize();
    const a = scan.auto(4);
    const b = scan.auto(4);
    assert.equal(a.msg, 'data');
    assert.equal(b.msg, 'data');
    if (a.msg !== 'data' || b.msg !== 'data') return;
    assert.deepEqual(a.chunk.indices, [0, 1, 2, 3]);
    assert.deepEqual(b.chunk.indices, [4, 5]);
    assert.deepEqual(a.chunk.data.shape, [4, 16, 16]);
    assert.equal(a.common, b.common, 'meta is the same object on every call');
    assert.equal(scan.auto(4).msg, 'EOS');
    assert.equal(scan.auto(4).msg, 'EOS');
  });

  it('rejects auto() before initialize()', () => {
    assert.throws(() => new SpotScan({}).auto(1), StateError);
  });

  it('lists every bad parameter at once', () => {
    assert.throws(
      () => new SpotScan({ shap: 3n, rebin: 99n, save: 'sometimes' }),
      (e: unknown) => {
        assert.ok(e instanceof ParameterError);
        const paths = e.problems.map((p) => p.path).sort();
        assert.deepEqual(paths, [
          'scandata.PtyScan.rebin',
          'scandata.PtyScan.save',
          'scandata.PtyScan.shap',
        ]);
        return true;
      },
    );
  });

  it('names the rebin factor that does not divide the ROI', () => {
    const scan = new SpotScan({ shape: 16n, rebin: 3n });
    scan.initialize();
    assert.throws(
      () => scan.auto(2),
      (e: unknown) => e instanceof RebinError && e.parameter === 'rebin' && /16/.test(e.message),
    );
  });

  it('rejects a centre outside the frame', () => {
    const scan = new SpotScan({ shape: 16n, center: [30n, 5n] });
    scan.initialize();
    assert.throws(
      () => scan.auto(2),
      (e: unknown) => e instanceof CenterError && /30\.0, 5\.0/.test(e.message),
    );
  });

  it('names the frame whose shape differs from the rest of its chunk', () => {
    const scan = new SpotScan({ shape: 16n });
    scan.frames[2] = ndarray('int32', [20, 25]);
    scan.initialize();
    assert.throws(
      () => scan.auto(4),
      (e: unknown) => e instanceof FrameError && e.frame === 2,
    );
  });

  it('names a frame that load() did not return', () => {
    class Gappy extends SpotScan {
      override load(indices: readonly number[]): LoadResult {
        return { data: new Map(indices.filter((i) => i !== 1).map((i) => [i, this.frames[i]!])) };
      }
    }
    const scan = new Gappy({ shape: 16n });
    scan.initialize();
    assert.throws(
      () => scan.auto(3),
      (e: unknown) => e instanceof MissingDataError && e.frame === 1,
    );
  });

  it('names the all-zero frame instead of producing a NaN centre', () => {
    const scan = new SpotScan({ shape: 16n, center: null });
    scan.frames[1] = ndarray('int32', [20, 24]);
    scan.initialize();
    assert.throws(
      () => scan.auto(3),
      (e: unknown) => e instanceof CenterError && e.frame === 1,
    );
  });

  it('rejects positions that are not (N, 2)', () => {
    const scan = new SpotScan({ shape: 16n });
    scan.positions = ndarray('float64', [6, 3]);
    assert.throws(
      () => scan.initialize(),
      (e: unknown) => e instanceof ParameterError && /\(N, 2\)/.test(e.message),
    );
  });

  // Intended difference 1 (corpus case autocenter_true_explicit_center): auto_center
  // true enforces the automatic centre even when a centre is given.
  it('auto_center true uses the mass centre over an explicit centre', () => {
    const scan = new SpotScan({ shape: 16n, center: [10n, 12n], auto_center: true });
    scan.initialize();
    const pkg = scan.auto(6);
    assert.equal(pkg.msg, 'data');
    const stack = ndarray('int32', [6, 20, 24]);
    for (const [i, f] of scan.frames.entries()) stack.data.set(f.data, i * 480);
    const expected = meanMassCenter(stack);
    assert.deepEqual(Array.from((scan.info.center as NdArray<'float64'>).data), expected);
  });

  // Intended difference 2 (corpus case weight2d_roi_shape_autocenter_error): a mask
  // whose shape differs from the raw frames never crashes auto-centring.
  it('auto-centres on the unmasked frames, with a warning, when the mask has another shape', () => {
    const logger = capturingLogger();
    const scan = new SpotScan({ shape: 16n, center: null }, { logger });
    scan.mask = ndarray('bool', [16, 16], new Uint8Array(256).fill(1));
    scan.initialize();
    const pkg = scan.auto(6);
    assert.equal(pkg.msg, 'data');
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0]!, /mask has shape \(16, 16\).*\(20, 24\).*unmasked/);
    const stack = ndarray('int32', [6, 20, 24]);
    for (const [i, f] of scan.frames.entries()) stack.data.set(f.data, i * 480);
    assert.deepEqual(
      Array.from((scan.info.center as NdArray<'float64'>).data),
      meanMassCenter(stack),
    );
  });
});
