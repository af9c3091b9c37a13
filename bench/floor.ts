/**
 * The floor of the compress and write stages of a saving run, for
 * bench/side-by-side.ts: the prepared frames of a `.ptyd` (read first,
 * untimed) compressed chunk by chunk with the default pipeline (byte
 * shuffle, gzip 1) on every core, without HDF5, then the compressed bytes
 * written to a file with one `writeFileSync`. Prints one JSON line of
 * seconds per stage.
 *
 *   node dist/bench/floor.js <file.ptyd> <scratch file>
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { NdArray } from '../src/frames/ndarray.js';
import { guessChunks, h5ready } from '../src/h5/index.js';
import { nativeAddon } from '../src/native/addon.js';
import { h5read } from '../src/ptyd/index.js';
import { isNdArray, type PyDict } from '../src/py/value.js';

const [file, scratch] = process.argv.slice(2) as [string, string];
await h5ready();
const chunks = h5read(file).chunks as PyDict;
const frames = Object.values(chunks)
  .map((c) => (c as PyDict).data)
  .filter((d): d is NdArray => isNdArray(d));
const native = nativeAddon();
if (native === null) throw new Error('the floor needs the native HDF5 addon');
const threads = availableParallelism();
const t0 = performance.now();
const encoded = frames.map(
  (data) =>
    native.encodeArrays(
      [
        {
          dtype: data.dtype,
          shape: data.shape,
          data: data.data,
          repeated: false,
          rowsPerChunk: guessChunks(data.shape, data.data.BYTES_PER_ELEMENT)[0] ?? 1,
          shuffle: true,
          level: 1,
        },
      ],
      threads,
    )[0]!,
);
const t1 = performance.now();
const total = encoded.reduce((n, e) => n + e.bytes.byteLength, 0);
const out = new Uint8Array(total);
let at = 0;
for (const e of encoded) {
  out.set(e.bytes, at);
  at += e.bytes.byteLength;
}
const t2 = performance.now();
writeFileSync(scratch, out);
const t3 = performance.now();
console.log(
  JSON.stringify({
    [`compress prepared frames (shuffle + gzip 1, ${threads} threads)`]: (t1 - t0) / 1000,
    'write the compressed bytes': (t3 - t2) / 1000,
  }),
);
