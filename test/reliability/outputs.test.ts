/**
 * What a new run does to what is already there: the earlier output is kept
 * as one consistent backup (also in link mode, chunk files included), an
 * input is never taken for the output, and `--resume` refuses a scan whose
 * output-changing parameters differ.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ndarray } from '../../src/frames/ndarray.js';
import { h5ready } from '../../src/h5/index.js';
import type { DataPackage } from '../../src/scan/index.js';
import { PtydScan } from '../../src/sources/index.js';
import { cli } from '../cli/helpers.js';
import { capturingLogger, python, quiet, runToEos, tempDir } from '../helpers/index.js';
import { simulateRaw } from '../live/helpers.js';
import { SpotScan } from '../scan/spot-scan.js';
import { folderIn } from './helpers.js';

const dir = tempDir('outputs');

before(async () => {
  await h5ready();
});

/** A link-mode scan of 12 frames in chunks of `chunk`, positions scaled by `scale` (to tell runs apart). */
function linkRun(
  dfile: string,
  chunk: number,
  scale: number,
  logger = capturingLogger(),
): string[] {
  const scan = new SpotScan({ shape: 16n, save: 'link', dfile }, { logger }, 12);
  scan.positions = ndarray(
    'float64',
    [12, 2],
    Float64Array.from({ length: 24 }, (_, i) => scale * (i + 1)),
  );
  runToEos(scan, chunk, { close: true, wait: 'skip' });
  return logger.warnings;
}

/** The positions PtydScan reads from `dfile`, in frame order. */
function positionsOf(dfile: string): number[] {
  const packages: DataPackage[] = runToEos(new PtydScan({ dfile, source: 'file' }, quiet), 12, {
    close: true,
  });
  return packages.flatMap((p) => {
    const positions = p.chunk.positions;
    return Array.isArray(positions) ? [] : Array.from(positions.data as ArrayLike<number>);
  });
}

describe('a second run keeps the first as one backup', () => {
  it('link mode: scan.ptyd.old reads on its own and holds exactly the earlier run', () => {
    const folder = folderIn(dir, 'link-backup');
    const dfile = join(folder, 'scan.ptyd');
    linkRun(dfile, 3, 1);
    const first = positionsOf(dfile);
    linkRun(dfile, 5, 1000);
    assert.deepEqual(positionsOf(`${dfile}.old`), first);
    assert.notDeepEqual(positionsOf(dfile), first);
    // The backup's chunks are its own files: 4 of them, from the run of chunks of 3.
    const kept = readdirSync(folder).filter((n) => n.startsWith('scan.ptyd.old.chunk'));
    assert.deepEqual(kept.sort(), [
      'scan.ptyd.old.chunk00',
      'scan.ptyd.old.chunk01',
      'scan.ptyd.old.chunk02',
      'scan.ptyd.old.chunk03',
    ]);
    python(
      `import h5py, sys
with h5py.File(sys.argv[1], 'r') as f:
    assert [f['chunks'].get(k, getlink=True).filename for k in sorted(f['chunks'], key=int)] == ['scan.ptyd.old.chunk%02d' % i for i in range(4)]
    assert f['chunks/3/data'].shape[0] == 3
`,
      [`${dfile}.old`],
    );
  });

  it('a third run replaces the backup (one is kept, as ptypy does) and says so', () => {
    const folder = folderIn(dir, 'retention');
    const dfile = join(folder, 'scan.ptyd');
    linkRun(dfile, 3, 1);
    linkRun(dfile, 4, 10);
    const second = positionsOf(dfile);
    const warnings = linkRun(dfile, 6, 100);
    assert.deepEqual(positionsOf(`${dfile}.old`), second);
    assert.ok(
      warnings.some((w) => /replacing the earlier backup .*scan\.ptyd\.old/.test(w)),
      String(warnings),
    );
    const names = readdirSync(folder).filter((n) => n.includes('.old'));
    assert.deepEqual(names.sort(), [
      'scan.ptyd.old',
      'scan.ptyd.old.chunk00',
      'scan.ptyd.old.chunk01',
      'scan.ptyd.old.chunk02',
    ]);
  });
});

