/**
 * The cost of a link-mode master that names every chunk: rewriting it after
 * each chunk made long scans of small chunks quadratic, so its rewrites are
 * spaced by their own cost (MASTER_SHARE). The strategy is driven as a
 * runner drives it, on real files.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ndarray } from '../../src/frames/ndarray.js';
import { applyWrite, H5File, h5ready } from '../../src/h5/index.js';
import { linkMode } from '../../src/ptyd/modes/link.js';
import {
  type LiveMaster,
  MASTER_SHARE,
  type MasterStats,
} from '../../src/ptyd/modes/live-master.js';
import { findResumePoint } from '../../src/ptyd/resume-point.js';
import type { Chunk } from '../../src/sink/types.js';
import { PtydScan } from '../../src/sources/index.js';
import { quiet, runToEos, tempDir } from '../helpers/index.js';

const dir = tempDir('live-master');

before(async () => {
  await h5ready();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One-frame chunk `num` (4 x 4 frame of value `num`). */
function oneFrame(num: number): Chunk {
  return {
    num,
    indices: [num],
    data: ndarray('int32', [1, 4, 4], new Int32Array(16).fill(num)),
    weights: ndarray('float64', [1, 4, 4], new Float64Array(16).fill(1)),
    positions: ndarray('float64', [1, 2], Float64Array.of(num * 1e-7, 0)),
  };
}

const META = {
  version: 0.1,
  num_frames: null,
  label: null,
  shape: ndarray('int64', [2], BigInt64Array.of(4n, 4n)),
  psize: ndarray('float64', [2], Float64Array.of(1e-4, 1e-4)),
  energy: 7.2,
  center: ndarray('float64', [2], Float64Array.of(2, 2)),
  distance: 7,
};
const INFO = {
  center: ndarray('float64', [2], Float64Array.of(2, 2)),
  shape: ndarray('int64', [2], BigInt64Array.of(4n, 4n)),
};

/** Writes `n` one-frame chunks as a runner does; `stop` ends without `end` (an interrupted scan). */
function writeChunks(
  dfile: string,
  n: number,
  stop = false,
): { master: LiveMaster; stats: MasterStats; ms: number } {
  const master = linkMode({ mode: 'link', dfile }) as LiveMaster;
  const start = performance.now();
  master.begin({ ...INFO });
  master.writeMeta({ ...META });
  for (let num = 0; num < n; num++) {
    const write = master.chunkWrite(oneFrame(num));
    applyWrite(write);
    master.commit({ num, file: write.file });
  }
  if (!stop) master.end({ ...INFO });
  master.close();
  return { master, stats: master.masterStats(), ms: performance.now() - start };
}

/** The chunk links in a master, by name. */
function linksIn(dfile: string): string[] {
  const h5 = H5File.open(dfile, 'r');
  try {
    return h5.members('/chunks');
  } finally {
    h5.close();
  }
}

describe('link-mode master rewrites', () => {
  it(`n one-frame chunks: rewriting the master takes at most a fifth of the writer's time, not a share growing with n`, (t) => {
    for (const n of [200, 800]) {
      const dfile = join(dir, `ones-${n}.ptyd`);
      const { stats, ms } = writeChunks(dfile, n);
      const linkedPerChunk = stats.links / n;
      t.diagnostic(
        `${n} chunks: ${ms.toFixed(0)} ms, ${stats.writes} master writes (${stats.ms.toFixed(0)} ms), ${stats.links} links written (${linkedPerChunk.toFixed(1)} per chunk; after every chunk: ${(n + 1) / 2}), longest wait to be linked ${stats.maxDelayMs.toFixed(0)} ms`,
      );
      // Each rewrite waits MASTER_SHARE times as long as the one before it
      // took (so all of them take at most 1/(MASTER_SHARE + 1) of the time),
      // except the ones the scan forces (begin, meta, end) and the last.
      assert.equal(MASTER_SHARE, 4);
      assert.ok(
        stats.ms <= ms / (MASTER_SHARE + 1) + 4 * stats.maxMs,
        `master writes took ${stats.ms.toFixed(0)} of ${ms.toFixed(0)} ms`,
      );
      assert.equal(linksIn(dfile).length, n);
      const read = runToEos(new PtydScan({ dfile, source: 'file' }, quiet), 7);
      assert.deepEqual(
        read.flatMap((p) => p.chunk.indices),
        Array.from({ length: n }, (_, i) => i),
      );
    }
  });

  it('a chunk committed right after a rewrite waits while the writer is busy, and is linked as soon as it waits for frames', async () => {
    const dfile = join(dir, 'waiting.ptyd');
    const master = linkMode({ mode: 'link', dfile }) as LiveMaster;
    master.begin({ ...INFO });
    master.writeMeta({ ...META });
    const writes = [0, 1].map((num) => master.chunkWrite(oneFrame(num)));
    for (const write of writes) applyWrite(write);
    const turn = () => sleep(MASTER_SHARE * master.masterStats().maxMs + 20);
    await turn();
    // Committed back to back: chunk 0 is linked at once (the last rewrite was
    // long enough ago), chunk 1 waits its turn.
    for (const [num, write] of writes.entries()) master.commit({ num, file: write.file });
    assert.deepEqual(linksIn(dfile), ['0']);
    master.heartbeat();
    assert.deepEqual(linksIn(dfile), ['0', '1']);
    master.end({ ...INFO });
    master.close();
  });

  it('a scan stopped without end (Ctrl-C) links every committed chunk when it closes', () => {
    const dfile = join(dir, 'stopped.ptyd');
    writeChunks(dfile, 300, true);
    assert.equal(linksIn(dfile).length, 300);
    const point = findResumePoint(dfile, '.chunk%02d');
    assert.equal(point.state, 'running');
    assert.equal(point.chunks.length, 300);
    assert.deepEqual(point.dropped, []);
  });
});
