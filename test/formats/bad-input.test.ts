/**
 * Bad input to the exchange readers and writers: CXI files (written by h5py)
 * without frames or positions, with a position count that is not the frame
 * count, NeXus fields without units; fold_slice data without its positions
 * file; and conversions that fail or are stopped, which must leave no
 * partial output and an existing file as it was.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FileFormatError, FrameError, ParameterError } from '../../src/errors.js';
import { h5ready } from '../../src/h5/index.js';
import { CxiScan, FoldSliceScan } from '../../src/sources/index.js';
import { cli } from '../cli/helpers.js';
import { python, quiet, runToEos, tempDir } from '../helpers/index.js';
import { SpotScan } from '../scan/spot-scan.js';
import { simulatedPtyd } from './helpers.js';

const dir = tempDir('exchange-bad');

before(async () => {
  await h5ready();
});

/** A CXI file by h5py: 6 frames 8 x 8, and what `kind` leaves out or gets wrong. */
function badCxi(kind: string): string {
  const file = join(dir, `${kind}.cxi`);
  python(
    `import h5py, numpy as np, sys
file, kind = sys.argv[1:]
f = h5py.File(file, 'w')
f['cxi_version'] = 160
if kind != 'no-data':
    f['entry_1/data_1/data'] = np.ones((6, 8, 8), 'int32')
if kind == 'count':
    f['entry_1/data_1/translation'] = np.zeros((5, 3))
if kind in ('nexus-units', 'furlong'):
    f['entry_1/definition'] = 'NXcxi_ptycho'
    t = f.create_dataset('entry_1/data_1/translation', data=np.zeros((6, 3)))
    if kind == 'furlong':
        t.attrs['units'] = 'furlong'
`,
    [file, kind],
  );
  return file;
}

function assertFileError(run: () => unknown, file: string, dataset: string, message: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof FileFormatError, String(e));
    assert.equal(e.file, file);
    assert.equal(e.dataset, dataset);
    assert.match(e.message, message);
    return true;
  });
}

describe('bad CXI and fold_slice input', () => {
  it('a CXI file without frames names the file and the path', () => {
    const file = badCxi('no-data');
    assertFileError(
      () => new CxiScan({ file }, quiet),
      file,
      '/entry_1/data_1/data',
      /no frames at/,
    );
  });

  it('a CXI file without positions names the file and the path', () => {
    const file = badCxi('no-positions');
    assertFileError(
      () => new CxiScan({ file }, quiet),
      file,
      '/entry_1/data_1/translation',
      /no positions at \/entry_1\/data_1\/translation/,
    );
  });

  it("positions whose count is not the frames' name both", () => {
    const file = badCxi('count');
    assertFileError(
      () => new CxiScan({ file }, quiet),
      file,
      '/entry_1/data_1/translation',
      /holds \(5, 3\) positions for 6 frames/,
    );
  });

  it('an NXcxi_ptycho file must give units; unknown units are refused', () => {
    const file = badCxi('nexus-units');
    assertFileError(
      () => new CxiScan({ file }, quiet),
      file,
      '/entry_1/data_1/translation',
      /no units attribute, which this format requires/,
    );
    const furlong = badCxi('furlong');
    assertFileError(
      () => new CxiScan({ file: furlong }, quiet),
      furlong,
      '/entry_1/data_1/translation',
      /units 'furlong' are not a length unit/,
    );
  });

  it('fold_slice frames without their positions file, or with too few positions', () => {
    const folder = join(dir, 'fold');
    mkdirSync(folder);
    const file = join(folder, 'data_roi0_dp.hdf5');
    python(
      `import h5py, numpy as np, sys
h5py.File(sys.argv[1], 'w')['dp'] = np.ones((4, 8, 8), 'float32')`,
      [file],
    );
    const para = join(folder, 'data_roi0_para.hdf5');
    assert.throws(
      () => new FoldSliceScan({ file }, quiet),
      (e: unknown) =>
        e instanceof FileFormatError && e.file === para && /no such positions file/.test(e.message),
    );
    python(
      `import h5py, numpy as np, sys
f = h5py.File(sys.argv[1], 'w')
f['ppX'] = np.zeros(3)
f['ppY'] = np.zeros(4)`,
      [para],
    );
    assertFileError(
      () => new FoldSliceScan({ file }, quiet),
      para,
      '/ppX',
      /holds 3 positions for the 4 frames/,
    );
  });

  it('convert names a file that is none of the formats, in one line', async () => {
    const file = join(dir, 'other.h5');
    python(`import h5py, sys\nh5py.File(sys.argv[1], 'w')['x'] = 1`, [file]);
    const run = await cli(['convert', file, join(dir, 'other.cxi')]);
    assert.equal(run.code, 1);
    assert.match(
      run.err,
      /^ptyscan: error: .*other\.h5: neither a \.ptyd, a CXI nor a fold_slice file\.\n$/,
    );
  });

  it('convert needs --to for a name that does not tell the format', async () => {
    const source = simulatedPtyd(dir, 'usage.ptyd', 3, 16, 3);
    const run = await cli(['convert', source, join(dir, 'out.h5')]);
    assert.equal(run.code, 2);
    assert.match(
      run.err,
      /cannot tell the format of .*out\.h5.* give --to ptyd\|cxi\|nxcxi\|fold-slice/,
    );
    const bad = await cli(['convert', source, join(dir, 'out.h5'), '--to', 'tiff']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--to expects ptyd, cxi, nxcxi, fold-slice, found 'tiff'/);
  });

  it("save 'fold-slice' needs a data_roi<label>_dp.hdf5 name", () => {
    assert.throws(
      () => new SpotScan({ save: 'fold-slice', dfile: join(dir, 'frames.h5') }, quiet),
      (e: unknown) =>
        e instanceof ParameterError && e.parameter === 'dfile' && /_dp\.hdf5/.test(e.message),
    );
  });

  it('a scan without positions cannot be written as CXI, and leaves no file', () => {
    const folder = join(dir, 'no-positions');
    mkdirSync(folder);
    const scan = new SpotScan({ shape: 16n, save: 'cxi', dfile: join(folder, 'x.cxi') }, quiet, 4);
    assert.throws(
      () => runToEos(scan, 2),
      (e: unknown) =>
        e instanceof FrameError && /have no positions, which CXI requires/.test(e.message),
    );
    scan.close();
    assert.deepEqual(readdirSync(folder), []);
  });
});

