/**
 * The files ptyscan writes, read with plain h5py (Debian's python3-h5py):
 * every field docs/formats.md lists, at its path, with its shape, dtype and
 * units; the NeXus classes and links of NXcxi_ptycho; and the reads PyNX's
 * CXI loader and ptychodus's CXI and fold_slice readers do.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { h5ready } from '../../src/h5/index.js';
import { cli } from '../cli/helpers.js';
import { python, tempDir } from '../helpers/index.js';
import { simulatedPtyd } from './helpers.js';

const N = 23;
const SIDE = 32;
const dir = tempDir('layout');
let source = '';

before(async () => {
  await h5ready();
  source = simulatedPtyd(dir, 'scan.ptyd', N, SIDE);
});

/** A field as docs/formats.md lists it: path, shape, dtype, units (null: no units attribute). */
type Field = [path: string, shape: (number | null)[], dtype: string, units: string | null];

const FRAMES: (number | null)[] = [N, SIDE, SIDE];

/** Shared by CXI and NXcxi_ptycho. */
const CXI_COMMON: Field[] = [
  ['/cxi_version', [], 'int64', null],
  ['/entry_1/program_name', [], 'string', null],
  ['/entry_1/instrument_1/name', [], 'string', null],
  ['/entry_1/data_1/data', FRAMES, 'int32', null],
  ['/entry_1/data_1/translation', [N, 3], 'float64', 'm'],
  ['/entry_1/instrument_1/source_1/energy', [], 'float64', 'J'],
  ['/entry_1/instrument_1/detector_1/distance', [], 'float64', 'm'],
  ['/entry_1/instrument_1/detector_1/x_pixel_size', [], 'float64', 'm'],
  ['/entry_1/instrument_1/detector_1/y_pixel_size', [], 'float64', 'm'],
  ['/entry_1/instrument_1/detector_1/beam_center_x', [], 'float64', 'pixel'],
  ['/entry_1/instrument_1/detector_1/beam_center_y', [], 'float64', 'pixel'],
  ['/entry_1/instrument_1/detector_1/mask', [SIDE, SIDE], 'uint32', null],
];

const LAYOUTS: Record<string, { out: string; fields: Field[] }> = {
  cxi: {
    out: 'scan.cxi',
    fields: [...CXI_COMMON, ['/entry_1/sample_1/geometry_1/translation', [3, N], 'float64', 'm']],
  },
  nxcxi: {
    out: 'scan.nxs',
    fields: [
      ...CXI_COMMON,
      ['/entry_1/definition', [], 'string', null],
      ['/entry_1/instrument_1/source_1/probe', [], 'string', null],
      ['/entry_1/instrument_1/beam_1/energy', [], 'float64', 'J'],
      ['/entry_1/instrument_1/beam_1/incident_beam_energy', [], 'float64', 'J'],
      ['/entry_1/instrument_1/detector_1/data', FRAMES, 'int32', null],
      ['/entry_1/instrument_1/detector_1/translation', [N, 3], 'float64', 'm'],
      ['/entry_1/sample_1/geometry_1/translation', [N, 3], 'float64', 'm'],
      ['/entry_1/sample_1/transformations/x', [N], 'float64', 'm'],
      ['/entry_1/sample_1/transformations/y', [N], 'float64', 'm'],
      ['/entry_1/data/data', FRAMES, 'int32', null],
      ['/entry_1/data/x', [N], 'float64', 'm'],
      ['/entry_1/data/y', [N], 'float64', 'm'],
    ],
  },
  'fold-slice': {
    out: 'pty/1/data_roi0_dp.hdf5',
    fields: [['/dp', FRAMES, 'int32', null]],
  },
};

/** The positions file of the fold-slice output. */
const FOLD_SLICE_POSITIONS: Field[] = [
  ['/ppX', [N], 'float64', 'm'],
  ['/ppY', [N], 'float64', 'm'],
  ['/energy', [], 'float64', 'keV'],
  ['/detector_dist', [], 'float64', 'm'],
  ['/psize', [2], 'float64', 'm'],
  ['/mask', [SIDE, SIDE], 'uint8', null],
];

