/**
 * Peak memory of `ptyscan preview` against the length of the scan: writes
 * .ptyd files of 1000 and 5000 synthetic frames (256x256 int32, a mask,
 * chunks of 100, gzip 1), runs `ptyscan preview` on each in its own process
 * under /usr/bin/time and prints its peak resident memory (maximum RSS) and
 * wall time.
 *
 * Run: npm run build && tsc -p tsconfig.bench.json && node dist/bench/preview-memory.js [frames...]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ndarray } from '../src/frames/ndarray.js';
import { h5ready } from '../src/h5/index.js';
import { h5append, h5write } from '../src/ptyd/index.js';

const SIDE = 256;
const CHUNK = 100;
const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1000, 5000];
const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'src', 'cli', 'main.js');

function writeScan(file: string, frames: number): void {
  const px = SIDE * SIDE;
  h5write(file, {
    chunks: {},
    meta: { center: ndarray('float64', [2], Float64Array.of(SIDE / 2, SIDE / 2)) },
  });
  for (let start = 0, c = 0; start < frames; start += CHUNK, c++) {
    const n = Math.min(CHUNK, frames - start);
    const data = new Int32Array(n * px);
    let seed = 977 + start;
    for (let i = 0; i < data.length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const y = Math.floor((i % px) / SIDE) - SIDE / 2;
      const x = (i % SIDE) - SIDE / 2;
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
          data: ndarray('int32', [n, SIDE, SIDE], data),
          weights: ndarray('int8', [n, SIDE, SIDE], weights),
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

function measure(dir: string, file: string, frames: number): void {
  const report = join(dir, 'time.txt');
  const t0 = performance.now();
  execFileSync(
    '/usr/bin/time',
    ['-f', '%M', '-o', report, process.execPath, cli, 'preview', file, '--out', join(dir, 'png')],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const seconds = (performance.now() - t0) / 1000;
  const peakKiB = Number(readFileSync(report, 'utf8').trim().split('\n').at(-1));
  console.log(
    `${String(frames).padStart(6)} frames  preview peak RSS ${(peakKiB / 1024).toFixed(0)} MiB  ${seconds.toFixed(2)} s`,
  );
}

await h5ready();
for (const frames of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'ptyscan-preview-bench-'));
  try {
    const file = join(dir, 'scan.ptyd');
    writeScan(file, frames);
    measure(dir, file, frames);
  } finally {
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
    else console.log(dir);
  }
}
