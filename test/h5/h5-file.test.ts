import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  FileFormatError,
  H5Error,
  LockError,
  MissingDataError,
  PtyscanError,
} from '../../src/errors.js';
import { type NdArray, ndarray } from '../../src/frames/ndarray.js';
import { guessChunks, H5File, h5ready } from '../../src/h5/index.js';
import { CASES, noCorpus } from '../helpers/corpus.js';
import { tempDir } from '../helpers/index.js';

const APPEND = join(CASES, 'save_append/expected/out.ptyd');
const LINK = join(CASES, 'save_link/expected/out.ptyd');
const dir = tempDir('h5');

before(async () => {
  await h5ready();
});

function withFile<T>(
  path: string,
  mode: 'r' | 'w' | 'a',
  use: (f: H5File) => T,
  maxIoBytes?: number,
): T {
  const f = H5File.open(path, mode, maxIoBytes === undefined ? {} : { maxIoBytes });
  try {
    return use(f);
  } finally {
    f.close();
  }
}

describe('opening files', () => {
  it('a missing file is a FileFormatError naming it', () => {
    const missing = join(dir, 'nope.h5');
    assert.throws(
      () => H5File.open(missing),
      (e: unknown) =>
        e instanceof FileFormatError && e.file === missing && e.message.includes(missing),
    );
  });

  it('a file that is not HDF5 is a FileFormatError saying so', () => {
    const text = join(dir, 'text.h5');
    writeFileSync(text, 'not an hdf5 file at all');
    assert.throws(
      () => H5File.open(text),
      (e: unknown) => e instanceof FileFormatError && /Not an HDF5 file/.test(e.message),
    );
  });

  it('a truncated file gives a typed error on open or read, never data', { skip: noCorpus }, () => {
    const cut = join(dir, 'cut.ptyd');
    copyFileSync(APPEND, cut);
    truncateSync(cut, 60_000);
    assert.throws(() => {
      const f = H5File.open(cut);
      try {
        for (const c of ['0', '1', '2']) f.readDataset(`/chunks/${c}/data`);
      } finally {
        f.close();
      }
    }, PtyscanError);
  });
});

