/**
 * Bad input gets one clear line: what `validate` and `prepare` refuse in a
 * config and a raw folder, and the file an error is about.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { h5ready } from '../../src/h5/index.js';
import { cli } from '../cli/helpers.js';
import { tempDir } from '../helpers/index.js';

const dir = tempDir('messages');
const raw = join(dir, 'raw');

before(async () => {
  await h5ready();
  const run = await cli(['simulate', raw, '--frames', '6', '--shape', '32', '--quiet']);
  assert.equal(run.code, 0, run.err);
});

/** Writes a NumpyScan config of `folder` with `extra` parameters; returns its path. */
function config(name: string, extra: Record<string, unknown>, folder = raw): string {
  const file = join(dir, `${name}.json`);
  const base = { name: 'NumpyScan', base_path: folder, shape: 16, save: 'append' };
  writeFileSync(file, JSON.stringify({ ...base, dfile: join(dir, `${name}.ptyd`), ...extra }));
  return file;
}

/** A copy of the raw folder, changed by `change`. */
async function rawCopy(name: string, change: (folder: string) => void): Promise<string> {
  const folder = join(dir, name);
  const run = await cli(['simulate', folder, '--frames', '6', '--shape', '32', '--quiet']);
  assert.equal(run.code, 0, run.err);
  change(folder);
  return folder;
}

describe('validate refuses what prepare would refuse', () => {
  for (const [what, extra, why] of [
    ['a negative num_frames', { num_frames: -3 }, /num_frames: expected num_frames >= 0, found -3/],
    [
      'a 3-element shape',
      { shape: [16, 16, 16] },
      /shape: expected an int or a pair \(rows, columns\), found 3 numbers/,
    ],
    [
      'orientation flags that are not booleans',
      { orientation: [1, 0, 2] },
      /orientation: expected a \(transpose, flipud, fliplr\) triple of booleans/,
    ],
    [
      'a frame_pattern without %d',
      { frame_pattern: 'ccd/diffraction.npy' },
      /frame_pattern: expected a path with one %d/,
    ],
    [
      'a rebin that does not divide the shape',
      { rebin: 3 },
      /Binning \(3\) is too large or incompatible with the region of interest \(16, 16\)/,
    ],
  ] as const) {
    it(`${what}: validate and prepare fail, in one line`, async () => {
      const file = config(what.replace(/[ %]/g, '-'), extra);
      const validate = await cli(['validate', file]);
      assert.equal(validate.code, 1, validate.out);
      assert.match(validate.err, why);
      const prepare = await cli(['prepare', file, '--quiet']);
      assert.equal(prepare.code, 1, prepare.out);
      assert.match(prepare.err, why);
      assert.ok(!prepare.err.includes('\n    at '));
    });
  }
});

describe('a raw folder that is not as expected', () => {
  it('a directory where a frame file is expected: an error naming it, not a bare EISDIR', async () => {
    const folder = await rawCopy('raw-dir', (f) => {
      const frame = join(f, 'ccd', 'diffraction_0003.npy');
      rmSync(frame);
      mkdirSync(frame);
    });
    const run = await cli(['prepare', config('eisdir', {}, folder), '--quiet']);
    assert.equal(run.code, 1);
    assert.match(
      run.err,
      /diffraction_0003\.npy: not a regular file \(a directory or device\), not an NPY frame/,
    );
  });

  it('positions.txt without a final newline: its last line counts', async () => {
    const folder = await rawCopy('raw-newline', (f) => {
      const file = join(f, 'positions.txt');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/\n$/, ''));
    });
    const run = await cli(['prepare', config('newline', {}, folder)]);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /^ {2}frames +6 of 6 in 1 chunk/m);
  });

  it('a frame missing in the middle of a run: an error naming it, not a wait', async () => {
    const folder = await rawCopy('raw-gap', (f) => rmSync(join(f, 'ccd', 'diffraction_0002.npy')));
    const run = await cli(['prepare', config('gap', {}, folder), '--quiet']);
    assert.equal(run.code, 1);
    assert.match(
      run.err,
      /diffraction_0002\.npy: frame file missing, but the later frame .*diffraction_0003\.npy exists/,
    );
  });
});
