/**
 * Round trips on a simulated scan with a mask: .ptyd -> CXI / NXcxi_ptycho /
 * fold_slice -> .ptyd (through `ptyscan convert`), and a scan prepared
 * straight into each format (`save`), read back as .ptyd. Frames and the
 * mask come back bit for bit, positions, pixel sizes, distance and centre
 * exactly (float64 metres both ways); the energy goes keV -> J -> keV, so it
 * is compared to a relative 1e-12.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { h5ready } from '../../src/h5/index.js';
import { isNdArray } from '../../src/py/value.js';
import { cli } from '../cli/helpers.js';
import { runToEos, tempDir } from '../helpers/index.js';
import {
  MaskedMoonFlower,
  type PtydContent,
  ptydContent,
  simulatedPtyd,
  usable,
} from './helpers.js';

const dir = tempDir('exchange');
let source = '';
let original: PtydContent;

before(async () => {
  await h5ready();
  source = simulatedPtyd(dir, 'scan.ptyd');
  original = ptydContent(source);
});

const FORMATS = [
  { to: 'cxi', out: 'scan.cxi' },
  { to: 'nxcxi', out: 'scan.nxs' },
  { to: 'fold-slice', out: 'pty/1/data_roi0_dp.hdf5' },
] as const;

function values(v: unknown): number[] {
  return isNdArray(v) ? Array.from(v.data as ArrayLike<number | bigint>, Number) : [Number(v)];
}

/** Same frames, mask, positions and meta as the simulated scan. */
function assertSame(back: PtydContent, what: string): void {
  assert.equal(back.data.dtype, original.data.dtype, `${what}: frame dtype`);
  assert.deepEqual(back.data.shape, original.data.shape, `${what}: frames`);
  assert.ok(
    (back.data.data as Int32Array).every((v, i) => v === original.data.data[i]),
    `${what}: frames bit for bit`,
  );
  assert.deepEqual(usable(back.weights), usable(original.weights), `${what}: mask`);
  assert.ok(usable(original.weights).includes(0), 'the scan has masked pixels');
  assert.deepEqual(
    Array.from(back.positions),
    Array.from(original.positions),
    `${what}: positions`,
  );
  for (const key of ['shape', 'center', 'psize', 'distance']) {
    assert.deepEqual(values(back.meta[key]), values(original.meta[key]), `${what}: meta.${key}`);
  }
  const energy = Number(back.meta.energy);
  const expected = Number(original.meta.energy);
  assert.ok(
    Math.abs(energy - expected) <= 1e-12 * expected,
    `${what}: energy ${energy} vs ${expected}`,
  );
}

describe('round trips through the exchange formats', () => {
  for (const { to, out } of FORMATS) {
    it(`.ptyd -> ${to} -> .ptyd keeps frames, mask, positions and geometry`, async () => {
      const file = join(dir, 'convert', out);
      const there = await cli(['convert', source, file, '--chunk', '7']);
      assert.equal(there.code, 0, there.err);
      assert.match(there.out, /Converted\.\n\s+input\s+.*scan\.ptyd \(ptyd\)/);
      assert.match(there.out, /frames\s+23 in 4 chunks/);
      const back = join(dir, 'convert', `back-${to}.ptyd`);
      const home = await cli(['convert', file, back, '--quiet']);
      assert.equal(home.code, 0, home.err);
      assertSame(ptydContent(back), to);
    });

    it(`a scan prepared with save '${to}' reads back as the same scan`, () => {
      const file = join(dir, 'save', out);
      mkdirSync(dirname(file), { recursive: true });
      const scan = new MaskedMoonFlower({
        num_frames: 23n,
        shape: 32n,
        save: to,
        dfile: file,
        seed: 3n,
        energy: 6.2,
        distance: 5.1,
        psize: 7.5e-5,
      });
      runToEos(scan, 10, { close: true });
      return cli(['convert', file, join(dir, 'save', `back-${to}.ptyd`), '-q']).then((run) => {
        assert.equal(run.code, 0, run.err);
        assertSame(ptydContent(join(dir, 'save', `back-${to}.ptyd`)), `save ${to}`);
      });
    });
  }

  it('.ptyd -> .ptyd is a copy of the scan', async () => {
    const copy = join(dir, 'copy.ptyd');
    const run = await cli(['convert', source, copy, '-q']);
    assert.equal(run.code, 0, run.err);
    assertSame(ptydContent(copy), 'ptyd');
  });
});
