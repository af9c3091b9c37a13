/**
 * The native reading engine: blocks of datasets written by h5py through the
 * real filter plugins (Debian's bitshuffle and hdf5-filter-plugin, h5py's
 * gzip, shuffle, fletcher32 and LZF), read by the addon, which decodes the
 * chunks itself on several threads, must equal the arrays h5py wrote (kept
 * uncompressed beside them and read by h5wasm) and h5wasm's own decoding.
 * A filter only libhdf5's plugins decode is read by libhdf5; a corrupt
 * chunk and a missing data file behind a virtual dataset are typed errors.
 */
import assert from 'node:assert/strict';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FileFormatError, MissingDataError } from '../../src/errors.js';
import { type NdArray, sizeOf } from '../../src/frames/ndarray.js';
import { H5File, h5ready, nativeHdf5Status } from '../../src/h5/index.js';
import { python, tempDir } from '../helpers/index.js';

const status = nativeHdf5Status();
const skip = status.available ? false : `native HDF5 addon not available: ${status.detail}`;

const SCRIPT = `
import sys, numpy as np, h5py
d = sys.argv[1]
rng = np.random.default_rng(7)
def counts(shape, dtype):
    # Detector-like: mostly small counts, a bright spot, some large values.
    x = rng.poisson(rng.exponential(2.0, shape))
    x.flat[::97] += 60000
    dt = np.dtype(dtype)
    if dt.kind == 'f': return (x * 0.37 - 1.5).astype(dt)
    if dt.kind == 'i': return (x % (1 << (8 * dt.itemsize - 2)) - 3).astype(dt)
    return (x % (1 << min(8 * dt.itemsize, 62))).astype(dt)
BSHUF, LZ4, BZ2 = 32008, 32004, 307
cases = []
for dt in ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'uint64', 'int64', 'float32', 'float64']:
    cases.append(('bslz4_' + dt, (6, 37, 45), dt, dict(compression=BSHUF, compression_opts=(0, 2), chunks=(1, 37, 45))))
cases += [
    ('bslz4_block64', (5, 40, 48), 'uint32', dict(compression=BSHUF, compression_opts=(64, 2), chunks=(1, 40, 48))),
    ('bshuf_plain', (5, 37, 45), 'uint16', dict(compression=BSHUF, compression_opts=(0, 0), chunks=(1, 37, 45))),
    ('bslz4_multi', (10, 37, 45), 'uint32', dict(compression=BSHUF, compression_opts=(0, 2), chunks=(4, 16, 16))),
    ('lz4', (6, 37, 45), 'uint32', dict(compression=LZ4, compression_opts=(1000,), chunks=(1, 37, 45))),
    ('lz4_whole', (6, 37, 45), 'int16', dict(compression=LZ4, chunks=(2, 37, 45))),
    ('gzip', (6, 37, 45), 'int32', dict(compression='gzip', chunks=(1, 37, 45))),
    ('gzip_shuffle', (7, 37, 45), 'float32', dict(compression='gzip', shuffle=True, chunks=(3, 20, 45))),
    ('fletcher', (6, 37, 45), 'uint16', dict(fletcher32=True, chunks=(1, 37, 45))),
    ('gzip_fletcher', (6, 37, 45), 'float64', dict(compression='gzip', fletcher32=True, chunks=(2, 37, 45))),
    ('lzf', (6, 37, 45), 'uint32', dict(compression='lzf', chunks=(1, 37, 45))),
    ('plain_chunks', (6, 37, 45), 'int32', dict(chunks=(4, 30, 30))),
    ('contiguous', (6, 37, 45), 'uint32', dict()),
    ('grid', (3, 4, 16, 20), 'uint32', dict(compression=BSHUF, compression_opts=(0, 2), chunks=(1, 1, 16, 20))),
    ('bzip2', (6, 37, 45), 'uint32', dict(compression=BZ2, chunks=(1, 37, 45))),
]
with h5py.File(d + '/coded.h5', 'w') as f:
    for name, shape, dt, kw in cases:
        data = counts(shape, dt)
        f.create_dataset('coded/' + name, data=data, **kw)
        f.create_dataset('ref/' + name, data=data)
# A corrupt chunk: bytes of the second chunk overwritten in place.
with h5py.File(d + '/corrupt.h5', 'w') as f:
    f.create_dataset('data', data=counts((3, 37, 45), 'uint32'), compression=BSHUF, compression_opts=(0, 2), chunks=(1, 37, 45))
with h5py.File(d + '/corrupt.h5', 'r') as f:
    info = f['data'].id.get_chunk_info(1)
with open(d + '/corrupt.h5', 'r+b') as raw:
    raw.seek(info.byte_offset + 16)
    raw.write(b'\\xff' * 32)
# An Eiger-style master: a virtual dataset over two bitshuffle-LZ4 data files.
parts = []
for k in range(2):
    data = counts((5, 37, 45), 'uint32')
    parts.append(data)
    with h5py.File(d + '/data_%06d.h5' % (k + 1), 'w') as f:
        f.create_dataset('entry/data/data', data=data, compression=BSHUF, compression_opts=(0, 2), chunks=(1, 37, 45))
with h5py.File(d + '/master.h5', 'w') as f:
    layout = h5py.VirtualLayout(shape=(10, 37, 45), dtype=np.uint32)
    for k in range(2):
        layout[5 * k:5 * k + 5] = h5py.VirtualSource('data_%06d.h5' % (k + 1), 'entry/data/data', shape=(5, 37, 45))
    f.create_virtual_dataset('entry/data/data', layout, fillvalue=0)
    f['entry/ref'] = np.concatenate(parts)
print(' '.join(name for name, *_ in cases))
`;

