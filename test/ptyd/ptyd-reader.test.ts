import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FileFormatError } from '../../src/errors.js';
import type { NdArray } from '../../src/frames/ndarray.js';
import { h5ready } from '../../src/h5/index.js';
import { readNpy } from '../../src/npy/index.js';
import { formatInfoTree, h5write, openPtydReader } from '../../src/ptyd/index.js';
import { CASES, noCorpus } from '../helpers/corpus.js';
import { tempDir } from '../helpers/index.js';

const LINK = join(CASES, 'save_link/expected');
const dir = tempDir('reader');
before(async () => {
  await h5ready();
});

function growingLinkFile(): string {
  const sub = mkdtempSync(join(dir, 'growing-'));
  copyFileSync(join(LINK, 'out.ptyd'), join(sub, 'out.ptyd'));
  copyFileSync(join(LINK, 'out.ptyd.part000'), join(sub, 'out.ptyd.part000'));
  copyFileSync(join(LINK, 'out.ptyd.part002'), join(sub, 'out.ptyd.part002'));
  return join(sub, 'out.ptyd');
}

describe('openPtydReader', () => {
  it('lists chunks in integer order with their frame counts and link targets', {
    skip: noCorpus,
  }, () => {
    const reader = openPtydReader(join(LINK, 'out.ptyd'));
    try {
      const chunks = reader.listChunks();
      assert.deepEqual(
        chunks.map((c) => [c.key, c.frames, c.dead, c.link?.file, c.datasets.join(',')]),
        [
          ['0', 8, false, 'out.ptyd.part000', 'data,indices,positions,weights'],
          ['1', 8, false, 'out.ptyd.part001', 'data,indices,positions,weights'],
          ['2', 1, false, 'out.ptyd.part002', 'data,indices,positions,weights'],
        ],
      );
    } finally {
      reader.close();
    }
  });

  it('reads one frame at a time equal to the frames ptypy returned', { skip: noCorpus }, () => {
    const reader = openPtydReader(join(LINK, 'out.ptyd'));
    try {
      const expected = readNpy(join(LINK, 'call_1_data.npy'));
      for (let j = 0; j < 8; j++) {
        const frame = reader.readDataset('/chunks/1/data', { start: j, count: 1 });
        assert.deepEqual(frame.shape, [1, 32, 32]);
        assert.deepEqual([...frame.data], [...expected.data.slice(j * 1024, (j + 1) * 1024)]);
      }
      const weights = reader.readDataset('/chunks/1/weights', { start: 2, count: 1 });
      assert.equal(weights.dtype, 'bool');
      const meta = reader.readValue('meta') as Record<string, unknown>;
      assert.equal(meta.num_frames, 17n);
      assert.throws(() => reader.readDataset('/info/name'), FileFormatError);
    } finally {
      reader.close();
    }
  });

  it('reports a chunk whose part file is not there yet as dead, and reads the others', {
    skip: noCorpus,
  }, () => {
    const reader = openPtydReader(growingLinkFile());
    try {
      const chunks = reader.listChunks();
      assert.deepEqual(
        chunks.map((c) => [c.key, c.dead, c.frames]),
        [
          ['0', false, 8],
          ['1', true, 0],
          ['2', false, 1],
        ],
      );
      const last = reader.readDataset('/chunks/2/indices') as NdArray<'int64'>;
      assert.deepEqual([...last.data], [16n]);
    } finally {
      reader.close();
    }
  });

  it('a file without chunks is a FileFormatError', () => {
    const file = join(dir, 'nochunks.ptyd');
    h5write(file, { meta: {} });
    const reader = openPtydReader(file);
    try {
      assert.throws(() => reader.listChunks(), FileFormatError);
    } finally {
      reader.close();
    }
  });
});

describe('formatInfoTree', () => {
  it('lists a link-mode file like ptypy, following the links', { skip: noCorpus }, () => {
    const tree = formatInfoTree(join(LINK, 'out.ptyd')).split('\n');
    // h5rw's root attributes first, then the tree; links say where they point, lists are lists.
    assert.match(tree[0]!, /^@ ctime = "\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}"$/);
    assert.equal(tree[1], '@ h5rw_version = "0.1"');
    assert.match(tree[2]!, /^@ mtime = "/);
    assert.deepEqual(tree.slice(3, 10), [
      '* chunks [dict 3]:',
      '  * 0 [link -> out.ptyd.part000:/] [dict 4]:',
      '    * data [8x32x32 int32 array]',
      '    * indices [8 int64 list]',
      '    * positions [8x2 float64 array]',
      '    * weights [8x32x32 bool array]',
      '  * 1 [link -> out.ptyd.part001:/] [dict 4]:',
    ]);
    assert.ok(tree.includes('  * energy [scalar = 7.2]'));
    assert.ok(tree.includes('  * name [string = "PtyScan"]'));
    assert.ok(tree.includes('  * label [None]'));
    assert.ok(tree.includes('  * weight2d [scalar = True]'));
    assert.ok(tree.includes('  * num_frames [scalar = 17]'));
    assert.ok(tree.includes('* meta [dict 8]:'));
    // Small arrays show their values; chunk-sized ones do not.
    assert.ok(tree.includes('  * center [2 float64 array = [16.0, 16.0]]'));
    assert.ok(tree.includes('  * shape [2 int64 array = [32, 32]]'));
  });

  it('marks dead links and honours depth', { skip: noCorpus }, () => {
    const tree = formatInfoTree(growingLinkFile(), { depth: 2 }).split('\n');
    assert.deepEqual(tree.slice(3, 7), [
      '* chunks [dict 3]:',
      '  * 0 [link -> out.ptyd.part000:/] [dict 4]',
      '  * 1 [dead link -> out.ptyd.part001:/] (no such file)',
      '  * 2 [link -> out.ptyd.part002:/] [dict 4]',
    ]);
    assert.deepEqual(formatInfoTree(join(LINK, 'out.ptyd'), { depth: 1 }).split('\n').slice(3), [
      '* chunks [dict 3]',
      '* info [dict 22]',
      '* meta [dict 8]',
    ]);
  });

  it('lists chunk keys in numeric order', () => {
    const file = join(dir, 'many.ptyd');
    const chunks = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [String(i), { n: BigInt(i) }]),
    );
    h5write(file, { chunks });
    const keys = formatInfoTree(file, { depth: 2 })
      .split('\n')
      .filter((l) => !l.startsWith('@'))
      .slice(1)
      .map((l) => l.trim().split(' ')[1]);
    assert.deepEqual(
      keys,
      Array.from({ length: 12 }, (_, i) => String(i)),
    );
  });
});