describe('dfile never replaces an input', () => {
  const raw = join(dir, 'raw');
  before(async () => {
    await simulateRaw(raw);
  });

  for (const [what, target] of [
    ['the raw folder', () => raw],
    ['the positions file', () => join(raw, 'positions.txt')],
    ['a frame file', () => join(raw, 'ccd', 'diffraction_0003.npy')],
    ['a file inside the frame folder', () => join(raw, 'ccd', 'out.ptyd')],
  ] as const) {
    it(`a dfile naming ${what} is refused, and the input stays as it was`, async () => {
      const dfile = target();
      const before = existsSync(dfile) ? statSync(dfile) : null;
      const bytes = before?.isFile() ? readFileSync(dfile) : null;
      const config = join(dir, `input-${what.replace(/ /g, '-')}.json`);
      writeFileSync(
        config,
        JSON.stringify({ name: 'NumpyScan', base_path: raw, shape: 16, save: 'append', dfile }),
      );
      const run = await cli(['prepare', config, '--quiet']);
      assert.equal(run.code, 1, run.out);
      assert.match(run.err, /dfile: expected an output that is not an input of the scan/);
      if (before === null) assert.ok(!existsSync(dfile));
      else {
        assert.equal(statSync(dfile).ino, before.ino);
        if (bytes !== null) assert.deepEqual(readFileSync(dfile), bytes);
      }
      assert.ok(!existsSync(`${dfile}.old`));
    });
  }

  it('an Hdf5Loader dfile naming its frames file is refused', async () => {
    const file = join(dir, 'frames.h5');
    python(
      `import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'w') as f:
    f['data'] = np.ones((4, 8, 8), dtype='u2')
    f['x'] = np.arange(4.0); f['y'] = np.arange(4.0)
`,
      [file],
    );
    const config = join(dir, 'h5-input.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'Hdf5Loader',
        intensities: { file, key: 'data' },
        positions: { file, slow_key: 'y', fast_key: 'x' },
        save: 'append',
        dfile: file,
      }),
    );
    const run = await cli(['prepare', config, '--quiet']);
    assert.equal(run.code, 1);
    assert.match(run.err, /dfile: .*frames\.h5, which is .*frames\.h5 \(intensities\.file\)/);
    assert.ok(!existsSync(`${file}.old`));
  });
});

describe('--resume compares every parameter that changes the output', () => {
  const raw = join(dir, 'raw-resume');
  before(async () => {
    await simulateRaw(raw);
  });

  /** An interrupted link-mode file: a complete one set back to `running` by a writer that is gone. */
  async function interrupted(name: string): Promise<string> {
    const folder = folderIn(dir, name);
    const dfile = join(folder, 'scan.ptyd');
    const config = join(folder, 'first.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'NumpyScan',
        base_path: raw,
        shape: 24,
        center: [30, 34],
        save: 'link',
        dfile,
      }),
    );
    const run = await cli(['prepare', config, '--chunk', '4', '--quiet']);
    assert.equal(run.code, 0, run.err);
    python(
      `import h5py, sys
with h5py.File(sys.argv[1], 'a') as f:
    f.attrs['ptyscan_state'] = 'running'
    f.attrs['ptyscan_heartbeat'] = '2026-01-01T00:00:00Z pid 999999 host elsewhere'
`,
      [dfile],
    );
    return dfile;
  }

  for (const [what, change, why] of [
    [
      'shape',
      { shape: 32 },
      /shape: expected \[24, 24\] \(as in the interrupted run\), found \[32, 32\]/,
    ],
    [
      'center',
      { center: [31, 34] },
      /center: expected \[30, 34\] \(as in the interrupted run\), found \[31, 34\]/,
    ],
  ] as const) {
    it(`a changed ${what} is refused`, async () => {
      const dfile = await interrupted(`resume-${what}`);
      const config = join(dir, `resume-${what}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          ...{
            name: 'NumpyScan',
            base_path: raw,
            shape: 24,
            center: [30, 34],
            save: 'link',
            dfile,
          },
          ...change,
        }),
      );
      const run = await cli(['prepare', config, '--chunk', '4', '--resume', '--quiet']);
      assert.equal(run.code, 1, run.out);
      assert.match(run.err, why);
    });
  }

  it('the same shape given as n or (n, n), and the same centre, are accepted', async () => {
    const dfile = await interrupted('resume-same');
    const config = join(dir, 'resume-same.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'NumpyScan',
        base_path: raw,
        shape: [24, 24],
        center: [30, 34],
        save: 'link',
        dfile,
      }),
    );
    const run = await cli(['prepare', config, '--chunk', '4', '--resume', '--quiet']);
    assert.equal(run.code, 0, run.err);
  });
});

describe('workers is bounded by the machine', () => {
  it('more workers than cores: the scan runs on as many threads as cores, and says so', () => {
    const asked = availableParallelism() + 3;
    const dfile = join(folderIn(dir, 'workers'), 'scan.ptyd');
    const logger = capturingLogger();
    const scan = new SpotScan(
      { shape: 16n, save: 'link', dfile, workers: BigInt(asked) },
      { logger },
      12,
    );
    runToEos(scan, 3, { close: true, wait: 'skip' });
    assert.ok(
      logger.warnings.some(
        (w) =>
          w ===
          `workers ${asked}: using ${availableParallelism()}, the cores of this machine (more threads would only take memory).`,
      ),
      String(logger.warnings),
    );
    assert.equal(
      runToEos(new PtydScan({ dfile, source: 'file' }, quiet), 12, { close: true }).length,
      1,
    );
  });
});