const dir = tempDir('native-read');
let names: string[] = [];
before(async () => {
  await h5ready();
  names = python(SCRIPT, [dir]).trim().split(' ');
});

/** The elements of `array` in the box `start` + `count` (all axes given), in C order. */
function box(array: NdArray, start: readonly number[], count: readonly number[]): number[] {
  const out: number[] = [];
  const data = array.data as ArrayLike<number | bigint>;
  const shape = array.shape;
  const idx = count.map(() => 0);
  if (sizeOf(count) === 0) return out;
  for (;;) {
    let flat = 0;
    for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + start[d]! + idx[d]!;
    out.push(Number(data[flat]));
    let d = count.length - 1;
    for (; d >= 0; d--) {
      idx[d]! += 1;
      if (idx[d]! < count[d]!) break;
      idx[d] = 0;
    }
    if (d < 0) return out;
  }
}

function numbers(array: { data: unknown }): number[] {
  return Array.from(array.data as ArrayLike<number | bigint>, Number);
}

/** Blocks to read of a dataset of `shape`: whole, a window of a few frames, one frame, one pixel row. */
function blocks(shape: readonly number[]): [number[], number[]][] {
  const rank = shape.length;
  const [h = 1, w = 1] = shape.slice(-2);
  const lead = shape.slice(0, -2);
  const whole: [number[], number[]] = [shape.map(() => 0), [...shape]];
  const window: [number[], number[]] = [
    [...lead.map((n) => Math.min(1, n - 1)), Math.floor(h / 4), Math.floor(w / 3)],
    [...lead.map((n) => n - Math.min(1, n - 1)), Math.ceil(h / 2), Math.ceil(w / 2)],
  ];
  const frame: [number[], number[]] = [
    [...lead.map((n) => n - 1), 0, 0],
    [...lead.map(() => 1), h, w],
  ];
  const row: [number[], number[]] = [
    [...lead.map(() => 0), h - 1, 3],
    [...lead.map(() => 1), 1, w - 5],
  ];
  return rank >= 3 ? [whole, window, frame, row] : [whole];
}

