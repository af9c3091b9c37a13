/**
 * Peak memory of the `ptyscan view` server against the length of the scan:
 * writes .ptyd files of 1000 and 10000 synthetic frames (128x128 int32, a
 * mask, chunks of 100, gzip 1), starts `ptyscan view` on each in its own
 * process, asks for the dashboard (quick-look maps over every frame), the
 * last frame and a few h5grove reads, and reads the server's peak resident
 * memory (VmHWM) from /proc.
 *
 * Run: npm run build && tsc -p tsconfig.bench.json && node dist/bench/view-memory.js [frames...]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { h5ready } from '../src/h5/index.js';
import { writeSyntheticScan } from './synthetic-scan.js';

const SIDE = 128;
const CHUNK = 100;
const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1000, 10000];
const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'src', 'cli', 'main.js');

function peakMiB(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number =>
    Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { peak: kib('VmHWM'), now: kib('VmRSS') };
}

async function measure(file: string, frames: number): Promise<void> {
  const server = spawn(process.execPath, [cli, 'view', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  try {
    await run(server, frames);
  } finally {
    // Whatever happened, the server does not outlive the benchmark.
    server.kill('SIGINT');
    await exited;
  }
}

async function run(server: ChildProcess, frames: number): Promise<void> {
  if (!server.stdout) throw new Error('the server has no stdout');
  const stdout = server.stdout;
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line);
    });
    server.on('exit', (code: number | null) => reject(new Error(`view exited ${code}`)));
  });
  const token = new URL(url).searchParams.get('token') ?? '';
  const idle = peakMiB(server.pid ?? 0);
  const get = async (path: string): Promise<number> => {
    const r = await fetch(new URL(path, url), { headers: { 'x-ptyscan-token': token } });
    const body = await r.arrayBuffer();
    if (!r.ok) throw new Error(`${path}: ${r.status} ${Buffer.from(body).toString()}`);
    return body.byteLength;
  };
  const t0 = performance.now();
  const bytes = await get('/api/scan?file=scan.ptyd');
  const seconds = (performance.now() - t0) / 1000;
  await get(`/api/frame?file=scan.ptyd&index=${frames - 1}`);
  await get('/h5grove/meta?file=scan.ptyd&path=/chunks');
  await get(
    `/h5grove/data?file=scan.ptyd&path=/chunks/${Math.floor(frames / CHUNK) - 1}/data&selection=5,:,:&format=bin`,
  );
  await get('/api/scan?file=scan.ptyd');
  const after = peakMiB(server.pid ?? 0);
  console.log(
    `${String(frames).padStart(6)} frames  idle ${idle.peak.toFixed(0)} MiB  peak ${after.peak.toFixed(0)} MiB  rss ${after.now.toFixed(0)} MiB  maps of every frame ${seconds.toFixed(2)} s (${(frames / seconds).toFixed(0)} frames/s, ${(bytes / 1024).toFixed(0)} KiB JSON)`,
  );
}

await h5ready();
for (const frames of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'ptyscan-view-bench-'));
  try {
    const file = join(dir, 'scan.ptyd');
    writeSyntheticScan(file, frames, SIDE, CHUNK);
    await measure(file, frames);
  } finally {
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
    else console.log(dir);
  }
}