describe('a conversion that fails leaves no partial output', () => {
  /** A .ptyd (by h5py) whose second chunk lacks its weights: reading fails after the first chunk. */
  function brokenPtyd(): string {
    const file = join(dir, 'broken.ptyd');
    python(
      `import h5py, numpy as np, sys
f = h5py.File(sys.argv[1], 'w')
for k in (0, 1):
    g = f.create_group('chunks/%d' % k)
    g['data'] = np.ones((5, 8, 8), 'int32')
    if k == 0:
        g['weights'] = np.ones((5, 8, 8), 'int8')
    g['positions'] = np.zeros((5, 2))
    g['indices'] = np.arange(5 * k, 5 * k + 5)
m = f.create_group('meta')
m['shape'] = np.array([8, 8]); m['center'] = np.array([4.0, 4.0]); m['psize'] = np.array([1e-4, 1e-4])
m['energy'] = 7.0; m['distance'] = 2.0; m['num_frames'] = 10
f.create_group('info')`,
      [file],
    );
    return file;
  }

  for (const [to, out, others] of [
    ['cxi', 'out.cxi', []],
    ['nxcxi', 'out.nxs', []],
    ['ptyd', 'out.ptyd', []],
    ['fold-slice', 'data_roi0_dp.hdf5', ['data_roi0_para.hdf5']],
  ] as const) {
    it(`${to}: an existing output stays as it was, and nothing else is left`, async () => {
      const input = brokenPtyd();
      const folder = join(dir, `fails-${to}`);
      mkdirSync(folder);
      const files = [out, ...others];
      for (const name of files) writeFileSync(join(folder, name), `the old ${name}\n`);
      const run = await cli(['convert', input, join(folder, out), '--chunk', '5']);
      assert.equal(run.code, 1);
      assert.match(run.err, /ptyscan: error: .*broken\.ptyd: chunk 1 has no 'weights' dataset\./);
      assert.deepEqual(readdirSync(folder).sort(), [...files].sort());
      for (const name of files) {
        assert.equal(readFileSync(join(folder, name), 'utf8'), `the old ${name}\n`);
      }
    });
  }

  it('Ctrl-C stops a conversion: exit 130, no output, the existing file as it was', async () => {
    const input = simulatedPtyd(dir, 'long.ptyd', 30, 16, 30);
    const folder = join(dir, 'stopped');
    mkdirSync(folder);
    writeFileSync(join(folder, 'out.cxi'), 'the old one\n');
    const stop = new AbortController();
    const run = await cli(['convert', input, join(folder, 'out.cxi'), '--chunk', '5'], {
      signal: stop.signal,
      onStderr: (text) => {
        if (text.includes('chunk 0')) stop.abort();
      },
    });
    assert.equal(run.code, 130);
    assert.match(run.err, /convert: interrupted: .*out\.cxi not written/);
    assert.deepEqual(readdirSync(folder), ['out.cxi']);
    assert.equal(readFileSync(join(folder, 'out.cxi'), 'utf8'), 'the old one\n');
  });

  it('a conversion that succeeds keeps the existing output as .old', async () => {
    const input = simulatedPtyd(dir, 'replace.ptyd', 4, 16, 4);
    const folder = join(dir, 'replaced');
    mkdirSync(folder);
    writeFileSync(join(folder, 'out.cxi'), 'the old one\n');
    const run = await cli(['convert', input, join(folder, 'out.cxi'), '-q']);
    assert.equal(run.code, 0, run.err);
    assert.deepEqual(readdirSync(folder).sort(), ['out.cxi', 'out.cxi.old']);
    assert.equal(readFileSync(join(folder, 'out.cxi.old'), 'utf8'), 'the old one\n');
  });
});
