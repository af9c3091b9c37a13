import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { NdArray } from '../../src/frames/ndarray.js';
import { H5File, h5ready } from '../../src/h5/index.js';
import { readNpy } from '../../src/npy/index.js';
import { h5read, h5write } from '../../src/ptyd/index.js';
import type { PyDict } from '../../src/py/value.js';
import { CASES, noCorpus } from '../helpers/corpus.js';
import { tempDir } from '../helpers/index.js';
import { asWrittenByUs } from './helpers.js';

interface StructureEntry {
  path: string;
  kind: string;
  numpy_dtype?: string;
  shape?: number[];
  layout?: string;
  chunks?: number[] | null;
  compression?: string | null;
  compression_opts?: number | null;
  value?: unknown;
  target_file?: string;
  target_path?: string;
  attrs?: Record<string, { value: unknown }>;
}

interface Structure {
  root_attrs: Record<string, { value: unknown }>;
  entries: StructureEntry[];
}

const SAVE_CASES = [
  'save_append',
  'save_link',
  'save_append_partial',
  'save_append_no_positions',
  'meta_types_psize_tuple_int_energy',
];
const ASCTIME =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}$/;

const dir = tempDir('h5rw');
before(async () => {
  await h5ready();
});

function structureOf(name: string): Structure {
  return JSON.parse(
    readFileSync(join(CASES, name, 'expected/out.ptyd.structure.json'), 'utf8'),
  ) as Structure;
}

/** Stored values as JSON-like nested lists (bigints as numbers, bools kept). */
function plain(
  data: NdArray | { dtype: 'string'; shape: readonly number[]; data: readonly string[] },
): unknown {
  const flat: unknown[] =
    data.dtype === 'string'
      ? [...data.data]
      : Array.from(data.data as ArrayLike<number | bigint>, (v) =>
          data.dtype === 'bool' ? v === 1 : Number(v),
        );
  if (data.shape.length === 0) return flat[0];
  const nest = (axis: number, offset: number): unknown[] => {
    const n = data.shape[axis] ?? 0;
    const stride = data.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, i) =>
      axis === data.shape.length - 1 ? flat[offset + i] : nest(axis + 1, offset + i * stride),
    );
  };
  return nest(0, 0);
}

function boolsAsInts(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return value.map(boolsAsInts);
  return value;
}

/** Checks an HDF5 file against a structure listing; `ours` allows bool stored as int8 and other chunk shapes. */
function checkStructure(file: string, structure: Structure, ours: boolean): void {
  const f = H5File.open(file);
  try {
    assert.equal(f.readStringAttribute('/', 'h5rw_version'), '0.1');
    for (const t of ['ctime', 'mtime']) assert.match(f.readStringAttribute('/', t) ?? '', ASCTIME);
    for (const e of structure.entries) {
      const type = e.attrs?.type?.value;
      if (e.kind === 'group') {
        assert.equal(f.resolve(e.path).kind, 'group', e.path);
        assert.equal(f.readStringAttribute(e.path, 'type'), type, e.path);
      } else if (e.kind === 'external_link') {
        const link = f.entry(e.path);
        assert.deepEqual(link, {
          kind: 'external-link',
          path: e.path,
          targetFile: e.target_file,
          targetPath: e.target_path,
          dead: false,
        });
      } else if (e.kind === 'group(target root)') {
        const linkPath = e.path.split(' -> ')[0] ?? '';
        assert.equal(f.readStringAttribute(linkPath, 'h5rw_version'), '0.1');
        assert.match(f.readStringAttribute(linkPath, 'ctime') ?? '', ASCTIME);
        assert.equal(
          f.readStringAttribute(linkPath, 'type'),
          undefined,
          'linked roots have no type',
        );
      } else if (e.kind === 'dataset') {
        const d = f.resolve(e.path);
        assert.equal(d.kind, 'dataset', e.path);
        if (d.kind !== 'dataset') continue;
        const expectedType =
          e.numpy_dtype === 'object'
            ? 'string'
            : e.numpy_dtype === 'bool' && ours
              ? 'int8'
              : e.numpy_dtype;
        assert.equal(d.dtype, expectedType, e.path);
        assert.deepEqual(d.shape, e.shape, e.path);
        assert.equal(f.readStringAttribute(e.path, 'type'), type, e.path);
        if (e.layout === 'CONTIGUOUS') assert.equal(d.chunks, null, e.path);
        else if (!ours) assert.deepEqual(d.chunks, e.chunks, e.path);
        else assert.notEqual(d.chunks, null, e.path);
        if (e.compression === 'gzip')
          assert.deepEqual(
            d.filters.map((x) => [x.id, x.cdValues]),
            [[1, [e.compression_opts]]],
            e.path,
          );
        if ('value' in e) {
          const stored = plain(f.readDataset(e.path));
          assert.deepEqual(
            stored,
            ours && d.dtype === 'int8' ? boolsAsInts(e.value) : e.value,
            e.path,
          );
        }
      } else {
        assert.fail(`unexpected entry kind ${e.kind}`);
      }
    }
  } finally {
    f.close();
  }
}

