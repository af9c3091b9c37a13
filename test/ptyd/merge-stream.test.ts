/**
 * Merge mode writes its merged master a chunk file at a time (frame stacks
 * created at their final length, filled slab by slab). The file must be
 * what joining every chunk in memory and writing it whole gave: the same
 * tree, values, dtypes, shapes, chunk shapes, filters and attributes, as
 * h5py sees them.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { type NdArray, ndarray } from '../../src/frames/ndarray.js';
import { h5ready } from '../../src/h5/index.js';
import { concatChunks } from '../../src/ptyd/concat.js';
import { h5read, h5write } from '../../src/ptyd/index.js';
import { isPyDict, type PyDict } from '../../src/py/value.js';
import { python, quiet, runToEos, tempDir } from '../helpers/index.js';
import { SpotScan } from '../scan/spot-scan.js';

/**
 * Every object under `/chunks` as h5py sees it (values by their SHA-256),
 * and the root's attributes minus the times and the writer's run id and
 * heartbeat; `meta` and `info` are written by the code both paths share.
 */
const DUMP = `
import h5py, hashlib, json, sys, numpy as np
out = {}
def attrs(o):
    return {k: str(v) for k, v in o.attrs.items()
            if k not in ('ctime', 'mtime') and not k.startswith('ptyscan_')}
def visit(name, o):
    if isinstance(o, h5py.Dataset):
        a = o[()]
        out[name] = {'dtype': str(o.dtype), 'shape': list(o.shape), 'maxshape': list(o.maxshape),
                     'chunks': o.chunks and list(o.chunks), 'compression': o.compression,
                     'opts': str(o.compression_opts), 'shuffle': o.shuffle, 'fletcher32': o.fletcher32,
                     'values': a.decode() if isinstance(a, bytes)
                               else hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest(),
                     'attrs': attrs(o)}
    else:
        out[name] = {'attrs': attrs(o)}
with h5py.File(sys.argv[1], 'r') as f:
    out['/'] = {'attrs': attrs(f)}
    f['chunks'].visititems(lambda name, o: visit('chunks/' + name, o))
print(json.dumps(out, sort_keys=True))
`;

function dump(file: string): unknown {
  return JSON.parse(python(DUMP, [file]));
}

interface Case {
  name: string;
  side: number;
  frames: number;
  step: number;
  params: Record<string, string | bigint | boolean>;
  positions: boolean;
}

const CASES: Case[] = [
  {
    name: 'gzip 1 + shuffle, 16x16, chunks of 3 ending inside an HDF5 chunk',
    side: 16,
    frames: 7,
    step: 3,
    params: { compression: 'gzip', compression_level: 1n, shuffle: true },
    positions: true,
  },
  {
    name: 'gzip 4, 256x256 (4 frames an HDF5 chunk), chunks of 3',
    side: 256,
    frames: 9,
    step: 3,
    params: { compression: 'gzip', compression_level: 4n, shuffle: false },
    positions: true,
  },
  {
    name: 'gzip 1 + shuffle, 256x256, chunks of 4 on HDF5 chunk boundaries (compressed here)',
    side: 256,
    frames: 9,
    step: 4,
    params: { compression: 'gzip', compression_level: 1n, shuffle: true },
    positions: true,
  },
  {
    name: 'uncompressed (fletcher32), no positions',
    side: 16,
    frames: 5,
    step: 2,
    params: { compression: 'none' },
    positions: false,
  },
  {
    name: 'lzf (written by h5wasm)',
    side: 16,
    frames: 5,
    step: 2,
    params: { compression: 'lzf' },
    positions: true,
  },
];

function spotFrames(n: number, side: number): NdArray<'int32'>[] {
  return Array.from({ length: n }, (_, i) => {
    const f = ndarray('int32', [side, side]);
    for (let p = 0; p < f.data.length; p++) f.data[p] = (p * 7 + i * 13) % 101;
    return f;
  });
}

function scanInto(dfile: string, save: string, c: Case): SpotScan {
  const scan = new SpotScan({ shape: BigInt(c.side), save, dfile, ...c.params }, quiet, c.frames);
  scan.frames = spotFrames(c.frames, c.side);
  if (c.positions) {
    scan.positions = ndarray(
      'float64',
      [c.frames, 2],
      Float64Array.from({ length: 2 * c.frames }, (_, i) => (i + 1) * 1e-7),
    );
  }
  return scan;
}

/** What merge mode wrote before it streamed: every chunk file read, joined in memory, written whole. */
function joinedInMemory(linked: string, folder: string, c: Case, out: string): void {
  const master = h5read(linked);
  const parts = readdirSync(folder)
    .filter((n) => /\.chunk\d+$/.test(n))
    .sort()
    .map((n) => h5read(join(folder, n)));
  const chunks: PyDict = { '0': concatChunks(parts, out) };
  const p = c.params;
  h5write(
    out,
    { chunks, meta: master.meta ?? {}, info: master.info ?? {} },
    {
      compression: p.compression as 'gzip' | 'lzf' | 'none',
      ...(typeof p.compression_level === 'bigint' ? { level: Number(p.compression_level) } : {}),
      ...(typeof p.shuffle === 'boolean' ? { shuffle: p.shuffle } : {}),
    },
  );
}

describe('merge mode streams the merged master', () => {
  const dir = tempDir('merge-stream');
  before(async () => {
    await h5ready();
  });

  for (const [k, c] of CASES.entries()) {
    it(`${c.name}: the file joining every chunk in memory gave`, () => {
      const mergedDir = join(dir, `merged-${k}`);
      const linkedDir = join(dir, `linked-${k}`);
      mkdirSync(mergedDir, { recursive: true });
      mkdirSync(linkedDir, { recursive: true });
      const merged = join(mergedDir, 'scan.ptyd');
      const linked = join(linkedDir, 'scan.ptyd');
      runToEos(scanInto(merged, 'merge', c), c.step, { close: true, wait: 'skip' });
      runToEos(scanInto(linked, 'link', c), c.step, { close: true, wait: 'skip' });
      assert.deepEqual(readdirSync(mergedDir), ['scan.ptyd']);
      const reference = join(dir, `reference-${k}.ptyd`);
      joinedInMemory(linked, linkedDir, c, reference);
      const got = dump(merged) as Record<string, { shape?: number[] }>;
      assert.deepEqual(got['chunks/0/data']?.shape, [c.frames, c.side, c.side]);
      assert.deepEqual(got, dump(reference));
      const tree = h5read(merged);
      assert.ok(isPyDict(tree.chunks));
    });
  }
});
