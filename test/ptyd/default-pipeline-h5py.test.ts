/**
 * A `.ptyd` saved at default settings, read with plain h5py (Debian's
 * python3-h5py, no filter plugin): every chunk's frames, weights, indices and
 * positions are the ones the scan prepared, and the frames carry the default
 * pipeline (with the native addon HDF5's byte shuffle then gzip 1, else
 * ptypy's gzip 4). The exchange formats, whose datasets grow chunk by chunk
 * through h5wasm, keep ptypy's gzip 4 and refuse the shuffle.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { ParameterProblem } from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { h5ready, nativeHdf5Status } from '../../src/h5/index.js';
import { encodeNpy } from '../../src/npy/index.js';
import { saveSettings } from '../../src/ptyd/index.js';
import { isNdArray } from '../../src/py/value.js';
import { NumpyScan } from '../../src/sources/index.js';
import { python, quiet, runToEos, tempDir } from '../helpers/index.js';

const FRAMES = 25;
const H = 64;
const W = 72;
const root = tempDir('default-pipeline');

/** A raw folder in ptypy's tutorial layout: diffraction-like int32 frames (a bright centre, counts falling off). */
function rawFolder(): string {
  const dir = join(root, 'raw');
  mkdirSync(join(dir, 'ccd'), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const frame = ndarray('int32', [H, W]);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const r2 = (y - 30) ** 2 + (x - 37) ** 2;
        frame.data[y * W + x] = Math.floor(50000 / (1 + r2 / 8) + ((y * 31 + x * 17 + i * 7) % 5));
      }
    }
    const file = `ccd/diffraction_${String(i).padStart(4, '0')}.npy`;
    writeFileSync(join(dir, file), encodeNpy(frame));
    lines.push(`${file} ${i * 1e-6} ${-i * 2e-6}\n`);
  }
  writeFileSync(join(dir, 'positions.txt'), lines.join(''));
  return dir;
}

interface ChunkValues {
  indices: number[];
  data: number[];
  weights: number[];
  positions: number[];
}

/** What h5py reads: each chunk's arrays (weights broadcast to the frames) and the frames' filters. */
const READ = `
import h5py, json, sys, numpy as np
out = {'chunks': [], 'filters': []}
with h5py.File(sys.argv[1], 'r') as f:
    for key in sorted(f['chunks'], key=int):
        c = f['chunks'][key]
        d = c['data']
        data = d[...]
        w = np.broadcast_to(c['weights'][...], data.shape)
        out['chunks'].append({
            'indices': c['indices'][...].astype(int).tolist(),
            'data': data.ravel().astype(float).tolist(),
            'weights': w.ravel().astype(float).tolist(),
            'positions': c['positions'][...].ravel().astype(float).tolist(),
        })
        out['filters'].append([d.compression, d.compression_opts, bool(d.shuffle)])
print(json.dumps(out))
`;

describe('a default-settings .ptyd read with plain h5py', () => {
  const raw = rawFolder();
  before(async () => {
    await h5ready();
  });

  for (const save of ['append', 'link'] as const) {
    it(`${save}: every chunk h5py reads is the chunk written, with the default pipeline`, () => {
      const dfile = join(root, `${save}.ptyd`);
      const written: ChunkValues[] = [];
      const scan = new NumpyScan(
        { base_path: raw, shape: 32n, center: [30n, 37n], save, dfile },
        quiet,
      );
      runToEos(scan, 10, {
        close: true,
        // Copied on arrival: the next chunk may be prepared into the same memory.
        onData: ({ chunk }) =>
          written.push({
            indices: [...chunk.indices],
            data: Array.from(chunk.data.data as ArrayLike<number>),
            weights: Array.from(
              { length: chunk.data.data.length },
              (_, k) =>
                (chunk.weights.data as ArrayLike<number>)[k % chunk.weights.data.length] as number,
            ),
            positions: isNdArray(chunk.positions) ? Array.from(chunk.positions.data) : [],
          }),
      });
      assert.deepEqual(
        written.map((c) => c.indices.length),
        [10, 10, 5],
      );
      const read = JSON.parse(python(READ, [dfile])) as {
        chunks: ChunkValues[];
        filters: [string, number, boolean][];
      };
      assert.equal(read.chunks.length, written.length);
      for (const [k, chunk] of written.entries()) {
        const got = read.chunks[k]!;
        assert.deepEqual(got.indices, chunk.indices, `chunk ${k} indices`);
        assert.deepEqual(got.data, chunk.data, `chunk ${k} data`);
        assert.deepEqual(got.weights, chunk.weights, `chunk ${k} weights`);
        assert.deepEqual(got.positions, chunk.positions, `chunk ${k} positions`);
      }
      const expected = nativeHdf5Status().available ? ['gzip', 1, true] : ['gzip', 4, false];
      for (const filters of read.filters) assert.deepEqual(filters, expected);
    });
  }

  it("the exchange formats default to ptypy's gzip 4 and refuse the shuffle (h5wasm grows their datasets)", () => {
    for (const save of ['cxi', 'nxcxi', 'fold-slice']) {
      const problems: ParameterProblem[] = [];
      const dfile = join(root, save === 'fold-slice' ? 'data_roi0_dp.hdf5' : `${save}.cxi`);
      const settings = saveSettings({ save, dfile }, problems);
      assert.deepEqual(problems, [], save);
      assert.deepEqual([settings?.level, settings?.shuffle], [4, false], save);
      const refused: ParameterProblem[] = [];
      saveSettings({ save, dfile, shuffle: true }, refused);
      assert.deepEqual(
        refused.map((p) => p.path),
        ['shuffle'],
        save,
      );
    }
    const problems: ParameterProblem[] = [];
    const append = saveSettings({ save: 'append', dfile: join(root, 'a.ptyd') }, problems);
    const native = nativeHdf5Status().available;
    assert.deepEqual([append?.level, append?.shuffle], native ? [1, true] : [4, false]);
  });
});
