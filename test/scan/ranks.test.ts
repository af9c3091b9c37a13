import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { firstDifference, toPlain } from '../../src/conformance/describe.js';
import { h5ready } from '../../src/h5/index.js';
import { h5read } from '../../src/ptyd/index.js';
import { noCorpus } from '../helpers/corpus.js';
import { tempDir } from '../helpers/index.js';
import { assertAddonBuilt, mpirun, noMpi, PROJECT_ROOT } from '../mpi-run.js';

const fixture = join(PROJECT_ROOT, 'test/scan/fixtures/prepare-case.ts');

/** A file's content (groups and datasets; the root's write times are not part of it). */
function content(file: string): unknown {
  return toPlain(h5read(file));
}

// The same scan prepared by 1, 2 and 4 processes gives the same file.
describe('preparation over MPI ranks', () => {
  const dir = tempDir('ranks');
  before(async () => {
    await h5ready();
  });

  const variants: [string, string, string][] = [
    // auto-centre over all ranks' frames, orientation, ROI squaring
    ['random_0', 'append', '{}'],
    // rebin with a dead-pixel mask, link mode: every rank writes chunk files
    ['rebin_2_mask', 'link', '{}'],
    // merge mode: chunk files from every rank, merged by the master at the end
    ['random_0', 'merge', '{}'],
    // per-frame float weights, rebinned: the mask maximum is combined over ranks
    [
      'per_frame_weights',
      'append',
      '{"rebin": 2, "center": null, "auto_center": null, "orientation": 6}',
    ],
  ];
  for (const [name, save, overrides] of variants) {
    it(`${name} (${save}) is identical on 1, 2 and 4 ranks`, { skip: noMpi || noCorpus }, () => {
      assertAddonBuilt();
      const single = join(dir, `${name}-1.ptyd`);
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', fixture, name, single, save, overrides],
        {
          cwd: PROJECT_ROOT,
          encoding: 'utf8',
        },
      );
      assert.equal(run.status, 0, run.stderr);
      const reference = content(join(single, 'out.ptyd'));
      for (const ranks of [2, 4]) {
        const out = join(dir, `${name}-${ranks}`);
        const mpi = mpirun(ranks, fixture, [name, out, save, overrides]);
        assert.equal(mpi.status, 0, mpi.stderr);
        const d = firstDifference(content(join(out, 'out.ptyd')) as never, reference as never);
        assert.equal(d, null, `${ranks} ranks: ${d}`);
        if (save === 'link') {
          const files = readdirSync(out).filter((f) => f.startsWith('out.ptyd.chunk'));
          assert.deepEqual(
            files.sort(),
            ['00', '01', '02', '03'].map((n) => `out.ptyd.chunk${n}`),
          );
        }
      }
    });
  }

  it('a chunk file another rank cannot write ends the job, naming the chunk, the file and the rank', {
    skip: noMpi || noCorpus,
  }, () => {
    assertAddonBuilt();
    const out = join(dir, 'rank-fails');
    // Chunk files go into folders out.ptyd.d00, out.ptyd.d01, ...: only the first exists.
    mkdirSync(join(out, 'out.ptyd.d00'), { recursive: true });
    const mpi = mpirun(2, fixture, ['rebin_2_mask', out, 'link', '{"chunk_format": ".d%02d/c"}']);
    assert.notEqual(mpi.status, 0);
    assert.match(
      mpi.stderr,
      /ParallelError: Chunk 1 could not be stored in .*out\.ptyd\.d01\/c by rank 1/,
    );
    // The chunk rank 0 wrote is complete and linked.
    const chunks = h5read(join(out, 'out.ptyd')).chunks as Record<string, unknown>;
    assert.deepEqual(Object.keys(chunks), ['0']);
  });
});
