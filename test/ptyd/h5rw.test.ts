import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { FileFormatError, LockError, MissingDataError } from '../../src/errors.js';
import type { DType } from '../../src/frames/dtype.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { H5File, h5ready } from '../../src/h5/index.js';
import {
  asctime,
  createExternalLink,
  h5append,
  h5read,
  h5readValue,
  h5write,
} from '../../src/ptyd/index.js';
import { type PyDict, PyTuple, type PyValue } from '../../src/py/value.js';
import { tempDir } from '../helpers/index.js';
import { asWrittenByUs, seeded } from './helpers.js';

const dir = tempDir('h5rw');
before(async () => {
  await h5ready();
});

const DTYPES: DType[] = [
  'bool',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
];

function randomArray(rnd: () => number): PyValue {
  const dtype = DTYPES[Math.floor(rnd() * DTYPES.length)] ?? 'float64';
  const rank = Math.floor(rnd() * 4);
  const shape = Array.from({ length: rank }, () => Math.floor(rnd() * 4));
  const array = ndarray(dtype, shape);
  for (let i = 0; i < array.data.length; i++) {
    const x = rnd();
    if (array.data instanceof BigInt64Array)
      array.data[i] = BigInt(Math.floor((x - 0.5) * 2 ** 53)) * 1024n;
    else if (array.data instanceof BigUint64Array)
      array.data[i] = BigInt(Math.floor(x * 2 ** 53)) * 2048n;
    else if (dtype === 'bool') array.data[i] = x < 0.5 ? 0 : 1;
    else array.data[i] = dtype.startsWith('float') ? (x - 0.5) * 1e6 : Math.floor(x * 250) - 100;
  }
  return array;
}

function randomValue(rnd: () => number, depth: number): PyValue {
  const pick = Math.floor(rnd() * (depth > 2 ? 7 : 10));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rnd() < 0.5;
    case 2:
      return BigInt(Math.floor((rnd() - 0.5) * 2 ** 53)) * (rnd() < 0.3 ? 1024n : 1n);
    case 3:
      return [Number.NaN, -0, 1e-310, (rnd() - 0.5) * 1e12][Math.floor(rnd() * 4)] ?? 0;
    case 4:
      return ['', 'plain', 'ünïcødé ✓', 'with\nnewline', 'a/b'][Math.floor(rnd() * 5)] ?? '';
    case 5:
    case 6:
      return randomArray(rnd);
    case 7: {
      const n = Math.floor(rnd() * 4);
      const kind = Math.floor(rnd() * 3);
      const items = Array.from({ length: n }, () =>
        kind === 0
          ? BigInt(Math.floor(rnd() * 1000))
          : kind === 1
            ? rnd()
            : randomValue(rnd, depth + 1),
      );
      return rnd() < 0.5 ? items : new PyTuple(items);
    }
    default: {
      const dict: PyDict = {};
      const n = Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) {
        const key = ['k', 'x/y', 'ü', '0', 'deep key'][Math.floor(rnd() * 5)] ?? 'k';
        dict[`${key}${i}`] = randomValue(rnd, depth + 1);
      }
      return dict;
    }
  }
}

describe('h5rw round trip', () => {
  it('random nested values (seeded) read back equal, bools as int8', () => {
    const rnd = seeded(20261124);
    for (let round = 0; round < 40; round++) {
      const value: PyDict = {};
      for (let i = 0; i < 4; i++) value[`top${i}`] = randomValue(rnd, 0);
      const file = join(dir, `random-${round}.h5`);
      h5write(file, value, {
        compression: (['gzip', 'lzf', 'none'] as const)[round % 3] ?? 'gzip',
        level: 1,
      });
      const back = h5read(file);
      assert.ok(isDeepStrictEqual(back, asWrittenByUs(value)), `round ${round}`);
    }
  });

  it('stores each kind with the h5rw type attribute', () => {
    const file = join(dir, 'types.h5');
    h5write(file, {
      d: {
        s: 'x',
        i: 3n,
        f: 1.5,
        b: true,
        n: null,
        a: ndarray('float32', [2], Float32Array.of(1, 2)),
        al: [1n, 2n],
        l: [null, 'x'],
        at: new PyTuple([1.5]),
        t: new PyTuple(['a']),
        'k/s': 1n,
      },
    });
    const f = H5File.open(file);
    try {
      const type = (p: string) => f.readStringAttribute(p, 'type');
      assert.deepEqual(
        [
          '/d',
          '/d/s',
          '/d/i',
          '/d/f',
          '/d/b',
          '/d/n',
          '/d/a',
          '/d/al',
          '/d/l',
          '/d/at',
          '/d/t',
          '/d/l/00000',
        ].map(type),
        [
          'dict',
          'string',
          'scalar',
          'scalar',
          'scalar',
          'None',
          'array',
          'arraylist',
          'list',
          'arraytuple',
          'tuple',
          'None',
        ],
      );
      assert.equal(f.readStringAttribute('/d/k_SLASH_s', 'escaped'), '1');
      assert.deepEqual(f.readDataset('/d/n'), ndarray('float64', [1], Float64Array.of(0)));
      assert.equal(f.readStringAttribute('/', 'h5rw_version'), '0.1');
    } finally {
      f.close();
    }
  });

  it('reads a single value, a sub-group, and limits depth', () => {
    const file = join(dir, 'sub.h5');
    h5write(file, { meta: { energy: 7.2, inner: { x: 1n } } });
    assert.equal(h5readValue(file, 'meta/energy'), 7.2);
    assert.deepEqual(h5read(file, { path: 'meta' }), { energy: 7.2, inner: { x: 1n } });
    assert.deepEqual(h5read(file, { depth: 1 }), { meta: {} });
    assert.deepEqual(h5read(file, { depth: 2 }), { meta: { energy: 7.2, inner: {} } });
  });

  it('formats ctime/mtime like time.asctime()', () => {
    assert.equal(asctime(new Date(2026, 10, 4, 0, 3, 10)), 'Wed Nov  4 00:03:10 2026');
    assert.equal(asctime(new Date(2026, 10, 24, 13, 33, 1)), 'Tue Nov 24 13:33:01 2026');
  });
});

