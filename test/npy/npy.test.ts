import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileFormatError } from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { decodeNpy, encodeNpy, readNpy } from '../../src/npy/npy.js';
import { CASES, noCorpus } from '../helpers/corpus.js';

describe('npy', () => {
  it('reads numpy-written int32 frames and bool masks from the corpus', { skip: noCorpus }, () => {
    const frames = readNpy(join(CASES, 'autocenter_auto/raw/frames.npy'));
    assert.equal(frames.dtype, 'int32');
    assert.deepEqual(frames.shape, [17, 40, 56]);
    const mask = readNpy(join(CASES, 'autocenter_auto/raw/weight2d.npy'));
    assert.equal(mask.dtype, 'bool');
    assert.deepEqual(mask.shape, [40, 56]);
    assert.ok(mask.data.every((v) => v === 0 || v === 1));
  });

  it('round-trips an array through encode and decode', () => {
    const a = ndarray('float64', [2, 3], Float64Array.from([1, 2.5, -3, 4, 5e-300, Number.NaN]));
    const b = decodeNpy(encodeNpy(a));
    assert.equal(b.dtype, 'float64');
    assert.deepEqual(b.shape, [2, 3]);
    assert.deepEqual([...b.data], [...a.data]);
  });

  it('rejects truncated data with a FileFormatError naming the file', () => {
    const bytes = encodeNpy(ndarray('int32', [4, 4]));
    assert.throws(
      () => decodeNpy(bytes.subarray(0, bytes.length - 3), 'x.npy'),
      (e: unknown) =>
        e instanceof FileFormatError && e.file === 'x.npy' && /truncated/.test(e.message),
    );
  });
});
