import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ndarray } from '../../src/frames/ndarray.js';
import { H5File } from '../../src/h5/index.js';
import { readNpy } from '../../src/npy/index.js';
import { h5read } from '../../src/ptyd/index.js';
import { isNdArray, type PyDict, PyTuple, type PyValue } from '../../src/py/value.js';
import { createScan, getParams, getSource, Hdf5Loader } from '../../src/sources/index.js';
import { cli } from '../cli/helpers.js';
import { HDF5_CASES, noHdf5Corpus } from '../helpers/corpus.js';
import { quietLogger } from '../helpers/index.js';
import { python } from '../helpers/python.js';
import { decodeBitshuffleChunks } from './bitshuffle-lz4.js';
import {
  fastAt,
  fixture,
  fixtureFolder,
  H,
  loader,
  pixel,
  rawWindow,
  records,
  run,
  slowAt,
  values,
  W,
  weightsOf,
} from './hdf5-fixtures.js';

const at = fixtureFolder();

describe('Hdf5Loader: the five position/frame layouts', () => {
  // Grid point (s, f) of a 3 x 4 scan is raw frame 4 s + f in every fixture.
  const cases: [string, number, number[][]][] = [
    [
      'l1.h5',
      1,
      [
        [0, 0],
        [0, 1],
        [0, 2],
        [0, 3],
        [1, 0],
      ],
    ],
    ['l3.h5', 3, [[0], [1], [2], [3], [4]]],
    [
      'l4.h5',
      4,
      [
        [0, 0],
        [0, 1],
        [0, 2],
        [0, 3],
        [1, 0],
      ],
    ],
    ['l5.h5', 5, [[0], [1], [2], [3], [4]]],
  ];
  for (const [file, layout, first] of cases) {
    it(`layout ${layout} (${file}): frames, positions and source indices in grid order`, () => {
      const scan = loader(fixture(at(file), { shape: null }));
      assert.equal(scan.layout, layout);
      const recs = records(run(scan, 5));
      assert.equal(recs.length, 12);
      assert.deepEqual(
        first,
        [0, 1, 2, 3, 4].map((i) => scan.sourceIndex(i)),
      );
      for (const rec of recs) {
        const [s, f] = [Math.floor(rec.index / 4), rec.index % 4];
        // Meshed 1-D axes hold the grid's first column (slow) and first row (fast).
        const [ps, pf] = layout >= 4 ? [slowAt(s, 0), fastAt(0, f)] : [slowAt(s, f), fastAt(s, f)];
        // shape None squares the 16 x 20 frames to 16 x 16 around the fftshift centre (8, 10).
        assert.deepEqual(
          values(rec.data),
          rawWindow(rec.index, [0, 16], [2, 18]),
          `frame ${rec.index}`,
        );
        assert.deepEqual(Array.from(rec.position ?? []), [ps * 1e-6, pf * 2e-6]);
      }
    });
  }

  it('layout 2: per-frame positions; the positions are the frames own, not PtyScan placeholders', () => {
    const scan = loader(fixture(at('l2.h5')));
    assert.equal(scan.layout, 2);
    const chunks = run(scan, 4);
    assert.deepEqual(
      chunks.map((c) => c.chunk.indices.length),
      [4, 4, 2],
    );
    const recs = records(chunks);
    for (const rec of recs) {
      assert.equal(rec.data.dtype, 'int32');
      assert.deepEqual(Array.from(rec.position ?? []), [
        slowAt(0, rec.index) * 1e-6,
        fastAt(0, rec.index) * 2e-6,
      ]);
    }
    // ptypy's load_positions placeholder [[0, 1], [1, 2], ...] (int64) stays in info.
    const placeholder = scan.info.positions_scan;
    assert.ok(isNdArray(placeholder) && placeholder.dtype === 'int64');
    assert.deepEqual(values(placeholder).slice(0, 6), [0, 1, 1, 2, 2, 3]);
  });

  it('bounding box: an int sets the lower bound, a pair both; skip takes every n-th row and column', () => {
    const box = loader(
      fixture(at('l1.h5'), {
        positions: {
          bounding_box: { slow_axis_bounds: 1n, fast_axis_bounds: new PyTuple([1n, 3n]) },
        },
      }),
    );
    assert.deepEqual(
      box.plan.mapping.points.map((p) => p.data),
      [
        [1, 1],
        [1, 2],
        [2, 1],
        [2, 2],
      ],
    );
    const skip = loader(fixture(at('l1.h5'), { positions: { skip: 2n } }));
    assert.deepEqual(
      skip.plan.mapping.points.map((p) => p.data),
      [
        [0, 0],
        [0, 2],
        [2, 0],
        [2, 2],
      ],
    );
    const perFrame = loader(
      fixture(at('l2.h5'), { positions: { skip: 3n, bounding_box: { fast_axis_bounds: 1n } } }),
    );
    assert.deepEqual(
      perFrame.plan.mapping.points.map((p) => p.data),
      [[1], [4], [7]],
    );
  });

  it('frame filter (values > 0 keep a point, any dtype), then frame order (repeats and subsets allowed)', () => {
    const filtered = loader(
      fixture(at('l2.h5'), { framefilter: { file: at('l2.h5'), key: 'entry/ff' } }),
    );
    assert.deepEqual(
      filtered.plan.mapping.points.map((p) => p.data[0]),
      [0, 2, 3, 5, 6, 8, 9],
    );
    const order = ndarray('int64', [5], BigInt64Array.from([6n, 6n, 0n, 2n, 1n]));
    const ordered = loader(
      fixture(at('l2.h5'), {
        framefilter: { file: at('l2.h5'), key: 'entry/ff' },
        frameorder: { indices: order },
      }),
    );
    const recs = records(run(ordered, 10));
    assert.deepEqual(
      recs.map((r) => ordered.sourceIndex(r.index)[0]),
      [9, 9, 0, 3, 2],
    );
    assert.deepEqual(values(recs[0]!.data), values(recs[1]!.data));
  });

  it('positions from one (N, k) table: slow_index and fast_index pick its columns', () => {
    const scan = loader(
      fixture(at('l2.h5'), {
        positions: {
          slow_key: 'entry/motors',
          fast_key: 'entry/motors',
          slow_index: 2n,
          fast_index: 0n,
        },
      }),
    );
    const recs = records(run(scan, 10));
    assert.deepEqual(Array.from(recs[3]!.position ?? []), [
      slowAt(0, 3) * 1e-6,
      fastAt(0, 3) * 2e-6,
    ]);
  });

  it('the mapping decides the frame count: a num_frames parameter is ignored, as in ptypy', () => {
    const scan = loader(fixture(at('l2.h5'), { num_frames: 3n }));
    assert.equal(records(run(scan, 100)).length, 10);
    assert.equal(scan.meta.num_frames, 10n);
  });
});

