import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { H5Error } from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { h5ready } from '../../src/h5/index.js';
import { h5read } from '../../src/ptyd/h5rw.js';
import { PtydSink } from '../../src/ptyd/ptyd-sink.js';
import type { PyDict } from '../../src/py/value.js';
import type { Meta } from '../../src/scan/types.js';
import { writeRawFolder } from '../../src/sim/raw-folder.js';
import { DEFAULT_SIMULATION, simulateScan } from '../../src/sim/simulate.js';
import { NumpyScan } from '../../src/sources/index.js';
import { quiet, runToEos, tempDir } from '../helpers/index.js';

const root = tempDir('workers');

const FRAMES = 25;
const CHUNK = 10;
let raw: string;

before(async () => {
  await h5ready();
  raw = join(root, 'raw');
  const sim = simulateScan({
    ...DEFAULT_SIMULATION,
    frames: FRAMES,
    shape: 64,
    photons: 1e6,
    seed: 11,
    pattern: 'spiral',
  });
  await writeRawFolder(raw, sim);
});

/** Prepares the raw folder into `<root>/<name>/scan.ptyd`; returns the folder. */
function prepare(
  name: string,
  save: string,
  workers: number,
  rebin = 1,
  shape = 32,
  chunk = CHUNK,
): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const scan = new NumpyScan(
    {
      base_path: raw,
      shape: BigInt(shape),
      orientation: 3n,
      rebin: BigInt(rebin),
      save,
      dfile: join(dir, 'scan.ptyd'),
      workers: BigInt(workers),
    },
    quiet,
  );
  try {
    runToEos(scan, chunk);
  } finally {
    scan.close();
  }
  return dir;
}

/** The file as ptypy would read it, minus the parameters that differ on purpose (`workers`, `dfile`). */
function content(dir: string, workers: number): PyDict {
  const value = h5read(join(dir, 'scan.ptyd'));
  const info = value.info as PyDict;
  assert.equal(info.workers, BigInt(workers));
  assert.equal(info.dfile, join(dir, 'scan.ptyd'));
  delete info.workers;
  delete info.dfile;
  return value;
}

describe('compressing on several threads (workers > 1)', () => {
  for (const [save, rebin] of [
    ['link', 1],
    ['append', 1],
    ['merge', 1],
    ['link', 2],
  ] as const) {
    it(`save '${save}'${rebin > 1 ? `, rebin ${rebin}` : ''}: workers 2 writes the same file content as workers 1`, () => {
      const one = prepare(`${save}-${rebin}-w1`, save, 1, rebin);
      const two = prepare(`${save}-${rebin}-w2`, save, 2, rebin);
      const a = content(one, 1);
      const b = content(two, 2);
      assert.deepEqual(b, a);
      const chunks = a.chunks as PyDict;
      assert.equal(Object.keys(chunks).length, save === 'merge' ? 1 : Math.ceil(FRAMES / CHUNK));
      const frames = Object.values(chunks).reduce(
        (n: number, c) => n + ((c as PyDict).indices as unknown[]).length,
        0,
      );
      assert.equal(frames, FRAMES);
      // The same files, and no temp file left behind.
      assert.deepEqual(readdirSync(two).sort(), readdirSync(one).sort());
      assert.ok(readdirSync(two).every((f) => !f.includes('.tmp-')));
    });
  }

  it("save 'append', large chunks: compressed on 2 threads, the same file content; the lock is given back", () => {
    const one = prepare('append-large-w1', 'append', 1, 1, 64, 20);
    const two = prepare('append-large-w2', 'append', 2, 1, 64, 20);
    assert.deepEqual(content(two, 2), content(one, 1));
    assert.ok(!existsSync(join(two, 'scan.ptyd.lock')), 'the lock is given back');
  });

  it("save 'append' without the native addon: workers 2 writes the same file content as workers 1", () => {
    const script = fileURLToPath(new URL('./fixtures/prepare-append.ts', import.meta.url));
    const dirs = [1, 2].map((workers) => {
      const dir = join(root, `append-no-addon-w${workers}`);
      mkdirSync(dir);
      const res = spawnSync(
        process.execPath,
        ['--import', 'tsx', script, raw, join(dir, 'scan.ptyd'), String(workers)],
        { encoding: 'utf8', env: { ...process.env, PTYSCAN_NATIVE_HDF5: '0' }, timeout: 120_000 },
      );
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /native false/);
      return dir;
    });
    assert.deepEqual(content(dirs[1]!, 2), content(dirs[0]!, 1));
  });

  it('a chunk that cannot be stored ends the run naming the chunk, its file and the cause; the chunks before it stay readable', () => {
    const dir = join(root, 'failing');
    mkdirSync(dir);
    const dfile = join(dir, 'scan.ptyd');
    // Chunk files go into a folder each; only chunk 0's folder exists.
    mkdirSync(`${dfile}.d00`);
    const sink = new PtydSink({ mode: 'link', dfile, chunkFormat: '.d%02d/c', workers: 2 });
    sink.begin({ name: 'test' });
    sink.writeMeta({ shape: null } as unknown as Meta);
    const chunk = (num: number) => ({
      num,
      indices: [num],
      data: ndarray('int32', [1, 4, 4]),
      weights: ndarray('bool', [1, 4, 4]),
      positions: [null],
    });
    let caught: unknown;
    try {
      sink.writeChunk(chunk(0));
      sink.writeChunk(chunk(1));
      sink.end({ name: 'test' });
    } catch (error) {
      caught = error;
    } finally {
      sink.close();
    }
    assert.ok(caught instanceof H5Error, String(caught));
    assert.match(caught.message, /^Chunk 1 could not be stored in .*scan\.ptyd\.d01\/c: H5Error: /);
    assert.equal(caught.file, `${dfile}.d01/c`);
    assert.ok(caught.cause instanceof H5Error, 'the cause is the typed error');
    // Chunk 0 is linked and reads back; nothing of chunk 1 is.
    const back = h5read(dfile).chunks as PyDict;
    assert.deepEqual(Object.keys(back), ['0']);
    assert.deepEqual((back['0'] as PyDict).indices, [0n]);
  });

  it('a process using workers ends by itself: after close(), without close(), and after an error', () => {
    const script = fileURLToPath(new URL('./fixtures/worker-exit.ts', import.meta.url));
    for (const how of ['close', 'no-close', 'error']) {
      const res = spawnSync(process.execPath, ['--import', 'tsx', script, how, raw, root], {
        encoding: 'utf8',
        // Only a safety net so a hang fails the test instead of stalling the suite.
        timeout: 120_000,
      });
      assert.equal(res.signal, null, `${how}: the process hung and was killed`);
      assert.equal(res.status, how === 'error' ? 3 : 0, `${how}: ${res.stderr}`);
      assert.match(
        res.stdout,
        how === 'error' ? /H5Error: Chunk 0 could not be stored/ : /frames 25/,
      );
    }
  });
});
