/**
 * `frameShape()`, the raw frame shape a source knows without loading a
 * frame: `validate` checks a centre, shape and rebin against it as prepare's
 * first chunk would, so it must be exactly the shape `load()` returns. Every
 * Hdf5Loader corpus case whose first frame loads is checked (and, where
 * ptypy prepared a first chunk, validate's checks must pass), then the
 * other sources that say it.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { inCaseFolder } from '../../src/conformance/case-scan.js';
import { createCaseScan, listCases, readCase } from '../../src/conformance/index.js';
import { h5ready } from '../../src/h5/index.js';
import { checkBeforeFrames, type PtyScan } from '../../src/scan/index.js';
import { MoonFlowerScan } from '../../src/sources/index.js';
import { cli } from '../cli/helpers.js';
import { HDF5_CASES, noHdf5Corpus } from '../helpers/corpus.js';
import { quiet, tempDir } from '../helpers/index.js';

const dir = tempDir('frame-shape');

before(() => h5ready());

/** The shape of frame 0 as `load()` returns it. */
function loadedShape(scan: PtyScan): [number, number] {
  const { data } = scan.load([0]);
  const frame = 'shape' in data ? data : data.get(0);
  assert.ok(frame !== undefined, 'frame 0 loaded');
  const shape = frame.shape.slice(-2);
  return [shape[0]!, shape[1]!];
}

describe('frameShape() is the shape load() returns', () => {
  it('every Hdf5Loader corpus case whose first frame loads', { skip: noHdf5Corpus }, (t) => {
    let checked = 0;
    let accepted = 0;
    for (const name of listCases(HDF5_CASES)) {
      const kase = readCase(`${HDF5_CASES}${name}`, name);
      inCaseFolder(kase, () => {
        let scan: PtyScan;
        let loaded: [number, number];
        try {
          scan = createCaseScan(kase, quiet);
          loaded = loadedShape(scan);
        } catch {
          return; // a case about a refused config or file
        }
        try {
          assert.deepEqual(scan.frameShape(0), loaded, name);
          // ptypy prepared a first chunk: validate's checks from that shape must pass too.
          if ('indices' in (kase.expected.calls[0] ?? {})) {
            assert.doesNotThrow(() => checkBeforeFrames(scan), name);
            accepted += 1;
          }
          checked += 1;
        } finally {
          scan.close();
        }
      });
    }
    t.diagnostic(`${checked} cases checked, ${accepted} of them accepted by validate's checks`);
    assert.ok(checked >= 30, `only ${checked} cases loaded a frame`);
  });

  it('MoonFlowerScan', () => {
    const scan = new MoonFlowerScan({ shape: 48n, num_frames: 4n }, quiet);
    assert.deepEqual(scan.frameShape(0), loadedShape(scan));
  });

  it('validate refuses a centre outside a MoonFlowerScan frame, as prepare does', async () => {
    const config = join(dir, 'moon.json');
    writeFileSync(
      config,
      JSON.stringify({ name: 'MoonFlowerScan', shape: 32, num_frames: 4, center: [100, 10] }),
    );
    const validate = await cli(['validate', config]);
    const prepare = await cli(['prepare', config]);
    assert.equal(prepare.code, 1, prepare.err);
    assert.equal(validate.code, 1, validate.out);
    assert.match(validate.err, /cent/i);
  });
});
