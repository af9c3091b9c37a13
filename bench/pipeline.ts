/**
 * The ptypy baseline workload through ptyscan's whole pipeline, ptyscan
 * alone (for ratios to ptypy, `npm run bench` with PTYPY_SRC runs
 * bench/side-by-side.ts): raw frames 512x512 int32 as `.npy` files,
 * NumpyScan with shape 256, orientation 3, chunks of 100 (`auto(100)`),
 * saved nowhere, appended or linked with the default pipeline, with and
 * without rebin 2, on every core or on one (`-w1`). Every run is a child
 * process of its own, so its peak RSS is its own; median of 3. The
 * yardsticks are `cat` of the same raw files and compressing and writing
 * the prepared data alone, timed in the same command.
 *
 * Run: npm run bench -- [--frames N] [--runs R] [--only a,b] [--profile] [--mpi]
 * (without PTYPY_SRC, or `node dist/bench/pipeline.js` after `npx tsc -p tsconfig.bench.json`)
 * It compiles this file with the package (tsconfig.bench.json) and runs it
 * with plain node, as `ptyscan prepare` runs: under tsx, every worker thread
 * would load the TypeScript loader again.
 *
 * The raw folder is generated once into `<tmpdir>/ptyscan-bench-raw-512`
 * (1000 distinct frames, ~1 GiB); frames beyond 1000 are symlinks to the
 * first 1000, so 10000 frames cost no extra disk.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Chunk,
  encodeNpy,
  h5ready,
  h5write,
  type LoadResult,
  type Meta,
  NumpyScan,
  nativeHdf5Status,
  ndarray,
  PtydSink,
  readNpy,
  type ScanParams,
  type ScanSink,
} from '../src/index.js';

const RAW = 512;
const DISTINCT = 1000;
const CHUNK = 100;
const SCRIPT = fileURLToPath(import.meta.url);

interface Variant {
  name: string;
  save: 'append' | 'link' | null;
  rebin: number;
  /** Threads compressing each chunk (null: the default, every core). */
  workers: number | null;
  /** Ranks under mpirun (1: a plain process). */
  ranks: number;
}

const VARIANTS: Variant[] = [
  { name: 'none', save: null, rebin: 1, workers: null, ranks: 1 },
  { name: 'none-rebin2', save: null, rebin: 2, workers: null, ranks: 1 },
  { name: 'append', save: 'append', rebin: 1, workers: null, ranks: 1 },
  { name: 'append-rebin2', save: 'append', rebin: 2, workers: null, ranks: 1 },
  { name: 'link', save: 'link', rebin: 1, workers: null, ranks: 1 },
  { name: 'append-w1', save: 'append', rebin: 1, workers: 1, ranks: 1 },
  { name: 'link-w1', save: 'link', rebin: 1, workers: 1, ranks: 1 },
  { name: 'append-mpi2', save: 'append', rebin: 1, workers: null, ranks: 2 },
  { name: 'link-mpi2', save: 'link', rebin: 1, workers: null, ranks: 2 },
];

/** What a child run reports on its last stdout line. */
interface RunResult {
  seconds: number;
  frames: number;
  maxRssMiB: number;
  profile?: Record<string, number>;
}

// ---- the raw folder ------------------------------------------------------------------

function frameName(i: number): string {
  return `ccd/diffraction_${String(i).padStart(4, '0')}.npy`;
}

/**
 * Diffraction-like counts: a bright central disc falling off as 1/r^3 over a
 * faint background, with speckle that moves from frame to frame, and Poisson
 * noise (Knuth below a mean of 12, normal above), so gzip sees real entropy.
 */
function makeFrame(index: number, mean: Float64Array, out: Int32Array): void {
  let state = (0x9e3779b9 ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0 || 1;
  const uniform = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const phase = index * 0.37;
  for (let p = 0; p < out.length; p++) {
    const y = p >> 9;
    const x = p & 511;
    const speckle = 1 + 0.6 * Math.sin(0.21 * x + phase) * Math.cos(0.17 * y - phase);
    const lambda = mean[p]! * speckle;
    let k: number;
    if (lambda < 12) {
      const limit = Math.exp(-lambda);
      let product = uniform();
      k = 0;
      while (product > limit) {
        k++;
        product *= uniform();
      }
    } else {
      const u1 = uniform() || 1e-12;
      const gauss = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * uniform());
      k = Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss));
    }
    out[p] = k;
  }
}

