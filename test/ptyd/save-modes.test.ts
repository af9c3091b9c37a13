import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { LockError } from '../../src/errors.js';
import { type NdArray, ndarray } from '../../src/frames/ndarray.js';
import { h5ready } from '../../src/h5/index.js';
import { h5read } from '../../src/ptyd/index.js';
import { isNdArray, isPyDict } from '../../src/py/value.js';
import type { AutoResult, DataPackage } from '../../src/scan/types.js';
import { PtydScan } from '../../src/sources/index.js';
import { quiet, runToEos, tempDir } from '../helpers/index.js';
import { SpotScan } from '../scan/spot-scan.js';

function positions(n: number): NdArray<'float64'> {
  return ndarray(
    'float64',
    [n, 2],
    Float64Array.from({ length: 2 * n }, (_, i) => (i + 1) * 1e-7),
  );
}

/** Runs a scan to EOS in chunks of `step`, returning the data packages. */
function runScan(scan: SpotScan, step: number): DataPackage[] {
  return runToEos(scan, step, { close: true, wait: 'skip' });
}

/** Reads a .ptyd back with PtydScan in chunks of `step`. */
function readBack(dfile: string, step: number): DataPackage[] {
  return runToEos(new PtydScan({ dfile, source: 'file' }, quiet), step);
}

function frames(packages: DataPackage[]): number[] {
  return packages.flatMap((p) => Array.from(p.chunk.data.data as ArrayLike<number>));
}

function allPositions(packages: DataPackage[]): (number | null)[] {
  return packages.flatMap((p) =>
    isNdArray(p.chunk.positions) ? Array.from(p.chunk.positions.data) : p.chunk.positions,
  );
}