describe('native reading: chunks decoded by the addon', { skip }, () => {
  it('every filter, dtype, chunk shape and block equals what h5py wrote, and what h5wasm decodes', () => {
    const file = join(dir, 'coded.h5');
    const h5 = H5File.open(file, 'r');
    try {
      for (const name of names) {
        // h5wasm reads whole datasets (readDataset): the uncompressed original and its own decoding.
        const ref = h5.readDataset(`ref/${name}`) as NdArray;
        const wasm = name === 'bzip2' ? null : (h5.readDataset(`coded/${name}`) as NdArray);
        if (wasm !== null) assert.deepEqual(numbers(wasm), numbers(ref), `${name}: h5wasm`);
        for (const [start, count] of blocks(ref.shape)) {
          const got = h5.readBlock(`coded/${name}`, start, count);
          assert.deepEqual(got.shape, count, `${name} shape`);
          assert.deepEqual(numbers(got), box(ref, start, count), `${name} [${start}] + [${count}]`);
        }
      }
    } finally {
      h5.close();
    }
  });

  it('decodes the chunks itself (libhdf5 only for the filter it has no decoder of) and says so', () => {
    const h5 = H5File.open(join(dir, 'coded.h5'), 'r');
    const before = { ...nativeHdf5Status().reads };
    const count = (how: string) => (nativeHdf5Status().reads[how] ?? 0) - (before[how] ?? 0);
    try {
      h5.readBlock('coded/bslz4_uint32', [0, 0, 0], [6, 37, 45]);
      h5.readBlock('coded/lz4', [0, 0, 0], [6, 37, 45]);
      h5.readBlock('coded/gzip_shuffle', [0, 0, 0], [7, 37, 45]);
      assert.equal(count('chunks'), 3);
      h5.readBlock('coded/contiguous', [0, 0, 0], [6, 37, 45]);
      assert.equal(count('contiguous'), 1);
      h5.readBlock('coded/bzip2', [0, 0, 0], [6, 37, 45]);
      assert.equal(count('hdf5'), 1, 'bzip2: through the plugin of hdf5-filter-plugin');
      assert.equal(h5.readsOnThreads('coded/bslz4_uint32'), true);
      assert.equal(h5.readsOnThreads('coded/bzip2'), false);
    } finally {
      h5.close();
    }
  });

  it('a virtual dataset is read from its data files, and straight into the memory given', () => {
    const h5 = H5File.open(join(dir, 'master.h5'), 'r');
    const before = nativeHdf5Status().reads['virtual+chunks'] ?? 0;
    try {
      const ref = h5.readDataset('entry/ref') as NdArray;
      const into = new Uint32Array(8 * 20 * 30);
      // Frames 1..8 cross from the first data file into the second.
      const got = h5.readBlock('entry/data/data', [1, 5, 7], [8, 20, 30], into);
      assert.equal(got.data, into);
      assert.deepEqual(numbers(got), box(ref, [1, 5, 7], [8, 20, 30]));
      assert.equal((nativeHdf5Status().reads['virtual+chunks'] ?? 0) - before, 1);
    } finally {
      h5.close();
    }
  });

  it('a corrupt chunk is a FileFormatError naming the file, the dataset and the chunk', () => {
    const file = join(dir, 'corrupt.h5');
    const h5 = H5File.open(file, 'r');
    try {
      assert.deepEqual(h5.readBlock('data', [0, 0, 0], [1, 37, 45]).shape, [1, 37, 45]);
      assert.throws(
        () => h5.readBlock('data', [0, 0, 0], [3, 37, 45]),
        (e: unknown) =>
          e instanceof FileFormatError &&
          e.file === file &&
          e.dataset === '/data' &&
          /chunk at \(1, 0, 0\)/.test(e.message),
      );
    } finally {
      h5.close();
    }
  });

  it('a data file missing behind a virtual dataset is a MissingDataError naming it, never zeros', () => {
    unlinkSync(join(dir, 'data_000002.h5'));
    const file = join(dir, 'master.h5');
    const h5 = H5File.open(file, 'r');
    try {
      assert.equal(h5.readBlock('entry/data/data', [0, 0, 0], [5, 37, 45]).shape[0], 5);
      assert.throws(
        () => h5.readBlock('entry/data/data', [3, 0, 0], [4, 37, 45]),
        (e: unknown) =>
          e instanceof MissingDataError &&
          e.file === file &&
          /data_000002\.h5/.test(e.message) &&
          /data_000002\.h5/.test(e.expected ?? ''),
      );
    } finally {
      h5.close();
    }
  });
});