describe('h5write and h5append', () => {
  it('h5write replaces a file atomically and leaves no temp or lock files', () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const file = join(sub, 'out.ptyd');
    h5write(file, { a: 1n });
    h5write(file, { b: 2n });
    assert.deepEqual(h5read(file), { b: 2n });
    assert.deepEqual(readdirSync(sub), ['out.ptyd']);
  });

  it('h5append adds keys in place, replaces existing ones whole, and restamps mtime', () => {
    const file = join(dir, 'append.ptyd');
    h5write(
      file,
      { chunks: {}, meta: {}, info: { center: 'fftshift', shape: 32n } },
      { now: new Date(2020, 0, 1) },
    );
    h5append(file, { meta: { energy: 7.2 } });
    h5append(file, { 'chunks/0': { data: ndarray('int32', [1, 2], Int32Array.of(1, 2)) } });
    h5append(file, { 'chunks/1': { data: ndarray('int32', [1, 2], Int32Array.of(3, 4)) } });
    h5append(
      file,
      { info: { center: ndarray('float64', [2], Float64Array.of(20, 28)) } },
      { now: new Date(2026, 10, 24, 0, 33, 10) },
    );
    assert.deepEqual(h5read(file), {
      chunks: {
        '0': { data: ndarray('int32', [1, 2], Int32Array.of(1, 2)) },
        '1': { data: ndarray('int32', [1, 2], Int32Array.of(3, 4)) },
      },
      info: { center: ndarray('float64', [2], Float64Array.of(20, 28)) },
      meta: { energy: 7.2 },
    });
    const f = H5File.open(file);
    try {
      assert.equal(f.readStringAttribute('/', 'ctime'), 'Tue Nov 24 00:33:10 2026');
      assert.equal(f.readStringAttribute('/', 'mtime'), 'Tue Nov 24 00:33:10 2026');
      const data = f.entry('/chunks/0/data');
      assert.equal(data.kind === 'dataset' && data.filters[0]?.id, 1, 'copied datasets keep gzip');
    } finally {
      f.close();
    }
  });

  it('h5append on a missing file creates it', () => {
    const file = join(dir, 'fresh.ptyd');
    h5append(file, { meta: { x: 1n } });
    assert.deepEqual(h5read(file), { meta: { x: 1n } });
  });

  it('a second writer gets a LockError; the file is untouched', () => {
    const file = join(dir, 'busy.ptyd');
    h5write(file, { a: 1n });
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({ pid: process.pid, host: hostname(), since: 'now' }),
    );
    try {
      assert.throws(() => h5append(file, { b: 2n }), LockError);
      assert.throws(() => h5write(file, { b: 2n }), LockError);
    } finally {
      rmSync(`${file}.lock`);
    }
    assert.deepEqual(h5read(file), { a: 1n });
  });

  it('links: followed on read, dead ones an error or skipped', () => {
    const sub = mkdtempSync(join(dir, 'links-'));
    const master = join(sub, 'out.ptyd');
    h5write(join(sub, 'out.ptyd.part000'), { data: ndarray('int32', [1], Int32Array.of(5)) });
    h5write(
      master,
      { chunks: {} },
      { links: [{ path: 'chunks/0', targetFile: 'out.ptyd.part000', targetPath: '/' }] },
    );
    createExternalLink(master, 'chunks/1', 'out.ptyd.part001', '/');
    assert.throws(() => h5read(master), MissingDataError);
    assert.deepEqual(h5read(master, { deadLinks: 'skip' }), {
      chunks: { '0': { data: ndarray('int32', [1], Int32Array.of(5)) } },
    });
    h5write(join(sub, 'out.ptyd.part001'), { data: ndarray('int32', [1], Int32Array.of(6)) });
    assert.equal(Object.keys(h5read(master).chunks as PyDict).length, 2);
    assert.throws(() => createExternalLink(join(sub, 'none.ptyd'), 'x', 'y'), FileFormatError);
  });

  it('rejects unknown h5rw types with a FileFormatError naming the object', () => {
    const file = join(dir, 'odd.h5');
    const f = H5File.open(file, 'w');
    try {
      f.writeScalar('/x', 1.5);
      f.writeStringAttribute('/x', 'type', 'pickle');
    } finally {
      f.close();
    }
    assert.throws(
      () => h5read(file),
      (e: unknown) => e instanceof FileFormatError && e.dataset === '/x',
    );
    assert.equal(existsSync(`${file}.lock`), false);
  });
});