describe('reading ptypy files', { skip: noCorpus }, () => {
  it('lists members and reads datasets with h5py dtypes (bool enum, int64, vlen strings)', () => {
    withFile(APPEND, 'r', (f) => {
      assert.deepEqual(f.members('/'), ['chunks', 'info', 'meta']);
      assert.deepEqual(f.members('/chunks'), ['0', '1', '2']);
      const weights = f.readDataset('/chunks/0/weights');
      assert.equal(weights.dtype, 'bool');
      assert.deepEqual(weights.shape, [8, 32, 32]);
      const indices = f.readDataset('/chunks/1/indices');
      assert.equal(indices.dtype, 'int64');
      assert.deepEqual(
        [...(indices.data as BigInt64Array)],
        [8n, 9n, 10n, 11n, 12n, 13n, 14n, 15n],
      );
      assert.deepEqual(f.readDataset('/info/name'), {
        dtype: 'string',
        shape: [],
        data: ['PtyScan'],
      });
      assert.equal(f.readStringAttribute('/chunks', 'type'), 'dict');
      assert.equal(f.readStringAttribute('/', 'h5rw_version'), '0.1');
      const entry = f.entry('/chunks/0/data');
      assert.equal(entry.kind, 'dataset');
      if (entry.kind === 'dataset') {
        assert.deepEqual(entry.chunks, [4, 16, 32]);
        assert.deepEqual(
          entry.filters.map((x) => [x.id, x.cdValues]),
          [[1, [4]]],
        );
      }
    });
  });

  it('reads a slice of the first axis equal to the same rows of the whole', () => {
    withFile(APPEND, 'r', (f) => {
      const all = f.readDataset('/chunks/0/data') as NdArray;
      const part = f.readDataset('/chunks/0/data', { start: 3, count: 2 }) as NdArray;
      assert.deepEqual(part.shape, [2, 32, 32]);
      assert.deepEqual([...part.data], [...all.data.slice(3 * 1024, 5 * 1024)]);
      assert.throws(
        () => f.readDataset('/chunks/0/data', { start: 7, count: 2 }),
        MissingDataError,
      );
    });
  });

  it('follows external links and reports where they point', () => {
    withFile(LINK, 'r', (f) => {
      assert.deepEqual(f.entry('/chunks/1'), {
        kind: 'external-link',
        path: '/chunks/1',
        targetFile: 'out.ptyd.part001',
        targetPath: '/',
        dead: false,
      });
      assert.equal(f.resolve('/chunks/1').kind, 'group');
      assert.equal(f.readStringAttribute('/chunks/1/data', 'type'), 'array');
      assert.equal(f.readStringAttribute('/chunks/1', 'h5rw_version'), '0.1');
      assert.deepEqual(f.readDataset('/chunks/2/data').shape, [1, 32, 32]);
    });
  });

  it('marks a link whose target file is gone as dead', () => {
    const sub = mkdtempSync(join(dir, 'link-'));
    copyFileSync(LINK, join(sub, 'out.ptyd'));
    copyFileSync(`${LINK}.part000`, join(sub, 'out.ptyd.part000'));
    withFile(join(sub, 'out.ptyd'), 'r', (f) => {
      const live = f.entry('/chunks/0');
      assert.equal(live.kind === 'external-link' && live.dead, false);
      const dead = f.entry('/chunks/1');
      assert.equal(dead.kind === 'external-link' && dead.dead, true);
      assert.equal(f.resolve('/chunks/1').kind, 'missing');
      assert.throws(() => f.readDataset('/chunks/1/data'), MissingDataError);
    });
  });
});

