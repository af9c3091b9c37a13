/**
 * Peak memory and wall time of a scan saved in `merge` mode (and, beside
 * it, `link` mode) against the length of the scan: 1000 and 5000 synthetic
 * frames of 256x256 int32 made as they are asked for (the source holds
 * nothing), chunks of 100 frames, the default gzip pipeline. Each run is its
 * own process under /usr/bin/time, which gives its maximum resident memory.
 *
 * Run: npm run build && tsc -p tsconfig.bench.json && node dist/bench/merge-memory.js [frames...]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NdArray, ndarray } from '../src/frames/ndarray.js';
import { h5ready } from '../src/h5/index.js';
import { PtyScan } from '../src/scan/index.js';
import type { LoadResult } from '../src/scan/types.js';

const SIDE = 256;
const CHUNK = 100;
const quiet = { logger: { warn: (): void => {}, info: (): void => {} } };

/** Frames made on demand: a spot on a noisy floor, the same for the same index. */
class SyntheticScan extends PtyScan {
  override loadPositions(): NdArray | null {
    const n = Number(this.info.num_frames);
    return ndarray(
      'float64',
      [n, 2],
      Float64Array.from({ length: 2 * n }, (_, i) =>
        i % 2 === 0 ? Math.floor((i >> 1) / 100) * 1e-7 : ((i >> 1) % 100) * 1e-7,
      ),
    );
  }
  override load(indices: readonly number[]): LoadResult {
    const data = new Map<number, NdArray>();
    for (const k of indices) {
      const f = ndarray('int32', [SIDE, SIDE]);
      let seed = 977 + k;
      for (let i = 0; i < f.data.length; i++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        const y = Math.floor(i / SIDE) - SIDE / 2;
        const x = (i % SIDE) - SIDE / 2;
        f.data[i] =
          Math.floor(((seed >>> 24) % 8) * Math.exp(-(x * x + y * y) / 500) * 50) +
          ((seed >>> 16) % 3);
      }
      data.set(k, f);
    }
    return { data };
  }
}

async function child(save: string, frames: number, dfile: string): Promise<void> {
  await h5ready();
  const scan = new SyntheticScan(
    { num_frames: BigInt(frames), shape: BigInt(SIDE), save, dfile },
    quiet,
  );
  scan.initialize();
  while (scan.auto(CHUNK).msg !== 'EOS') {
    // every package is already on disk
  }
  scan.close();
}

function measure(save: string, frames: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'ptyscan-merge-bench-'));
  try {
    const dfile = join(dir, 'scan.ptyd');
    const report = join(dir, 'time.txt');
    execFileSync(
      '/usr/bin/time',
      [
        '-f',
        '%M %e',
        '-o',
        report,
        process.execPath,
        fileURLToPath(import.meta.url),
        '--child',
        save,
        String(frames),
        dfile,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const [kib = 0, seconds = 0] = readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .at(-1)!
      .split(' ')
      .map(Number);
    console.log(
      `${String(frames).padStart(6)} frames  ${save.padEnd(5)} peak RSS ${(kib / 1024).toFixed(0)} MiB  ${seconds.toFixed(2)} s  (${(statSync(dfile).size / 2 ** 20).toFixed(0)} MiB master)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  await child(args[1]!, Number(args[2]), args[3]!);
} else {
  const sizes = args.length > 0 ? args.map(Number) : [1000, 5000];
  const modes = (process.env.MODES ?? 'merge,link').split(',');
  for (const frames of sizes) for (const save of modes) measure(save, frames);
}
