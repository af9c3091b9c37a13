/**
 * The crop/orient kernel's row copy done by the native addon (copyRows,
 * native/hdf5/rows.cc), offered by the HUGE_PAGES allocator the scan passes
 * in: every element size, orientation and crop gives the frames the
 * TypedArray.set kernel gives, and bad plans are refused, never read or
 * written out of bounds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DType, TYPED_ARRAY } from '../../src/frames/dtype.js';
import { cropOrient } from '../../src/frames/index.js';
import { type Allocator, PLAIN_MEMORY } from '../../src/frames/memory.js';
import { type FrameStack, ndarray } from '../../src/frames/ndarray.js';
import { nativeHdf5Status } from '../../src/h5/index.js';
import { nativeAddon } from '../../src/native/addon.js';
import { HUGE_PAGES } from '../../src/native/memory.js';

const status = nativeHdf5Status();
const skip = status.available ? false : `native HDF5 addon not available: ${status.detail}`;

function stack(dtype: DType, n: number, h: number, w: number): FrameStack {
  const a = ndarray(dtype, [n, h, w]);
  const data = a.data as unknown as { [i: number]: number | bigint; length: number };
  const big = dtype === 'int64' || dtype === 'uint64';
  for (let i = 0; i < data.length; i++) {
    const v = (i * 37 + 11) % 251;
    data[i] = big ? BigInt(v) : v;
  }
  return a;
}

describe('the native row copy of the crop/orient kernel', () => {
  it('gives the frames TypedArray.set gives: every element size, orientation and crop', {
    skip,
  }, () => {
    let moved = 0;
    const counting: Allocator = {
      array: (dtype, length) => HUGE_PAGES.array(dtype, length),
      rows: (src, dst, plan) => {
        moved++;
        HUGE_PAGES.rows?.(src, dst, plan);
      },
    };
    const dtypes: DType[] = ['uint8', 'int16', 'int32', 'float32', 'float64', 'int64'];
    let compared = 0;
    for (const dtype of dtypes) {
      const frames = stack(dtype, 3, 21, 26);
      // Crops inside the frame (odd and even sizes, off-centre, the whole frame).
      for (const [shape, center] of [
        [
          [8, 8],
          [10, 13],
        ],
        [
          [7, 12],
          [4, 20],
        ],
        [
          [21, 26],
          [10.5, 13],
        ],
        [
          [1, 26],
          [0, 13],
        ],
      ] as const) {
        for (let orientation = 0; orientation < 8; orientation++) {
          const plain = cropOrient(frames, shape, center, orientation, { allocator: PLAIN_MEMORY });
          const native = cropOrient(frames, shape, center, orientation, { allocator: counting });
          assert.deepEqual(native.frames.shape, plain.frames.shape);
          assert.deepEqual(native.center, plain.center);
          assert.deepEqual(
            Array.from(native.frames.data as ArrayLike<number | bigint>),
            Array.from(plain.frames.data as ArrayLike<number | bigint>),
            `${dtype} ${shape} around ${center}, orientation ${orientation}`,
          );
          compared++;
        }
      }
    }
    assert.equal(compared, dtypes.length * 4 * 8);
    // Orientations 4..7 transpose (another kernel); the identity on the whole frame copies nothing.
    assert.ok(moved >= dtypes.length * 3 * 4, `the native copy ran ${moved} times`);
  });

  it('refuses a plan that does not fit the arrays, and arrays of different element sizes', {
    skip,
  }, () => {
    const addon = nativeAddon();
    assert.ok(addon !== null);
    const src = new TYPED_ARRAY.int32(2 * 4 * 4);
    assert.throws(
      () => addon.copyRows(src, new Int32Array(2 * 3 * 3 - 1), [2, 4, 4, 3, 3, 0, 0, 1, 1]),
      RangeError,
    );
    assert.throws(
      () => addon.copyRows(src, new Int32Array(3 * 3 * 3), [3, 4, 4, 3, 3, 0, 0, 0, 0]),
      RangeError,
    );
    assert.throws(
      () => addon.copyRows(src, new Float64Array(2 * 3 * 3), [2, 4, 4, 3, 3, 0, 0, 0, 0]),
      TypeError,
    );
    const dst = new Int32Array(2 * 3 * 3);
    addon.copyRows(
      src.map((_, i) => i),
      dst,
      [2, 4, 4, 3, 3, 0, 0, 0, 1],
    );
    assert.deepEqual(Array.from(dst.subarray(0, 3)), [2, 1, 0]);
  });
});
