import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { H5File, h5ready } from '../../src/h5/index.js';
import { cli } from './helpers.js';

// `ptyscan follow` on a file that is there, one that never comes, and one whose writer died.
// (A writer and follow running at the same time: test/live/live-pair.test.ts.)
describe('ptyscan follow', () => {
  const root = mkdtempSync(join(tmpdir(), 'ptyscan-cli-follow-'));
  const complete = join(root, 'done', 'scan.ptyd');
  after(() => rmSync(root, { recursive: true, force: true }));
  before(async () => {
    await h5ready();
    const sim = await cli(['simulate', join(root, 'raw'), '--frames', '12', '--shape', '32']);
    assert.equal(sim.code, 0, sim.err);
    writeFileSync(
      join(root, 'scan.json'),
      JSON.stringify({ name: 'NumpyScan', base_path: 'raw', shape: 24, save: 'link' }),
    );
    const r = await cli(['prepare', join(root, 'scan.json'), '--out', complete, '--chunk', '5']);
    assert.equal(r.code, 0, r.err);
  });

  it('a file that is there is read at once, without "waiting for"', async () => {
    const r = await cli(['follow', complete, '--chunk', '5', '--poll', '20']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.equal(lines[0], `reading ${complete}`);
    assert.doesNotMatch(r.out, /waiting for/);
    assert.equal(lines[lines.length - 1], 'frames: 12');
  });

  it('--timeout gives up on a file that never appears, in one error line', async () => {
    const missing = join(root, 'never.ptyd');
    const started = performance.now();
    const r = await cli(['follow', missing, '--poll', '20', '--timeout', '0.3']);
    assert.ok(performance.now() - started < 5000);
    assert.equal(r.code, 1);
    assert.equal(r.out, `waiting for ${missing}\nframes: 0 read; ${missing} does not exist\n`);
    assert.equal(r.err, `ptyscan: error: ${missing} did not appear within 0.3 s (--timeout).\n`);
  });

  it('a writer that died: says how many frames were read and how many the file holds', async () => {
    // A copy of the finished scan, marked as still being written by a process that is gone.
    const dir = join(root, 'dead');
    cpSync(join(root, 'done'), dir, { recursive: true });
    const master = join(dir, 'scan.ptyd');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const h5 = H5File.open(master, 'a');
    try {
      h5.writeStringAttribute('/', 'ptyscan_state', 'running');
      h5.writeStringAttribute(
        '/',
        'ptyscan_heartbeat',
        `${new Date().toISOString()} pid ${gone} host ${hostname()}`,
      );
    } finally {
      h5.close();
    }
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('chunk')).length, 3);
    const r = await cli(['follow', master, '--poll', '20']);
    assert.equal(r.code, 1);
    const lines = r.out.trim().split('\n');
    assert.equal(
      lines[lines.length - 1],
      'frames: 0 read; the file holds 12 readable frames in 3 chunks',
    );
    assert.match(
      r.err,
      /^ptyscan: error: .*scan\.ptyd: the writer died: its heartbeat names pid \d+/,
    );
  });
});