const DESCRIBE = `
import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
out = {}
for path in json.loads(sys.argv[2]):
    if path not in f:
        out[path] = None
        continue
    d = f[path]
    kind = 'string' if h5py.check_string_dtype(d.dtype) else d.dtype.name
    units = d.attrs.get('units')
    out[path] = [list(d.shape), kind, units.decode() if isinstance(units, bytes) else units]
print(json.dumps(out))
`;

/** What h5py finds at each field's path: shape, dtype, units. */
function describeFields(file: string, fields: readonly Field[]): void {
  const found = JSON.parse(python(DESCRIBE, [file, JSON.stringify(fields.map((f) => f[0]))]));
  for (const [path, shape, dtype, units] of fields) {
    assert.deepEqual(found[path], [shape, dtype, units], `${file}:${path}`);
  }
}

async function convert(to: string): Promise<string> {
  const file = join(dir, LAYOUTS[to]!.out);
  const run = await cli(['convert', source, file, '--to', to, '-q']);
  assert.equal(run.code, 0, run.err);
  return file;
}

describe('exchange files read with h5py', () => {
  for (const [to, { fields }] of Object.entries(LAYOUTS)) {
    it(`${to}: every field at its path, with its shape, dtype and units`, async () => {
      const file = await convert(to);
      describeFields(file, fields);
      if (to === 'fold-slice') {
        describeFields(join(dir, 'pty/1/data_roi0_para.hdf5'), FOLD_SLICE_POSITIONS);
      }
    });
  }

  it("cxi: PyNX's loader finds its fields (positions as 3 x N rows, energy in J, the mask)", async () => {
    const file = await convert('cxi');
    const got = JSON.parse(
      python(
        `import h5py, json, sys, numpy as np
cxi = h5py.File(sys.argv[1], 'r')
x, y = cxi['/entry_1/sample_1/geometry_1/translation'][0:2]
name = cxi['/entry_1/instrument_1/name'][()]
nrj = cxi['/entry_1/instrument_1/source_1/energy'][()] / 1.60218e-16
frames = cxi['/entry_1/data_1/data'][list(range(3))]
mask = (cxi['/entry_1/instrument_1/detector_1/mask'][()] != 0).astype(np.int8)
t = cxi['/entry_1/data_1/translation'][()]
print(json.dumps({'n': len(x), 'x_is_col0': bool(np.array_equal(x, t[:, 0])),
  'y_is_col1': bool(np.array_equal(y, t[:, 1])), 'name': name.decode() if isinstance(name, bytes) else name,
  'kev': float(nrj), 'frames': list(frames.shape), 'masked': int(mask.sum()),
  'version': int(cxi['cxi_version'][()]), 'axes': cxi['/entry_1/data_1/data'].attrs['axes']}))`,
        [file],
      ),
    );
    assert.deepEqual(got, {
      n: N,
      x_is_col0: true,
      y_is_col1: true,
      name: 'unknown',
      kev: got.kev,
      frames: [3, SIDE, SIDE],
      masked: SIDE + 3,
      version: 160,
      axes: 'translation:y:x',
    });
    // PyNX's own constant for the electronvolt is rounded: it reads 6.19999 keV.
    assert.ok(Math.abs(got.kev - 6.2) < 1e-4, String(got.kev));
  });

  it("cxi and nxcxi: positions are x, y, 0 of the scan's (y, x) in metres", async () => {
    const positions = JSON.parse(
      python(
        `import h5py, json, sys, numpy as np
f = h5py.File(sys.argv[1], 'r')
p = np.concatenate([f['chunks'][k]['positions'][()] for k in sorted(f['chunks'], key=int)])
print(json.dumps(p.tolist()))`,
        [source],
      ),
    ) as [number, number][];
    for (const to of ['cxi', 'nxcxi']) {
      const file = await convert(to);
      const t = JSON.parse(
        python(
          `import h5py, json, sys
print(json.dumps(h5py.File(sys.argv[1], 'r')['/entry_1/data_1/translation'][()].tolist()))`,
          [file],
        ),
      ) as number[][];
      assert.deepEqual(
        t,
        positions.map(([y, x]) => [x, y, 0]),
        to,
      );
    }
  });

  it('nxcxi: NeXus classes, definition, the default plot, and links that are one dataset', async () => {
    const file = await convert('nxcxi');
    const got = JSON.parse(
      python(
        `import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
a = lambda p, k: (lambda v: v.decode() if isinstance(v, bytes) else v)(f[p].attrs.get(k))
classes = {p: a(p, 'NX_class') for p in ['/', '/entry_1', '/entry_1/instrument_1',
  '/entry_1/instrument_1/source_1', '/entry_1/instrument_1/beam_1',
  '/entry_1/instrument_1/detector_1', '/entry_1/data_1', '/entry_1/sample_1',
  '/entry_1/sample_1/transformations', '/entry_1/sample_1/geometry_1', '/entry_1/data']}
det = f['/entry_1/instrument_1/detector_1/data']
tr = f['/entry_1/instrument_1/detector_1/translation']
links = {'data_1/data': f['/entry_1/data_1/data'].id == det.id,
  'data/data': f['/entry_1/data/data'].id == det.id,
  'data_1/translation': f['/entry_1/data_1/translation'].id == tr.id,
  'geometry_1/translation': f['/entry_1/sample_1/geometry_1/translation'].id == tr.id,
  'data/x': f['/entry_1/data/x'].id == f['/entry_1/sample_1/transformations/x'].id}
d = f['/entry_1/definition'][()]
print(json.dumps({'classes': classes, 'links': links,
  'definition': d.decode() if isinstance(d, bytes) else d,
  'default': [a('/', 'default'), a('/entry_1', 'default')],
  'signal': a('/entry_1/data', 'signal'), 'interpretation': a('/entry_1/data/data', 'interpretation'),
  'target': a('/entry_1/data_1/data', 'target')}))`,
        [file],
      ),
    );
    assert.deepEqual(got.classes, {
      '/': 'NXroot',
      '/entry_1': 'NXentry',
      '/entry_1/instrument_1': 'NXinstrument',
      '/entry_1/instrument_1/source_1': 'NXsource',
      '/entry_1/instrument_1/beam_1': 'NXbeam',
      '/entry_1/instrument_1/detector_1': 'NXdetector',
      '/entry_1/data_1': 'NXcollection',
      '/entry_1/sample_1': 'NXsample',
      '/entry_1/sample_1/transformations': 'NXtransformations',
      '/entry_1/sample_1/geometry_1': 'NXcollection',
      '/entry_1/data': 'NXdata',
    });
    assert.ok(
      Object.values(got.links).every((v) => v === true),
      JSON.stringify(got.links),
    );
    assert.equal(got.definition, 'NXcxi_ptycho');
    assert.deepEqual(got.default, ['entry_1', 'data']);
    assert.equal(got.signal, 'data');
    assert.equal(got.interpretation, 'image');
    assert.equal(got.target, '/entry_1/instrument_1/detector_1/data');
  });

  it("fold-slice: ptychodus's and fold_slice's reads (/dp frames, /ppX and /ppY in metres)", async () => {
    const file = await convert('fold-slice');
    const got = JSON.parse(
      python(
        `import h5py, json, sys, numpy as np
dp = h5py.File(sys.argv[1], 'r')['/dp']
para = h5py.File(sys.argv[2], 'r')
s = h5py.File(sys.argv[3], 'r')
p = np.concatenate([s['chunks'][k]['positions'][()] for k in sorted(s['chunks'], key=int)])
d = np.concatenate([s['chunks'][k]['data'][()] for k in sorted(s['chunks'], key=int)])
pp_x = np.squeeze(para['/ppX']); pp_y = np.squeeze(para['/ppY'])
print(json.dumps({'frames': bool(np.array_equal(dp[()], d)), 'chunks': list(dp.chunks),
  'x': bool(np.array_equal(pp_x, p[:, 1])), 'y': bool(np.array_equal(pp_y, p[:, 0])),
  'valid': int(para['/mask'][()].sum())}))`,
        [file, join(dir, 'pty/1/data_roi0_para.hdf5'), source],
      ),
    );
    assert.deepEqual(got, {
      frames: true,
      chunks: [1, SIDE, SIDE],
      x: true,
      y: true,
      valid: SIDE * SIDE - SIDE - 3,
    });
  });
});
