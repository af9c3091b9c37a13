/**
 * A synthetic `.ptyd` file for the memory benchmarks: `frames` frames of
 * `side` x `side` int32 (a bright centre over noise), a mask of ones,
 * positions on a raster, chunks of `chunk` frames, gzip 1.
 */
import { ndarray } from '../src/frames/ndarray.js';
import { h5append, h5write } from '../src/ptyd/index.js';

/** Writes the scan to `file` (h5wasm must be ready). */
export function writeSyntheticScan(file: string, frames: number, side: number, chunk = 100): void {
  const px = side * side;
  h5write(file, {
    chunks: {},
    meta: { center: ndarray('float64', [2], Float64Array.of(side / 2, side / 2)) },
  });
  for (let start = 0, c = 0; start < frames; start += chunk, c++) {
    const n = Math.min(chunk, frames - start);
    const data = new Int32Array(n * px);
    let seed = 977 + start;
    for (let i = 0; i < data.length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const y = Math.floor((i % px) / side) - side / 2;
      const x = (i % side) - side / 2;
      data[i] =
        Math.floor(((seed >>> 24) % 8) * Math.exp(-(x * x + y * y) / 500) * 50) +
        ((seed >>> 16) % 3);
    }
    const weights = new Int8Array(n * px).fill(1);
    const positions = Float64Array.from({ length: 2 * n }, (_, i) => {
      const k = start + (i >> 1);
      return (i % 2 === 0 ? Math.floor(k / 100) : k % 100) * 1e-7;
    });
    h5append(
      file,
      {
        [`chunks/${c}`]: {
          data: ndarray('int32', [n, side, side], data),
          weights: ndarray('int8', [n, side, side], weights),
          positions: ndarray('float64', [n, 2], positions),
          indices: ndarray(
            'int64',
            [n],
            BigInt64Array.from({ length: n }, (_, i) => BigInt(start + i)),
          ),
        },
      },
      { compression: 'gzip', level: 1 },
    );
  }
}
