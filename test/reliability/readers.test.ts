/**
 * What every reader does with an incomplete or damaged `.ptyd` file: a chunk
 * that cannot be read is an error naming its file, never a gap; every wait
 * has a bound; a small file cannot make a reader allocate a vast array.
 */
import assert from 'node:assert/strict';
import { truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  FileFormatError,
  H5Error,
  MissingDataError,
  PtyscanError,
  StateError,
} from '../../src/errors.js';
import { h5ready } from '../../src/h5/index.js';
import { h5read, openPtydReader } from '../../src/ptyd/index.js';
import { createScan, PtydScan } from '../../src/sources/index.js';
import { cli } from '../cli/helpers.js';
import { python, quiet, runToEos, tempDir } from '../helpers/index.js';
import { copyScan, FRAMES, folderIn, indicesOf, readUntilWait, writeScan } from './helpers.js';

const dir = tempDir('readers');
let link = '';
let append = '';

before(async () => {
  await h5ready();
  link = folderIn(dir, 'link');
  writeScan(join(link, 'scan.ptyd'), 'link');
  append = folderIn(dir, 'append');
  writeScan(join(append, 'scan.ptyd'), 'append');
});

/** Reading every frame with PtydScan: the frames before the damage, then a typed error. */
function readAll(dfile: string, step = 4): { indices: number[]; error: unknown } {
  const indices: number[] = [];
  try {
    const scan = new PtydScan({ dfile, source: 'file' }, quiet);
    runToEos(scan, step, { close: true, onData: (p) => indices.push(...p.chunk.indices) });
    return { indices, error: null };
  } catch (error) {
    return { indices, error };
  }
}

/** Sets the writer state of a master to `running`, as a writer alive on this host leaves it. */
function markRunning(master: string): void {
  python(
    `import h5py, sys, os, datetime
with h5py.File(sys.argv[1], 'a') as f:
    f.attrs['ptyscan_state'] = 'running'
    f.attrs['ptyscan_heartbeat'] = datetime.datetime.utcnow().isoformat() + 'Z pid ' + sys.argv[2] + ' host ' + os.uname().nodename
`,
    [master, String(process.pid)],
  );
}

describe('a chunk that cannot be read is an error naming its file, never a gap', () => {
  for (const [damage, hurt] of [
    ['truncated', (file: string) => truncateSync(file, 2000)],
    ['missing', (file: string) => unlinkSync(file)],
    ['not HDF5', (file: string) => writeFileSync(file, 'not an HDF5 file')],
  ] as const) {
    it(`a ${damage} chunk file of a complete link-mode file: PtydScan reads chunks 0-1, then fails`, () => {
      const folder = copyScan(dir, link, damage.replace(' ', '-'));
      hurt(join(folder, 'scan.ptyd.chunk02'));
      const { indices, error } = readAll(join(folder, 'scan.ptyd'));
      assert.deepEqual(indices, [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.ok(error instanceof PtyscanError, String(error));
      assert.ok(
        damage === 'missing' ? error instanceof MissingDataError : error instanceof FileFormatError,
      );
      assert.match(
        error.message,
        /chunk 2 .*scan\.ptyd\.chunk02.* cannot be read, but the file is complete/,
      );
    });
  }

  it('follow prints what it read and fails (exit 1) instead of "frames: 16" and 0', async () => {
    const folder = copyScan(dir, link, 'follow');
    truncateSync(join(folder, 'scan.ptyd.chunk02'), 2000);
    const run = await cli(['follow', join(folder, 'scan.ptyd'), '--chunk', '4']);
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /frames: 8 read; the file holds 8 readable frames in 2 chunks/);
    assert.match(run.err, /scan\.ptyd\.chunk02/);
  });

  it('a running master names only complete chunks: one that cannot be read is an error, not a wait', () => {
    const folder = copyScan(dir, link, 'running');
    markRunning(join(folder, 'scan.ptyd'));
    unlinkSync(join(folder, 'scan.ptyd.chunk04'));
    const { indices, error } = readAll(join(folder, 'scan.ptyd'));
    assert.equal(indices.length, 16);
    assert.ok(error instanceof MissingDataError);
    assert.match(error.message, /chunk 4 .* the master named it only once it was complete/);
  });

  it('re-preparing a damaged file fails instead of writing a file with fewer frames', async () => {
    const folder = copyScan(dir, link, 'reprepare');
    unlinkSync(join(folder, 'scan.ptyd.chunk01'));
    const out = join(folder, 'again.ptyd');
    const scan = await createScan(
      { name: 'PtydScan', source: join(folder, 'scan.ptyd'), save: 'append', dfile: out },
      quiet,
    );
    assert.throws(() => runToEos(scan, 4, { close: true }), MissingDataError);
    scan.close();
  });

  it('a missing chunk key with later chunks present is an error in any file', () => {
    const folder = copyScan(dir, append, 'gap');
    python(
      `import h5py, sys
with h5py.File(sys.argv[1], 'a') as f:
    del f['chunks/1']
`,
      [join(folder, 'scan.ptyd')],
    );
    const { indices, error } = readAll(join(folder, 'scan.ptyd'));
    assert.deepEqual(indices, [0, 1, 2, 3]);
    assert.ok(error instanceof MissingDataError);
    assert.match(error.message, /chunk 1 is missing, but chunk 2 is there/);
  });
});

describe('an object that exists but cannot be opened is an error, not an absence', () => {
  it("one flipped byte in a chunk's positions header: h5read, PtydScan and prepare fail", async () => {
    const folder = copyScan(dir, link, 'header');
    const chunk = join(folder, 'scan.ptyd.chunk01');
    python(
      `import h5py, sys
with h5py.File(sys.argv[1], 'r') as f:
    addr = h5py.h5o.get_info(f['positions'].id).addr
data = bytearray(open(sys.argv[1], 'rb').read())
data[addr + 12] ^= 0x10
open(sys.argv[1], 'wb').write(data)
`,
      [chunk],
    );
    // h5py sees the checksum error on the same file.
    assert.throws(() =>
      python(`import h5py, sys; h5py.File(sys.argv[1])['positions'][()]`, [chunk]),
    );
    assert.throws(
      () => h5read(chunk),
      (e: Error) => e instanceof H5Error && /positions exists but cannot be opened/.test(e.message),
    );
    const { indices, error } = readAll(join(folder, 'scan.ptyd'));
    assert.deepEqual(indices, [0, 1, 2, 3]);
    assert.ok(error instanceof FileFormatError);
    assert.match(error.message, /positions exists but cannot be opened/);
    const out = join(folder, 'again.ptyd');
    const config = join(folder, 'again.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'PtydScan',
        source: join(folder, 'scan.ptyd'),
        save: 'append',
        dfile: out,
      }),
    );
    const run = await cli(['prepare', config, '--quiet']);
    assert.equal(run.code, 1);
    assert.match(run.err, /positions exists but cannot be opened/);
  });
});