describe('Hdf5Loader: the load window', () => {
  it('with a shape only the window is read from the file (one hyperslab per run of frames), centred at shape // 2 from then on', () => {
    const blocks: number[][] = [];
    const proto = H5File.prototype;
    const readBlock = proto.readBlock;
    const readDataset = proto.readDataset;
    const whole: string[] = [];
    proto.readBlock = function (this: H5File, path, start, count, into) {
      if (path.endsWith('entry/data')) blocks.push([...start, ...count]);
      return readBlock.call(this, path, start, count, into);
    };
    proto.readDataset = function (this: H5File, path, slice) {
      if (path.endsWith('entry/data')) whole.push(path);
      return readDataset.call(this, path, slice);
    };
    let scan: Hdf5Loader;
    try {
      scan = loader(fixture(at('l2.h5'), { shape: 8n, center: new PyTuple([7n, 12n]) }));
      const recs = records(run(scan, 4));
      for (const rec of recs)
        assert.deepEqual(values(rec.data), rawWindow(rec.index, [3, 11], [8, 16]));
    } finally {
      proto.readBlock = readBlock;
      proto.readDataset = readDataset;
    }
    assert.deepEqual(whole, []);
    // start (frame, row, column) and count (frames, rows, columns) of each read: one
    // pixel at construction (it proves the gzip filter decodes), then the windows.
    assert.deepEqual(blocks, [
      [0, 0, 0, 1, 1, 1],
      [0, 3, 8, 4, 8, 8],
      [4, 3, 8, 4, 8, 8],
      [8, 3, 8, 2, 8, 8],
    ]);
    assert.ok(isNdArray(scan.info.center) && scan.info.center.dtype === 'int64');
    assert.deepEqual(values(scan.info.center), [4, 4]);
    // meta shows the parameters until the first chunk (ptypy builds meta at construction).
    const fresh = loader(fixture(at('l2.h5'), { shape: 8n, center: new PyTuple([7n, 12n]) }));
    fresh.initialize();
    assert.ok(fresh.meta.center instanceof PyTuple);
    fresh.close();
  });

  it('a window past the bottom-right edge is cut there and padded back by PtyScan (float64)', () => {
    const recs = records(
      run(loader(fixture(at('l2.h5'), { shape: 8n, center: new PyTuple([14n, 18n]) })), 10),
    );
    const rec = recs[2]!;
    assert.equal(rec.data.dtype, 'float64');
    const got = values(rec.data);
    // Rows 10..15 and columns 14..19 exist; the last two rows and columns are padding.
    assert.deepEqual(got.slice(0, 6), rawWindow(2, [10, 11], [14, 20]));
    assert.deepEqual(got.slice(6, 8), [0, 0]);
    assert.deepEqual(got.slice(6 * 8), new Array(16).fill(0));
  });

  it('a numeric centre is taken modulo the frame; padding places the window on the padded frame, cut from the raw one', () => {
    const wrapped = loader(fixture(at('l2.h5'), { shape: 10n, center: new PyTuple([-7n, -9n]) }));
    assert.deepEqual(wrapped.plan.window.rows, [4, 14]);
    assert.deepEqual(wrapped.plan.window.cols, [6, 16]);
    const padded = loader(
      fixture(at('l2.h5'), { shape: 12n, padding: new PyTuple([2n, 1n, 3n, 0n]) }),
    );
    // padded frame 19 x 23, centre (9, 11): window [3, 15) x [5, 17) of the raw 16 x 20 frame.
    assert.deepEqual(
      [padded.plan.window.rows, padded.plan.window.cols],
      [
        [3, 15],
        [5, 17],
      ],
    );
    const rec = records(run(padded, 10))[0]!;
    assert.deepEqual(rec.data.shape, [12, 12]);
  });

  it('padding (top, bottom, left, right) pads frames and weights with zeros, so padded pixels are masked', () => {
    const pkg = run(
      loader(fixture(at('l2.h5'), { padding: new PyTuple([2n, 1n, 3n, 0n]), shape: null })),
      10,
    )[0]!;
    // 19 x 23 frames squared by PtyScan to 19 x 19 around the fftshift centre (9, 11).
    assert.deepEqual(pkg.chunk.data.shape, [10, 19, 19]);
    const w = weightsOf(pkg, 0);
    assert.deepEqual(w.slice(0, 19), new Array(19).fill(0), 'top padding');
    assert.equal(w[2 * 19 + 0], 0, 'left padding');
    assert.equal(w[2 * 19 + 1], 1);
  });

  it('auto_center true with a shape reads whole frames and crops around the mass centre of the first chunk', () => {
    const scan = loader(fixture(at('l2.h5'), { shape: 12n, auto_center: true, center: null }));
    assert.deepEqual(
      [scan.plan.window.rows, scan.plan.window.cols],
      [
        [0, H],
        [0, W],
      ],
    );
    const centre = (): PyValue | undefined => scan.info.center;
    assert.equal(centre(), null);
    run(scan, 4);
    const frozen = centre();
    assert.ok(isNdArray(frozen) && frozen.dtype === 'float64');
  });
});

