/** Child processes, polling and file comparison for the live writer/reader tests. */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { H5File } from '../../src/h5/index.js';
import { h5read } from '../../src/ptyd/index.js';
import { isPyDict, type PyDict, type PyValue } from '../../src/py/value.js';
import { DEFAULT_SIMULATION, writeRawFolder } from '../../src/sim/index.js';
import { createScan } from '../../src/sources/index.js';
import { runToEos } from '../helpers/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'src/cli/main.ts');
export const DRIVER = join(ROOT, 'test/live/fixtures/prepare-api.ts');

/** Frames, frame side and chunk size shared by the live tests. */
export const FRAMES = 40;
export const SHAPE = 64;
export const CHUNK = 8;

/** A child process with its output collected and its exit awaited. */
export interface Child {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves to the exit code (or the signal name) when it ends. */
  exited: Promise<number | string>;
}

/** Every child of the test process, so a failing test leaves none behind. */
const children = new Set<ChildProcess>();

/** Runs `command ...args` in the project folder; killed with SIGKILL after `limitMs`. */
export function spawnProcess(
  command: string,
  args: readonly string[],
  limitMs = 180_000,
  env: NodeJS.ProcessEnv = process.env,
): Child {
  const proc = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
  children.add(proc);
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const limit = setTimeout(() => proc.kill('SIGKILL'), limitMs);
  const exited = new Promise<number | string>((done) => {
    proc.on('exit', (code, signal) => {
      clearTimeout(limit);
      children.delete(proc);
      done(code ?? signal ?? 'unknown');
    });
  });
  return { proc, stdout: () => out, stderr: () => err, exited };
}

/** Runs `node --import tsx <script> ...args`; killed with SIGKILL after `limitMs`. */
export function spawnNode(
  script: string,
  args: readonly string[],
  limitMs = 180_000,
  env: NodeJS.ProcessEnv = process.env,
): Child {
  return spawnProcess(process.execPath, ['--import', 'tsx', script, ...args], limitMs, env);
}

/** `ptyscan <args>` in its own process (with `env`, e.g. the native addon switched off). */
export function spawnCli(
  args: readonly string[],
  limitMs?: number,
  env?: NodeJS.ProcessEnv,
): Child {
  return spawnNode(CLI, args, limitMs, env);
}

/** Kills every child still running (after a failed test). */
export function killChildren(): void {
  for (const proc of children) proc.kill('SIGKILL');
}

/** Polls `condition` every `everyMs` until it holds; fails after `limitMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean,
  limitMs = 120_000,
  everyMs = 20,
): Promise<void> {
  const until = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Number of chunks the master links now (0 when it does not exist yet). */
export function linkedChunks(master: string): number {
  if (!existsSync(master)) return 0;
  const h5 = H5File.open(master, 'r');
  try {
    return h5.has('/chunks') ? h5.members('/chunks').length : 0;
  } finally {
    h5.close();
  }
}

/** The `ptyscan_state` root attribute of a master, if any. */
export function writerState(master: string): string | undefined {
  if (!existsSync(master)) return undefined;
  const h5 = H5File.open(master, 'r');
  try {
    return h5.readStringAttribute('/', 'ptyscan_state');
  } finally {
    h5.close();
  }
}

/** Writes the simulated raw folder every live test uses (same seed: same frames). */
export async function simulateRaw(dir: string): Promise<void> {
  await writeRawFolder(dir, { ...DEFAULT_SIMULATION, frames: FRAMES, shape: SHAPE });
}

/** The NumpyScan config of the live tests (link mode, fixed chunking through min_frames). */
export function scanConfig(raw: string, dfile: string): Record<string, PyValue> {
  return {
    name: 'NumpyScan',
    base_path: raw,
    num_frames: BigInt(FRAMES),
    min_frames: BigInt(CHUNK),
    shape: 32n,
    save: 'link',
    dfile,
  };
}

/** The same config as JSON for a child process. */
export function configJson(raw: string, dfile: string): string {
  return JSON.stringify(scanConfig(raw, dfile), (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
}

/** Prepares `raw` in this process, uninterrupted: the reference file. */
export async function prepareReference(raw: string, dfile: string): Promise<void> {
  mkdirSync(dirname(dfile), { recursive: true });
  const scan = await createScan(scanConfig(raw, dfile));
  runToEos(scan, CHUNK, { close: true, wait: 'skip' });
}

/** Copies frames `[from, to)` of a raw folder (with geometry and positions) into another. */
export function copyRawFrames(from: string, to: string, start: number, end: number): void {
  mkdirSync(join(to, 'ccd'), { recursive: true });
  for (const name of ['geometry.txt', 'positions.txt']) {
    if (!existsSync(join(to, name))) copyFileSync(join(from, name), join(to, name));
  }
  for (let i = start; i < end; i++) {
    const name = `ccd/diffraction_${String(i).padStart(4, '0')}.npy`;
    copyFileSync(join(from, name), join(to, `${name}.part`));
    // Frames appear whole, as an acquisition writes them.
    renameSync(join(to, `${name}.part`), join(to, name));
  }
}

/** Identity of a file on disk: a chunk written again gets a new inode or mtime. */
export function fileId(file: string): string {
  const s = statSync(file);
  return `${s.ino}:${s.mtimeMs}`;
}

/** The chunks of a `.ptyd` file (links followed), by key. */
export function readChunks(file: string): Map<string, PyDict> {
  const root = h5read(file);
  const chunks = root.chunks;
  assert.ok(isPyDict(chunks), `${file}: no chunks group`);
  const out = new Map<string, PyDict>();
  for (const [key, value] of Object.entries(chunks)) {
    assert.ok(isPyDict(value), `${file}: chunk ${key} is not a group`);
    out.set(key, value);
  }
  return out;
}

/** Asserts two `.ptyd` files hold the same chunks (same split, same arrays) and meta. */
export function assertSameContent(actual: string, expected: string): void {
  const a = readChunks(actual);
  const b = readChunks(expected);
  assert.deepEqual([...a.keys()], [...b.keys()], 'chunk keys');
  for (const [key, chunk] of b) assert.deepStrictEqual(a.get(key), chunk, `chunk ${key}`);
  assert.deepStrictEqual(h5read(actual).meta, h5read(expected).meta, 'meta');
}