describe('writing', () => {
  const cases: NdArray[] = [
    ndarray('int8', [3], Int8Array.of(-128, 0, 127)),
    ndarray('uint8', [2], Uint8Array.of(0, 255)),
    ndarray('int16', [2], Int16Array.of(-32768, 32767)),
    ndarray('uint16', [1], Uint16Array.of(65535)),
    ndarray('int32', [2, 2], Int32Array.of(-(2 ** 31), 1, 2, 2 ** 31 - 1)),
    ndarray('uint32', [1], Uint32Array.of(2 ** 32 - 1)),
    ndarray('int64', [3], BigInt64Array.of(2n ** 40n, -(2n ** 63n), 2n ** 63n - 1n)),
    ndarray('uint64', [1], BigUint64Array.of(2n ** 64n - 1n)),
    ndarray('float32', [2], Float32Array.of(1.5, -0)),
    ndarray('float64', [3], Float64Array.of(Number.NaN, Number.POSITIVE_INFINITY, 1e-300)),
  ];

  it('round-trips every dtype exactly (int64 with full precision)', () => {
    const path = join(dir, 'dtypes.h5');
    withFile(path, 'w', (f) => {
      for (const [i, a] of cases.entries()) {
        f.writeArray(`/d${i}`, a, { compression: { kind: 'gzip', level: 4 } });
      }
    });
    withFile(path, 'r', (f) => {
      for (const [i, a] of cases.entries()) assert.deepEqual(f.readDataset(`/d${i}`), a);
    });
  });

  it('stores bool as int8 (h5wasm cannot write h5py enums)', () => {
    const path = join(dir, 'bool.h5');
    withFile(path, 'w', (f) => f.writeArray('/m', ndarray('bool', [3], Uint8Array.of(1, 0, 1))));
    withFile(path, 'r', (f) =>
      assert.deepEqual(f.readDataset('/m'), ndarray('int8', [3], Int8Array.of(1, 0, 1))),
    );
  });

  it('creates groups level by level and writes scalars, strings and attributes', () => {
    const path = join(dir, 'misc.h5');
    withFile(path, 'w', (f) => {
      f.createGroup('/a/b/c');
      f.writeScalar('/a/b/c/i', 2n ** 40n);
      f.writeScalar('/a/x', 7.2);
      f.writeString('/a/s', 'ünïcode ✓');
      f.writeStringAttribute('/a', 'type', 'dict');
      f.writeStringAttribute('/a', 'type', 'dict again');
    });
    withFile(path, 'r', (f) => {
      assert.deepEqual(f.members('/a'), ['b', 's', 'x']);
      assert.deepEqual(
        f.readDataset('/a/b/c/i'),
        ndarray('int64', [], BigInt64Array.of(2n ** 40n)),
      );
      assert.deepEqual(f.readDataset('/a/x'), ndarray('float64', [], Float64Array.of(7.2)));
      assert.deepEqual(f.readDataset('/a/s'), { dtype: 'string', shape: [], data: ['ünïcode ✓'] });
      assert.equal(f.readStringAttribute('/a', 'type'), 'dict again');
    });
  });

  it('splits reads and writes larger than maxIoBytes into pieces', () => {
    const path = join(dir, 'split.h5');
    const big = ndarray(
      'int32',
      [50, 3, 4],
      Int32Array.from({ length: 600 }, (_, i) => i * 7 - 300),
    );
    withFile(
      path,
      'w',
      (f) => f.writeArray('/big', big, { compression: { kind: 'gzip', level: 1 } }),
      100,
    );
    withFile(
      path,
      'r',
      (f) => {
        assert.deepEqual(f.readDataset('/big'), big);
        const rows = f.readDataset('/big', { start: 13, count: 30 }) as NdArray;
        assert.deepEqual([...rows.data], [...big.data.slice(13 * 12, 43 * 12)]);
      },
      100,
    );
  });

  it('writes LZF and checksummed uncompressed data that read back equal', () => {
    const path = join(dir, 'filters.h5');
    const frames = ndarray(
      'int32',
      [4, 64, 64],
      Int32Array.from({ length: 4 * 64 * 64 }, (_, i) => i % 17),
    );
    withFile(path, 'w', (f) => {
      f.writeArray('/lzf', frames, { compression: { kind: 'lzf' } });
      f.writeArray('/none', frames, { compression: { kind: 'none' } });
    });
    withFile(path, 'r', (f) => {
      assert.deepEqual(f.readDataset('/lzf'), frames);
      assert.deepEqual(f.readDataset('/none'), frames);
      const lzf = f.entry('/lzf');
      const none = f.entry('/none');
      assert.equal(lzf.kind === 'dataset' && lzf.filters[0]?.id, 32000);
      assert.equal(none.kind === 'dataset' && none.filters[0]?.id, 3);
    });
  });

  it('reports an LZF write HDF5 could not compress as an H5Error, not silent zeros', () => {
    const path = join(dir, 'lzf-noise.h5');
    let x = 1;
    const noise = ndarray(
      'float64',
      [4096],
      Float64Array.from({ length: 4096 }, () => {
        x = (x * 16807) % 2147483647;
        return x / 2147483647;
      }),
    );
    withFile(path, 'w', (f) => {
      assert.throws(
        () => f.writeArray('/noise', noise, { compression: { kind: 'lzf' } }),
        (e: unknown) => e instanceof H5Error && /Filter operation failed/.test(e.message),
      );
      f.writeArray('/tiny', ndarray('int32', [3], Int32Array.of(5, 6, 7)), {
        compression: { kind: 'lzf' },
      });
    });
    withFile(path, 'r', (f) => {
      const tiny = f.entry('/tiny');
      assert.equal(
        tiny.kind === 'dataset' && tiny.filters[0]?.id,
        3,
        'tiny chunks: checksum, no LZF',
      );
      assert.deepEqual(f.readDataset('/tiny'), ndarray('int32', [3], Int32Array.of(5, 6, 7)));
    });
  });

  it('a dataset whose filter is not available is an H5Error naming it', () => {
    // Only the oldest file format stores the filter's name next to its id: find it and patch the id.
    const earliest = join(dir, 'unknown-filter-v0.h5');
    const f = H5File.open(earliest, 'w', { format: 'earliest' });
    try {
      f.writeArray('/d', ndarray('int32', [64], new Int32Array(64)), {
        compression: { kind: 'gzip', level: 4 },
      });
    } finally {
      f.close();
    }
    const bytes = readFileSync(earliest);
    const at = bytes.indexOf('deflate');
    assert.ok(at > 8, 'the filter pipeline message names deflate');
    bytes.writeUInt16LE(31999, at - 8);
    writeFileSync(earliest, bytes);
    withFile(earliest, 'r', (g) =>
      assert.throws(
        () => g.readDataset('/d'),
        (e: unknown) => e instanceof H5Error && e.dataset === '/d',
      ),
    );
  });

  it('creates external links, live and dead', () => {
    const sub = mkdtempSync(join(dir, 'ext-'));
    withFile(join(sub, 'part.h5'), 'w', (f) => f.writeScalar('/x', 3.5));
    withFile(join(sub, 'master.h5'), 'w', (f) => {
      f.createExternalLink('/chunks/0', 'part.h5', '/');
      f.createExternalLink('/chunks/1', 'later.h5', '/');
      assert.throws(() => f.createExternalLink('/chunks/0', 'x.h5', '/'), H5Error);
    });
    withFile(join(sub, 'master.h5'), 'r', (f) => {
      assert.deepEqual(f.readDataset('/chunks/0/x'), ndarray('float64', [], Float64Array.of(3.5)));
      const dead = f.entry('/chunks/1');
      assert.equal(dead.kind === 'external-link' && dead.dead, true);
    });
  });

  it('picks chunk shapes that keep whole frames near 1 MiB', () => {
    assert.deepEqual(guessChunks([100, 256, 256], 4), [4, 256, 256]);
    assert.deepEqual(guessChunks([8, 32, 32], 4), [8, 32, 32]);
    assert.deepEqual(guessChunks([2, 1024, 1024], 4), [1, 256, 1024]);
    assert.deepEqual(guessChunks([0], 8), [1]);
  });
});

