/**
 * ScanWatch, the dashboard's reader of a live file, on files whose writer
 * state is set by hand: running, complete, replaced (as merge mode replaces
 * the master at the end), and a writer whose process is gone.
 */
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { AccessError } from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { H5File, h5ready } from '../../src/h5/index.js';
import { h5write, WRITER_ATTRIBUTES } from '../../src/ptyd/index.js';
import { ScanWatch } from '../../src/view/index.js';
import { tempDir } from '../helpers/index.js';

const N = 8;
const dir = tempDir('scan-watch');
before(async () => {
  await h5ready();
});

/** Writes a master with `sizes` frames per chunk and the given writer state, atomically. */
function master(file: string, sizes: number[], state: string, pid = process.pid): void {
  const chunks: Record<string, Record<string, ReturnType<typeof ndarray>>> = {};
  let first = 0;
  sizes.forEach((n, c) => {
    const data = ndarray('int32', [n, N, N]);
    for (let k = 0; k < n; k++) data.data[k * N * N + ((first + k) % (N * N))] = 100 + first + k;
    chunks[String(c)] = { data, positions: ndarray('float64', [n, 2]) };
    first += n;
  });
  const temp = `${file}.tmp`;
  h5write(temp, { chunks, meta: {} });
  const h5 = H5File.open(temp, 'a');
  try {
    h5.writeStringAttribute('/', WRITER_ATTRIBUTES.state, state);
    h5.writeStringAttribute(
      '/',
      WRITER_ATTRIBUTES.heartbeat,
      `${new Date().toISOString()} pid ${pid} host ${hostname()}`,
    );
  } finally {
    h5.close();
  }
  renameSync(temp, file);
}

describe('ScanWatch', () => {
  it('waits for the file, follows its chunks, starts over when the file is replaced, ends when complete', () => {
    const file = join(dir, 'scan.ptyd');
    const watch = new ScanWatch(file, 'scan.ptyd', { staleAfter: 60 });
    watch.poll();
    assert.equal(watch.current().state, 'waiting');
    master(file, [4, 4], 'running');
    assert.ok(watch.poll());
    assert.deepEqual(
      { ...watch.current(), heartbeat: null },
      {
        file: 'scan.ptyd',
        state: 'running',
        frames: 8,
        chunks: 2,
        heartbeat: null,
        message: null,
        version: 1,
      },
    );
    master(file, [4, 4, 4], 'running');
    watch.poll();
    assert.equal(watch.current().frames, 12);
    assert.equal(watch.current().version, 2);
    assert.equal(watch.maps()?.quickLook.result().transmission[11], 111);
    // Merge mode's end: one chunk with every frame replaces the chunk links.
    master(file, [14], 'complete');
    watch.poll();
    assert.equal(watch.current().state, 'complete');
    assert.equal(watch.current().chunks, 1);
    assert.equal(watch.current().frames, 14);
    assert.deepEqual(
      Array.from(watch.maps()?.quickLook.result().transmission ?? []),
      Array.from({ length: 14 }, (_, k) => 100 + k),
    );
    assert.ok(watch.done);
    assert.equal(watch.poll(), false);
  });

  it('stops reading a file its guard refuses (a symlink that appeared out of the folder)', () => {
    const file = join(dir, 'guarded.ptyd');
    master(file, [4], 'running');
    const watch = new ScanWatch(file, 'guarded.ptyd', {
      staleAfter: 60,
      guard: () => {
        throw new AccessError("'guarded.ptyd' leaves the served folder.", { file });
      },
    });
    watch.poll();
    assert.equal(watch.current().state, 'error');
    assert.equal(watch.current().frames, 0);
    assert.match(watch.current().message ?? '', /leaves the served folder/);
  });

  it("reports 'writer dead' when the heartbeat names a process of this host that is gone", () => {
    const file = join(dir, 'dead.ptyd');
    master(file, [4], 'running', 2 ** 22 + 12345);
    const watch = new ScanWatch(file, 'dead.ptyd', { staleAfter: 60 });
    watch.poll();
    assert.equal(watch.current().state, 'writer dead');
    assert.match(watch.current().message ?? '', /the writer died/);
    assert.ok(watch.done);
  });
});
