/**
 * Crash safety with real processes: the writer is killed with SIGKILL after
 * 1 and 3 chunks (waiting for frames), and at a random moment while it
 * prepares and writes chunks; each time `resume` carries on. The finished
 * file equals an uninterrupted run's, every chunk file keeps the inode and
 * mtime it had when first linked (none written twice), and nothing is left
 * behind. A reader of the file whose writer died exits 1 with a clear line.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { h5ready } from '../../src/h5/index.js';
import { tempDir } from '../helpers/index.js';
import {
  assertSameContent,
  CHUNK,
  type Child,
  configJson,
  copyRawFrames,
  DRIVER,
  FRAMES,
  fileId,
  killChildren,
  linkedChunks,
  prepareReference,
  simulateRaw,
  spawnCli,
  spawnNode,
  waitFor,
  writerState,
} from './helpers.js';

// Children go before their folder does.
after(() => killChildren());
const dir = tempDir('kill');
let fullRaw: string;
let reference: string;

before(async () => {
  await h5ready();
  fullRaw = join(dir, 'full-raw');
  reference = join(dir, 'ref', 'scan.ptyd');
  await simulateRaw(fullRaw);
  await prepareReference(fullRaw, reference);
});

async function kill(child: Child): Promise<void> {
  child.proc.kill('SIGKILL');
  assert.equal(await child.exited, 'SIGKILL');
}

test('SIGKILL at several points, then resume finishes the file', {
  timeout: 600_000,
}, async (t) => {
  const raw = join(dir, 'raw');
  const out = join(dir, 'out');
  mkdirSync(out);
  const dfile = join(out, 'scan.ptyd');
  const config = join(dir, 'scan.json');
  writeFileSync(config, configJson(raw, dfile));
  const chunkFile = (n: number) => join(out, `scan.ptyd.chunk${String(n).padStart(2, '0')}`);
  /** Identity of each chunk file when first seen linked. */
  const firstSeen = new Map<number, string>();
  const record = () => {
    for (let n = 0; n < linkedChunks(dfile); n++) {
      if (!firstSeen.has(n)) firstSeen.set(n, fileId(chunkFile(n)));
    }
  };

  // 1: the CLI writer prepares chunk 0, then waits for frames: killed there.
  copyRawFrames(fullRaw, raw, 0, CHUNK);
  const first = spawnCli(['prepare', config, '--chunk', String(CHUNK), '--poll', '100', '--quiet']);
  await waitFor('chunk 0', () => linkedChunks(dfile) === 1);
  await kill(first);
  record();
  assert.equal(writerState(dfile), 'running');

  // The writer died while waiting: a reader says so and stops, instead of waiting for ever.
  const reader = spawnCli(['follow', dfile, '--stale-after', '600', '--poll', '100']);
  assert.equal(await reader.exited, 1, reader.stdout());
  assert.match(reader.stderr(), /^ptyscan: error: .*the writer died: its heartbeat names pid \d+/m);
  assert.equal(reader.stderr().trim().split('\n').length, 1);

  // 2: resumed with frames for chunks 1 and 2, killed while waiting after chunk 2.
  copyRawFrames(fullRaw, raw, CHUNK, 3 * CHUNK);
  const second = spawnNode(DRIVER, [config, '--resume']);
  await waitFor('chunk 2', () => linkedChunks(dfile) === 3);
  await kill(second);
  assert.match(second.stdout(), /^start 8 1$/m);
  record();

  // 3: every frame is there; killed at a random moment while it prepares and writes.
  copyRawFrames(fullRaw, raw, 3 * CHUNK, FRAMES);
  const third = spawnNode(DRIVER, [config, '--resume']);
  await waitFor('the third writer', () => third.stdout().includes('start'), 120_000, 2);
  await sleep(Math.floor(Math.random() * 50));
  // A random moment may fall after the writer has finished on a fast machine:
  // then the last run below resumes a complete file, which must change nothing.
  third.proc.kill('SIGKILL');
  const thirdEnd = await third.exited;
  assert.ok(thirdEnd === 'SIGKILL' || thirdEnd === 0, `third writer ended with ${thirdEnd}`);
  record();
  t.diagnostic(
    thirdEnd === 'SIGKILL'
      ? `killed the third writer with ${linkedChunks(dfile)} chunks linked`
      : 'the third writer had finished before the kill',
  );

  // 4: the last run finishes the file.
  const last = spawnNode(DRIVER, [config, '--resume']);
  assert.equal(await last.exited, 0, last.stderr());
  assert.equal(writerState(dfile), 'complete');
  record();

  assertSameContent(dfile, reference);
  for (const [n, id] of firstSeen)
    assert.equal(fileId(chunkFile(n)), id, `chunk ${n} written twice`);
  assert.equal(firstSeen.size, FRAMES / CHUNK);
  const leftovers = readdirSync(out).filter((f) => /\.old|\.tmp-|\.lock$/.test(f));
  assert.deepEqual(leftovers, []);
});
