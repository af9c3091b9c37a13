import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { prepareFolder, TutorialScan } from '../../examples/numpy-scan/tutorial-scan.js';
import { h5ready } from '../../src/h5/index.js';
import { openPtydReader } from '../../src/ptyd/index.js';
import type { PtyScan } from '../../src/scan/index.js';
import { writeRawFolder } from '../../src/sim/raw-folder.js';
import { DEFAULT_SIMULATION } from '../../src/sim/simulate.js';
import { NumpyScan } from '../../src/sources/index.js';
import { cli } from '../cli/helpers.js';
import { quiet, runToEos, tempDir } from '../helpers/index.js';

const EXAMPLE = fileURLToPath(
  new URL('../../examples/numpy-scan/tutorial-scan.ts', import.meta.url),
);
const root = tempDir('example');
const raw = join(root, 'raw');

before(async () => {
  await h5ready();
  await writeRawFolder(raw, {
    ...DEFAULT_SIMULATION,
    frames: 14,
    shape: 40,
    photons: 1e5,
    seed: 9,
  });
});

function allFrames(scan: PtyScan): number[][] {
  return runToEos(scan, 5, { close: true }).flatMap((p) =>
    p.iterable.map((r) => Array.from(r.data.data as Int32Array)),
  );
}

describe('examples/numpy-scan: a tutorial-style PtyScan subclass', () => {
  it('prepares the raw folder from code', () => {
    assert.equal(prepareFolder(raw, { shape: 32n }), 14);
  });

  it('gives the same frames as the built-in NumpyScan, with geometry.txt filling unset parameters', () => {
    const example = new TutorialScan({ base_path: raw, shape: 32n }, quiet);
    assert.equal(example.info.distance, DEFAULT_SIMULATION.distance);
    assert.equal(example.info.energy, DEFAULT_SIMULATION.energy);
    assert.equal(new TutorialScan({ base_path: raw }, quiet).info.shape, 40n);
    assert.equal(new TutorialScan({ base_path: raw, distance: 2.5 }, quiet).info.distance, 2.5);
    const builtIn = new NumpyScan({ base_path: raw, shape: 32n }, quiet);
    assert.deepEqual(allFrames(example), allFrames(builtIn));
  });

  it('runs from a config by module path with ptyscan prepare', async () => {
    const config = join(root, 'scan.json');
    writeFileSync(
      config,
      JSON.stringify({
        module: EXAMPLE,
        name: 'TutorialScan',
        base_path: 'raw',
        shape: 32,
        save: 'append',
        dfile: 'example.ptyd',
      }),
    );
    const r = await cli(['prepare', config, '--chunk', '6']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /source +TutorialScan/);
    assert.match(r.out, /frames +14 of 14 in 3 chunks/);
    const reader = openPtydReader(join(root, 'example.ptyd'));
    try {
      assert.deepEqual(
        reader.listChunks().map((c) => c.frames),
        [6, 6, 2],
      );
    } finally {
      reader.close();
    }
  });
});