function ensureRawFolder(frames: number): string {
  const dir = join(tmpdir(), `ptyscan-bench-raw-${RAW}`);
  const done = join(dir, '.complete');
  if (!existsSync(done)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'ccd'), { recursive: true });
    console.log(`generating ${DISTINCT} raw frames in ${dir} (once) ...`);
    const mean = new Float64Array(RAW * RAW);
    for (let p = 0; p < mean.length; p++) {
      const r = Math.hypot((p >> 9) - 250, (p & 511) - 262);
      mean[p] = r < 20 ? 5000 : 0.08 + 5000 * (20 / r) ** 3;
    }
    const frame = new Int32Array(RAW * RAW);
    for (let i = 0; i < DISTINCT; i++) {
      makeFrame(i, mean, frame);
      writeFileSync(join(dir, frameName(i)), encodeNpy(ndarray('int32', [RAW, RAW], frame)));
    }
    writeFileSync(join(dir, 'geometry.txt'), 'distance 7.19\nenergy 7.2\npsize 0.000172\n');
    writeFileSync(done, '');
  }
  for (let i = DISTINCT; i < frames; i++) {
    const link = join(dir, frameName(i));
    if (!existsSync(link))
      symlinkSync(`diffraction_${String(i % DISTINCT).padStart(4, '0')}.npy`, link);
  }
  // positions.txt decides the frame count; rewritten per command.
  const lines = Array.from({ length: frames }, (_, i) => {
    const a = 0.3 * Math.sqrt(i);
    return `${frameName(i)} ${(1e-6 * a * Math.sin(a)).toExponential(6)} ${(1e-6 * a * Math.cos(a)).toExponential(6)}\n`;
  });
  writeFileSync(join(dir, 'positions.tmp'), lines.join(''));
  renameSync(join(dir, 'positions.tmp'), join(dir, 'positions.txt'));
  return dir;
}

// ---- one run (child process) ---------------------------------------------------------

/** Wraps a sink and adds up the time spent in it: chunk writes, and the rest (begin, meta, end). */
class TimedSink implements ScanSink {
  chunkSeconds = 0;
  otherSeconds = 0;
  constructor(private readonly inner: ScanSink) {}
  private timed<T>(chunk: boolean, run: () => T): T {
    const t0 = performance.now();
    try {
      return run();
    } finally {
      const s = (performance.now() - t0) / 1000;
      if (chunk) this.chunkSeconds += s;
      else this.otherSeconds += s;
    }
  }
  begin(info: Parameters<ScanSink['begin']>[0]) {
    return this.timed(false, () => this.inner.begin(info));
  }
  writeMeta(meta: Meta): void {
    this.timed(false, () => this.inner.writeMeta(meta));
  }
  writeChunk(chunk: Chunk): void {
    this.timed(true, () => this.inner.writeChunk(chunk));
  }
  end(info: Parameters<ScanSink['end']>[0]): void {
    this.timed(false, () => this.inner.end(info));
  }
  close(): void {
    this.timed(false, () => this.inner.close());
  }
}

/** NumpyScan with `load()` (reading the frame files into the stack) timed. */
class TimedNumpyScan extends NumpyScan {
  loadSeconds = 0;
  override load(indices: readonly number[]): LoadResult {
    const t0 = performance.now();
    const result = super.load(indices);
    this.loadSeconds += (performance.now() - t0) / 1000;
    return result;
  }
}

