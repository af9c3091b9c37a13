/**
 * ptyscan and ptypy side by side, in one command: `npm run bench` with
 * PTYPY_SRC pointing at a ptypy work tree (../shared/ptypy-baseline/
 * setup-ptypy.sh makes one). For each source and frame count it runs
 * ../shared/ptypy-baseline/side-by-side.sh (whole processes, the two
 * programs alternating, median of --runs), then, in the same command:
 *
 * - CPU time (user + sys) and peak RSS of both programs (`/usr/bin/time`),
 *   alternating, median of --runs;
 * - what ptypy reads back from both outputs: bench/ptyd-checksum.py hashes
 *   every frame PtydScan (`source: 'file'`) hands a reconstruction;
 * - the floor of each stage of the save-none and append runs: starting
 *   node, reading the raw files (`cat`), for the bitshuffle-LZ4 source
 *   decoding its chunks with the bitshuffle library on every core
 *   (bench/decode-floor.py), and for append compressing the prepared frames
 *   with the default pipeline on every core and writing the compressed bytes
 *   (bench/floor.ts);
 * - once, start-up: `node -e 0`, importing the package, and `ptyscan
 *   prepare` of 10 frames.
 *
 * No ptypy figure is a constant here: every ratio comes from runs of this
 * command. Without PTYPY_SRC it runs bench/pipeline.ts (ptyscan alone).
 *
 *   npm run bench -- [--frames 1000,5000] [--runs 3] [--sources npy,hdf5-bslz4]
 *                    [--modes none,append,link] [--work DIR] [--memory 10000]
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BASELINE = join(ROOT, '..', 'shared', 'ptypy-baseline');
const PYTHON = '/usr/bin/python3';
const BIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : (process.argv[at + 1] ?? fallback);
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** One line of side-by-side.sh. */
interface Timed {
  mode: string;
  frames: number;
  ours: number;
  theirs: number;
  ratio: number;
  oursBytes: number;
  theirsBytes: number;
}

/** One process under /usr/bin/time: wall and CPU seconds, peak RSS in MiB. */
interface Usage {
  wall: number;
  cpu: number;
  rssMiB: number;
}

function timed(command: string[], env: NodeJS.ProcessEnv): Usage {
  const res = spawnSync('/usr/bin/time', ['-f', 'USAGE %e %U %S %M', ...command], {
    encoding: 'utf8',
    env,
    maxBuffer: 1 << 26,
  });
  const line = /USAGE ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(res.stderr);
  if (res.status !== 0 || line === null) {
    throw new Error(`${command.join(' ')} failed (${res.status}):\n${res.stderr.slice(-2000)}`);
  }
  return {
    wall: Number(line[1]),
    cpu: Number(line[2]) + Number(line[3]),
    rssMiB: Number(line[4]) / 1024,
  };
}

function parseSideBySide(stdout: string): Timed[] {
  const out: Timed[] = [];
  const re =
    /^(\w+)\s+(\d+) frames\s+ptyscan ([\d.]+) s \(\d+ f\/s\)\s+ptypy ([\d.]+) s \(\d+ f\/s\)\s+ratio ([\d.]+)x\s+bytes (\d+) vs (\d+)/gm;
  for (const m of stdout.matchAll(re)) {
    out.push({
      mode: m[1]!,
      frames: Number(m[2]),
      ours: Number(m[3]),
      theirs: Number(m[4]),
      ratio: Number(m[5]),
      oursBytes: Number(m[6]),
      theirsBytes: Number(m[7]),
    });
  }
  return out;
}

/** The command side-by-side.sh runs for ptypy, for the CPU/RSS pass. */
function theirsCommand(source: string, work: string, frames: number, mode: string): string[] {
  const dfile = join(work, 'out', `theirs-${mode}.ptyd`);
  const common = ['--save', mode, '--dfile', dfile, '--chunk', '100'];
  if (source === 'npy') {
    return [PYTHON, join(BASELINE, 'prepare.py'), join(work, `npy${frames}`), ...common];
  }
  const variant = source.replace(/^hdf5-/, '');
  const base = join(work, `h5-${frames}`, variant);
  return [PYTHON, join(BASELINE, 'hdf5_prepare.py'), 'run', base, ...common];
}

