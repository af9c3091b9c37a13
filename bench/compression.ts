/**
 * Candidate compression pipelines measured on prepared frames (how the
 * default of ptyscan's saving was chosen, see src/ptyd/compression.ts): the
 * `data` arrays of a `.ptyd` (by default ptypy's append output of the
 * side-by-side workload, 1000 frames 256x256 int32) compressed chunk by
 * chunk as the native addon stores them, with and without HDF5's byte
 * shuffle, by libdeflate at several levels and by ISA-L's igzip (levels
 * 1-3, when the addon is built with it). Every candidate is a core HDF5
 * filter pipeline: stock h5py, ptypy and the HDF5 tools read it.
 *
 * For each: the compressed size against the uncompressed data and against
 * ptypy's own file, MB/s of input on one thread and on every core (median of
 * --runs), and at the end the fastest candidate no larger than ptypy's file.
 *
 *   npx tsc -p tsconfig.bench.json && node dist/bench/compression.js [file.ptyd] [--runs 3]
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { NdArray } from '../src/frames/ndarray.js';
import { guessChunks, h5ready } from '../src/h5/index.js';
import { type NativeDeflate, nativeAddon } from '../src/native/addon.js';
import { h5read } from '../src/ptyd/index.js';
import { isNdArray, type PyDict } from '../src/py/value.js';

const DEFAULT_FILE = '/tmp/ptyscan-bench-side-by-side/out/theirs-append.ptyd';
const file = process.argv[2]?.startsWith('--') === false ? process.argv[2] : DEFAULT_FILE;
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt < 0 ? 3 : Number(process.argv[runsAt + 1]);
if (file === undefined || !existsSync(file)) {
  throw new Error(
    `no .ptyd to take prepared frames from: give one, or run npm run bench with PTYPY_SRC first (${DEFAULT_FILE})`,
  );
}
const native = nativeAddon();
if (native === null) throw new Error('the compression bench needs the native HDF5 addon');
await h5ready();
const chunks = h5read(file).chunks as PyDict;
const frames = Object.values(chunks)
  .map((c) => (c as PyDict).data)
  .filter((d): d is NdArray => isNdArray(d));
const raw = frames.reduce((n, f) => n + f.data.byteLength, 0);
const reference = statSync(file).size;

function encode(pipeline: NativeDeflate, threads: number): { bytes: number; seconds: number } {
  const t0 = performance.now();
  let bytes = 0;
  for (const data of frames) {
    const [e] = native!.encodeArrays(
      [
        {
          ...pipeline,
          dtype: data.dtype,
          shape: data.shape,
          data: data.data,
          repeated: false,
          rowsPerChunk: guessChunks(data.shape, data.data.BYTES_PER_ELEMENT)[0] ?? 1,
        },
      ],
      threads,
    );
    bytes += e!.bytes.byteLength;
  }
  return { bytes, seconds: (performance.now() - t0) / 1000 };
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const engines = native.deflateEngines();
const candidates: (NativeDeflate & { label: string })[] = [];
for (const shuffle of [false, true]) {
  for (const level of [1, 2, 4, 6]) {
    candidates.push({ shuffle, level, engine: 'libdeflate', label: engines.libdeflate });
  }
  if (engines.isal !== null) {
    for (const level of [1, 2, 3])
      candidates.push({ shuffle, level, engine: 'isal', label: engines.isal });
  }
}
const cores = availableParallelism();
console.log(
  `${frames.length} chunks, ${(raw / 1e6).toFixed(1)} MB of ${frames[0]?.dtype} frames from ${file} (${(reference / 1e6).toFixed(1)} MB on disk); median of ${runs}`,
);
console.log(
  'pipeline                                   size     x raw  x that file  MB/s 1 thread  MB/s ' +
    `${cores} threads`,
);
let best: { label: string; rate: number } | null = null;
for (const c of candidates) {
  const one = [] as number[];
  const all = [] as number[];
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    const a = encode(c, 1);
    const b = encode(c, cores);
    bytes = a.bytes;
    one.push(raw / a.seconds / 1e6);
    all.push(raw / b.seconds / 1e6);
  }
  const name = `${c.shuffle ? 'shuffle + ' : ''}gzip ${c.level} (${c.label})`;
  const rate = median(all);
  console.log(
    `${name.padEnd(40)} ${(bytes / 1e6).toFixed(1).padStart(6)} MB ${(bytes / raw).toFixed(3).padStart(7)} ${(bytes / reference).toFixed(3).padStart(11)} ${median(one).toFixed(0).padStart(14)} ${rate.toFixed(0).padStart(14)}`,
  );
  if (bytes <= reference && (best === null || rate > best.rate)) best = { label: name, rate };
}
console.log(`fastest no larger than that file: ${best?.label ?? 'none'}`);