describe('every wait has a bound', () => {
  /** Reads with one PtydScan, waiting on WAIT, until it gives up: the frames read and the error. */
  async function untilItGivesUp(dfile: string): Promise<{ read: number[]; error: unknown }> {
    const scan = new PtydScan({ dfile, source: 'file' }, { ...quiet, staleAfter: 0.3 });
    scan.initialize();
    const read: number[] = [];
    try {
      for (let i = 0; i < 400; i++) {
        const msg = scan.auto(4);
        if (msg.msg === 'EOS') return { read, error: null };
        if (msg.msg === 'data') read.push(...msg.chunk.indices);
        else await sleep(25);
      }
    } catch (error) {
      return { read, error };
    } finally {
      scan.close();
    }
    return { read, error: new Error('still waiting') };
  }

  it('an append file cut off by a kill (no writer state, fewer frames than meta): a StateError', async () => {
    const folder = copyScan(dir, append, 'killed');
    python(
      `import h5py, sys
with h5py.File(sys.argv[1], 'a') as f:
    for k in ('3', '4'):
        del f['chunks/' + k]
`,
      [join(folder, 'scan.ptyd')],
    );
    const { read, error } = await untilItGivesUp(join(folder, 'scan.ptyd'));
    assert.equal(read.length, 12);
    assert.ok(error instanceof StateError, String(error));
    assert.match(error.message, /no writer state and has not changed .* it holds 12 of 20 frames/);
  });

  it('a last chunk group without data (a writer killed while adding it): StateError, not a wait for ever', async () => {
    const folder = copyScan(dir, append, 'nodata');
    python(
      `import h5py, sys
with h5py.File(sys.argv[1], 'a') as f:
    del f['chunks/4/data']
`,
      [join(folder, 'scan.ptyd')],
    );
    const { read, error } = await untilItGivesUp(join(folder, 'scan.ptyd'));
    assert.equal(read.length, 16);
    assert.ok(error instanceof StateError, String(error));
    assert.match(error.message, /chunk 4: .* has no 'data' dataset/);
  });

  it('a dead last external link in a file without writer state (ptypy link mode): StateError', async () => {
    const folder = copyScan(dir, link, 'ptypy-live');
    python(
      `import h5py, sys
with h5py.File(sys.argv[1], 'a') as f:
    for a in ('ptyscan_state', 'ptyscan_heartbeat', 'ptyscan_run'):
        del f.attrs[a]
`,
      [join(folder, 'scan.ptyd')],
    );
    unlinkSync(join(folder, 'scan.ptyd.chunk04'));
    const { read, error } = await untilItGivesUp(join(folder, 'scan.ptyd'));
    assert.equal(read.length, 16);
    assert.ok(error instanceof StateError, String(error));
    assert.match(error.message, /it holds 16 of 20 frames \(chunk 4: .*does not exist/);
  });

  it('follow on such a file ends with exit 1 after --stale-after', {
    timeout: 60_000,
  }, async () => {
    const folder = copyScan(dir, append, 'follow-stale');
    python(
      `import h5py, sys
with h5py.File(sys.argv[1], 'a') as f:
    del f['chunks/4']
`,
      [join(folder, 'scan.ptyd')],
    );
    const run = await cli([
      'follow',
      join(folder, 'scan.ptyd'),
      '--stale-after',
      '0.3',
      '--poll',
      '50',
    ]);
    assert.equal(run.code, 1);
    assert.match(run.out, /frames: 16 read/);
    assert.match(run.err, /has not changed/);
  });
});

describe('a small file cannot claim a vast array', () => {
  it('meta declaring 200 MB in a sparse file: refused before it is read', () => {
    const file = join(dir, 'sparse-meta.ptyd');
    python(
      `import h5py, sys, shutil
shutil.copy(sys.argv[2], sys.argv[1])
with h5py.File(sys.argv[1], 'a') as f:
    del f['meta/center']
    f['meta'].create_dataset('center', shape=(25_000_000,), dtype='f8', chunks=(1 << 16,))
`,
      [file, join(append, 'scan.ptyd')],
    );
    assert.throws(
      () => new PtydScan({ dfile: file, source: 'file' }, quiet),
      (e: Error) =>
        e instanceof FileFormatError && /at most 67108864 bytes of metadata/.test(e.message),
    );
  });

  it('chunk data declaring 10^7 frames in a file of a few kB: the chunk cannot be read (no zeros handed out)', () => {
    const file = join(dir, 'sparse-data.ptyd');
    python(
      `import h5py, sys, shutil
shutil.copy(sys.argv[2], sys.argv[1])
with h5py.File(sys.argv[1], 'a') as f:
    del f['chunks/4/data']
    f['chunks/4'].create_dataset('data', shape=(10_000_000, 16, 16), dtype='i4', chunks=(1, 16, 16))
`,
      [file, join(append, 'scan.ptyd')],
    );
    const reader = openPtydReader(file);
    try {
      const chunk = reader.chunk('4');
      assert.equal(chunk.dead, true);
      assert.match(
        chunk.problem ?? '',
        /declares shape \(10000000, 16, 16\), more than its \d+-byte file/,
      );
    } finally {
      reader.close();
    }
    // The last chunk of a file without writer state may still be written: a wait, never zeros.
    const { packages, waited } = readUntilWait(file, 4);
    assert.equal(indicesOf(packages).length, 16);
    assert.equal(waited, true);
  });

  it('Hdf5Loader: positions declared far larger than the frames are refused before they are read', async () => {
    const file = join(dir, 'huge-positions.h5');
    python(
      `import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'w') as f:
    f['data'] = np.ones((4, 8, 8), dtype='u2')
    f.create_dataset('x', shape=(8_000_000,), dtype='f8', chunks=(1 << 16,))
    f['y'] = np.arange(4.0)
`,
      [file],
    );
    await assert.rejects(
      createScan(
        {
          name: 'Hdf5Loader',
          intensities: { file, key: 'data' },
          positions: { file, fast_key: 'x', slow_key: 'y' },
        },
        quiet,
      ).then((scan) => scan.initialize()),
      (e: Error) =>
        e instanceof FileFormatError &&
        /declares 8000000 position values .* for 4 frames/.test(e.message),
    );
  });
});

describe('positions of any numeric type', () => {
  it('follow reads int64 positions (it threw an uncaught TypeError)', async () => {
    const folder = copyScan(dir, append, 'int64');
    python(
      `import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'a') as f:
    for k in f['chunks']:
        p = f['chunks/' + k + '/positions']
        values = (p[()] * 1e7).astype('i8')
        del f['chunks/' + k + '/positions']
        f['chunks/' + k].create_dataset('positions', data=values)
        f['chunks/' + k + '/positions'].attrs['type'] = 'array'
`,
      [join(folder, 'scan.ptyd')],
    );
    const run = await cli(['follow', join(folder, 'scan.ptyd'), '--chunk', '8', '--quiet']);
    assert.equal(run.code, 0, run.err);
    assert.equal(run.out, `frames: ${FRAMES}\n`);
    const { packages } = readUntilWait(join(folder, 'scan.ptyd'), 20);
    assert.deepEqual(indicesOf(packages).length, FRAMES);
    const positions = packages[0]!.chunk.positions;
    assert.ok(!Array.isArray(positions));
    assert.deepEqual(Array.from(positions.data.slice(0, 4)), [1, 2, 3, 4]);
  });
});
