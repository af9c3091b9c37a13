import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { h5ready } from '../../src/h5/index.js';
import { tempDir } from '../helpers/index.js';
import { cli } from './helpers.js';

// `prepare --resume` on a finished link-mode file: nothing is written again.
// (Interrupted writers are resumed in test/live/kill-resume.test.ts.)
describe('ptyscan prepare --resume', () => {
  const root = tempDir('cli-resume');
  before(async () => {
    await h5ready();
    const r = await cli([
      'simulate',
      join(root, 'raw'),
      '--frames',
      '12',
      '--shape',
      '32',
      '--quiet',
    ]);
    assert.equal(r.code, 0, r.err);
    writeFileSync(
      join(root, 'live.json'),
      JSON.stringify({
        name: 'NumpyScan',
        base_path: 'raw',
        shape: 24,
        save: 'link',
        dfile: 'scan.ptyd',
      }),
    );
  });

  /** A NumpyScan config of the raw folder, saving to `dfile` in mode `save`. */
  function writeConfig(name: string, save: string, dfile: string): string {
    const file = join(root, name);
    writeFileSync(
      file,
      JSON.stringify({ name: 'NumpyScan', base_path: 'raw', shape: 24, save, dfile }),
    );
    return file;
  }

  it('leaves a complete file and its chunk files untouched', async () => {
    const config = join(root, 'live.json');
    assert.equal((await cli(['prepare', config, '--chunk', '5', '--quiet'])).code, 0);
    const chunk = join(root, 'scan.ptyd.chunk01');
    const before = statSync(chunk);
    const again = await cli(['prepare', config, '--chunk', '5', '--resume']);
    assert.equal(again.code, 0, again.err);
    const after = statSync(chunk);
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);
    // The summary counts the file, not this run's nothing.
    assert.match(again.out, /^ {2}frames +12 of 12 in 3 chunks$/m);
    assert.match(again.out, /^ {2}this run +nothing added: the file already held frames 0-11$/m);
  });

  it("after an interrupted run, shows the file's totals and what this run added", async () => {
    const config = writeConfig('cut.json', 'link', 'cut.ptyd');
    const interrupt = new AbortController();
    const first = await cli(['prepare', config, '--chunk', '5'], {
      signal: interrupt.signal,
      onStderr: (text) => {
        if (text.includes('chunk 0:')) interrupt.abort();
      },
    });
    assert.equal(first.code, 130, first.err);
    assert.match(first.out, /^ {2}frames +5 of 12 in 1 chunk$/m);
    const rest = await cli(['prepare', config, '--chunk', '5', '--resume']);
    assert.equal(rest.code, 0, rest.err);
    assert.match(rest.out, /^ {2}frames +12 of 12 in 3 chunks$/m);
    assert.match(
      rest.out,
      /^ {2}this run +added 7 frames in 2 chunks \(frames 5-11\), resumed at frame 5$/m,
    );
  });

  it('is refused for append mode, with the reason', async () => {
    const config = writeConfig('append.json', 'append', 'a.ptyd');
    const r = await cli(['prepare', config, '--resume']);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /^ptyscan: error: Invalid parameter:\n {2}save: expected 'link' or 'merge' to resume/,
    );
  });
});
