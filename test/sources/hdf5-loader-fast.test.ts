import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { unlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MissingDataError } from '../../src/errors.js';
import { h5ready, nativeHdf5Status } from '../../src/h5/index.js';
import type { ScanParams } from '../../src/scan/pty-scan.js';
import { Hdf5Loader, Hdf5LoaderFast } from '../../src/sources/index.js';
import { tempDir } from '../helpers/index.js';
import { python } from '../helpers/python.js';
import { loader, run, values } from './hdf5-fixtures.js';

// Frames big enough that Hdf5LoaderFast reads each chunk on several threads:
// 40 gzip frames of 256 x 256 uint32 in two Eiger-style data files behind a master.
const SCRIPT = `
import sys, numpy as np, h5py
d = sys.argv[1]
k, r, c = np.meshgrid(np.arange(40), np.arange(256), np.arange(256), indexing='ij')
frames = ((k * 7 + r * 3 + c * 5 + (r * c) % 11) % 200).astype(np.uint32)
for name, part in (('scan_data_000001.h5', frames[:20]), ('scan_data_000002.h5', frames[20:])):
    with h5py.File(d + '/' + name, 'w') as f:
        f.create_dataset('entry/data/data', data=part, chunks=(1, 256, 256), compression='gzip')
with h5py.File(d + '/master.h5', 'w') as f:
    f['entry/data/data_000001'] = h5py.ExternalLink('scan_data_000001.h5', 'entry/data/data')
    f['entry/data/data_000002'] = h5py.ExternalLink('scan_data_000002.h5', 'entry/data/data')
    f['entry/y'] = np.arange(40) * 1.0; f['entry/x'] = -np.arange(40) * 1.0
    f['entry/mask'] = (np.arange(256 * 256).reshape(256, 256) % 97 != 0).astype(np.uint8)
`;

const FIXTURE = fileURLToPath(new URL('./fixtures/fast-run.ts', import.meta.url));
const dir = tempDir('fast');
const threads = availableParallelism();

before(async () => {
  await h5ready();
  python(SCRIPT, [dir]);
});

function params(): ScanParams {
  const master = join(dir, 'master.h5');
  return {
    auto_center: false,
    shape: 200n,
    intensities: { file: master, key: 'entry/data' },
    positions: { file: master, slow_key: 'entry/y', fast_key: 'entry/x' },
    mask: { file: master, key: 'entry/mask' },
    orientation: 3n,
  };
}

/** Runs an Hdf5LoaderFast in a child process (`native: false` switches the addon off there). */
function runFast(native: boolean): {
  native: boolean;
  threads: number[];
  data: number[][];
  weights: number[][];
} {
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      FIXTURE,
      JSON.stringify(params(), (_k, v) => (typeof v === 'bigint' ? Number(v) : v)),
      '20',
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, PTYSCAN_NATIVE_HDF5: native ? '1' : '0' },
      maxBuffer: 1 << 30,
    },
  );
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

describe('Hdf5LoaderFast', () => {
  it("without the native addon, reads each chunk's frames on this thread and worker threads together, and gives Hdf5Loader's numbers", (t) => {
    const fast = runFast(false);
    assert.equal(fast.native, false);
    const plain = run(loader(params(), Hdf5Loader), 20);
    assert.equal(fast.data.length, 2);
    fast.data.forEach((chunk, i) => {
      assert.deepEqual(chunk, values(plain[i]!.chunk.data), `chunk ${i} data`);
      assert.deepEqual(fast.weights[i], values(plain[i]!.chunk.weights), `chunk ${i} weights`);
    });
    if (threads < 2) {
      t.skip('one core: Hdf5LoaderFast reads on this thread alone');
      return;
    }
    assert.deepEqual(fast.threads, [Math.min(threads, 20), Math.min(threads, 20)]);
  });

  it('with the native addon, leaves the threads to it (it decodes on every core) and gives the same numbers', (t) => {
    if (!nativeHdf5Status().available) {
      t.skip(`the native HDF5 addon is not in use (${nativeHdf5Status().detail})`);
      return;
    }
    const fast = runFast(true);
    assert.equal(fast.native, true);
    const plain = run(loader(params(), Hdf5Loader), 20);
    fast.data.forEach((chunk, i) => {
      assert.deepEqual(chunk, values(plain[i]!.chunk.data), `chunk ${i} data`);
    });
    assert.deepEqual(fast.threads, threads < 2 ? [1, 1] : [0, 0]);
  });

  it('a frame a worker thread cannot read is the same typed error as on this thread, naming the missing file', (t) => {
    if (threads < 2) {
      t.skip('one core: no worker threads');
      return;
    }
    const fast = loader(params(), Hdf5LoaderFast);
    fast.initialize();
    // The second data file disappears after construction: the worker reading its frames fails.
    unlinkSync(join(dir, 'scan_data_000002.h5'));
    assert.throws(
      () => fast.auto(40),
      (e: unknown) => e instanceof MissingDataError && /scan_data_000002\.h5/.test(e.message),
    );
    fast.close();
  });
});
