/**
 * The native HDF5 addon (native/hdf5): large gzip arrays written with chunks
 * compressed outside HDF5, and links deleted in place. The files must read
 * back exactly through h5wasm, carry the same filter and chunk layout as
 * h5wasm's own, and errors must name the file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import { H5Error, LockError } from '../../src/errors.js';
import type { DType } from '../../src/frames/dtype.js';
import { type NdArray, ndarray, repeatedRows } from '../../src/frames/ndarray.js';
import {
  guessChunks,
  H5File,
  h5ready,
  nativeHdf5Status,
  stageWrite,
  writeBulk,
} from '../../src/h5/index.js';
import { h5append, h5read, h5rwAdd, h5write } from '../../src/ptyd/h5rw.js';
import { isNdArray, type PyDict } from '../../src/py/value.js';
import { tempDir } from '../helpers/index.js';

const librariesInstalled =
  spawnSync('pkg-config', ['--exists', 'hdf5', 'libdeflate', 'liblz4']).status === 0;
const status = nativeHdf5Status();
const skip = status.available ? false : `native HDF5 addon not available: ${status.detail}`;

const dir = tempDir('native');
before(async () => {
  await h5ready();
});

/** Deterministic values of every kind a chunk holds, with some structure for deflate. */
function filled<D extends DType>(dtype: D, shape: number[], seed: number): NdArray<D> {
  const array = ndarray(dtype, shape);
  const data = array.data as unknown as { length: number; [i: number]: number };
  let x = seed;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const v = (x >> 16) % 97;
    data[i] = dtype === 'bool' ? (v > 10 ? 1 : 0) : dtype.startsWith('float') ? v / 7 - 3 : v;
  }
  return array;
}

function sameArray(actual: unknown, expected: NdArray, what: string): void {
  assert.ok(isNdArray(actual), `${what} is an array`);
  assert.deepEqual(actual.shape, expected.shape, `${what} shape`);
  assert.deepEqual(
    Array.from(actual.data as ArrayLike<number>),
    Array.from(expected.data as ArrayLike<number>),
    `${what} values`,
  );
}

