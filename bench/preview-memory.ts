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
import { h5ready } from '../src/h5/index.js';
import { writeSyntheticScan } from './synthetic-scan.js';

const SIDE = 256;
const CHUNK = 100;
const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1000, 5000];
const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'src', 'cli', 'main.js');

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
    writeSyntheticScan(file, frames, SIDE, CHUNK);
    measure(dir, file, frames);
  } finally {
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
    else console.log(dir);
  }
}
