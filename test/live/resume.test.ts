/**
 * Resume in one process: interrupted link-mode files (a scan closed without
 * its end, a cut chunk file, a chunk file the master does not link yet, a
 * chunk file of another scan) are finished with exactly the content of an
 * uninterrupted run, and no complete chunk file is written again.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { ParameterError, StateError } from '../../src/errors.js';
import { H5File, h5ready } from '../../src/h5/index.js';
import { findResumePoint } from '../../src/ptyd/resume-point.js';
import { readWriterStatus, WriterWatch } from '../../src/ptyd/writer-state.js';
import type { PtyScan } from '../../src/scan/index.js';
import { createScan } from '../../src/sources/index.js';
import { quiet, quietLogger, runToEos, tempDir } from '../helpers/index.js';
import {
  assertSameContent,
  CHUNK,
  copyRawFrames,
  fileId,
  prepareReference,
  scanConfig,
  simulateRaw,
} from './helpers.js';

const dir = tempDir('resume');
let raw: string;
let reference: string;

before(async () => {
  await h5ready();
  raw = join(dir, 'raw');
  reference = join(dir, 'ref', 'scan.ptyd');
  await simulateRaw(raw);
  await prepareReference(raw, reference);
});

/** Prepares `chunks` chunks into `dfile` and stops without the end of the scan (as a killed writer). */
async function interrupted(case_: string, chunks: number, afterChunk?: (n: number) => void) {
  const out = join(dir, case_);
  const dfile = join(out, 'scan.ptyd');
  mkdirSync(out, { recursive: true });
  const scan = await createScan(scanConfig(raw, dfile), quiet);
  scan.initialize();
  for (let n = 0; n < chunks; n++) {
    assert.equal(scan.auto(CHUNK).msg, 'data');
    afterChunk?.(n);
  }
  scan.close();
  return dfile;
}

async function resume(dfile: string, warnings: string[] = []): Promise<PtyScan> {
  mkdirSync(dirname(dfile), { recursive: true });
  const scan = await createScan(scanConfig(raw, dfile), {
    resume: true,
    logger: { ...quietLogger, warn: (m) => warnings.push(m) },
  });
  scan.initialize();
  return scan;
}

async function finish(scan: PtyScan): Promise<number[]> {
  return runToEos(scan, CHUNK, { initialize: false, close: true }).map((p) => p.chunk.num);
}

function chunkFile(dfile: string, n: number): string {
  return `${dfile}.chunk${String(n).padStart(2, '0')}`;
}