describe('write lock', () => {
  it('a second writer gets a LockError naming the file and the holder', () => {
    const path = join(dir, 'locked.h5');
    const first = H5File.open(path, 'w');
    try {
      assert.throws(
        () => H5File.open(path, 'a'),
        (e: unknown) =>
          e instanceof LockError && e.file === path && e.message.includes(`pid ${process.pid}`),
      );
      const other = spawnSync(process.execPath, [
        '-e',
        `require('fs').openSync(${JSON.stringify(`${path}.lock`)}, 'wx')`,
      ]);
      assert.notEqual(other.status, 0, 'the lock file exists while the writer is open');
    } finally {
      first.close();
    }
    assert.equal(existsSync(`${path}.lock`), false);
    H5File.open(path, 'a').close();
  });

  it('takes over a lock left by a dead process on this host', () => {
    const path = join(dir, 'stale.h5');
    H5File.open(path, 'w').close();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const pid = Number(dead.stdout.toString());
    writeFileSync(`${path}.lock`, JSON.stringify({ pid, host: hostname(), since: 'earlier' }));
    const f = H5File.open(path, 'a');
    f.close();
    assert.equal(existsSync(`${path}.lock`), false);
  });

  it('does not take over a lock held by a live process on another host', () => {
    const path = join(dir, 'remote.h5');
    H5File.open(path, 'w').close();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, host: 'other-host', since: 'earlier' }));
    assert.throws(
      () => H5File.open(path, 'a'),
      (e: unknown) => e instanceof LockError && /other-host/.test(e.message),
    );
  });
});
