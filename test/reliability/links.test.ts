/**
 * External links that lead nowhere, in a loop, or out of the folder, and
 * the costs of following long scans and deep files: every reader ends with
 * a clear answer, and the work grows linearly.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { H5Error, PtyscanError } from '../../src/errors.js';
import { h5Counters } from '../../src/h5/file.js';
import { H5File, h5ready } from '../../src/h5/index.js';
import { formatInfoTree, h5read } from '../../src/ptyd/index.js';
import { PtydScan } from '../../src/sources/index.js';
import { ScanWatch } from '../../src/view/scan-watch.js';
import { cli } from '../cli/helpers.js';
import { python, quiet, runToEos, tempDir } from '../helpers/index.js';
import { copyScan, folderIn, readUntilWait, writeScan } from './helpers.js';

const dir = tempDir('links');
let link = '';

before(async () => {
  await h5ready();
  link = folderIn(dir, 'link');
  writeScan(join(link, 'scan.ptyd'), 'link');
});

/** A copy of the link-mode scan whose chunk 1 is an external link to `target:path`. */
function relinked(name: string, target: string, path = '/'): string {
  const folder = copyScan(dir, link, name);
  python(
    `import h5py, sys
with h5py.File(sys.argv[1], 'a') as f:
    del f['chunks/1']
    f['chunks/1'] = h5py.ExternalLink(sys.argv[2], sys.argv[3])
`,
    [join(folder, 'scan.ptyd'), target, path],
  );
  return folder;
}

const LIMIT = { timeout: 60_000 };

