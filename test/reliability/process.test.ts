/**
 * The `ptyscan` process against the outside world, in real child processes:
 * a batch scheduler's SIGTERM and a closed terminal's SIGHUP stop a command
 * as Ctrl-C does (every completed chunk readable), and a reader that goes
 * away (`ptyscan info f | head`) ends it quietly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NdArray } from '../../src/frames/ndarray.js';
import { H5File, h5ready } from '../../src/h5/index.js';
import { h5read } from '../../src/ptyd/index.js';
import { tempDir } from '../helpers/index.js';
import {
  configJson,
  copyRawFrames,
  killChildren,
  ROOT,
  simulateRaw,
  spawnCli,
  waitFor,
} from '../live/helpers.js';

const dir = tempDir('process');
const raw = join(dir, 'raw');

before(async () => {
  await h5ready();
  await simulateRaw(raw);
});
after(killChildren);

/** Chunk keys of an append-mode file, each with whether it has all four datasets. */
function chunkGroups(file: string): Map<string, boolean> {
  const h5 = H5File.open(file, 'r');
  try {
    const out = new Map<string, boolean>();
    for (const key of h5.members('/chunks')) {
      const members = h5.members(`/chunks/${key}`);
      out.set(
        key,
        ['data', 'indices', 'positions', 'weights'].every((m) => members.includes(m)),
      );
    }
    return out;
  } finally {
    h5.close();
  }
}

describe('SIGTERM and SIGHUP stop a command as Ctrl-C does', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal} while an append-mode scan waits for frames: exit ${code}, every chunk whole`, async () => {
      const live = join(dir, `live-${signal}`);
      copyRawFrames(raw, live, 0, 16);
      const dfile = join(dir, `${signal}.ptyd`);
      const config = join(dir, `${signal}.json`);
      writeFileSync(config, configJson(live, dfile).replace('"link"', '"append"'));
      const child = spawnCli(['prepare', config, '--chunk', '8', '--poll', '100']);
      await waitFor('two chunks and a wait', () => /waiting for/.test(child.stderr()));
      child.proc.kill(signal);
      assert.equal(await child.exited, code, child.stderr());
      assert.match(
        child.stderr(),
        new RegExp(`${signal} received, stopping after the current step`),
      );
      assert.deepEqual(
        [...chunkGroups(dfile)],
        [
          ['0', true],
          ['1', true],
        ],
      );
      const chunks = h5read(dfile).chunks as Record<string, { data: NdArray }>;
      assert.deepEqual(chunks['1']?.data.shape, [8, 32, 32]);
    });
  }

  it('SIGTERM while chunks are being written: the chunk in progress is finished, then the scan stops', async () => {
    // 40 frames of 64 x 64 kept whole and compressed at gzip 9: each chunk takes a while.
    const dfile = join(dir, 'busy.ptyd');
    const config = join(dir, 'busy.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'NumpyScan',
        base_path: raw,
        shape: 64,
        save: 'append',
        dfile,
        compression_level: 9,
      }),
    );
    const child = spawnCli(['prepare', config, '--chunk', '2']);
    await waitFor('the first chunk', () => /chunk 0/.test(child.stderr()), 60_000, 1);
    child.proc.kill('SIGTERM');
    assert.equal(await child.exited, 143, child.stderr());
    const groups = chunkGroups(dfile);
    assert.ok(groups.size >= 1 && groups.size < 20, `${groups.size} chunks`);
    for (const [key, whole] of groups) assert.ok(whole, `chunk ${key} lacks a dataset`);
  });
});

describe('a closed stdout ends the command quietly', () => {
  it('`ptyscan info file | head`: no EPIPE stack, the exit code of SIGPIPE', async () => {
    const file = join(ROOT, 'test/cli/golden/info/input/scan.ptyd');
    for (const args of [
      ['info', file],
      ['params', 'PtyScan'],
    ]) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args],
        {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      // The reader goes away before the command writes: every write meets a closed pipe.
      child.stdout.destroy();
      const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
      assert.equal(err, '', `${args[0]}: ${err}`);
      assert.equal(code, 141, args[0]);
    }
  });
});

describe('follow stops on SIGTERM too', () => {
  it('exit 143 while it waits for a file that never comes', async () => {
    mkdirSync(join(dir, 'never'), { recursive: true });
    const child = spawnCli(['follow', join(dir, 'never', 'scan.ptyd'), '--poll', '50']);
    await waitFor('the wait', () => /waiting for/.test(child.stdout()));
    child.proc.kill('SIGTERM');
    assert.equal(await child.exited, 143, child.stderr());
  });
});
