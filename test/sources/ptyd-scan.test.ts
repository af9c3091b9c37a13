import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FileFormatError, MissingDataError, ParameterError } from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { rebinData } from '../../src/frames/rebin.js';
import { h5ready } from '../../src/h5/index.js';
import { readNpy } from '../../src/npy/npy.js';
import { h5write } from '../../src/ptyd/index.js';
import type { DataPackage } from '../../src/scan/types.js';
import { PtydScan } from '../../src/sources/index.js';
import { CASES, noCorpus } from '../helpers/corpus.js';
import { quiet, runToEos, tempDir } from '../helpers/index.js';

const APPEND = join(CASES, 'save_append/expected');

function drain(scan: PtydScan, step: number): DataPackage[] {
  return runToEos(scan, step);
}

describe('PtydScan', () => {
  const dir = tempDir('ptydscan');
  before(async () => {
    await h5ready();
  });

  it('re-prepares a ptypy file from `source` into a new file, rebinned', { skip: noCorpus }, () => {
    const out = join(dir, 'rebinned.ptyd');
    const scan = new PtydScan(
      { source: join(APPEND, 'out.ptyd'), dfile: out, save: 'append', rebin: 2n },
      quiet,
    );
    const written = drain(scan, 8);
    scan.close();
    const again = drain(new PtydScan({ dfile: out, source: 'file' }, quiet), 17);
    assert.deepEqual(again[0]?.chunk.data.shape, [17, 16, 16]);
    // The rebinned frames are ptypy's stored frames, two-stage mean binned.
    const stored = [0, 1, 2].map((i) => readNpy(join(APPEND, `call_${i}_data.npy`)));
    const expected = stored.flatMap((a) => Array.from(rebinData(a as never, 2).data));
    assert.deepEqual(Array.from(again[0]!.chunk.data.data as Float64Array), expected);
    assert.deepEqual(
      written.flatMap((p) => Array.from(p.chunk.data.data as Float64Array)),
      expected,
    );
  });

  it('never saves over its own source', { skip: noCorpus }, () => {
    const file = join(dir, 'self.ptyd');
    copyFileSync(join(APPEND, 'out.ptyd'), file);
    assert.throws(
      () => new PtydScan({ source: file, dfile: file, save: 'append' }),
      (e: unknown) => e instanceof ParameterError && e.parameter === 'dfile',
    );
    assert.throws(
      () => new PtydScan({ source: 'file', dfile: file, save: 'append' }),
      (e: unknown) => e instanceof ParameterError && e.parameter === 'save',
    );
  });

  it('names a missing file', () => {
    assert.throws(
      () => new PtydScan({ dfile: join(dir, 'nothing.ptyd') }),
      (e: unknown) => e instanceof FileFormatError && /nothing\.ptyd/.test(e.message),
    );
  });

  it('refuses a file without chunk 0', () => {
    const file = join(dir, 'empty.ptyd');
    h5write(file, { chunks: {}, meta: { num_frames: 3n }, info: {} });
    assert.throws(() => new PtydScan({ dfile: file }), MissingDataError);
  });

  it('names a chunk whose data and weights differ in shape', () => {
    const file = join(dir, 'mismatch.ptyd');
    h5write(file, {
      chunks: {
        '0': {
          indices: [0n, 1n],
          positions: ndarray('float64', [2, 2]),
          data: ndarray('int32', [2, 8, 8]),
          weights: ndarray('bool', [2, 8, 6]),
        },
      },
      meta: { num_frames: 2n, shape: ndarray('int64', [2], BigInt64Array.from([8n, 8n])) },
      info: {},
    });
    const scan = new PtydScan({ dfile: file }, quiet);
    scan.initialize();
    assert.throws(
      () => scan.auto(2),
      (e: unknown) => e instanceof FileFormatError && e.dataset === '/chunks/0/weights',
    );
  });
});
