/**
 * Write throughput of the .ptyd writer: 1000 frames of 256x256 int32 plus
 * bool masks, in chunks of 100, append-style (one file, chunk groups) and
 * link-style (one file per chunk + external links), with gzip 4, gzip 1, lzf
 * and none, next to a plain fs.writeFileSync of the same bytes.
 *
 * Run: npx tsx bench/h5-write.ts [frames]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ndarray } from '../src/frames/ndarray.js';
import { h5ready } from '../src/h5/index.js';
import { type H5rwCompression, h5append, h5write } from '../src/ptyd/index.js';
import type { PyDict } from '../src/py/value.js';

const FRAMES = Number(process.argv[2] ?? 1000);
const CHUNK = 100;
const SIDE = 256;

function makeChunk(start: number, n: number): PyDict {
  const px = SIDE * SIDE;
  const data = new Int32Array(n * px);
  let seed = 12345 + start;
  for (let i = 0; i < data.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    // Poisson-like counts: mostly small, a bright centre, like diffraction frames.
    const y = Math.floor((i % px) / SIDE) - SIDE / 2;
    const x = (i % SIDE) - SIDE / 2;
    data[i] =
      Math.floor(((seed >>> 24) % 8) * Math.exp(-(x * x + y * y) / 2000) * 50) +
      ((seed >>> 16) % 3);
  }
  const weights = new Uint8Array(n * px).fill(1);
  for (let i = 0; i < weights.length; i += 997) weights[i] = 0;
  return {
    indices: Array.from({ length: n }, (_, i) => BigInt(start + i)),
    positions: ndarray(
      'float64',
      [n, 2],
      Float64Array.from({ length: 2 * n }, (_, i) => i * 1e-7),
    ),
    data: ndarray('int32', [n, SIDE, SIDE], data),
    weights: ndarray('bool', [n, SIDE, SIDE], weights),
  };
}

function fileBytes(paths: string[]): number {
  return paths.reduce((sum, p) => sum + statSync(p).size, 0);
}

await h5ready();
const dir = mkdtempSync(join(tmpdir(), 'ptyscan-bench-'));
const chunks = Array.from({ length: Math.ceil(FRAMES / CHUNK) }, (_, c) =>
  makeChunk(c * CHUNK, Math.min(CHUNK, FRAMES - c * CHUNK)),
);
const rawBytes = FRAMES * SIDE * SIDE * 5;
const rows: string[] = [];

function report(name: string, seconds: number, written: number): void {
  const line = `${name.padEnd(22)} ${(FRAMES / seconds).toFixed(0).padStart(7)} frames/s ${(rawBytes / seconds / 1e6).toFixed(0).padStart(6)} MB/s (input)  file ${(written / 1e6).toFixed(1).padStart(7)} MB`;
  rows.push(line);
  console.log(line);
}

function plainWrite(label: string): void {
  const t0 = performance.now();
  const paths: string[] = [];
  chunks.forEach((c, i) => {
    const p = join(dir, `raw-${label.length}.${i}`);
    const frames = c.data as { data: Int32Array };
    const weights = c.weights as { data: Uint8Array };
    writeFileSync(p, frames.data);
    writeFileSync(`${p}.mask`, weights.data);
    paths.push(p, `${p}.mask`);
  });
  report(label, (performance.now() - t0) / 1000, fileBytes(paths));
}

try {
  plainWrite('fs.writeFileSync');
  const settings: Array<[string, H5rwCompression]> = [
    ['gzip 4', { compression: 'gzip', level: 4 }],
    ['gzip 1', { compression: 'gzip', level: 1 }],
    ['lzf', { compression: 'lzf' }],
    ['none', { compression: 'none' }],
  ];
  for (const [label, compression] of settings) {
    const file = join(dir, `append-${label.replace(' ', '')}.ptyd`);
    let t0 = performance.now();
    h5write(file, { chunks: {}, meta: {}, info: {} }, compression);
    for (const [i, c] of chunks.entries()) h5append(file, { [`chunks/${i}`]: c }, compression);
    report(`append ${label}`, (performance.now() - t0) / 1000, fileBytes([file]));

    const master = join(dir, `link-${label.replace(' ', '')}.ptyd`);
    t0 = performance.now();
    const parts: string[] = [];
    const links = chunks.map((c, i) => {
      const part = `${master}.part${String(i).padStart(3, '0')}`;
      h5write(part, c, compression);
      parts.push(part);
      return { path: `chunks/${i}`, targetFile: part.slice(dir.length + 1), targetPath: '/' };
    });
    h5write(master, { chunks: {}, meta: {}, info: {} }, { ...compression, links });
    report(`link ${label}`, (performance.now() - t0) / 1000, fileBytes([master, ...parts]));
  }
  plainWrite('fs.writeFileSync again');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