describe('.ptyd saving modes', () => {
  const dir = tempDir('save');
  before(async () => {
    await h5ready();
  });

  function scanInto(dfile: string, save: string, extra: Record<string, string> = {}): SpotScan {
    const scan = new SpotScan({ shape: 16n, save, dfile, ...extra }, quiet, 7);
    scan.positions = positions(7);
    return scan;
  }

  for (const save of ['append', 'link', 'merge'] as const) {
    it(`${save}: PtydScan reads back every frame and position`, () => {
      const dfile = join(dir, `${save}.ptyd`);
      const written = runScan(scanInto(dfile, save), 3);
      assert.deepEqual(
        written.map((p) => p.chunk.indices.length),
        [3, 3, 1],
      );
      const read = readBack(dfile, 2);
      assert.deepEqual(frames(read), frames(written));
      assert.deepEqual(allPositions(read), allPositions(written));
      assert.deepEqual(read.at(-1)?.chunk.indices, [6]);
    });
  }

  it('link: chunk files are named by chunk_format and the folder can be moved', () => {
    const folder = join(dir, 'linked');
    const moved = join(dir, 'linked-moved');
    mkdirp(folder);
    const written = runScan(
      scanInto(join(folder, 'scan.ptyd'), 'link', { chunk_format: '.part%03d' }),
      3,
    );
    assert.deepEqual(readdirSync(folder).sort(), [
      'scan.ptyd',
      'scan.ptyd.part000',
      'scan.ptyd.part001',
      'scan.ptyd.part002',
    ]);
    renameSync(folder, moved);
    assert.deepEqual(frames(readBack(join(moved, 'scan.ptyd'), 7)), frames(written));
  });

  it('link: a chunk_format with a subfolder is linked by its path under the master folder', () => {
    const folder = join(dir, 'subfolders');
    const moved = join(dir, 'subfolders-moved');
    mkdirp(folder);
    for (const n of ['00', '01', '02']) mkdirSync(join(folder, `scan.ptyd.d${n}`));
    const written = runScan(
      scanInto(join(folder, 'scan.ptyd'), 'link', { chunk_format: '.d%02d/c' }),
      3,
    );
    renameSync(folder, moved);
    assert.ok(existsSync(join(moved, 'scan.ptyd.d02', 'c')));
    assert.deepEqual(frames(readBack(join(moved, 'scan.ptyd'), 7)), frames(written));
  });

  it('merge: one chunk with every frame in index order, chunk files removed', () => {
    const folder = join(dir, 'merged');
    mkdirp(folder);
    runScan(scanInto(join(folder, 'scan.ptyd'), 'merge'), 3);
    assert.deepEqual(readdirSync(folder), ['scan.ptyd']);
    const tree = h5read(join(folder, 'scan.ptyd'));
    assert.ok(isPyDict(tree.chunks));
    assert.deepEqual(Object.keys(tree.chunks), ['0']);
    const chunk = tree.chunks['0'];
    assert.ok(isPyDict(chunk));
    assert.deepEqual((chunk.indices as bigint[]).map(Number), [0, 1, 2, 3, 4, 5, 6]);
    assert.ok(isNdArray(chunk.data));
    assert.deepEqual(chunk.data.shape, [7, 16, 16]);
  });

  it('link: every chunk auto() returned is readable once the writer waits for frames, and all once it ends', () => {
    const dfile = join(dir, 'live.ptyd');
    const scan = scanInto(dfile, 'link');
    // A live acquisition: 3 of the 7 frames are there, then all.
    let there = 3;
    scan.check = (n, start) => [Math.max(0, Math.min(n, there - start)), null];
    scan.initialize();
    const first = scan.auto(3);
    assert.equal(first.msg, 'data');
    assert.equal(scan.auto(3).msg, 'WAIT');
    // Meta says 7 frames, 3 are there: a reader gets them, then WAIT.
    const reader = new PtydScan({ dfile, source: 'file' }, quiet);
    reader.initialize();
    const got = reader.auto(5);
    assert.equal(got.msg, 'data');
    if (got.msg === 'data' && first.msg === 'data') {
      assert.deepEqual(got.chunk.indices, [0, 1, 2]);
      assert.deepEqual(frames([got]), frames([first]));
    }
    assert.equal(reader.auto(5).msg, 'WAIT');
    there = 7;
    const rest = [scan.auto(3), scan.auto(3)];
    assert.deepEqual(
      rest.map((p) => p.msg),
      ['data', 'data'],
    );
    assert.equal(scan.auto(3).msg, 'EOS');
    scan.close();
    const data = (results: AutoResult[]) =>
      results.filter((p): p is DataPackage => p.msg === 'data');
    assert.deepEqual(frames(data([reader.auto(5)])), frames(data(rest)));
    assert.equal(reader.auto(5).msg, 'EOS');
  });

  it('keeps one backup: an existing file as .old, replacing an older .old (as ptypy does)', () => {
    const dfile = join(dir, 'again.ptyd');
    runScan(scanInto(dfile, 'append'), 7);
    runScan(scanInto(dfile, 'append'), 7);
    runScan(scanInto(dfile, 'append'), 7);
    assert.ok(existsSync(dfile));
    assert.ok(existsSync(`${dfile}.old`));
    assert.ok(!existsSync(`${dfile}.old.1`));
  });

  it('refuses a second scan writing the same file', () => {
    const dfile = join(dir, 'busy.ptyd');
    const first = scanInto(dfile, 'append');
    first.initialize();
    const second = scanInto(dfile, 'append');
    assert.throws(() => second.initialize(), LockError);
    first.close();
  });

  it('reads back a file written without positions (positions None)', () => {
    const dfile = join(dir, 'nopos.ptyd');
    const scan = new SpotScan({ shape: 16n, save: 'append', dfile }, quiet, 4);
    runScan(scan, 4);
    const read = readBack(dfile, 4);
    assert.deepEqual(read[0]?.chunk.positions, [null, null, null, null]);
  });

  for (const compression of ['lzf', 'none'] as const) {
    it(`compression ${compression}: same frames as gzip`, () => {
      const gz = join(dir, `gz-${compression}.ptyd`);
      const other = join(dir, `${compression}.ptyd`);
      runScan(scanInto(gz, 'append'), 7);
      runScan(scanInto(other, 'append', { compression }), 7);
      assert.deepEqual(frames(readBack(other, 7)), frames(readBack(gz, 7)));
    });
  }
});

function mkdirp(path: string): void {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
}