describe('links to a directory, a non-HDF5 file, a dead target, themselves or each other', () => {
  const cases: [string, (folder: string) => void, string, string, RegExp][] = [
    ['a directory', (f) => mkdirSync(join(f, 'adir')), 'adir', '/', /not a regular file/],
    [
      'a non-HDF5 file',
      (f) => writeFileSync(join(f, 'text'), 'hello'),
      'text',
      '/',
      /not a readable HDF5 file/,
    ],
    ['a dead target', () => {}, 'nowhere.h5', '/', /does not exist/],
    ['the master itself', () => {}, 'scan.ptyd', '/chunks', /no 'data' dataset|loop/],
    ['a link back to itself', () => {}, 'scan.ptyd', '/chunks/1', /loop/],
  ];
  for (const [what, prepare, target, path, why] of cases) {
    it(
      `${what}: info lists it, follow and PtydScan fail naming it, h5read fails`,
      LIMIT,
      async () => {
        const folder = relinked(what.replace(/ /g, '-'), target, path);
        prepare(folder);
        const master = join(folder, 'scan.ptyd');
        const info = await cli(['info', master]);
        assert.equal(info.code, 0, info.err);
        assert.match(info.out, /\* 1 \[(dead link|link) -> /);
        const follow = await cli(['follow', master, '--chunk', '4', '--quiet']);
        assert.equal(follow.code, 1);
        assert.match(follow.err, /chunk 1 /);
        assert.match(follow.err, why);
        const { packages, error } = (() => {
          try {
            return { ...readUntilWait(master, 4), error: null };
          } catch (e) {
            return { packages: [], error: e };
          }
        })();
        assert.equal(packages.length, 0);
        assert.ok(error instanceof PtyscanError, String(error));
        assert.throws(() => h5read(master), PtyscanError);
      },
    );
  }

  it('two masters linking to each other: a loop error, not a recursion without end', LIMIT, () => {
    const folder = copyScan(dir, link, 'pair');
    python(
      `import h5py, sys, shutil, os
a = os.path.join(sys.argv[1], 'a.ptyd'); b = os.path.join(sys.argv[1], 'b.ptyd')
shutil.copy(os.path.join(sys.argv[1], 'scan.ptyd'), a); shutil.copy(a, b)
for me, other in ((a, 'b.ptyd'), (b, 'a.ptyd')):
    with h5py.File(me, 'a') as f:
        del f['chunks/1']
        f['chunks/1'] = h5py.ExternalLink(other, '/chunks/1')
`,
      [folder],
    );
    const h5 = H5File.open(join(folder, 'a.ptyd'));
    try {
      assert.throws(
        () => h5.readDataset('/chunks/1/data'),
        (e: Error) => e instanceof H5Error && /external links lead in a loop/.test(e.message),
      );
      const entry = h5.entry('/chunks/1');
      assert.ok(entry.kind === 'external-link' && entry.dead && entry.problem?.kind === 'loop');
    } finally {
      h5.close();
    }
    assert.match(
      formatInfoTree(join(folder, 'a.ptyd')),
      /\* 1 \[dead link -> b\.ptyd:\/chunks\/1\] \(links in a loop\)/,
    );
  });

  it('a chain of 20 files, each linking to the next: refused past 16 links', LIMIT, () => {
    const folder = folderIn(dir, 'chain');
    python(
      `import h5py, numpy as np, sys, os
d = sys.argv[1]
with h5py.File(os.path.join(d, 'f20.h5'), 'w') as f:
    f['x'] = np.arange(3)
for i in range(19, -1, -1):
    with h5py.File(os.path.join(d, 'f%d.h5' % i), 'w') as f:
        f['next'] = h5py.ExternalLink('f%d.h5' % (i + 1), '/next' if i < 19 else '/')
`,
      [folder],
    );
    const h5 = H5File.open(join(folder, 'f0.h5'));
    try {
      assert.throws(
        () => h5.readDataset('/next/x'),
        (e: Error) => e instanceof H5Error && /nested more than 16 deep/.test(e.message),
      );
    } finally {
      h5.close();
    }
  });

  it('a group linking to its own parent: info shows the loop once', LIMIT, () => {
    const folder = copyScan(dir, link, 'parent');
    python(
      `import h5py, sys
with h5py.File(sys.argv[1], 'a') as f:
    f['chunks/5'] = h5py.ExternalLink('scan.ptyd', '/chunks')
`,
      [join(folder, 'scan.ptyd')],
    );
    const tree = formatInfoTree(join(folder, 'scan.ptyd'));
    assert.match(
      tree,
      /\* 5 \[link -> scan\.ptyd:\/chunks\] \[link loop: back to \/chunks above\]/,
    );
    assert.equal(tree.split('\n').filter((l) => l.includes('loop')).length, 1);
  });
});

describe('links out of the folder: followed by default, refused on request', () => {
  it(
    'a chunk in ../other: read by default; confineLinks, follow --confine-links, info --confine-links and the viewer refuse it',
    LIMIT,
    async () => {
      const root = folderIn(dir, 'confine');
      const scans = copyScan(root, link, 'scans');
      const other = folderIn(root, 'other');
      python(
        `import shutil, sys, os, h5py
shutil.move(os.path.join(sys.argv[1], 'scan.ptyd.chunk01'), os.path.join(sys.argv[2], 'c01.h5'))
with h5py.File(os.path.join(sys.argv[1], 'scan.ptyd'), 'a') as f:
    del f['chunks/1']
    f['chunks/1'] = h5py.ExternalLink('../other/c01.h5', '/')
`,
        [scans, other],
      );
      const master = join(scans, 'scan.ptyd');
      assert.equal(runToEos(new PtydScan({ dfile: master, source: 'file' }, quiet), 4).length, 5);
      assert.throws(
        () => readUntilWait(master, 4, { confineLinks: true }),
        (e: Error) => /chunk 1 .*outside .*not followed/.test(e.message),
      );
      const follow = await cli(['follow', master, '--confine-links', '--quiet']);
      assert.equal(follow.code, 1);
      assert.match(follow.err, /c01\.h5, outside/);
      const info = await cli(['info', master, '--confine-links']);
      assert.match(
        info.out,
        /\* 1 \[dead link -> \.\.\/other\/c01\.h5:\/\] \(outside the folder\)/,
      );
      const watch = new ScanWatch(master, 'scan.ptyd', { staleAfter: 60 });
      watch.poll();
      assert.equal(watch.current().state, 'error');
      assert.match(watch.current().message ?? '', /outside/);
    },
  );
});

describe('costs grow linearly', () => {
  /** Files opened and chunk names listed by PtydScan reading a link-mode file of `n` one-frame chunks, one frame per auto(). */
  function costToFollow(n: number): { opens: number; membersListed: number } {
    const dfile = join(folderIn(dir, `ones-${n}`), 'scan.ptyd');
    writeScan(dfile, 'link', 1, {}, n);
    const before = h5Counters();
    const read = runToEos(new PtydScan({ dfile, source: 'file' }, quiet), 1, { close: true });
    assert.equal(read.length, n);
    const after = h5Counters();
    return {
      opens: after.opens - before.opens,
      membersListed: after.membersListed - before.membersListed,
    };
  }

  it(
    'following n one-frame chunks opens O(n) files and lists O(n) chunk names, not O(n^2)',
    LIMIT,
    (t) => {
      const small = costToFollow(40);
      const large = costToFollow(80);
      t.diagnostic(`files opened: 40 chunks ${small.opens}, 80 chunks ${large.opens}`);
      t.diagnostic(
        `names listed: 40 chunks ${small.membersListed}, 80 chunks ${large.membersListed}`,
      );
      assert.ok(
        large.opens < 2.3 * small.opens,
        `40 chunks: ${small.opens} opens, 80 chunks: ${large.opens}`,
      );
      assert.ok(
        large.membersListed < 2.3 * small.membersListed,
        `40 chunks: ${small.membersListed} names, 80 chunks: ${large.membersListed}`,
      );
    },
  );

  /** Paths checked for links while `info` lists groups nested `depth` deep. */
  function lookupsToList(depth: number): number {
    const file = join(dir, `nested-${depth}.h5`);
    python(
      `import h5py, sys
with h5py.File(sys.argv[1], 'w') as f:
    g = f
    for i in range(int(sys.argv[2])):
        g = g.create_group('g%d' % i)
    g['x'] = 1
`,
      [file, String(depth)],
    );
    const before = h5Counters().linkLookups;
    const tree = formatInfoTree(file);
    assert.equal(tree.split('\n').length, depth + 1);
    rmSync(file);
    return h5Counters().linkLookups - before;
  }

  it('info on groups nested n deep checks O(n) paths for links, not O(n^2)', LIMIT, (t) => {
    const small = lookupsToList(40);
    const large = lookupsToList(80);
    t.diagnostic(`link lookups: depth 40 ${small}, depth 80 ${large}`);
    assert.ok(large < 2.3 * small, `depth 40: ${small}, depth 80: ${large}`);
  });
});