async function child(
  spec: Variant & { dir: string; out: string; profile: boolean; frames: number },
) {
  await h5ready();
  const dfile = join(spec.out, `${spec.name}.ptyd`);
  const pars: ScanParams = {
    base_path: spec.dir,
    // The folder may hold more frame files (symlinks of a larger run) than this run uses.
    num_frames: BigInt(spec.frames),
    shape: 256n,
    orientation: 3n,
    rebin: BigInt(spec.rebin),
    save: spec.save,
    dfile: spec.save === null ? null : dfile,
    workers: spec.workers === null ? null : BigInt(spec.workers),
  };
  const sink =
    spec.profile && spec.save !== null
      ? new TimedSink(new PtydSink({ mode: spec.save, dfile }))
      : undefined;
  const t0 = performance.now();
  // As `ptyscan prepare` runs it: chunks are counted, never kept.
  const scan = spec.profile
    ? new TimedNumpyScan(pars, { recycle: true, ...(sink === undefined ? {} : { sink }) })
    : new NumpyScan(pars, { recycle: true });
  scan.initialize();
  let frames = 0;
  try {
    for (let msg = scan.auto(CHUNK); msg.msg !== 'EOS'; msg = scan.auto(CHUNK)) {
      if (msg.msg === 'data') frames += msg.chunk.indices.length;
    }
  } finally {
    scan.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  // Under mpirun every rank prepares its share; rank 0 reports the whole scan.
  const rank = Number(process.env.OMPI_COMM_WORLD_RANK ?? 0);
  if (rank !== 0) return;
  const result: RunResult = {
    seconds,
    frames: spec.ranks > 1 ? (scan.numFrames ?? frames) : frames,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  if (scan instanceof TimedNumpyScan) {
    const chunks = sink?.chunkSeconds ?? 0;
    const other = sink?.otherSeconds ?? 0;
    result.profile = {
      'load (read .npy into the stack)': scan.loadSeconds,
      'prepare (crop/orient/rebin, weights, masks)': seconds - scan.loadSeconds - chunks - other,
      'chunk writes (compress + HDF5)': chunks,
      'begin/meta/end (append: end rewrites the file)': other,
    };
  }
  console.log(JSON.stringify(result));
}

// ---- the driver ----------------------------------------------------------------------

function runChild(
  spec: Variant,
  dir: string,
  out: string,
  profile: boolean,
  frames: number,
): RunResult {
  const arg = JSON.stringify({ ...spec, dir, out, profile, frames });
  const node = [process.execPath, ...process.execArgv, SCRIPT, '--child', arg];
  const command =
    spec.ranks > 1
      ? ['mpirun', '--allow-run-as-root', '--oversubscribe', '-n', String(spec.ranks), ...node]
      : node;
  const res = spawnSync(command[0]!, command.slice(1), {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, OMPI_MCA_plm_rsh_agent: 'false' },
  });
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  if (res.status !== 0) {
    throw new Error(`${spec.name} failed (${res.status}):\n${res.stderr}${res.stdout}`);
  }
  const lines = res.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as RunResult;
}

function timeCat(dir: string, frames: number): number {
  const files = Array.from({ length: frames }, (_, i) => frameName(i));
  const t0 = performance.now();
  const res = spawnSync('xargs', ['cat'], {
    cwd: dir,
    input: files.join('\n'),
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  if (res.status !== 0) throw new Error('cat of the raw files failed');
  return (performance.now() - t0) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function mpiAvailable(): boolean {
  return spawnSync('mpirun', ['--version'], { stdio: 'ignore' }).status === 0;
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

async function main(): Promise<void> {
  const frames = Number(option('--frames') ?? 1000);
  const runs = Number(option('--runs') ?? 3);
  const only = option('--only')?.split(',');
  const profile = process.argv.includes('--profile');
  const wanted = VARIANTS.filter((v) =>
    only === undefined ? v.ranks === 1 || process.argv.includes('--mpi') : only.includes(v.name),
  );
  const dir = ensureRawFolder(frames);
  readNpy(join(dir, frameName(0)));
  const out = join(tmpdir(), `ptyscan-bench-out-${process.pid}`);
  mkdirSync(out, { recursive: true });
  const canMpi = mpiAvailable();
  try {
    timeCat(dir, frames); // warm the page cache
    const cats: number[] = [];
    console.log(`${frames} frames 512x512 int32, shape 256, orientation 3, chunks of ${CHUNK}`);
    console.log('run                    frames/s  x cat  x 1st  peak RSS');
    const runnable = wanted.filter((v) => v.ranks === 1 || canMpi);
    // Rounds run every variant once, in turn, so that the machine's drift
    // (it is shared) hits every variant alike, and ratios pair runs of one round.
    const results = new Map<string, RunResult[]>(runnable.map((v) => [v.name, []]));
    for (let r = 0; r < runs; r++) {
      for (const variant of runnable) {
        if (process.stderr.isTTY) process.stderr.write(`round ${r + 1}/${runs}: ${variant.name}\r`);
        cats.push(timeCat(dir, frames));
        results.get(variant.name)!.push(runChild(variant, dir, out, false, frames));
      }
    }
    if (process.stderr.isTTY) process.stderr.write(`${' '.repeat(40)}\r`);
    const catRate = frames / median(cats);
    for (const variant of wanted) {
      if (!runnable.includes(variant)) {
        console.log(`${variant.name.padEnd(22)} skipped: mpirun not found`);
        continue;
      }
      const own = results.get(variant.name)!;
      const rates = own.map((r) => r.frames / r.seconds);
      const rate = median(rates);
      const rss = median(own.map((r) => r.maxRssMiB));
      const base = results.get(variant.name.replace(/-(w1|mpi2)$/, ''));
      const paired =
        base === undefined || base === own
          ? undefined
          : median(rates.map((x, i) => x / (base[i]!.frames / base[i]!.seconds)));
      console.log(
        [
          variant.name.padEnd(22),
          rate.toFixed(0).padStart(8),
          (rate / catRate).toFixed(3).padStart(6),
          (paired === undefined ? '-' : paired.toFixed(2)).padStart(6),
          `${rss.toFixed(0)} MiB`.padStart(9),
        ].join(' '),
      );
    }
    console.log(
      `cat of the raw files: ${(frames / median(cats)).toFixed(0)} frames/s (median of ${cats.length})`,
    );
    console.log(
      'x 1st: ratio to the same save mode on every core in 1 process: median over rounds of the ratio within a round',
    );
    if (wanted.some((v) => v.save !== null)) {
      const arg = JSON.stringify({ dir, out, frames });
      const res = spawnSync(process.execPath, [...process.execArgv, SCRIPT, '--gzip-only', arg], {
        encoding: 'utf8',
      });
      if (res.status !== 0) throw new Error(`the gzip yardstick failed:\n${res.stderr}`);
      const lines = res.stdout.trim().split('\n');
      const g = JSON.parse(lines[lines.length - 1]!) as {
        rates: Record<string, number>;
        writer: string;
      };
      console.log(
        `default pipeline (shuffle + gzip 1) + write of the prepared data alone: ${g.rates[1]!.toFixed(0)} frames/s on 1 thread, ${g.rates[2]!.toFixed(0)} on 2 (${g.writer})`,
      );
    }
    if (profile) {
      for (const variant of wanted.filter((v) => v.workers === null && v.ranks === 1)) {
        const result = runChild(variant, dir, out, true, frames);
        const parts = Object.entries(result.profile ?? {})
          .map(([k, s]) => `${k} ${((100 * s) / result.seconds).toFixed(0)}%`)
          .join(', ');
        console.log(`profile ${variant.name}: ${result.seconds.toFixed(2)} s: ${parts}`);
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * The yardstick of the gzip runs: compressing and writing the prepared data
 * of the workload alone (one chunk of 100 prepared frames, written as a
 * shuffle + gzip 1 file `frames / 100` times), on 1 and 2 threads. No save mode can be
 * faster than this with the same compression.
 */
async function gzipOnly(spec: { dir: string; out: string; frames: number }): Promise<void> {
  await h5ready();
  const scan = new NumpyScan({
    base_path: spec.dir,
    num_frames: BigInt(CHUNK),
    shape: 256n,
    orientation: 3n,
  });
  scan.initialize();
  const msg = scan.auto(CHUNK);
  scan.close();
  if (msg.msg !== 'data') throw new Error('no chunk to compress');
  const rates: Record<string, number> = {};
  for (const threads of [1, 2]) {
    const t0 = performance.now();
    for (let k = 0; k < spec.frames / CHUNK; k++) {
      h5write(
        join(spec.out, `gzip-${threads}-${k % 2}.h5`),
        { data: msg.chunk.data },
        { threads, level: 1, shuffle: true },
      );
    }
    rates[threads] = spec.frames / ((performance.now() - t0) / 1000);
  }
  console.log(JSON.stringify({ rates, writer: nativeHdf5Status().detail }));
}

const childAt = process.argv.indexOf('--child');
const gzipAt = process.argv.indexOf('--gzip-only');
if (childAt >= 0) {
  await child(JSON.parse(process.argv[childAt + 1]!));
} else if (gzipAt >= 0) {
  await gzipOnly(JSON.parse(process.argv[gzipAt + 1]!));
} else {
  await main();
}
