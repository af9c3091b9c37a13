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
  });

  it('is refused for append mode, with the reason', async () => {
    const config = join(root, 'append.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'NumpyScan',
        base_path: 'raw',
        shape: 24,
        save: 'append',
        dfile: 'a.ptyd',
      }),
    );
    const r = await cli(['prepare', config, '--resume']);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /^ptyscan: error: Invalid parameter:\n {2}save: expected 'link' or 'merge' to resume/,
    );
  });
});
