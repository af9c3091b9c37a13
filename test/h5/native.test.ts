/**
 * The native write engine (native/hdf5/write.cc, encode.cc): whole writes in
 * one open of the file, deflate chunks compressed outside HDF5 (byte
 * shuffle, ISA-L or libdeflate) and stored by direct chunk writes. The files
 * must read back exactly through h5wasm and h5py, carry the filters asked
 * for with h5wasm's chunk shapes, and errors must name the file and dataset.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { H5Error } from '../../src/errors.js';
import type { DType } from '../../src/frames/dtype.js';
import { type NdArray, ndarray, repeatedRows } from '../../src/frames/ndarray.js';
import {
  applyWrite,
  encodeWrite,
  guessChunks,
  H5File,
  h5ready,
  isEncoded,
  nativeDeflateEngines,
  nativeHdf5Status,
} from '../../src/h5/index.js';
import { h5append, h5read, h5rwAdd, h5rwCreate, h5write } from '../../src/ptyd/h5rw.js';
import { isNdArray, type PyDict } from '../../src/py/value.js';
import { python, tempDir } from '../helpers/index.js';

const librariesInstalled =
  spawnSync('pkg-config', ['--exists', 'hdf5', 'libdeflate', 'liblz4']).status === 0;
const isalInstalled = spawnSync('pkg-config', ['--exists', 'libisal']).status === 0;
const status = nativeHdf5Status();
const skip = status.available ? false : `native HDF5 addon not available: ${status.detail}`;

const dir = tempDir('native');
before(async () => {
  await h5ready();
});

/** Deterministic values of every kind a chunk holds, with some structure for deflate. */
function filled<D extends DType>(dtype: D, shape: number[], seed: number): NdArray<D> {
  const array = ndarray(dtype, shape);
  const data = array.data as unknown as { length: number; [i: number]: number | bigint };
  let x = seed;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const v = (x >> 16) % 97;
    const value = dtype === 'bool' ? (v > 10 ? 1 : 0) : dtype.startsWith('float') ? v / 7 - 3 : v;
    data[i] = dtype === 'int64' || dtype === 'uint64' ? BigInt(value) : value;
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

/** `[filter name, first cd value]` of each filter of a dataset, in pipeline order. */
function filters(file: string, path: string): [string, number | undefined][] {
  const h5 = H5File.open(file, 'r');
  try {
    const entry = h5.entry(path);
    assert.equal(entry.kind, 'dataset', path);
    return entry.kind === 'dataset' ? entry.filters.map((f) => [f.name, f.cdValues[0]]) : [];
  } finally {
    h5.close();
  }
}

/** Diffraction-like Poisson counts: a bright disc falling off as 1/r^3 over a faint background. */
function diffraction(frames: number, size: number): NdArray<'int32'> {
  const out = ndarray('int32', [frames, size, size]);
  let seed = 7;
  const uniform = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed + 0.5) / 2147483648;
  };
  const pixels = size * size;
  for (let i = 0; i < out.data.length; i++) {
    const p = i % pixels;
    const r = Math.hypot(
      Math.floor(p / size) - size * 0.47 - Math.floor(i / pixels),
      (p % size) - size * 0.51,
    );
    const mean = r < 12 ? 4000 : 0.08 + 4000 * (12 / r) ** 3;
    if (mean > 30) {
      const g = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      out.data[i] = Math.max(0, Math.round(mean + Math.sqrt(mean) * g));
    } else {
      let k = 0;
      let t = uniform();
      const limit = Math.exp(-mean);
      while (t > limit) {
        k++;
        t *= uniform();
      }
      out.data[i] = k;
    }
  }
  return out;
}

