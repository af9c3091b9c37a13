import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CenterError,
  FileFormatError,
  FrameError,
  MissingDataError,
  ParameterError,
  type PtyscanError,
} from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { PyTuple } from '../../src/py/value.js';
import type { ScanParams } from '../../src/scan/pty-scan.js';
import { Hdf5Loader, SwmrLoader } from '../../src/sources/index.js';
import { python } from '../helpers/python.js';
import { fixture, fixtureFolder, loader } from './hdf5-fixtures.js';

const at = fixtureFolder();

/** Constructing (and initialising) fails with `cls`, and the error passes `check`. */
function fails(
  params: ScanParams,
  cls: new (...a: never[]) => PtyscanError,
  check: (e: PtyscanError) => void,
): void {
  assert.throws(
    () => loader(params).initialize(),
    (error: unknown) => {
      assert.ok(error instanceof cls, `expected ${cls.name}, found ${String(error)}`);
      check(error);
      return true;
    },
  );
}

const l2 = () => at('l2.h5');
const key = (k: string) => ({ file: l2(), key: k });

describe('Hdf5Loader: bad input gives a typed error naming file, dataset or parameter', () => {
  it('missing required keys are listed together', () => {
    assert.throws(
      () => new Hdf5Loader({ intensities: { key: 'entry/data' } }),
      (e: unknown) =>
        e instanceof ParameterError &&
        e.problems.map((p) => p.path).join() ===
          'intensities.file,positions.slow_key,positions.fast_key',
    );
  });

  it('a missing file names the file and the parameter', () => {
    fails(fixture(at('nothere.h5'), { positions: { file: l2() } }), FileFormatError, (e) => {
      assert.equal(e.file, at('nothere.h5'));
      assert.equal(e.parameter, 'intensities.file');
    });
  });

  it('a key that does not exist names file, key, and what the nearest group holds', () => {
    fails(fixture(l2(), { intensities: key('entry/nothing') }), FileFormatError, (e) => {
      assert.equal(e.dataset, 'entry/nothing');
      assert.equal(e.parameter, 'intensities.key');
      assert.match(e.message, /\/entry holds .*data_u16/);
    });
  });

  it('an external link to a data file that does not exist names that file', () => {
    fails(
      fixture(at('top.h5'), { intensities: { file: at('top.h5'), key: 'entry/dead' } }),
      MissingDataError,
      (e) => {
        assert.match(e.message, /nothere\.h5/);
        assert.equal(e.parameter, 'intensities.key');
      },
    );
  });

  it('a virtual dataset whose data file is missing names it (HDF5 would read zeros)', () => {
    const master = at('broken_master.h5');
    fails(
      fixture(master, {
        intensities: { file: master, key: 'entry/data/data' },
        positions: { slow_key: 'entry/sample/y', fast_key: 'entry/sample/x' },
      }),
      MissingDataError,
      (e) => {
        assert.match(e.message, /scan_data_000009\.h5/);
        assert.equal(e.expected, 'the data file scan_data_000009.h5');
      },
    );
  });

  it('positions that fit the frames in no layout name both position shapes and the frames', () => {
    fails(fixture(l2(), { positions: { file: at('l3.h5') } }), FrameError, (e) => {
      assert.match(
        e.message,
        /slow .*l3\.h5:entry\/sy has shape \(3, 4\).*the frames \(10, 16, 20\)/,
      );
      assert.equal(e.parameter, 'positions');
    });
  });

  it('a mask, dark or flat of the wrong shape names its shape and the ones it may have', () => {
    for (const param of ['mask', 'darkfield', 'flatfield']) {
      fails(fixture(l2(), { [param]: key('entry/i0') }), FrameError, (e) => {
        assert.equal(e.parameter, `${param}.key`);
        assert.equal(e.found, '(10,)');
        assert.match(e.expected ?? '', /\(16, 20\).*\(10, 16, 20\)/);
      });
    }
  });

  it('a frame filter or normalisation that does not fit the scan names its shape', () => {
    fails(fixture(l2(), { framefilter: key('entry/mask') }), FrameError, (e) => {
      assert.equal(e.parameter, 'framefilter.key');
      assert.equal(e.found, '(16, 20)');
    });
    fails(fixture(l2(), { normalisation: key('entry/mask') }), FrameError, (e) => {
      assert.equal(e.parameter, 'normalisation.key');
    });
  });

  it('a normalisation laid out like the frames fails at the first chunk, where ptypy fails', () => {
    const scan = loader(
      fixture(at('l1.h5'), { normalisation: { file: at('l1.h5'), key: 'entry/data' } }),
    );
    scan.initialize();
    assert.throws(
      () => scan.auto(4),
      (e: unknown) =>
        e instanceof FrameError &&
        e.parameter === 'normalisation.key' &&
        e.found === '(3, 4, 16, 20)',
    );
    scan.close();
  });

  it('a frame order index outside the selection, and a bounding box past the scan, fail at construction', () => {
    const order = ndarray('int64', [3], BigInt64Array.from([2n, 10n, 0n]));
    fails(fixture(l2(), { frameorder: { indices: order } }), ParameterError, (e) => {
      assert.equal(e.parameter, 'frameorder.indices');
      assert.equal(e.found, '10');
      assert.match(e.expected ?? '', /0\.\.9/);
    });
    const box = { bounding_box: { fast_axis_bounds: new PyTuple([0n, 14n]) } };
    fails(fixture(l2(), { positions: box }), ParameterError, (e) => {
      assert.equal(e.parameter, 'positions.bounding_box');
      assert.match(e.found ?? '', /scan point \(10,\)/);
    });
  });

  it('a load window that starts before the frame is a CenterError naming the window', () => {
    fails(fixture(l2(), { shape: 12n, center: new PyTuple([3n, 10n]) }), CenterError, (e) => {
      assert.equal(e.parameter, 'center');
      assert.equal(e.found, 'window [-3, 9)');
    });
  });

  it('padding must be four ints; a recorded value must be one value; numbers must be numbers', () => {
    fails(fixture(l2(), { padding: 2n }), ParameterError, (e) =>
      assert.equal(e.parameter, 'padding'),
    );
    fails(fixture(l2(), { recorded_distance: key('entry/energies') }), FileFormatError, (e) => {
      assert.equal(e.parameter, 'recorded_distance.key');
      assert.equal(e.found, '(3,)');
    });
    fails(fixture(l2(), { intensities: key('entry/title') }), FileFormatError, (e) =>
      assert.match(e.message, /string/),
    );
  });

  it('frames compressed with a filter no plugin decodes: the filter id and what to do, at construction', () => {
    // h5py writes the chunks directly, so the file lists a filter nobody has (id 32099).
    python(
      `import sys, h5py, numpy as np
from h5py import h5p, h5z, h5d, h5s, h5t
with h5py.File(sys.argv[1], 'w') as f:
    dcpl = h5p.create(h5p.DATASET_CREATE); dcpl.set_chunk((1, 16, 20)); dcpl.set_filter(32099, h5z.FLAG_OPTIONAL, ())
    d = h5py.Dataset(h5d.create(f.create_group('entry').id, b'data', h5t.STD_I32LE, h5s.create_simple((2, 16, 20)), dcpl=dcpl))
    for k in range(2): d.id.write_direct_chunk((k, 0, 0), np.full((16, 20), k, np.int32).tobytes(), filter_mask=0)
    f['entry/sy'] = np.arange(2.0); f['entry/sx'] = np.arange(2.0)`,
      [at('unknown-filter.h5')],
    );
    fails(fixture(at('unknown-filter.h5')), FileFormatError, (e) => {
      assert.equal(e.found, 'filter 32099 (no name in the file)');
      assert.match(e.message, /h5repack -f NONE/);
      // How to get a plugin for it: hdf5plugin's collection and where libhdf5 looks for plugins.
      assert.match(e.message, /python3-hdf5plugin .*HDF5_PLUGIN_PATH/);
      assert.equal(e.parameter, 'intensities.key');
    });
  });

  it('a NaN or infinite position is a FrameError naming the dataset, the parameter and the frame', () => {
    python(
      `import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w') as f:
    f['entry/data'] = np.arange(10 * 16 * 20, dtype=np.int32).reshape(10, 16, 20)
    sx = np.arange(10.0); sx[6] = np.nan; f['entry/sx'] = sx
    sy = np.zeros(10); sy[8] = np.inf; f['entry/sy'] = sy`,
      [at('nan-positions.h5')],
    );
    const file = at('nan-positions.h5');
    const scan = loader(fixture(file));
    scan.initialize();
    const first = scan.auto(4);
    assert.ok(
      first.msg === 'data' && first.iterable.length === 4,
      'the frames before it are handed out',
    );
    assert.throws(
      () => scan.auto(4),
      (e: unknown) =>
        e instanceof FrameError &&
        e.parameter === 'positions.fast_key' &&
        e.frame === 6 &&
        e.found === 'NaN' &&
        e.message.includes(`${file}:entry/sx`),
    );
    scan.close();
    const late = loader(
      fixture(file, { positions: { fast_key: 'entry/sy', slow_key: 'entry/sy' } }),
    );
    late.initialize();
    late.auto(8);
    assert.throws(
      () => late.auto(2),
      (e: unknown) =>
        e instanceof FrameError &&
        e.frame === 8 &&
        e.found === 'Infinity' &&
        /entry\/sy/.test(e.message),
    );
    late.close();
  });

  it('an outer index past a spectro scan names outer_index', () => {
    const spectro = at('spectro.h5');
    fails(
      fixture(spectro, {
        outer_index: 5n,
        recorded_energy: { file: spectro, key: 'entry/energy' },
      }),
      MissingDataError,
      (e) => assert.equal(e.parameter, 'outer_index'),
    );
  });
});

describe('SwmrLoader: its parameters, as ptypy requires them', () => {
  it('every missing live or expected-shape key and a positions file apart from the frames are listed together', () => {
    const params = fixture(l2(), {
      intensities: { file: l2(), key: 'entry/data', live_key: 'entry/sx' },
      positions: { file: at('other.h5') },
    });
    assert.throws(
      () => loader(params, SwmrLoader),
      (error: unknown) => {
        assert.ok(error instanceof ParameterError, String(error));
        assert.deepEqual(error.problems.map((p) => p.path).sort(), [
          'positions.fast_key_with_expected_shape',
          'positions.file',
          'positions.live_fast_key',
          'positions.live_slow_key',
          'positions.slow_key_with_expected_shape',
        ]);
        assert.equal(
          error.problems.find((p) => p.path === 'positions.file')?.found,
          at('other.h5'),
        );
        return true;
      },
    );
  });
});
