/**
 * The README's live recipe, pasted as is: its three shell lines (simulate
 * and prepare in the background, follow in front) and its live.json, run by
 * bash in an empty folder with `ptyscan` on PATH. It must succeed every time,
 * whichever process happens to start first.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { h5ready } from '../../src/h5/index.js';
import { openPtydReader, readWriterStatus } from '../../src/ptyd/index.js';
import { ROOT } from './helpers.js';

const RUNS = 10;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** The first ```sh and ```json blocks of the README's live section. */
function recipe(): { commands: string; config: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Live preparation with a reader');
  assert.ok(start >= 0, 'the README has no live section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const block = (lang: string): string => {
    const match = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(section);
    assert.ok(match !== null, `no ${lang} block in the live section`);
    return match[1]!;
  };
  return { commands: block('sh'), config: block('json') };
}

describe("the README's live recipe, pasted as is", () => {
  let root: string;
  let bin: string;
  before(async () => {
    await h5ready();
    root = mkdtempSync(join(tmpdir(), 'ptyscan-readme-live-'));
    // `ptyscan` as a user has it on PATH: this checkout's command line, built now from its source.
    const build = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, `${build.stdout}${build.stderr}`);
    bin = join(root, 'bin');
    mkdirSync(bin);
    const shim = join(bin, 'ptyscan');
    // It keeps each command's output and exit code in the folder: the three share one
    // terminal, and bash forgets background jobs that ended.
    writeFileSync(
      shim,
      `#!/bin/sh\n"${process.execPath}" "${join(ROOT, 'dist/src/cli/main.js')}" "$@" > ".out-$1"\ncode=$?\ncat ".out-$1"\necho "$1 $code" >> .exit-codes\nexit $code\n`,
    );
    chmodSync(shim, 0o755);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it(`succeeds ${RUNS} times out of ${RUNS}: every frame read once, chunks of --chunk frames`, {
    timeout: 900_000,
  }, (t) => {
    const { commands, config } = recipe();
    const frames = Number(/--frames (\d+)/.exec(commands)?.[1]);
    const chunk = Number(/prepare .*--chunk (\d+)/.exec(commands)?.[1]);
    assert.ok(frames > 0 && chunk > 0, commands);
    const failures: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const dir = join(root, `run-${run}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'live.json'), config);
      // The pasted lines, then waiting for the two background jobs.
      const script = `${commands}\nwait\n`;
      const r = spawnSync('bash', ['-c', script], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
      });
      const problem = check(dir, r.status, frames, chunk);
      if (problem !== null) failures.push(`run ${run}: ${problem}\n${r.stdout}\n${r.stderr}`);
    }
    t.diagnostic(`${RUNS - failures.length} of ${RUNS} runs succeeded`);
    assert.deepEqual(failures, []);
  });
});

/** What went wrong in one run, or null. */
function check(dir: string, status: number | null, frames: number, chunk: number): string | null {
  if (status !== 0) return `exit code ${status}`;
  const codes = readFileSync(join(dir, '.exit-codes'), 'utf8').trim().split('\n').sort();
  if (codes.join() !== 'follow 0,prepare 0,simulate 0') return `exit codes ${codes.join(', ')}`;
  const lines = readFileSync(join(dir, '.out-follow'), 'utf8').trim().split('\n');
  if (lines[lines.length - 1] !== `frames: ${frames}`) return 'follow did not end with frames: N';
  const read = lines.flatMap((l) => {
    const m = /^chunk \d+: frames (\d+)-(\d+)/.exec(l);
    return m === null ? [] : [`${m[1]}-${m[2]}`];
  });
  let next = 0;
  for (const range of read) {
    const [a, b] = range.split('-').map(Number) as [number, number];
    if (a !== next) return `follow read frames ${range} after frame ${next - 1}`;
    next = b + 1;
  }
  if (next !== frames) return `follow read ${next} frames`;
  const file = join(dir, 'scan.ptyd');
  if (readWriterStatus(file)?.state !== 'complete') return 'scan.ptyd is not complete';
  const reader = openPtydReader(file);
  try {
    const sizes = reader.listChunks().map((c) => c.frames);
    const expected = Array.from({ length: Math.ceil(frames / chunk) }, (_, i) =>
      Math.min(chunk, frames - i * chunk),
    );
    if (sizes.join() !== expected.join()) return `chunk sizes ${sizes.join()}`;
  } finally {
    reader.close();
  }
  return null;
}