describe('Hdf5Loader: files', () => {
  it('an intensities key behind an external link reads the linked file', () => {
    const recs = records(run(loader(fixture(at('top.h5'), { shape: null })), 10));
    assert.equal(recs.length, 10);
    assert.deepEqual(values(recs[7]!.data), rawWindow(7, [0, 16], [2, 18]));
  });

  it('an Eiger master: the virtual dataset over two data files, and its data group of links, give the same frames', () => {
    const params = {
      positions: { slow_key: 'entry/sample/y', fast_key: 'entry/sample/x' },
      shape: null,
    };
    const vds = records(
      run(
        loader(
          fixture(at('scan_master.h5'), {
            ...params,
            intensities: { file: at('scan_master.h5'), key: 'entry/data/data' },
          }),
        ),
        4,
      ),
    );
    const group = records(
      run(
        loader(
          fixture(at('scan_master.h5'), {
            ...params,
            intensities: { file: at('scan_master.h5'), key: 'entry/data' },
          }),
        ),
        4,
      ),
    );
    assert.equal(vds.length, 10);
    vds.forEach((rec, k) => {
      assert.equal(rec.data.dtype, 'uint32');
      assert.deepEqual(values(rec.data), rawWindow(k, [0, 16], [2, 18]), `frame ${k}`);
      assert.deepEqual(values(group[k]!.data), values(rec.data));
    });
  });

  it('LZF and bitshuffle-LZ4 (filter 32008, decoded independently from the file bytes) frames', () => {
    // 64 x 64 frames: whole bitshuffle blocks, as the independent decoder needs.
    const side = 64;
    const frame = (k: number) =>
      Array.from({ length: side * side }, (_, i) => pixel(k, Math.floor(i / side), i % side));
    const data = Uint32Array.from(
      { length: 6 * side * side },
      (_, i) => frame(Math.floor(i / (side * side)))[i % (side * side)]!,
    );
    const files: [string, object][] = [
      ['lzf.h5', { compression: { kind: 'lzf' }, chunks: [1, side, side] }],
      ['bslz4.h5', { filter: { id: 32008, cdValues: [0, 2] }, chunks: [1, side, side] }],
    ];
    for (const [name, options] of files) {
      const f = H5File.open(at(name), 'w');
      f.writeArray('/entry/data', ndarray('uint32', [6, side, side], data), options);
      f.writeArray('/entry/sy', ndarray('float64', [6], Float64Array.from([0, 1, 2, 3, 4, 5])));
      f.writeArray('/entry/sx', ndarray('float64', [6], Float64Array.from([0, 1, 2, 3, 4, 5])));
      f.close();
      const recs = records(run(loader(fixture(at(name), { shape: null })), 4));
      assert.equal(recs.length, 6);
      recs.forEach((rec, k) => {
        assert.deepEqual(values(rec.data), frame(k), `${name} frame ${k}`);
      });
    }
    const h5 = H5File.open(at('bslz4.h5'));
    const entry = h5.entry('/entry/data');
    h5.close();
    assert.ok(entry.kind === 'dataset' && entry.filters.some((x) => x.id === 32008));
    const decoded = decodeBitshuffleChunks(
      new Uint8Array(readFileSync(at('bslz4.h5'))),
      side * side * 4,
      4,
    );
    assert.equal(decoded.length, 6);
    assert.deepEqual(Array.from(new Uint32Array(decoded[5]!.buffer)), frame(5));
    assert.ok(statSync(at('bslz4.h5')).size < data.byteLength / 2, 'the chunks are compressed');
  });

  it('int64 frames keep their dtype, as their weights do (int64 ones without a mask)', () => {
    const pkg = run(
      loader(
        fixture(at('l2.h5'), {
          intensities: { file: at('l2.h5'), key: 'entry/data_i64' },
          shape: 12n,
        }),
      ),
      10,
    )[0]!;
    assert.equal(pkg.chunk.data.dtype, 'int64');
    assert.equal(pkg.chunk.weights.dtype, 'int64');
    assert.deepEqual(values(pkg.iterable[4]!.data), rawWindow(4, [2, 14], [4, 16]));
  });
});

