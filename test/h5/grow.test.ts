/**
 * Growable datasets, slabs written into them and hard links (src/h5/grow.ts),
 * as the exchange formats use them, checked with h5py.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { H5Error } from '../../src/errors.js';
import { type NdArray, ndarray } from '../../src/frames/ndarray.js';
import { applyWrite, H5File, type H5Write, h5ready } from '../../src/h5/index.js';
import { python, tempDir } from '../helpers/index.js';

const dir = tempDir('grow');

before(async () => {
  await h5ready();
});

function create(file: string, members: H5Write['members']): void {
  applyWrite({
    kind: 'create',
    file,
    durable: false,
    lock: true,
    parents: {},
    attributes: {},
    members,
  });
}

function add(file: string, members: H5Write['members']): void {
  applyWrite({ kind: 'add', file, parents: {}, attributes: {}, members });
}

describe('growable datasets', () => {
  it('grow along their unlimited axis by slabs, gzip-compressed, and h5py reads them', () => {
    const file = join(dir, 'frames.h5');
    const frames = (first: number, n: number) =>
      ndarray(
        'int32',
        [n, 2, 3],
        Int32Array.from({ length: n * 6 }, (_, i) => first * 6 + i),
      );
    create(file, [
      {
        name: 'entry/data',
        node: {
          kind: 'array',
          value: frames(0, 2),
          storage: {
            maxshape: [null, 2, 3],
            chunks: [1, 2, 3],
            compression: { kind: 'gzip', level: 4 },
          },
        },
      },
      {
        name: 'cols',
        node: {
          kind: 'array',
          value: ndarray('float64', [3, 2], Float64Array.of(0, 1, 10, 11, 20, 21)),
          storage: { maxshape: [3, null], chunks: [3, 64] },
        },
      },
      { name: 'other/data', node: { kind: 'hard-link', target: '/entry/data' } },
    ]);
    add(file, [
      { name: 'entry/data', node: { kind: 'slab', value: frames(2, 3), offset: [2, 0, 0] } },
      {
        name: 'cols',
        node: {
          kind: 'slab',
          value: ndarray('float64', [3, 1], Float64Array.of(2, 12, 22)),
          offset: [0, 2],
        },
      },
    ]);
    const out = python(
      `import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
d = f['entry/data']
print(json.dumps({'shape': d.shape, 'maxshape': d.maxshape, 'chunks': d.chunks,
  'compression': d.compression, 'flat': d[()].ravel().tolist(),
  'same': f['other/data'].id == d.id, 'cols': f['cols'][()].tolist(),
  'colsmax': f['cols'].maxshape}))`,
      [file],
    );
    const got = JSON.parse(out) as Record<string, unknown>;
    assert.deepEqual(got.shape, [5, 2, 3]);
    assert.deepEqual(got.maxshape, [null, 2, 3]);
    assert.deepEqual(got.chunks, [1, 2, 3]);
    assert.equal(got.compression, 'gzip');
    assert.deepEqual(
      got.flat,
      Array.from({ length: 30 }, (_, i) => i),
    );
    assert.equal(got.same, true, 'the hard link is the same dataset');
    assert.deepEqual(got.cols, [
      [0, 1, 2],
      [10, 11, 12],
      [20, 21, 22],
    ]);
    assert.deepEqual(got.colsmax, [3, null]);
  });

  it('refuse a slab of another dtype, past a fixed axis, or into nothing, naming the dataset', () => {
    const file = join(dir, 'refuse.h5');
    create(file, [
      {
        name: 'd',
        node: {
          kind: 'array',
          value: ndarray('int32', [1, 4], Int32Array.of(1, 2, 3, 4)),
          storage: { maxshape: [null, 4], chunks: [1, 4] },
        },
      },
    ]);
    const slab =
      (value: NdArray = ndarray('int32', [1, 4]), offset = [1, 0], name = 'd') =>
      () =>
        add(file, [{ name, node: { kind: 'slab', value, offset } }]);
    assert.throws(slab(ndarray('float64', [1, 4])), (e: unknown) => {
      assert.ok(e instanceof H5Error);
      assert.equal(e.dataset, '/d');
      assert.match(e.message, /float64 \(1, 4\) slab/);
      return true;
    });
    assert.throws(slab(ndarray('int32', [1, 4]), [0, 2]), (e: unknown) => {
      assert.ok(e instanceof H5Error);
      assert.match(e.message, /cannot grow to \(1, 6\), its maxshape/);
      return true;
    });
    assert.throws(slab(ndarray('int32', [1, 4]), [1, 0], 'missing'), (e: unknown) => {
      assert.ok(e instanceof H5Error);
      assert.equal(e.dataset, '/missing');
      return true;
    });
    // Nothing of the refused slabs was written.
    const h5 = H5File.open(file, 'r');
    try {
      const d = h5.resolve('/d');
      assert.deepEqual(d.kind === 'dataset' ? d.shape : d.kind, [1, 4]);
    } finally {
      h5.close();
    }
  });

  it('a maxshape below the data is refused', () => {
    assert.throws(
      () =>
        create(join(dir, 'bad-max.h5'), [
          {
            name: 'd',
            node: { kind: 'array', value: ndarray('int8', [3]), storage: { maxshape: [2] } },
          },
        ]),
      (e: unknown) => e instanceof H5Error && /maxshape \(2,\) does not fit/.test(e.message),
    );
  });
});