describe('native HDF5 addon', () => {
  it('is built wherever libhdf5, libdeflate and liblz4 are installed (as in CI), with ISA-L when libisal is', () => {
    if (!librariesInstalled) return;
    assert.ok(status.available, `libraries installed but the addon is unusable: ${status.detail}`);
    assert.match(status.detail, /^libhdf5 1\.\d+\.\d+$/);
    const engines = nativeDeflateEngines();
    assert.ok(engines !== null);
    assert.match(engines.libdeflate, /^libdeflate \d/);
    if (isalInstalled) {
      assert.match(engines.isal ?? '', /^isa-l \d/);
      assert.equal(engines.levels[1], engines.isal, 'level 1 is compressed by igzip');
    } else {
      assert.equal(engines.isal, null);
      assert.equal(engines.levels[1], engines.libdeflate);
    }
    assert.equal(engines.levels[4], engines.libdeflate);
  });

  it('writes every dtype so that it reads back exactly, with the filters asked for and h5wasm chunk shapes', {
    skip,
  }, () => {
    // 37 frames of 120x130: the last HDF5 chunk is partial.
    const arrays: Record<string, NdArray> = {
      int32: filled('int32', [37, 120, 130], 1),
      uint16: filled('uint16', [37, 120, 130], 2),
      float32: filled('float32', [37, 120, 130], 3),
      float64: filled('float64', [9, 120, 130], 4),
      int64: filled('int64', [9, 120, 130], 8),
      uint64: filled('uint64', [5, 120, 130], 9),
      bool: filled('bool', [37, 120, 130], 5),
      flat: filled('int32', [70000], 6),
      small: filled('int32', [3, 2], 7),
    };
    for (const [level, shuffle] of [
      [4, false],
      [1, true],
      [6, true],
    ] as const) {
      const file = join(dir, `kinds-${level}-${shuffle}.h5`);
      const written = nativeHdf5Status().written;
      h5write(file, { chunk: arrays }, { level, shuffle, threads: 2 });
      assert.ok(nativeHdf5Status().written - written >= 9, 'every array went through the addon');
      const back = h5read(file).chunk as PyDict;
      for (const [name, array] of Object.entries(arrays)) sameArray(back[name], array, name);
      const h5 = H5File.open(file, 'r');
      try {
        for (const [name, array] of Object.entries(arrays)) {
          const entry = h5.entry(`/chunk/${name}`);
          assert.equal(entry.kind, 'dataset');
          if (entry.kind !== 'dataset') continue;
          const want: [string, number | undefined][] = [['deflate', level]];
          if (shuffle) want.unshift(['shuffle', array.data.BYTES_PER_ELEMENT]);
          assert.deepEqual(
            entry.filters.map((f) => [f.name, f.cdValues[0]]),
            want,
            `${name} filters`,
          );
          const item = array.data.BYTES_PER_ELEMENT;
          assert.deepEqual(entry.chunks, guessChunks(array.shape, item), `${name} chunks`);
          assert.equal(entry.dtype, name === 'bool' ? 'int8' : array.dtype);
          assert.equal(h5.readStringAttribute(`/chunk/${name}`, 'type'), 'array');
        }
      } finally {
        h5.close();
      }
    }
  });

  it('writes uncompressed chunked data with a fletcher32 checksum, scalars and strings as h5wasm does', {
    skip,
  }, () => {
    const file = join(dir, 'plain.h5');
    const data = filled('float64', [40, 64, 64], 11);
    h5write(
      file,
      { data, n: 3n, x: 2.5, flag: true, label: 'héllo', none: null },
      {
        compression: 'none',
      },
    );
    const back = h5read(file);
    sameArray(back.data, data, 'data');
    assert.deepEqual(
      { n: back.n, x: back.x, flag: back.flag, label: back.label, none: back.none },
      { n: 3n, x: 2.5, flag: 1n, label: 'héllo', none: null },
    );
    assert.deepEqual(filters(file, '/data'), [['fletcher32', undefined]]);
  });

  it('stores a repeated mask once per distinct chunk, and it reads back repeated', { skip }, () => {
    const file = join(dir, 'repeated.h5');
    const row = filled('bool', [1, 200, 210], 7);
    const weights = repeatedRows(row, 45);
    const written = nativeHdf5Status().written;
    h5write(file, { weights }, { shuffle: true, level: 1 });
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
    for (const [k, data] of chunks.entries()) {
      h5append(file, { [`chunks/${k}`]: { data } }, { shuffle: true, level: 1 });
    }
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

  it('a write compressed on one thread (encodeWrite) and stored on another gives the same file', {
    skip,
  }, () => {
    const value = {
      'chunks/0': {
        data: filled('int32', [20, 128, 128], 3),
        weights: repeatedRows(filled('bool', [1, 128, 128], 4), 20),
        indices: [0n, 1n],
      },
    };
    const options = { shuffle: true, level: 1 };
    const direct = join(dir, 'direct.h5');
    const staged = join(dir, 'staged.h5');
    for (const file of [direct, staged]) h5write(file, { chunks: {} });
    h5append(direct, value, options);
    const encoded = encodeWrite(h5rwAdd(staged, value, options), 2);
    const chunk = encoded.members[0]?.node;
    assert.ok(chunk?.kind === 'group');
    const kinds = Object.fromEntries(
      chunk.members.map((m) => [m.name, m.node.kind === 'array' && isEncoded(m.node.value)]),
    );
    assert.deepEqual(kinds, { indices: true, data: true, weights: true });
    applyWrite(encoded);
    assert.deepEqual(h5read(staged), h5read(direct));
    assert.deepEqual(filters(staged, '/chunks/0/data'), filters(direct, '/chunks/0/data'));
  });

  it("the default pipeline (shuffle, gzip 1) is smaller than ptypy's gzip 4 on diffraction frames; levels are near zlib's", {
    skip,
  }, () => {
    const frames = diffraction(24, 256);
    const tile = 4 * 256 * 256 * 4;
    const bytes = Buffer.from(frames.data.buffer);
    const zlib = (level: number): number => {
      let total = 0;
      for (let at = 0; at < bytes.length; at += tile) {
        total += deflateSync(bytes.subarray(at, at + tile), { level }).length;
      }
      return total;
    };
    const size = (name: string, options: { level: number; shuffle?: boolean }): number => {
      const file = join(dir, `${name}.h5`);
      h5write(file, { data: frames }, options);
      sameArray(h5read(file).data, frames, name);
      return statSync(file).size;
    };
    const ptypy = zlib(4);
    const fast = size('default', { level: 1, shuffle: true });
    assert.ok(fast < ptypy, `shuffle + gzip 1: ${fast} bytes, zlib 4 alone ${ptypy}`);
    // libdeflate (and igzip at level 1) land within a few percent of zlib; the file
    // adds a few KiB of HDF5 structure.
    for (const [level, slack] of [
      [1, 1.12],
      [4, 1.05],
      [6, 1.05],
    ] as const) {
      const file = size(`level-${level}`, { level });
      assert.ok(
        file <= zlib(level) * slack + 16 * 1024,
        `level ${level}: file ${file} bytes, zlib ${zlib(level)}`,
      );
    }
  });

  it('h5py reads every pipeline the addon writes (stock core filters)', { skip }, () => {
    const file = join(dir, 'h5py.h5');
    const data = filled('int32', [10, 64, 70], 21);
    h5write(
      file,
      { chunk: { data, f: filled('float64', [10, 30], 22) } },
      {
        level: 1,
        shuffle: true,
      },
    );
    const expected = join(dir, 'h5py.bin');
    writeFileSync(expected, Buffer.from(data.data.buffer));
    const out = python(
      `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    d = f['chunk/data']
    want = np.fromfile(sys.argv[2], dtype='<i4').reshape(d.shape)
    print(d.compression, d.compression_opts, d.shuffle, bool((d[...] == want).all()))
`,
      [file, expected],
    );
    assert.equal(out.trim(), 'gzip 1 True True');
  });

  it('names the file and the dataset when it cannot write', { skip }, () => {
    const missing = join(dir, 'no-such-folder', 'x.h5');
    assert.throws(
      () =>
        applyWrite({
          ...h5rwCreate(missing, { data: filled('int32', [4, 64, 64], 1) }),
          lock: false,
        }),
      (e: unknown) => e instanceof H5Error && e.file === missing && /creating/.test(e.message),
    );
    const file = join(dir, 'taken.h5');
    h5write(file, { a: { b: 1n } });
    // An array below a scalar: HDF5 refuses, and the error names the path.
    assert.throws(
      () =>
        applyWrite({
          kind: 'add',
          file,
          members: [
            {
              name: 'a/b/c',
              node: { kind: 'array', value: filled('int32', [4, 64, 64], 2), storage: {} },
            },
          ],
          parents: {},
          attributes: {},
        }),
      (e: unknown) => e instanceof H5Error && e.file === file && e.dataset === '/a/b/c',
    );
  });

  it('a scan saved through the addon never loads h5wasm', { skip }, () => {
    const script = fileURLToPath(new URL('./fixtures/write-without-h5wasm.ts', import.meta.url));
    const res = spawnSync(
      process.execPath,
      ['--import', 'tsx', script, join(dir, 'no-wasm.ptyd')],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /frames 12, h5wasm loaded: false/);
  });
});
