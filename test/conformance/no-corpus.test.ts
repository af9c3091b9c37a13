/**
 * A checkout without `../shared` beside it: the tests that read the ptypy
 * corpus are reported as skipped with the reason, and `npm run conformance`
 * names the missing folder in one line, instead of stack traces.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../mpi-run.js';

/** This environment without NODE_TEST_CONTEXT, which makes a child test runner skip its files. */
function ownRunner(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

describe('without the shared corpus beside the project', () => {
  let copy: string;
  before(() => {
    // A project folder with nothing beside it.
    copy = join(mkdtempSync(join(tmpdir(), 'ptyscan-no-corpus-')), 'project');
    for (const part of ['src', 'test', 'scripts', 'package.json', 'tsconfig.json']) {
      cpSync(join(PROJECT_ROOT, part), join(copy, part), { recursive: true });
    }
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(copy, 'node_modules'));
  });
  after(() => rmSync(join(copy, '..'), { recursive: true, force: true }));

  it('the corpus tests are skipped, with the reason, and the run passes', () => {
    const files = [
      'test/conformance/ptypy-cases.test.ts',
      'test/conformance/hdf5-loader-cases.test.ts',
      'test/frames/vectors.test.ts',
      'test/npy/npy.test.ts',
      'test/ptyd/h5rw-corpus.test.ts',
    ];
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', ...files],
      {
        cwd: copy,
        encoding: 'utf8',
        timeout: 300_000,
        env: ownRunner(),
      },
    );
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, out);
    const reason = `# the ptypy conformance corpus is missing (${join(copy, '..', 'shared')}`;
    assert.ok(out.includes(reason), out);
    assert.ok(out.includes('# the Hdf5Loader conformance corpus is missing ('), out);
    for (const suite of [
      'ptypy conformance corpus',
      'ptypy Hdf5Loader conformance corpus',
      'ptypy unit vectors (_units/vectors.json), bit-exact',
      'reads numpy-written int32 frames and bool masks from the corpus',
      'reading ptypy-written .ptyd files',
    ]) {
      assert.match(
        out,
        new RegExp(
          `﹣ ${suite.replace(/[()./]/g, '\\$&')} .*# the (ptypy|Hdf5Loader) conformance corpus is missing`,
        ),
        suite,
      );
    }
    // The tests that need no corpus still run.
    assert.match(out, /✔ round-trips an array through encode and decode/);
    assert.doesNotMatch(out, /ENOENT|no such file|\n\s+at /);
  });

  it('npm run conformance names the missing folder in one line', () => {
    for (const [args, folder] of [
      [[], join(copy, '..', 'shared', 'conformance', 'ptypy-cases')],
      [['/nonexistent'], '/nonexistent'],
    ] as const) {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'scripts/conformance.ts', ...args],
        {
          cwd: copy,
          encoding: 'utf8',
        },
      );
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        `conformance: error: ${folder}: no such folder; expected a folder of conformance cases (each with params.json and expected/), such as ../shared/conformance/ptypy-cases.\n`,
      );
    }
  });
});