describe('native HDF5 addon', () => {
  it('is built wherever libhdf5, libdeflate and liblz4 are installed (as in CI)', () => {
    if (!librariesInstalled) return;
    assert.ok(status.available, `libraries installed but the addon is unusable: ${status.detail}`);
    assert.match(status.detail, /^libhdf5 1\.\d+\.\d+$/);
  });

  it('writes large arrays that read back exactly, gzip 4, with h5wasm chunk shapes', {
    skip,
  }, () => {
    const file = join(dir, 'kinds.h5');
    // 37 frames of 120x130: the last HDF5 chunk is partial.
    const arrays: Record<string, NdArray> = {
      int32: filled('int32', [37, 120, 130], 1),
      uint16: filled('uint16', [37, 120, 130], 2),
      float32: filled('float32', [37, 120, 130], 3),
      float64: filled('float64', [9, 120, 130], 4),
      bool: filled('bool', [37, 120, 130], 5),
      flat: filled('int32', [70000], 6),
    };
    const written = nativeHdf5Status().written;
    h5write(file, { chunk: arrays }, { threads: 2 });
    assert.equal(nativeHdf5Status().written - written, 6, 'every array went through the addon');
    const back = h5read(file).chunk as PyDict;
    for (const [name, array] of Object.entries(arrays)) sameArray(back[name], array, name);
    const h5 = H5File.open(file, 'r');
    try {
      for (const [name, array] of Object.entries(arrays)) {
        const entry = h5.entry(`/chunk/${name}`);
        assert.equal(entry.kind, 'dataset');
        if (entry.kind !== 'dataset') continue;
        assert.deepEqual(
          entry.filters.map((f) => [f.name, f.cdValues[0]]),
          [['deflate', 4]],
        );
        const item = array.data.BYTES_PER_ELEMENT;
        assert.deepEqual(entry.chunks, guessChunks(array.shape, item), `${name} chunks`);
        assert.equal(entry.dtype, name === 'bool' ? 'int8' : array.dtype);
        assert.equal(h5.readStringAttribute(`/chunk/${name}`, 'type'), 'array');
      }
    } finally {
      h5.close();
    }
  });

  it('stores a repeated mask without making its copies, and it reads back repeated', {
    skip,
  }, () => {
    const file = join(dir, 'repeated.h5');
    const row = filled('bool', [1, 200, 210], 7);
    const weights = repeatedRows(row, 45);
    const written = nativeHdf5Status().written;
    h5write(file, { weights });
    assert.equal(nativeHdf5Status().written - written, 1);
    const back = h5read(file).weights;
    const expected = ndarray('bool', [45, 200, 210]);
    for (let i = 0; i < 45; i++) expected.data.set(row.data, i * row.data.length);
    sameArray(back, expected, 'weights');
  });

  it('appends chunks and replaces a top-level key in place, without copying the file', {
    skip,
  }, () => {
    const file = join(dir, 'append.h5');
    h5write(file, { chunks: {}, info: { frames: 0n } });
    const chunks = [0, 1, 2].map((k) => filled('int32', [20, 256, 256], 10 + k));
    for (const [k, data] of chunks.entries()) h5append(file, { [`chunks/${k}`]: { data } });
    const before = statSync(file).size;
    h5append(file, { info: { frames: 60n, label: 'done' } });
    // A copy would re-encode every chunk; an in-place replacement adds a little.
    assert.ok(statSync(file).size - before < 64 * 1024, 'the file grew by the new info only');
    const back = h5read(file);
    assert.deepEqual(back.info, { frames: 60n, label: 'done' });
    for (const [k, data] of chunks.entries()) {
      sameArray(((back.chunks as PyDict)[String(k)] as PyDict).data, data, `chunk ${k}`);
    }
  });

  it('appends in two parts (h5wasm, then the large arrays) under one lock, as one h5append', {
    skip,
  }, () => {
    const one = join(dir, 'append-one.h5');
    const two = join(dir, 'append-two.h5');
    const value = {
      'chunks/0': { data: filled('int32', [20, 256, 256], 3), indices: [0n, 1n], label: 'c0' },
    };
    for (const file of [one, two]) h5write(file, { chunks: {}, info: { frames: 0n } });
    h5append(one, value);
    const staged = stageWrite(h5rwAdd(two, value));
    assert.ok(staged !== null);
    try {
      assert.deepEqual(
        staged.bulk.arrays.map((d) => d.path),
        ['/chunks/0/data'],
      );
      assert.throws(() => h5append(two, { other: 1n }), LockError, 'the lock is held meanwhile');
      writeBulk(staged.bulk, { threads: 2 });
    } finally {
      staged.release();
    }
    assert.deepEqual(h5read(two), h5read(one));
    assert.equal(stageWrite(h5rwAdd(join(dir, 'missing.h5'), value)), null);
  });

  it('compresses diffraction frames to about the size zlib gives at the same level', {
    skip,
  }, () => {
    // A bright disc falling off as 1/r^3 over a faint background, Poisson counts.
    const frames = ndarray('int32', [24, 256, 256]);
    let seed = 7;
    const uniform = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed + 0.5) / 2147483648;
    };
    for (let i = 0; i < frames.data.length; i++) {
      const p = i % 65536;
      const r = Math.hypot((p >> 8) - 120 - (i >> 16), (p & 255) - 131);
      const mean = r < 12 ? 4000 : 0.08 + 4000 * (12 / r) ** 3;
      frames.data[i] =
        mean > 30
          ? Math.max(
              0,
              Math.round(
                mean +
                  Math.sqrt(mean) *
                    Math.sqrt(-2 * Math.log(uniform())) *
                    Math.cos(2 * Math.PI * uniform()),
              ),
            )
          : (() => {
              let k = 0;
              let t = uniform();
              const limit = Math.exp(-mean);
              while (t > limit) {
                k++;
                t *= uniform();
              }
              return k;
            })();
    }
    const bytes = Buffer.from(frames.data.buffer);
    const tile = 4 * 256 * 256 * 4;
    for (const level of [1, 4, 6]) {
      const file = join(dir, `level-${level}.h5`);
      h5write(file, { data: frames }, { level });
      let zlib = 0;
      for (let at = 0; at < bytes.length; at += tile) {
        zlib += deflateSync(bytes.subarray(at, at + tile), { level }).length;
      }
      // libdeflate lands within a few percent of zlib, either way; the file adds
      // a few KiB of HDF5 structure.
      assert.ok(
        statSync(file).size <= zlib * 1.05 + 16 * 1024,
        `level ${level}: file ${statSync(file).size} bytes, zlib alone ${zlib}`,
      );
      sameArray(h5read(file).data, frames, `level ${level}`);
    }
  });

  it('names the file when it cannot write', { skip }, () => {
    const missing = join(dir, 'no-such-folder', 'x.h5');
    const node = {
      kind: 'array',
      value: filled('int32', [4, 64, 64], 1),
      storage: { compression: { kind: 'gzip', level: 4 } },
    } as const;
    assert.throws(
      () =>
        writeBulk({
          file: missing,
          arrays: [{ path: '/a', node }],
          finish: { sync: false, renameTo: null },
        }),
      (e: unknown) => e instanceof H5Error && e.file === missing && /opening/.test(e.message),
    );
  });
});
