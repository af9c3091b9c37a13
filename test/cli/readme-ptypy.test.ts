/**
 * The README's recipe for reconstructing a ptyscan file with ptypy: its data
 * parameters are ones ptyscan's own PtydScan reads the file with, and, where
 * ptypy is installed (PTYPY_SRC, as ../shared/ptypy-baseline/setup-ptypy.sh
 * prints it), the script runs as pasted on a file `ptyscan prepare` wrote.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { h5ready } from '../../src/h5/index.js';
import { createScan } from '../../src/sources/index.js';
import { PROJECT_ROOT } from '../mpi-run.js';
import { cli } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const ptypyEnv = {
  ...process.env,
  ...(process.env.PTYPY_SRC ? { PYTHONPATH: process.env.PTYPY_SRC } : {}),
};
const noPtypy =
  spawnSync(PYTHON, ['-c', 'import ptypy'], { env: ptypyEnv }).status === 0
    ? false
    : 'ptypy is not installed (../shared/ptypy-baseline/setup-ptypy.sh, then PTYPY_SRC=...)';

/** The python block of the README's ptypy section. */
function recipe(): string {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('## Reconstructing with ptypy');
  assert.ok(at >= 0, 'the README has no ptypy recipe');
  const block = /```python\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  assert.ok(block !== undefined, 'no python block in the ptypy section');
  return block;
}

describe("the README's ptypy recipe", () => {
  let dir: string;
  before(async () => {
    await h5ready();
    dir = mkdtempSync(join(tmpdir(), 'ptyscan-readme-ptypy-'));
    assert.equal(
      (await cli(['simulate', join(dir, 'raw'), '--frames', '30', '--shape', '64', '--quiet']))
        .code,
      0,
    );
    writeFileSync(
      join(dir, 'scan.json'),
      '{"name": "NumpyScan", "base_path": "raw", "shape": 32, "save": "link", "dfile": "scan.ptyd"}',
    );
    const r = await cli(['prepare', join(dir, 'scan.json'), '--chunk', '10', '--quiet']);
    assert.equal(r.code, 0, r.err);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the file through PtydScan with source 'file', as ptyscan itself does", async () => {
    const data: Record<string, string> = {};
    for (const m of recipe().matchAll(/^p\.scans\.\w+\.data\.(\w+) = "([^"]*)"$/gm)) {
      data[m[1]!] = m[2]!;
    }
    assert.deepEqual(data, { name: 'PtydScan', source: 'file', dfile: 'scan.ptyd' });
    const scan = await createScan(data, {
      baseDir: dir,
      logger: { warn: () => {}, info: () => {} },
    });
    scan.initialize();
    let frames = 0;
    for (let msg = scan.auto(7); msg.msg !== 'EOS'; msg = scan.auto(7)) {
      assert.equal(msg.msg, 'data');
      if (msg.msg === 'data') frames += msg.chunk.indices.length;
    }
    scan.close();
    assert.equal(frames, 30);
  });

  it('runs as pasted with ptypy on a ptyscan file: DM, then ML, to the end', {
    skip: noPtypy,
  }, () => {
    const script = join(dir, `readme_recipe_${process.pid}.py`);
    writeFileSync(script, recipe());
    const r = spawnSync(PYTHON, [script], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...ptypyEnv, MPLBACKEND: 'Agg' },
      timeout: 600_000,
    });
    // The script saves its reconstruction under io.home, as ptypy's templates do.
    rmSync(`/tmp/ptypy/recons/readme_recipe_${process.pid}`, { recursive: true, force: true });
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.match(out, /Iteration #80 of DM/);
    assert.match(out, /Iteration #20 of ML/);
  });
});
