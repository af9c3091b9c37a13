import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { firstDifference, toPlain } from '../../src/conformance/describe.js';
import { h5ready } from '../../src/h5/index.js';
import { h5read } from '../../src/ptyd/index.js';
import { assertAddonBuilt, mpirun, noMpi, PROJECT_ROOT } from '../mpi-run.js';

const fixture = join(PROJECT_ROOT, 'test/scan/fixtures/prepare-case.ts');

/** A file's content (groups and datasets; the root's write times are not part of it). */
function content(file: string): unknown {
  return toPlain(h5read(file));
}

// The same scan prepared by 1, 2 and 4 processes gives the same file.
describe('preparation over MPI ranks', () => {
  let dir: string;
  before(async () => {
    await h5ready();
    dir = mkdtempSync(join(tmpdir(), 'ptyscan-ranks-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const variants: [string, string, string][] = [
    // auto-centre over all ranks' frames, orientation, ROI squaring
    ['random_0', 'append', '{}'],
    // rebin with a dead-pixel mask, link mode
    ['rebin_2_mask', 'link', '{}'],
    // per-frame float weights, rebinned: the mask maximum is combined over ranks
    [
      'per_frame_weights',
      'append',
      '{"rebin": 2, "center": null, "auto_center": null, "orientation": 6}',
    ],
  ];
  for (const [name, save, overrides] of variants) {
    it(`${name} (${save}) is identical on 1, 2 and 4 ranks`, { skip: noMpi }, () => {
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
      }
    });
  }
});
