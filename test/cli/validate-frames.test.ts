/**
 * `ptyscan validate` refuses what `prepare` would refuse once it sees the
 * first frame (a centre outside it, a `shape` far larger than it, a rebin
 * not dividing it), with prepare's own error; and prepare refuses a `shape`
 * far larger than the frames at the first chunk, leaving no lock behind.
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { H5File, h5ready } from '../../src/h5/index.js';
import { tempDir } from '../helpers/index.js';
import { cli } from './helpers.js';

const root = tempDir('cli-validate-frames');

before(async () => {
  await h5ready();
  const sim = await cli([
    'simulate',
    join(root, 'raw'),
    '--frames',
    '6',
    '--shape',
    '40',
    '--photons',
    '1e5',
    '--quiet',
  ]);
  assert.equal(sim.code, 0, sim.err);
});

const cases: readonly { what: string; extra: Record<string, unknown>; error: RegExp }[] = [
  {
    what: 'a centre outside the frame',
    extra: { center: [50, 10] },
    error:
      /^ptyscan: error: Optical axis \(center = \(50\.0, 10\.0\)\) is outside the diffraction image frame \(40, 40\)\./,
  },
  {
    what: 'a shape far larger than the frames',
    extra: { shape: 4096 },
    error:
      /^ptyscan: error: Invalid parameter:\n {2}(scandata\.NumpyScan\.)?shape: expected at most 320 \(8 times the raw frames \(40, 40\)/,
  },
  {
    what: 'a rebin that does not divide the frames (no shape given)',
    extra: { rebin: 3 },
    error:
      /^ptyscan: error: Binning \(3\) is too large or incompatible with the region of interest \(40, 40\)/,
  },
];

describe('validate checks the config against the first frame as prepare does', () => {
  for (const { what, extra, error } of cases) {
    it(`${what}: validate and prepare both refuse it with the same error; no lock is left`, async () => {
      const name = what.replace(/\W+/g, '-');
      const dfile = join(root, `${name}.ptyd`);
      const config = join(root, `${name}.json`);
      writeFileSync(
        config,
        JSON.stringify({ name: 'NumpyScan', base_path: 'raw', save: 'append', dfile, ...extra }),
      );
      const v = await cli(['validate', config]);
      assert.equal(v.code, 1, `validate accepted it:\n${v.out}`);
      assert.match(v.err, error);
      const p = await cli(['prepare', config, '--chunk', '3', '--quiet']);
      assert.equal(p.code, 1, 'prepare refuses it too');
      assert.match(p.err, error);
      assert.equal(v.err.split('\n')[0], p.err.split('\n')[0], 'the same error');
      assert.deepEqual(
        readdirSync(root).filter((f) => f.endsWith('.lock')),
        [],
        'no lock file is left',
      );
      if (readdirSync(root).includes(`${name}.ptyd`)) {
        const h5 = H5File.open(dfile, 'r');
        try {
          const chunks = h5.members('/').includes('chunks') ? h5.members('/chunks') : [];
          assert.deepEqual(chunks, [], 'no chunk was written');
        } finally {
          h5.close();
        }
      }
    });
  }

  it('a shape up to 8 times the frames, a centre inside and a dividing rebin pass both', async () => {
    const dfile = join(root, 'fine.ptyd');
    const config = join(root, 'fine.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'NumpyScan',
        base_path: 'raw',
        save: 'append',
        dfile,
        shape: 320,
        center: [20, 12],
        rebin: 4,
      }),
    );
    const v = await cli(['validate', config]);
    assert.equal(v.code, 0, v.err);
    const p = await cli(['prepare', config, '--chunk', '3', '--quiet']);
    assert.equal(p.code, 0, p.err);
  });
});