describe('Hdf5Loader: registry, parameters and saving', () => {
  it('is registered as Hdf5Loader with ptypy defaults (shape None, auto_center None); createScan resolves relative files', async () => {
    assert.equal(getSource('Hdf5Loader'), Hdf5Loader);
    const tree = getParams('Hdf5Loader');
    assert.equal(tree.get('shape')?.default, null);
    assert.equal(tree.get('auto_center')?.default, null);
    assert.equal(tree.get('normalisation.sigma')?.default, 3n);
    const scan = await createScan(
      { name: 'Hdf5Loader', ...fixture('l2.h5', { positions: { file: 'l2.h5' } }) },
      { baseDir: at(''), logger: quietLogger },
    );
    assert.ok(scan instanceof Hdf5Loader);
    assert.equal(records(run(scan, 10)).length, 10);
  });

  it("a saved .ptyd holds int64 weights and ptypy's nested parameter groups as 'param' groups (read by h5py)", () => {
    const dfile = at('out.ptyd');
    run(loader(fixture(at('l2.h5'), { shape: 12n, save: 'append', dfile })), 4);
    const out = JSON.parse(
      python(
        `import sys, json, h5py
f = h5py.File(sys.argv[1], 'r')
print(json.dumps({'weights': str(f['chunks/0/weights'].dtype), 'positions': f['info/positions'].attrs['type'],
  'bbox': f['info/positions/bounding_box'].attrs['type'], 'info': f['info'].attrs['type'],
  'skip': int(f['info/positions/skip'][()]), 'scan': str(f['info/positions_scan'].dtype),
  'data': f['chunks/2/data'][1].tolist()}))`,
        [dfile],
      ),
    ) as Record<string, unknown>;
    assert.deepEqual(
      { ...out, data: undefined },
      {
        weights: 'int64',
        positions: 'param',
        bbox: 'param',
        info: 'dict',
        skip: 1,
        scan: 'int64',
        data: undefined,
      },
    );
    assert.deepEqual((out.data as number[][]).flat(), rawWindow(9, [2, 14], [4, 16]));
  });
});

describe('Hdf5Loader: the README example', () => {
  it("the README's ptypy config, as YAML, runs unchanged through ptyscan prepare and gives ptypy's frames", {
    skip: noHdf5Corpus,
  }, async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Hdf5Loader'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(yaml !== undefined, 'the section has a YAML config');
    const work = at('readme');
    mkdirSync(work);
    symlinkSync(join(HDF5_CASES, 'eiger_master_vds_bslz4/raw'), join(work, 'raw'));
    writeFileSync(join(work, 'scan.yaml'), yaml);
    const done = await cli(['prepare', join(work, 'scan.yaml'), '--chunk', '20', '--quiet']);
    assert.equal(done.code, 0, done.err);
    const file = h5read(join(work, 'scan.ptyd')) as PyDict;
    const chunk = (file.chunks as PyDict)['0'] as PyDict;
    const expected = readNpy(join(HDF5_CASES, 'eiger_master_vds_bslz4/expected/call_0_data.npy'));
    assert.ok(isNdArray(chunk.data));
    assert.equal(chunk.data.dtype, 'uint32');
    assert.deepEqual(values(chunk.data), values(expected));
  });
});