/** The files ptyscan and ptypy read for a source (for the `cat` floor). */
function rawFiles(source: string, work: string, frames: number): string[] {
  if (source === 'npy') {
    const dir = join(work, `npy${frames}`, 'ccd');
    return readdirSync(dir).map((f) => join(dir, f));
  }
  const dir = join(work, `h5-${frames}`, source.replace(/^hdf5-/, ''));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.h5'))
    .map((f) => join(dir, f));
}

/** Removes both programs' outputs of `mode` (and any `.old` copies). */
function removeOutputs(work: string, mode: string): void {
  const dir = join(work, 'out');
  for (const f of readdirSync(dir)) {
    if (f.startsWith(`ours-${mode}.ptyd`) || f.startsWith(`theirs-${mode}.ptyd`)) {
      rmSync(join(dir, f), { force: true });
    }
  }
}

function outputBytes(work: string, name: string): number {
  const dir = join(work, 'out');
  return readdirSync(dir)
    .filter((f) => f.startsWith(name))
    .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

interface Checksum {
  frames: number;
  checksum: string;
}

function checksums(files: readonly string[], env: NodeJS.ProcessEnv): Map<string, Checksum> {
  const res = spawnSync(PYTHON, [join(ROOT, 'bench', 'ptyd-checksum.py'), ...files], {
    encoding: 'utf8',
    env,
    maxBuffer: 1 << 24,
  });
  if (res.status !== 0) throw new Error(`ptyd-checksum.py failed:\n${res.stderr.slice(-2000)}`);
  const out = new Map<string, Checksum>();
  for (const line of res.stdout.trim().split('\n')) {
    const r = JSON.parse(line) as { file: string } & Checksum;
    out.set(r.file, r);
  }
  return out;
}

const fmt = (s: number): string => `${s.toFixed(2)} s`;

/** Median wall seconds of `f` over three runs. */
function median3(f: () => number): number {
  return median([0, 1, 2].map(f));
}

/**
 * The floor of the stages every run has, measured now: starting node,
 * reading the raw files (`cat`), and for the bitshuffle-LZ4 source decoding
 * its chunks with the bitshuffle library on every core (bench/decode-floor.py).
 */
function readFloors(source: string, work: string, frames: number, env: NodeJS.ProcessEnv) {
  const start = median3(() => timed([process.execPath, '-e', '0'], env).wall);
  const files = rawFiles(source, work, frames);
  const cat = median3(() => {
    const t0 = performance.now();
    const res = spawnSync('xargs', ['cat'], {
      input: files.join('\n'),
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    if (res.status !== 0) throw new Error('cat of the raw files failed');
    return (performance.now() - t0) / 1000;
  });
  const stages: Record<string, number> = { 'node -e 0': start, 'cat raw files': cat };
  if (source === 'hdf5-bslz4') {
    const data = files.filter((f) => !f.endsWith('_master.h5'));
    const threads = String(availableParallelism());
    const res = spawnSync(PYTHON, [join(ROOT, 'bench', 'decode-floor.py'), threads, ...data], {
      encoding: 'utf8',
      env,
    });
    if (res.status !== 0) throw new Error(`decode-floor.py failed:\n${res.stderr}`);
    const r = JSON.parse(res.stdout.trim()) as { seconds: number };
    stages[`decode bitshuffle-LZ4 (bitshuffle library, ${threads} threads)`] = r.seconds;
  }
  return stages;
}

/** The floor stages of a saving run, measured now: seconds each. */
function floors(
  reads: Record<string, number>,
  work: string,
  ours: string,
  env: NodeJS.ProcessEnv,
): Record<string, number> {
  const floor = spawnSync(
    process.execPath,
    [join(ROOT, 'dist', 'bench', 'floor.js'), ours, join(work, 'floor.bin')],
    { encoding: 'utf8', env },
  );
  if (floor.status !== 0) throw new Error(`floor.js failed:\n${floor.stderr}`);
  const f = JSON.parse(floor.stdout.trim().split('\n').pop()!) as Record<string, number>;
  return { ...reads, ...f };
}

/** Start-up, median of 3: node alone, loading the package, and `ptyscan prepare` of 10 frames (save none). */
function startUp(work: string, env: NodeJS.ProcessEnv): string {
  const index = join(ROOT, 'dist', 'src', 'index.js');
  const cfg = join(work, 'out', 'cfg-tiny.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      name: 'NumpyScan',
      base_path: join(work, 'npy1000'),
      num_frames: 10,
      shape: 256,
      center: [250, 262],
      orientation: 3,
      auto_center: false,
    }),
  );
  const wall = (command: string[]) => median3(() => timed(command, env).wall);
  const node = wall([process.execPath, '-e', '0']);
  const load = wall([
    process.execPath,
    '--input-type=module',
    '-e',
    `await import(${JSON.stringify(index)})`,
  ]);
  const tiny = wall([process.execPath, BIN, 'prepare', cfg, '--chunk', '10', '--quiet']);
  return `start-up (median of 3): node -e 0 ${fmt(node)}; import of the package ${fmt(load)} (+${fmt(load - node)}); ptyscan prepare of 10 frames ${fmt(tiny)} (+${fmt(tiny - node)})`;
}

/** One line: the stages of a floor, their sum, and how far ptyscan's run is from it. */
function floorLine(what: string, stages: Record<string, number>, ours: number): string {
  const total = Object.values(stages).reduce((a, b) => a + b, 0);
  const parts = Object.entries(stages).map(([k, s]) => `${k} ${fmt(s)}`);
  return (
    `floor of ${what}, stage by stage (the fastest tool here, this command): ${parts.join(', ')}; ` +
    `sum ${fmt(total)}; ptyscan ${what} ${fmt(ours)} (${(ours / total).toFixed(2)}x the sum)`
  );
}

function main(): void {
  const ptypy = process.env.PTYPY_SRC;
  if (ptypy === undefined || !existsSync(join(ptypy, 'ptypy'))) {
    console.log(
      'PTYPY_SRC is not set to a ptypy work tree (../shared/ptypy-baseline/setup-ptypy.sh makes one): ' +
        'running ptyscan alone (bench/pipeline.ts), without ptypy ratios.',
    );
    const res = spawnSync(
      process.execPath,
      [join(ROOT, 'dist', 'bench', 'pipeline.js'), ...process.argv.slice(2)],
      {
        stdio: 'inherit',
      },
    );
    process.exit(res.status ?? 1);
  }
  const frameCounts = option('--frames', '1000,5000').split(',').map(Number);
  const runs = Number(option('--runs', '3'));
  const sources = option('--sources', 'npy,hdf5-bslz4').split(',');
  const modesWanted = option('--modes', 'none,append,link').split(',');
  const work = option('--work', '/tmp/ptyscan-bench-side-by-side');
  const memory = Number(option('--memory', '0'));
  const env = { ...process.env, PYTHONPATH: ptypy };
  mkdirSync(work, { recursive: true });
  console.log(
    `machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores; node ${process.version}; ` +
      `load average at start ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  console.log(
    'Each table row: side-by-side.sh (whole process, the two alternating, median of --runs), then CPU and peak RSS ' +
      '(/usr/bin/time, alternating, median), then ptypy PtydScan read-back of both outputs.',
  );
  let started = false;
  for (const source of sources) {
    // ptypy's Hdf5Loader script saves none or append only.
    const modes = source === 'npy' ? modesWanted : modesWanted.filter((m) => m !== 'link');
    for (const frames of frameCounts) {
      const sbs = spawnSync(
        join(BASELINE, 'side-by-side.sh'),
        [
          '--frames',
          String(frames),
          '--runs',
          String(runs),
          '--source',
          source,
          '--modes',
          modes.join(' '),
          '--work',
          work,
          '--keep',
        ],
        { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 1 << 26 },
      );
      process.stdout.write(
        `\n$ side-by-side.sh --frames ${frames} --runs ${runs} --source ${source}\n`,
      );
      process.stdout.write(sbs.stdout);
      if (sbs.status !== 0) {
        process.stdout.write(sbs.stderr);
        process.exitCode = 1;
        continue;
      }
      if (!started && source === 'npy' && frames >= 1000) {
        console.log(startUp(work, env));
        started = true;
      }
      const rows = parseSideBySide(sbs.stdout);
      const table: string[] = [
        `| save | ptypy | ptyscan | ratio | bytes ptyscan / ptypy | CPU ptypy / ptyscan | peak RSS ptypy / ptyscan | ptypy read-back |`,
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ];
      for (const row of rows) {
        const cfg = join(work, 'out', `cfg-${row.mode}.json`);
        const usage = { ours: [] as Usage[], theirs: [] as Usage[] };
        for (let r = 0; r < runs; r++) {
          // As side-by-side.sh does: no earlier output (ptyscan would keep it as .old).
          removeOutputs(work, row.mode);
          usage.ours.push(
            timed([process.execPath, BIN, 'prepare', cfg, '--chunk', '100', '--quiet'], env),
          );
          usage.theirs.push(timed(theirsCommand(source, work, frames, row.mode), env));
        }
        const cpu = (u: Usage[]) => median(u.map((x) => x.cpu));
        const rss = (u: Usage[]) => median(u.map((x) => x.rssMiB));
        let readBack = '-';
        if (row.mode !== 'none') {
          const ours = join(work, 'out', `ours-${row.mode}.ptyd`);
          const theirs = join(work, 'out', `theirs-${row.mode}.ptyd`);
          const sums = checksums([ours, theirs], env);
          const a = sums.get(ours);
          const b = sums.get(theirs);
          readBack =
            a !== undefined && b !== undefined && a.checksum === b.checksum && a.frames === frames
              ? `same (${a.frames} frames, ${a.checksum.slice(0, 12)})`
              : `DIFFERENT: ${a?.frames} ${a?.checksum.slice(0, 12)} vs ${b?.frames} ${b?.checksum.slice(0, 12)}`;
          if (!readBack.startsWith('same')) process.exitCode = 1;
        }
        const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '-');
        table.push(
          `| ${row.mode} | ${fmt(row.theirs)} (${(frames / row.theirs).toFixed(0)} f/s) | ${fmt(row.ours)} (${(frames / row.ours).toFixed(0)} f/s) | ${row.ratio.toFixed(2)}x | ` +
            `${row.mode === 'none' ? '-' : `${(row.oursBytes / 1e6).toFixed(1)} / ${(row.theirsBytes / 1e6).toFixed(1)} MB (${ratio(row.oursBytes, row.theirsBytes)})`} | ` +
            `${fmt(cpu(usage.theirs))} / ${fmt(cpu(usage.ours))} (${ratio(cpu(usage.theirs), cpu(usage.ours))}x) | ` +
            `${rss(usage.theirs).toFixed(0)} / ${rss(usage.ours).toFixed(0)} MiB | ${readBack} |`,
        );
      }
      console.log(`\n${source}, ${frames} frames:\n${table.join('\n')}`);
      const reads = readFloors(source, work, frames, env);
      const none = rows.find((r) => r.mode === 'none');
      if (none !== undefined) console.log(floorLine('none', reads, none.ours));
      const saving = rows.find((r) => r.mode === 'append');
      if (saving !== undefined) {
        const ours = join(work, 'out', 'ours-append.ptyd');
        const stages = floors(reads, work, ours, env);
        console.log(
          `${floorLine('append', stages, saving.ours)}; bytes ${outputBytes(work, 'ours-append.ptyd')}`,
        );
      }
    }
  }
  if (memory > 0) memoryRows(memory, runs, work, env);
  rmSync(join(work, 'floor.bin'), { force: true });
}

/** Peak RSS at a larger frame count (npy, append and none), both programs, one run each. */
function memoryRows(frames: number, runs: number, work: string, env: NodeJS.ProcessEnv): void {
  const sbs = spawnSync(
    join(BASELINE, 'side-by-side.sh'),
    ['--frames', String(frames), '--runs', '1', '--modes', 'none append', '--work', work, '--keep'],
    { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 1 << 26 },
  );
  process.stdout.write(
    `\n$ side-by-side.sh --frames ${frames} --runs 1 --modes 'none append'\n${sbs.stdout}`,
  );
  for (const mode of ['none', 'append']) {
    const cfg = join(work, 'out', `cfg-${mode}.json`);
    const ours = timed([process.execPath, BIN, 'prepare', cfg, '--chunk', '100', '--quiet'], env);
    const theirs = timed(theirsCommand('npy', work, frames, mode), env);
    console.log(
      `peak RSS at ${frames} frames, ${mode}: ptypy ${theirs.rssMiB.toFixed(0)} MiB, ptyscan ${ours.rssMiB.toFixed(0)} MiB (runs: ${runs > 1 ? 1 : runs})`,
    );
  }
}

main();
