/**
 * A corrupt LZF chunk aborts the WebAssembly HDF5 runtime (the filter
 * plugin hits an unlinked symbol). The library process must stay usable:
 * the read is a typed error, nothing read afterwards comes from the dead
 * runtime (before, later reads returned other numbers without an error),
 * and `h5ready()` brings a fresh runtime that reads the same files right.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { H5Error } from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { H5File, h5ready } from '../../src/h5/index.js';
import { python, tempDir } from '../helpers/index.js';

const dir = tempDir('runtime');

/** The values of frame 0 of `/d` in `file`. */
function frame0(file: string): number[] {
  const h5 = H5File.open(file);
  try {
    return Array.from(h5.readDataset('/d', { start: 0, count: 1 }).data as Int32Array);
  } finally {
    h5.close();
  }
}

describe('a corrupt LZF chunk that aborts the WASM runtime', () => {
  it('is an H5Error; later reads fail instead of returning other numbers; h5ready() recovers', async () => {
    await h5ready();
    const good = join(dir, 'good.h5');
    const values = Int32Array.from({ length: 4 * 32 * 32 }, (_, i) => (i * 7) % 13);
    const h5 = H5File.open(good, 'w');
    h5.writeArray('/d', ndarray('int32', [4, 32, 32], values), {
      compression: { kind: 'lzf' },
      chunks: [1, 32, 32],
    });
    h5.close();
    const original = frame0(good);
    assert.deepEqual(original, Array.from(values.subarray(0, 1024)));
    // The first byte of chunk 0's LZF stream, with its top bit flipped.
    const offset = Number(
      python(
        `import h5py, sys; print(h5py.File(sys.argv[1])['d'].id.get_chunk_info(0).byte_offset)`,
        [good],
      ).trim(),
    );
    const bytes = readFileSync(good);
    bytes[offset] = bytes[offset]! ^ 0x80;
    const bad = join(dir, 'bad.h5');
    writeFileSync(bad, bytes);

    const open = H5File.open(good);
    assert.throws(
      () => frame0(bad),
      (e: Error) => e instanceof H5Error && /HDF5 runtime crashed/.test(e.message),
    );
    // Nothing comes out of the dead runtime: an error, not other numbers.
    assert.throws(
      () => frame0(good),
      (e: Error) => e instanceof H5Error && /crashed earlier/.test(e.message),
    );
    assert.throws(() => open.readDataset('/d'), H5Error);
    open.close();
    await h5ready();
    assert.deepEqual(frame0(good), original);
    // A file opened by the crashed runtime stays unusable, with a clear error.
    assert.throws(() => open.readDataset('/d'), H5Error);
  });
});
