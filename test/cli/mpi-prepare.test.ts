import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { firstDifference, toPlain } from '../../src/conformance/describe.js';
import { h5ready } from '../../src/h5/index.js';
import { h5read } from '../../src/ptyd/index.js';
import { writeRawFolder } from '../../src/sim/index.js';
import { tempDir } from '../helpers/index.js';
import { assertAddonBuilt, mpirun, noMpi, PROJECT_ROOT } from '../mpi-run.js';

const cli = join(PROJECT_ROOT, 'src/cli/main.ts');

/** The file's groups and datasets, without `info/dfile` (the output names differ on purpose). */
function content(file: string): unknown {
  const tree = toPlain(h5read(file)) as { info: Record<string, unknown> };
  delete tree.info.dfile;
  return tree;
}

// The acceptance: `mpirun -n 2 ptyscan prepare <config>` writes the same
// file content as `ptyscan prepare <config>`.
describe('ptyscan prepare under mpirun', () => {
  const dir = tempDir('mpi-cli');
  before(async () => {
    await h5ready();
    await writeRawFolder(join(dir, 'raw'), {
      frames: 23,
      shape: 64,
      photons: 1e6,
      pattern: 'spiral',
      energy: 7.2,
      distance: 7.19,
      psize: 172e-6,
      seed: 3,
    });
    for (const save of ['append', 'link']) {
      writeFileSync(
        join(dir, `config-${save}.json`),
        JSON.stringify({
          name: 'NumpyScan',
          base_path: 'raw',
          shape: 48,
          center: null,
          auto_center: null,
          orientation: 5,
          rebin: 2,
          save,
        }),
      );
    }
  });

  // Append: rank 0 writes every chunk; link: the ranks take turns writing chunk files.
  for (const [save, ranks] of [
    ['append', 2],
    ['append', 4],
    ['link', 2],
    ['link', 4],
  ] as const) {
    it(`save '${save}': writes the same file on ${ranks} ranks as in one process`, {
      skip: noMpi,
    }, () => {
      assertAddonBuilt();
      const config = join(dir, `config-${save}.json`);
      const single = join(dir, `single-${save}.ptyd`);
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', cli, 'prepare', config, '--chunk', '5', '--out', single, '--quiet'],
        { cwd: PROJECT_ROOT, encoding: 'utf8' },
      );
      assert.equal(run.status, 0, run.stderr);
      const parallel = join(dir, `ranks-${ranks}-${save}.ptyd`);
      const mpi = mpirun(ranks, cli, ['prepare', config, '--chunk', '5', '--out', parallel]);
      assert.equal(mpi.status, 0, mpi.stderr);
      // Only rank 0 reports, with the whole scan's count.
      assert.equal(mpi.stdout.match(/Prepared\./g)?.length, 1, mpi.stdout);
      assert.match(mpi.stdout, /frames\s+23 of 23 in 5 chunks/);
      assert.equal(firstDifference(content(parallel) as never, content(single) as never), null);
    });
  }
});
