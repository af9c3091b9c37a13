/**
 * A real consumer: ptychodus's own CXI and fold_slice readers (its
 * `plugins/cxi_file.py`, `h5_diffraction_file.py`, `fold_slice_position_file.py`)
 * read the files ptyscan writes. Needs a ptychodus checkout: set
 * PTYCHODUS_SRC to the folder holding its `ptychodus` package (the checkout's
 * `src/`); its readers run on Debian's python3-numpy and python3-h5py.
 * Skipped otherwise.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { h5ready } from '../../src/h5/index.js';
import { cli } from '../cli/helpers.js';
import { python, tempDir } from '../helpers/index.js';
import { type PtydContent, ptydContent, simulatedPtyd } from './helpers.js';

const SRC = process.env.PTYCHODUS_SRC;
const skip =
  SRC === undefined || !existsSync(join(SRC, 'ptychodus', 'plugins', 'cxi_file.py'))
    ? 'set PTYCHODUS_SRC to the src/ folder of a ptychodus checkout to run its readers'
    : false;

const READ = `
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from ptychodus.plugins.cxi_file import CXIDiffractionFileReader, CXIPositionFileReader
from ptychodus.plugins.h5_diffraction_file import H5DiffractionFileReader
from ptychodus.plugins.fold_slice_position_file import FoldSlicePositionFileReader

def patterns(dataset):
    return [a.get_patterns().ravel().tolist() for a in dataset]

def positions(seq):
    return [[p.coordinate_x_m, p.coordinate_y_m] for p in seq]

cxi = CXIDiffractionFileReader().read(Path(sys.argv[2]))
meta = cxi.get_metadata()
fold = H5DiffractionFileReader(data_path='/dp').read(Path(sys.argv[3]))
print(json.dumps({
  'cxi': {'count': list(meta.num_patterns_per_array), 'distance': meta.detector_distance_m,
          'pixel': [meta.detector_pixel_geometry.width_m, meta.detector_pixel_geometry.height_m],
          'extent': [meta.detector_extent.width_px, meta.detector_extent.height_px],
          'energy_eV': meta.probe_energy_eV, 'frames': patterns(cxi),
          'positions': positions(CXIPositionFileReader().read(Path(sys.argv[2])))},
  'fold': {'count': list(fold.get_metadata().num_patterns_per_array), 'frames': patterns(fold),
           'positions': positions(FoldSlicePositionFileReader().read(Path(sys.argv[4])))},
}))
`;

describe('ptychodus reads what ptyscan writes', { skip }, () => {
  const dir = tempDir('ptychodus');
  let source: PtydContent;
  let got: {
    cxi: Record<string, unknown> & { frames: number[][]; positions: number[][] };
    fold: Record<string, unknown> & { frames: number[][]; positions: number[][] };
  };

  before(async () => {
    await h5ready();
    const ptyd = simulatedPtyd(dir, 'scan.ptyd', 12, 16, 5);
    source = ptydContent(ptyd);
    const cxi = join(dir, 'scan.cxi');
    const fold = join(dir, '1', 'data_roi0_dp.hdf5');
    for (const out of [cxi, fold]) {
      const run = await cli(['convert', ptyd, out, '-q']);
      assert.equal(run.code, 0, run.err);
    }
    got = JSON.parse(python(READ, [SRC!, cxi, fold, join(dir, '1', 'data_roi0_para.hdf5')]));
  });

  const frames = () => Array.from(source.data.data as Int32Array);
  const positions = () =>
    Array.from({ length: source.positions.length / 2 }, (_, i) => [
      source.positions[2 * i + 1],
      source.positions[2 * i],
    ]);

  it('CXIDiffractionFileReader: the frames, distance, pixel size and energy', () => {
    assert.deepEqual(got.cxi.count, [12]);
    assert.deepEqual(got.cxi.extent, [16, 16]);
    assert.deepEqual(got.cxi.frames.flat(), frames());
    assert.equal(got.cxi.distance, 5.1);
    assert.deepEqual(got.cxi.pixel, [7.5e-5, 7.5e-5]);
    assert.ok(Math.abs(Number(got.cxi.energy_eV) - 6200) < 1e-9, String(got.cxi.energy_eV));
  });

  it('CXIPositionFileReader: x and y in metres', () => {
    assert.deepEqual(got.cxi.positions, positions());
  });

  it('the fold_slice readers: /dp frames, and /ppX /ppY', () => {
    assert.deepEqual(got.fold.count, [12]);
    assert.deepEqual(got.fold.frames.flat(), frames());
    assert.deepEqual(got.fold.positions, positions());
  });
});
