/**
 * The Eiger workload's floor: what `ptyscan prepare` (save none) costs on the
 * data `../shared/ptypy-baseline/side-by-side.sh --source hdf5-bslz4|hdf5-raw`
 * makes, next to the fastest reads of the same bytes here, in rounds that
 * alternate every run:
 *
 * - `ptyscan`: `ptyscan prepare` of the side-by-side config (whole process);
 * - `ptypy`: ptypy's Hdf5Loader through `hdf5_prepare.py run` (whole process);
 * - `addon read`: the same 256x256 windows of every frame, chunks of 100,
 *   read by the native HDF5 addon alone into one reused buffer (decoding on
 *   every core), in a process that does nothing else;
 * - `h5py read`: the same windows read by h5py (libhdf5 and, for bslz4, the
 *   bitshuffle plugin) on one thread;
 * - `start-up`: `ptyscan --version` (loading the command line).
 *
 * Each line: median wall time, median CPU (user + sys), peak RSS, and the
 * in-process time of the read itself where there is one.
 *
 *   npm run build && npx tsc -p tsconfig.bench.json && \
 *     PTYPY_SRC=<ptypy work tree> node dist/bench/eiger.js --work DIR [--frames 2000] [--runs 5]
 *
 * (DIR as given to side-by-side.sh --work, after it made the data.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { H5File, h5ready } from '../src/h5/index.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CLI = join(ROOT, 'dist/src/cli/main.js');
const BASELINE = join(ROOT, '..', 'shared', 'ptypy-baseline', 'hdf5_prepare.py');
const PY = '/usr/bin/python3';
const ROWS = [122, 378] as const;
const COLS = [134, 390] as const;
const CHUNK = 100;

/** The child mode: read every window with the addon and print the seconds it took. */
async function readAll(master: string): Promise<void> {
  await h5ready();
  const t0 = performance.now();
  const h5 = H5File.open(master, 'r');
  const n = h5.resolve('/entry/data/data');
  if (n.kind !== 'dataset') throw new Error(`${master}: no /entry/data/data`);
  const frames = n.shape[0]!;
  const into = new Uint32Array(CHUNK * (ROWS[1] - ROWS[0]) * (COLS[1] - COLS[0]));
  let sum = 0;
  for (let k = 0; k < frames; k += CHUNK) {
    const m = Math.min(CHUNK, frames - k);
    const out = into.subarray(0, m * (ROWS[1] - ROWS[0]) * (COLS[1] - COLS[0]));
    h5.readBlock(
      '/entry/data/data',
      [k, ROWS[0], COLS[0]],
      [m, ROWS[1] - ROWS[0], COLS[1] - COLS[0]],
      out,
    );
    sum += out[0]! + out[out.length - 1]!;
  }
  h5.close();
  console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, frames, sum }));
}

const H5PY_READ = `
import sys, time, json, h5py, numpy as np
t0 = time.perf_counter()
f = h5py.File(sys.argv[1], 'r'); d = f['/entry/data/data']; n = d.shape[0]
out = np.empty((${CHUNK}, ${ROWS[1] - ROWS[0]}, ${COLS[1] - COLS[0]}), np.uint32); s = 0
for k in range(0, n, ${CHUNK}):
    m = min(${CHUNK}, n - k)
    d.read_direct(out, np.s_[k:k + m, ${ROWS[0]}:${ROWS[1]}, ${COLS[0]}:${COLS[1]}], np.s_[0:m])
    s += int(out[0, 0, 0]) + int(out[m - 1, -1, -1])
print(json.dumps({'seconds': time.perf_counter() - t0, 'frames': n, 'sum': s}))
`;

interface Run {
  wall: number;
  cpu: number;
  rssMiB: number;
  inner: number | null;
}

/** Runs a command under /usr/bin/time; its JSON line's `seconds` (if any) is the in-process time. */
function timed(cmd: string, args: readonly string[], env = process.env): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '@@ %e %U %S %M', cmd, ...args], {
    encoding: 'utf8',
    env,
    maxBuffer: 1 << 26,
  });
  const m = /@@ ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || m === null) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-400)}`);
  }
  const line = r.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  const parsed = line === undefined ? null : (JSON.parse(line) as Record<string, number>);
  const inner = parsed?.seconds;
  return {
    wall: Number(m[1]),
    cpu: Number(m[2]) + Number(m[3]),
    rssMiB: Number(m[4]) / 1024,
    inner: inner ?? null,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function main(): void {
  const argv = process.argv.slice(2);
  const opt = (name: string, fallback: string): string => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
  };
  const work = opt('--work', '');
  const frames = Number(opt('--frames', '2000'));
  const runs = Number(opt('--runs', '5'));
  const ptypy = process.env.PTYPY_SRC;
  if (work === '' || ptypy === undefined) {
    throw new Error('usage: PTYPY_SRC=<ptypy> node dist/bench/eiger.js --work DIR [--frames N]');
  }
  const out = join(work, 'eiger-bench');
  mkdirSync(out, { recursive: true });
  for (const v of ['bslz4', 'raw']) {
    const base = join(work, `h5-${frames}`, v);
    const master = join(base, 'scan_master.h5');
    if (!existsSync(master)) throw new Error(`${master}: run side-by-side.sh --work ${work} first`);
    spawnSync('sh', ['-c', `cat "${base}"/*.h5 > /dev/null`]);
    const cfg = join(out, `cfg-${v}.json`);
    writeFileSync(
      cfg,
      JSON.stringify({
        name: 'Hdf5Loader',
        intensities: { file: master, key: '/entry/data/data' },
        positions: {
          file: master,
          slow_key: '/entry/sample/y',
          fast_key: '/entry/sample/x',
          slow_multiplier: 1e-6,
          fast_multiplier: 1e-6,
        },
        shape: 256,
        center: [250, 262],
        orientation: 3,
        auto_center: false,
      }),
    );
    const kinds: [string, () => Run][] = [
      [
        'ptyscan',
        () => timed(process.execPath, [CLI, 'prepare', cfg, '--chunk', '100', '--quiet']),
      ],
      [
        'ptypy',
        () =>
          timed(PY, [BASELINE, 'run', base, '--save', 'none', '--chunk', '100'], {
            ...process.env,
            PYTHONPATH: ptypy,
          }),
      ],
      [
        'addon read',
        () => timed(process.execPath, [fileURLToPath(import.meta.url), '--read', master]),
      ],
      ['h5py read', () => timed(PY, ['-c', H5PY_READ, master])],
      ['start-up', () => timed(process.execPath, [CLI, '--version'])],
    ];
    const results = new Map<string, Run[]>(kinds.map(([k]) => [k, []]));
    for (let r = 0; r < runs; r++) for (const [k, run] of kinds) results.get(k)!.push(run());
    console.log(`${v}: ${frames} frames, save none, median of ${runs} rounds`);
    for (const [k, rs] of results) {
      const wall = median(rs.map((r) => r.wall));
      const inner = rs.every((r) => r.inner !== null) ? median(rs.map((r) => r.inner!)) : null;
      console.log(
        `  ${k.padEnd(11)} wall ${wall.toFixed(2)} s (${(frames / wall).toFixed(0)} f/s)  cpu ${median(rs.map((r) => r.cpu)).toFixed(2)} s  peak ${median(rs.map((r) => r.rssMiB)).toFixed(0)} MiB${inner === null ? '' : `  in-process ${inner.toFixed(2)} s (${(frames / inner).toFixed(0)} f/s)`}`,
      );
    }
  }
}

if (process.argv[2] === '--read') await readAll(process.argv[3]!);
else main();
