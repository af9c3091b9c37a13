/**
 * Long link-mode scans of small chunks: simulates n frames (32x32), prepares
 * them with `ptyscan prepare --chunk 1` in link mode (n one-frame chunk files
 * and a master that links them all), then reads the file back with
 * `ptyscan follow --chunk 1`, each in its own process, and prints the wall
 * time of both and per chunk. Linear costs give a flat "per chunk" column.
 *
 * Run: npm run build && tsc -p tsconfig.bench.json && node dist/bench/link-chunks.js [n...]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [250, 500, 1000, 2000];
const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'src', 'cli', 'main.js');

/** Runs `ptyscan ...args` and returns its wall time (s). */
function timed(...args: string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  return (performance.now() - t0) / 1000;
}

console.log('chunks   prepare (link)   per chunk   follow    per chunk');
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'ptyscan-link-chunks-'));
  try {
    timed('simulate', join(dir, 'raw'), '--frames', String(n), '--shape', '32', '--quiet');
    const config = join(dir, 'scan.json');
    const scan = {
      name: 'NumpyScan',
      base_path: 'raw',
      shape: 32,
      save: 'link',
      dfile: 'scan.ptyd',
    };
    writeFileSync(config, JSON.stringify(scan));
    const write = timed('prepare', config, '--chunk', '1', '--quiet');
    const read = timed('follow', join(dir, 'scan.ptyd'), '--chunk', '1', '--quiet');
    console.log(
      `${String(n).padStart(6)}   ${write.toFixed(2).padStart(8)} s   ${((1000 * write) / n).toFixed(2).padStart(6)} ms   ${read.toFixed(2).padStart(5)} s   ${((1000 * read) / n).toFixed(2).padStart(6)} ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
