import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CenterError, ParameterError } from '../../src/errors.js';
import { meanMassCenter } from '../../src/frames/index.js';
import { type FrameStack, ndarray } from '../../src/frames/ndarray.js';
import { isNdArray, PyTuple } from '../../src/py/value.js';
import { Hdf5LoaderFast } from '../../src/sources/index.js';
import {
  fixture,
  fixtureFolder,
  loader,
  pixel,
  rawWindow,
  records,
  run,
  values,
  weightsOf,
} from './hdf5-fixtures.js';

// docs/compatibility.md, "Hdf5Loader": where ptypy's Hdf5Loader has a defect,
// ptyscan does what ptypy documents or what works. Each row is asserted here.
const at = fixtureFolder();

describe('Hdf5Loader: intended differences from ptypy', () => {
  it('positions.file falls back to intensities.file, as ptypy documents (ptypy raises)', () => {
    const fallback = fixture(at('l2.h5'));
    delete (fallback.positions as Record<string, unknown>).file;
    const a = records(run(loader(fallback), 10));
    const b = records(run(loader(fixture(at('l2.h5'))), 10));
    assert.equal(a.length, 10);
    assert.deepEqual(
      a.map((r) => Array.from(r.position ?? [])),
      b.map((r) => Array.from(r.position ?? [])),
    );
  });

  for (const file of ['l3.h5', 'l4.h5', 'l5.h5']) {
    it(`a frame filter works in layout ${file[1]} (ptypy raises): the (3, 4) grid points with a value > 0`, () => {
      const scan = loader(fixture(at(file), { framefilter: { file: at(file), key: 'entry/ff' } }));
      const recs = records(run(scan, 20));
      // entry/ff is [[1,0,1,1],[1,1,0,1],[0,1,1,1]]: grid point (s, f) is raw frame 4 s + f.
      const kept = [0, 2, 3, 4, 5, 7, 9, 10, 11];
      assert.deepEqual(
        recs.map(
          (r) =>
            scan.plan.mapping.points[r.index]!.grid[0]! * 4 +
            scan.plan.mapping.points[r.index]!.grid[1]!,
        ),
        kept,
      );
      recs.forEach((rec, k) => {
        assert.deepEqual(values(rec.data), rawWindow(kept[k]!, [0, 16], [2, 18]));
      });
    });
  }

  for (const file of ['l3.h5', 'l5.h5']) {
    it(`a normalisation works in layout ${file[1]} (ptypy fails at the first chunk): frame / I0 * mean(I0)`, () => {
      const scan = loader(
        fixture(at(file), { shape: 12n, normalisation: { file: at(file), key: 'entry/i0' } }),
      );
      const recs = records(run(scan, 20));
      // entry/i0 is linspace(90, 110, 12) on the (3, 4) grid: mean 100, and all within 3 sigma.
      const i0 = Array.from({ length: 12 }, (_, k) => 90 + (20 * k) / 11);
      const mean = i0.reduce((a, b) => a + b, 0) / 12;
      for (const rec of recs) {
        const want = rawWindow(rec.index, [2, 14], [4, 16]).map((x) =>
          Math.trunc((x / i0[rec.index]!) * mean),
        );
        const got = values(rec.data);
        // numpy's mean of the 12 values may differ from this plain sum in the last bit.
        assert.ok(
          got.every((g, i) => Math.abs(g - want[i]!) <= 1),
          `frame ${rec.index}`,
        );
        assert.ok(
          got.some((g, i) => g !== rawWindow(rec.index, [2, 14], [4, 16])[i]) ||
            i0[rec.index] === mean,
        );
      }
    });
  }

  it('a frame order index at or past the selection, or negative, is an error at construction (ptypy ignores it or wraps)', () => {
    for (const bad of [10n, 11n, -1n]) {
      const indices = ndarray('int64', [3], BigInt64Array.from([2n, bad, 0n]));
      assert.throws(
        () => loader(fixture(at('l2.h5'), { frameorder: { indices } })),
        ParameterError,
      );
    }
  });

  it('a bounding box past the scan is an error at construction (ptypy fails at the chunk that reaches past it)', () => {
    const positions = { bounding_box: { fast_axis_bounds: new PyTuple([0n, 14n]) } };
    assert.throws(() => loader(fixture(at('l2.h5'), { positions })), ParameterError);
  });

  it('a load window that starts before the frame is an error at construction (ptypy reads empty frames)', () => {
    assert.throws(
      () => loader(fixture(at('l2.h5'), { shape: 12n, center: new PyTuple([3n, 10n]) })),
      CenterError,
    );
  });

  it('mask.invert of an integer flag mask makes every pixel with a flag bad (ptypy: 1 - 4 wraps to 4294967293, good)', () => {
    const pkg = run(
      loader(
        fixture(at('l2.h5'), { mask: { file: at('l2.h5'), key: 'entry/flags', invert: true } }),
      ),
      10,
    )[0]!;
    assert.equal(pkg.chunk.weights.dtype, 'uint32');
    // shape None: 16 x 16 around the fftshift centre, columns 2..17 of the raw frame.
    const w = weightsOf(pkg, 0);
    const at2 = (r: number, c: number) => w[r * 16 + c - 2];
    assert.equal(at2(1, 2), 0, 'flag 4');
    assert.equal(at2(3, 3), 0, 'flag 1');
    assert.equal(at2(5, 2), 0, 'flag 2^31');
    assert.equal(at2(0, 2), 1, 'no flag');
    assert.equal(w.filter((v) => v === 0).length, 4);
  });

  it("Hdf5LoaderFast gives Hdf5Loader's numbers (ptypy's variant multiplies by 1 / (v * mean) and inverts after padding)", () => {
    const params = fixture(at('l2.h5'), {
      intensities: { file: at('l2.h5'), key: 'entry/data_f32' },
      normalisation: { file: at('l2.h5'), key: 'entry/i0' },
      mask: { file: at('l2.h5'), key: 'entry/mask', invert: true },
      padding: new PyTuple([1n, 1n, 0n, 2n]),
    });
    const plain = run(loader(params), 4);
    const fast = run(loader(params, Hdf5LoaderFast), 4);
    assert.equal(fast.length, plain.length);
    fast.forEach((pkg, i) => {
      assert.deepEqual(values(pkg.chunk.data), values(plain[i]!.chunk.data));
      assert.deepEqual(values(pkg.chunk.weights), values(plain[i]!.chunk.weights));
      assert.equal(pkg.chunk.weights.dtype, 'uint8');
    });
    // Padded pixels have weight 0 (masked), as in Hdf5Loader.
    assert.equal(weightsOf(fast[0]!, 0)[0], 0);
  });

  it('auto_center true uses the automatic centre even with a centre given (ptypy keeps the given one)', () => {
    const scan = loader(
      fixture(at('l2.h5'), { auto_center: true, center: new PyTuple([8n, 10n]) }),
    );
    run(scan, 4);
    const frames = ndarray(
      'int32',
      [4, 16, 20],
      Int32Array.from({ length: 4 * 320 }, (_, i) =>
        pixel(Math.floor(i / 320), Math.floor((i % 320) / 20), i % 20),
      ),
    ) as FrameStack<'int32'>;
    const want = meanMassCenter(frames);
    assert.ok(isNdArray(scan.info.center));
    assert.deepEqual(values(scan.info.center), want);
  });
});
