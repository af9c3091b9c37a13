/**
 * On-the-fly preparation in separate OS processes: `ptyscan simulate --delay`
 * writes raw frames, `ptyscan prepare` (link mode) prepares them as they
 * arrive, and `ptyscan follow` plus a PtydScan and a hard-polling reader in
 * this process consume the growing file. The writer is paused with SIGSTOP
 * after its first chunk so the readers' WAIT is certain, not a matter of timing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NdArray } from '../../src/frames/ndarray.js';
import { h5ready } from '../../src/h5/index.js';
import { openPtydReader } from '../../src/ptyd/index.js';
import type { PyDict } from '../../src/py/value.js';
import { PtydScan } from '../../src/sources/index.js';
import { tempDir } from '../helpers/index.js';
import {
  assertSameContent,
  CHUNK,
  configJson,
  FRAMES,
  killChildren,
  linkedChunks,
  prepareReference,
  readChunks,
  SHAPE,
  simulateRaw,
  spawnCli,
  waitFor,
} from './helpers.js';

// Children go before their folder does.
after(() => killChildren());
const dir = tempDir('live');
let reference: string;
let refChunks: Map<string, PyDict>;

before(async () => {
  await h5ready();
  reference = join(dir, 'ref', 'scan.ptyd');
  await simulateRaw(join(dir, 'ref-raw'));
  await prepareReference(join(dir, 'ref-raw'), reference);
  refChunks = readChunks(reference);
});

/** Row `r` of a stack as plain numbers. */
function row(stack: NdArray, r: number): number[] {
  const size = (stack.shape[1] ?? 0) * (stack.shape[2] ?? 0);
  return Array.from(stack.data.subarray(r * size, (r + 1) * size) as ArrayLike<number>, Number);
}

function referenceFrame(index: number): number[] {
  const chunk = refChunks.get(String(Math.floor(index / CHUNK)));
  assert.ok(chunk !== undefined);
  return row(chunk.data as NdArray, index % CHUNK);
}

/** Reads every present chunk whole, as often as it can, and checks each read against the reference. */
function readEverything(dfile: string): number {
  if (!existsSync(dfile)) return 0;
  const reader = openPtydReader(dfile);
  let reads = 0;
  try {
    for (const chunk of reader.listChunks()) {
      if (chunk.dead) continue;
      const expected = refChunks.get(chunk.key);
      assert.ok(expected !== undefined, `chunk ${chunk.key} is not in the reference`);
      for (const name of ['data', 'weights', 'positions']) {
        assert.deepStrictEqual(
          reader.readDataset(`${chunk.path}/${name}`),
          expected[name],
          `chunk ${chunk.key}/${name}`,
        );
      }
      const indices = reader.readDataset(`${chunk.path}/indices`);
      assert.deepEqual(
        Array.from(indices.data as ArrayLike<number | bigint>, Number),
        (expected.indices as bigint[]).map(Number),
        `chunk ${chunk.key}/indices`,
      );
      reads++;
    }
  } finally {
    reader.close();
  }
  return reads;
}

test('writer, follow and in-process readers on a growing file', { timeout: 300_000 }, async (t) => {
  const raw = join(dir, 'raw');
  const out = join(dir, 'out');
  mkdirSync(out);
  const dfile = join(out, 'scan.ptyd');
  const config = join(dir, 'live.json');
  writeFileSync(config, configJson(raw, dfile));

  const simulate = spawnCli([
    'simulate',
    raw,
    '--frames',
    String(FRAMES),
    '--shape',
    String(SHAPE),
    '--delay',
    '50',
    '--quiet',
  ]);
  await waitFor('the raw folder', () => existsSync(join(raw, 'positions.txt')));
  // Held until the writer and the reader are up: the writer must meet frames still arriving.
  simulate.proc.kill('SIGSTOP');
  const writer = spawnCli([
    'prepare',
    config,
    '--chunk',
    String(CHUNK),
    '--poll',
    '100',
    '--quiet',
  ]);
  const follow = spawnCli([
    'follow',
    dfile,
    '--chunk',
    '5',
    '--poll',
    '100',
    '--stale-after',
    '120',
  ]);
  await waitFor('the master', () => existsSync(dfile));
  await waitFor('follow to start', () => follow.stdout().includes('waiting for'));
  simulate.proc.kill('SIGCONT');

  let writerDone = false;
  void writer.exited.then(() => {
    writerDone = true;
  });
  let hardReads = 0;
  const hard = (async () => {
    while (!writerDone) {
      hardReads += readEverything(dfile);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();

  await waitFor('chunk 0', () => linkedChunks(dfile) >= 1, 120_000, 5);
  writer.proc.kill('SIGSTOP');
  assert.ok(linkedChunks(dfile) < FRAMES / CHUNK, 'the writer was paused before the end');
  await waitFor('follow to WAIT', () => follow.stdout().includes('WAIT'));

  const scan = new PtydScan({ dfile, source: 'file' }, { staleAfter: 120 });
  scan.initialize();
  const seen: number[] = [];
  let waits = 0;
  let eos = false;
  let resumed = false;
  while (!eos) {
    const msg = scan.auto(6);
    if (msg.msg === 'EOS') eos = true;
    else if (msg.msg === 'WAIT') {
      waits++;
      if (!resumed) {
        writer.proc.kill('SIGCONT');
        resumed = true;
      }
      await sleep(50);
    } else {
      for (const frame of msg.iterable) {
        seen.push(frame.index);
        assert.deepEqual(
          Array.from(frame.data.data as ArrayLike<number>, Number),
          referenceFrame(frame.index),
        );
      }
    }
  }
  scan.close();
  assert.ok(resumed, 'the in-process reader waited while the writer was paused');

  assert.equal(await writer.exited, 0, writer.stderr());
  await hard;
  assert.equal(await follow.exited, 0, follow.stderr());
  assert.equal(await simulate.exited, 0, simulate.stderr());

  assert.deepEqual(
    seen,
    Array.from({ length: FRAMES }, (_, i) => i),
    'every frame once, in order',
  );
  assert.ok(waits >= 1);
  assert.ok(hardReads > 0);
  t.diagnostic(`chunk reads by the hard reader: ${hardReads}; reader WAITs: ${waits}`);
  const lines = follow.stdout().trim().split('\n');
  assert.equal(lines[lines.length - 1], `frames: ${FRAMES}`);
  assert.ok(lines.some((l) => l.startsWith('WAIT')));
  const covered = lines
    .map((l) => /^chunk \d+: frames (\d+)-(\d+)/.exec(l))
    .filter((m) => m !== null)
    .flatMap((m) => {
      const [a, b] = [Number(m[1]), Number(m[2])];
      return Array.from({ length: b - a + 1 }, (_, i) => a + i);
    });
  assert.deepEqual(
    covered,
    Array.from({ length: FRAMES }, (_, i) => i),
  );
  assertSameContent(dfile, reference);
});