describe('resume of an interrupted link-mode scan', () => {
  test('continues after the complete chunks and writes none of them again', async () => {
    const dfile = await interrupted('plain', 2);
    assert.equal(readWriterStatus(dfile)?.state, 'running');
    const ids = [0, 1].map((n) => fileId(chunkFile(dfile, n)));
    const scan = await resume(dfile);
    assert.equal(scan.framestart, 2 * CHUNK);
    assert.deepEqual(await finish(scan), [2, 3, 4]);
    assert.deepEqual(
      [0, 1].map((n) => fileId(chunkFile(dfile, n))),
      ids,
    );
    assert.equal(readWriterStatus(dfile)?.state, 'complete');
    assertSameContent(dfile, reference);
    assert.deepEqual(
      readdirSync(join(dir, 'plain')).filter((f) => f.includes('.old') || f.includes('.tmp-')),
      [],
    );
  });

  test('a cut last chunk file is left out and written again', async () => {
    const dfile = await interrupted('cut', 3);
    const last = chunkFile(dfile, 2);
    truncateSync(last, Math.floor(statSync(last).size / 2));
    const warnings: string[] = [];
    const scan = await resume(dfile, warnings);
    assert.equal(scan.framestart, 2 * CHUNK);
    assert.match(warnings.join('\n'), /chunk02/);
    assert.deepEqual(await finish(scan), [2, 3, 4]);
    assertSameContent(dfile, reference);
    // The damaged file is kept aside, not lost.
    assert.ok(existsSync(`${last}.old`));
  });

  test('a complete chunk file the master does not link yet is adopted, not rewritten', async () => {
    let masterAfterTwo = '';
    const dfile = await interrupted('unlinked', 3, (n) => {
      if (n === 1) {
        masterAfterTwo = join(dir, 'master-after-two.ptyd');
        copyFileSync(join(dir, 'unlinked', 'scan.ptyd'), masterAfterTwo);
      }
    });
    // The state of a writer killed between renaming chunk 2 and rewriting the master.
    copyFileSync(masterAfterTwo, dfile);
    const id = fileId(chunkFile(dfile, 2));
    const point = findResumePoint(dfile, '.chunk%02d');
    assert.deepEqual(
      point.chunks.map((c) => c.num),
      [0, 1, 2],
    );
    const scan = await resume(dfile);
    assert.equal(scan.framestart, 3 * CHUNK);
    assert.deepEqual(await finish(scan), [3, 4]);
    assert.equal(fileId(chunkFile(dfile, 2)), id);
    assertSameContent(dfile, reference);
  });

  test('a chunk file of another scan is not adopted', async () => {
    const other = await interrupted('other-a', 3);
    const dfile = await interrupted('other-b', 2);
    copyFileSync(chunkFile(other, 2), chunkFile(dfile, 2));
    const warnings: string[] = [];
    const scan = await resume(dfile, warnings);
    assert.equal(scan.framestart, 2 * CHUNK);
    assert.match(warnings.join('\n'), /another scan/);
    await finish(scan);
    assertSameContent(dfile, reference);
  });

  test('frames only arrive later: resume waits for them like a fresh run', async () => {
    const liveRaw = join(dir, 'late-raw');
    copyRawFrames(raw, liveRaw, 0, 2 * CHUNK);
    const dfile = join(dir, 'late', 'scan.ptyd');
    mkdirSync(dirname(dfile), { recursive: true });
    const first = await createScan(scanConfig(liveRaw, dfile), quiet);
    first.initialize();
    assert.equal(first.auto(CHUNK).msg, 'data');
    assert.equal(first.auto(CHUNK).msg, 'data');
    assert.equal(first.auto(CHUNK).msg, 'WAIT');
    first.close();
    const scan = await createScan(scanConfig(liveRaw, dfile), {
      resume: true,
      logger: quietLogger,
    });
    scan.initialize();
    assert.equal(scan.auto(CHUNK).msg, 'WAIT');
    copyRawFrames(raw, liveRaw, 2 * CHUNK, 40);
    await finish(scan);
    assertSameContent(dfile, reference);
  });

  test('a complete file is left as it is', async () => {
    const dfile = await interrupted('done', 5);
    const scan0 = await resume(dfile);
    assert.equal(scan0.auto(CHUNK).msg, 'EOS');
    scan0.close();
    const before = readdirSync(join(dir, 'done')).map(
      (f) => `${f} ${fileId(join(dir, 'done', f))}`,
    );
    const scan = await resume(dfile);
    assert.equal(scan.framestart, 40);
    assert.equal(scan.auto(CHUNK).msg, 'EOS');
    scan.close();
    const now = readdirSync(join(dir, 'done')).map((f) => `${f} ${fileId(join(dir, 'done', f))}`);
    assert.deepEqual(now, before);
    assertSameContent(dfile, reference);
  });

  test('without a file, resume starts from the first frame', async () => {
    const dfile = join(dir, 'fresh', 'scan.ptyd');
    const scan = await resume(dfile);
    assert.equal(scan.framestart, 0);
    await finish(scan);
    assertSameContent(dfile, reference);
  });

  test('changed parameters are refused', async () => {
    const dfile = await interrupted('changed', 2);
    const scan = await createScan(
      { ...scanConfig(raw, dfile), orientation: 3n },
      { resume: true, logger: quietLogger },
    );
    assert.throws(
      () => scan.initialize(),
      (e: unknown) => {
        assert.ok(e instanceof ParameterError);
        assert.match(e.message, /orientation/);
        return true;
      },
    );
    scan.close();
  });

  test('append mode cannot be resumed', async () => {
    const dfile = join(dir, 'append', 'scan.ptyd');
    mkdirSync(dirname(dfile), { recursive: true });
    const scan = await createScan(
      { ...scanConfig(raw, dfile), save: 'append' },
      { resume: true, logger: quietLogger },
    );
    assert.throws(() => scan.initialize(), /'link' or 'merge' to resume/);
    scan.close();
  });
});

describe('writer heartbeat', () => {
  test('a running file whose heartbeat stands still is stale after the limit', () => {
    let now = 0;
    const watch = new WriterWatch('x.ptyd', { staleAfter: 5, now: () => now });
    const status = (heartbeat: string) => ({
      state: 'running' as const,
      heartbeat,
      time: null,
      pid: 1,
      host: 'elsewhere',
      run: 'r',
    });
    watch.observe(status('a'));
    now = 4_000;
    watch.observe(status('a'));
    now = 8_000;
    watch.observe(status('b'));
    now = 12_000;
    watch.observe(status('b'));
    now = 13_500;
    assert.throws(
      () => watch.observe(status('b')),
      (e: unknown) => {
        assert.ok(e instanceof StateError);
        assert.match(e.message, /heartbeat .* has not changed for 5\.5 s/);
        return true;
      },
    );
    // A complete file is never stale.
    watch.observe({ ...status('b'), state: 'complete' });
  });

  test('a writer on this host whose pid is gone is dead at once', async () => {
    const dfile = await interrupted('dead-pid', 1);
    const h5 = H5File.open(dfile, 'a');
    try {
      const [, rest] = (h5.readStringAttribute('/', 'ptyscan_heartbeat') ?? '').split(' pid ');
      const host = rest?.split(' host ')[1];
      h5.writeStringAttribute(
        '/',
        'ptyscan_heartbeat',
        `2020-01-01T00:00:00.000Z pid 999999999 host ${host}`,
      );
    } finally {
      h5.close();
    }
    const watch = new WriterWatch(dfile, { staleAfter: 1000, isAlive: () => false });
    assert.throws(() => watch.observe(readWriterStatus(dfile)), /no longer runs/);
  });
});
