/**
 * The README's live-HDF5 recipe, pasted as is: its three shell lines (the
 * h5py detector and prepare in the background, follow in front), its
 * live-h5.json and its writer.py, run by bash in an empty folder with
 * `ptyscan` on PATH and `python3` being Debian's (h5py, numpy). It must
 * succeed every time, whichever process happens to start first, with the
 * native HDF5 addon and with h5wasm alone; the frames prepared are the
 * writer's, as a run on the finished files gives them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { h5ready, nativeHdf5Status } from '../../src/h5/index.js';
import { readWriterStatus } from '../../src/ptyd/index.js';
import { createScan, readScanConfig } from '../../src/sources/index.js';
import { PYTHON, runToEos } from '../helpers/index.js';
import { assertSameContent, ROOT } from './helpers.js';

const RUNS = 6;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** The ```sh, ```json and ```python blocks of the README's live-HDF5 section. */
function recipe(): { commands: string; config: string; writer: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Live HDF5 acquisitions');
  assert.ok(start >= 0, 'the README has no live-HDF5 section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const block = (lang: string): string => {
    const match = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(section);
    assert.ok(match !== null, `no ${lang} block in the live-HDF5 section`);
    return match[1]!;
  };
  return { commands: block('sh'), config: block('json'), writer: block('python') };
}

const engines = [
  {
    name: 'the native addon',
    tag: 'native',
    env: {},
    skip: nativeHdf5Status().available ? false : 'the native addon is not built',
  },
  { name: 'h5wasm alone', tag: 'h5wasm', env: { PTYSCAN_NATIVE_HDF5: '0' }, skip: false },
] as const;

describe("the README's live-HDF5 recipe, pasted as is", () => {
  let root: string;
  let bin: string;
  before(async () => {
    await h5ready();
    root = mkdtempSync(join(tmpdir(), 'ptyscan-readme-h5-'));
    // `ptyscan` as a user has it on PATH: this checkout's command line, built now from its source.
    const build = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, `${build.stdout}${build.stderr}`);
    bin = join(root, 'bin');
    mkdirSync(bin);
    const shim = join(bin, 'ptyscan');
    // Each command's output and exit code stay in the folder (bash forgets background jobs).
    writeFileSync(
      shim,
      `#!/bin/sh\n"${process.execPath}" "${join(ROOT, 'dist/src/cli/main.js')}" "$@" > ".out-$1" 2> ".err-$1"\ncode=$?\ncat ".out-$1"\necho "$1 $code" >> .exit-codes\nexit $code\n`,
    );
    chmodSync(shim, 0o755);
    // The recipe's python3: one with h5py and numpy (Debian's).
    symlinkSync(PYTHON, join(bin, 'python3'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const engine of engines) {
    it(`succeeds ${RUNS} times out of ${RUNS} with ${engine.name}: every frame once, in order, the writer's`, {
      skip: engine.skip,
      timeout: 900_000,
    }, async (t) => {
      const { commands, config, writer } = recipe();
      const frames = Number(/'frames: (\d+)'/.exec(commands)?.[1]);
      const chunk = Number(/prepare .*--chunk (\d+)/.exec(commands)?.[1]);
      assert.ok(frames > 0 && chunk > 0, commands);
      const failures: string[] = [];
      for (let run = 0; run < RUNS; run++) {
        const dir = join(root, `${engine.tag}-${run}`);
        mkdirSync(dir);
        writeFileSync(join(dir, 'live-h5.json'), config);
        writeFileSync(join(dir, 'writer.py'), writer);
        const r = spawnSync('bash', ['-c', `${commands}\nwait\n`], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 120_000,
          env: { ...process.env, ...engine.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
        });
        const problem = await check(dir, r.status, frames, chunk);
        if (problem !== null) failures.push(`run ${run}: ${problem}\n${r.stdout}\n${r.stderr}`);
      }
      t.diagnostic(`${RUNS - failures.length} of ${RUNS} runs succeeded`);
      assert.deepEqual(failures, []);
    });
  }
});

/** What went wrong in one run, or null. */
async function check(
  dir: string,
  status: number | null,
  frames: number,
  chunk: number,
): Promise<string | null> {
  if (status !== 0) return `exit code ${status}`;
  const codes = readFileSync(join(dir, '.exit-codes'), 'utf8').trim().split('\n').sort();
  if (codes.join() !== 'follow 0,prepare 0') return `exit codes ${codes.join(', ')}`;
  const lines = readFileSync(join(dir, '.out-follow'), 'utf8').trim().split('\n');
  if (lines[lines.length - 1] !== `frames: ${frames}`) return 'follow did not end with frames: N';
  let next = 0;
  for (const l of lines) {
    const m = /^chunk \d+: frames (\d+)-(\d+)/.exec(l);
    if (m === null) continue;
    if (Number(m[1]) !== next) return `follow read frames ${m[1]}-${m[2]} after frame ${next - 1}`;
    next = Number(m[2]) + 1;
  }
  if (next !== frames) return `follow read ${next} frames`;
  const file = join(dir, 'scan.ptyd');
  if (readWriterStatus(file)?.state !== 'complete') return 'scan.ptyd is not complete';
  // The same as a run on the finished files (the writer has finished: `wait`).
  const reference = { ...readScanConfig(join(dir, 'live-h5.json')).config };
  reference.live = false;
  reference.save = 'link';
  reference.dfile = join(dir, 'finished.ptyd');
  reference.min_frames = BigInt(chunk);
  runToEos(await createScan(reference, { baseDir: dir }), chunk, { close: true });
  try {
    assertSameContent(file, join(dir, 'finished.ptyd'));
  } catch (error) {
    return `not the frames of the finished files: ${(error as Error).message}`;
  }
  return null;
}