function chunkArrays(value: PyDict): Array<{ data: NdArray; weights: NdArray }> {
  const chunks = value.chunks as PyDict;
  return Object.keys(chunks)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => {
      const c = chunks[k] as PyDict;
      return { data: c.data as NdArray, weights: c.weights as NdArray };
    });
}

describe('reading ptypy-written .ptyd files', { skip: noCorpus }, () => {
  for (const name of SAVE_CASES) {
    it(`${name}: structure, dtypes, type attributes and values match the listing`, () => {
      checkStructure(join(CASES, name, 'expected/out.ptyd'), structureOf(name), false);
    });

    it(`${name}: h5read gives the frames and weights ptypy returned`, () => {
      const value = h5read(join(CASES, name, 'expected/out.ptyd'));
      const chunks = chunkArrays(value);
      assert.ok(chunks.length >= 2);
      chunks.forEach((c, i) => {
        const expected = join(CASES, name, `expected/call_${i}`);
        assert.deepEqual(c.data, readNpy(`${expected}_data.npy`), `chunk ${i} data`);
        assert.deepEqual(c.weights, readNpy(`${expected}_weights.npy`), `chunk ${i} weights`);
      });
    });
  }

  it('decodes the Python types of meta and info', () => {
    const value = h5read(join(CASES, 'meta_types_psize_tuple_int_energy/expected/out.ptyd'));
    const meta = value.meta as PyDict;
    const info = value.info as PyDict;
    assert.equal(meta.energy, 9n);
    assert.equal(meta.distance, 5n);
    assert.equal(meta.version, 0.1);
    assert.equal(meta.label, 'typesA');
    assert.equal(meta.num_frames, 17n);
    assert.equal(info.weight2d, true);
    assert.equal(info.orientation, null);
    assert.deepEqual((info.psize as { items: unknown[] }).items, [5.5e-5, 7.5e-5]);
    const partial = h5read(join(CASES, 'save_append_partial/expected/out.ptyd'));
    assert.equal((partial.info as PyDict).center, 'fftshift');
    assert.equal((partial.info as PyDict).shape, 32n);
    const noPositions = h5read(join(CASES, 'save_append_no_positions/expected/out.ptyd'));
    assert.deepEqual(((noPositions.chunks as PyDict)['0'] as PyDict).positions, [
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('writing .ptyd files that mirror ptypy', { skip: noCorpus }, () => {
  for (const name of SAVE_CASES.filter((n) => n !== 'save_link')) {
    it(`${name}: our file has ptypy's structure (bool as int8) and reads back equal`, () => {
      const original = h5read(join(CASES, name, 'expected/out.ptyd'));
      const out = join(dir, `${name}.ptyd`);
      h5write(out, original);
      checkStructure(out, structureOf(name), true);
      assert.ok(isDeepStrictEqual(h5read(out), asWrittenByUs(original)));
    });
  }

  it("save_link: part files plus a master with external links have ptypy's structure", () => {
    const original = h5read(join(CASES, 'save_link/expected/out.ptyd'));
    const sub = mkdtempSync(join(dir, 'link-'));
    const chunks = original.chunks as PyDict;
    const links = Object.keys(chunks).map((k) => {
      const part = `out.ptyd.part${k.padStart(3, '0')}`;
      h5write(join(sub, part), chunks[k] as PyDict);
      return { path: `chunks/${k}`, targetFile: part, targetPath: '/' };
    });
    h5write(
      join(sub, 'out.ptyd'),
      { chunks: {}, info: original.info as PyDict, meta: original.meta as PyDict },
      { links },
    );
    checkStructure(join(sub, 'out.ptyd'), structureOf('save_link'), true);
    assert.ok(isDeepStrictEqual(h5read(join(sub, 'out.ptyd')), asWrittenByUs(original)));
  });
});
