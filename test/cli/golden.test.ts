/**
 * CLI golden folders: `golden/<case>/input/` is copied to a fresh folder, the
 * command of `golden/<case>/case.json` runs there, and what it printed (and,
 * for `prepare`, the `.ptyd` files it wrote, listed as `ptyscan info` lists
 * them) must equal `golden/<case>/output/`. After a deliberate change of the
 * output, refresh every expected folder with `npm run golden`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { h5ready } from '../../src/h5/index.js';
import { formatInfoTree } from '../../src/ptyd/index.js';
import { tempDir } from '../helpers/index.js';
import { cli } from './helpers.js';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// The child runs in the copied input folder: tsx is found from here, not from there.
const TSX = import.meta.resolve('tsx');
const UPDATE = process.env.PTYSCAN_UPDATE_GOLDEN === '1';

/** What `case.json` says: the arguments, and an environment that asks for a process of its own. */
interface GoldenCase {
  args: string[];
  /** Run `ptyscan` as a child process with these variables (else in this process). */
  env?: Record<string, string>;
}

interface Outcome {
  code: number;
  out: string;
  err: string;
}

function run(spec: GoldenCase, cwd: string): Promise<Outcome> | Outcome {
  if (spec.env === undefined) {
    const here = process.cwd();
    process.chdir(cwd);
    return cli(spec.args).finally(() => process.chdir(here));
  }
  const child = spawnSync(process.execPath, ['--import', TSX, ENTRY, ...spec.args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...spec.env },
    timeout: 120_000,
  });
  return { code: child.status ?? -1, out: child.stdout, err: child.stderr };
}

/** The run's text without what differs between runs: the folder it ran in, dates, times, rates, the writer's pid, host and run id. */
function normalized(text: string, dirs: readonly string[]): string {
  let out = text;
  for (const dir of dirs) out = out.replaceAll(dir, '<dir>');
  return out
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<iso time>')
    .replace(/\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\b/g, '<date>')
    .replace(/ pid \d+ host [^\s"]+/g, ' pid <pid> host <host>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<run id>')
    .replace(/\S+ frames\/s/g, '<rate> frames/s')
    .replace(/\b\d+:\d\d(:\d\d)?( \(\d+(\.\d+)? s\))?/g, '<time>');
}

/** Every `.ptyd` file under `dir` (paths relative to it), sorted. */
function ptydFiles(dir: string, sub = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, sub), { withFileTypes: true })) {
    const path = sub === '' ? name.name : `${sub}/${name.name}`;
    if (name.isDirectory()) out.push(...ptydFiles(dir, path));
    else if (/\.ptyd(\.chunk\d+)?$/.test(name.name)) out.push(path);
  }
  return out.sort();
}

/** The expected output folder's files: stdout, stderr, the exit code, the listing of written files. */
function outputs(outcome: Outcome, cwd: string, before: readonly string[]): Map<string, string> {
  const dirs = [realpathSync(cwd), cwd];
  const files = new Map<string, string>([
    ['stdout.txt', normalized(outcome.out, dirs)],
    ['stderr.txt', normalized(outcome.err, dirs)],
    ['exit-code.txt', `${outcome.code}\n`],
  ]);
  const written = ptydFiles(cwd).filter((f) => !before.includes(f));
  if (written.length > 0) {
    const listing = written.map((f) => `${f}\n${formatInfoTree(join(cwd, f))}\n`).join('\n');
    files.set('written.txt', normalized(listing, dirs));
  }
  return files;
}

const cases = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('CLI golden folders', () => {
  const work = tempDir('golden');
  before(async () => {
    await h5ready();
  });

  it('has a case for info, validate, params and prepare --verbose', () => {
    const commands = new Set(
      cases.map(
        (name) =>
          (JSON.parse(readFileSync(join(GOLDEN, name, 'case.json'), 'utf8')) as GoldenCase).args[0],
      ),
    );
    for (const command of ['info', 'validate', 'params', 'prepare']) {
      assert.ok(commands.has(command), `no golden case runs '${command}'`);
    }
  });

  for (const name of cases) {
    it(`${name}: the output equals golden/${name}/output`, async () => {
      const folder = join(GOLDEN, name);
      const spec = JSON.parse(readFileSync(join(folder, 'case.json'), 'utf8')) as GoldenCase;
      const cwd = join(work, name);
      mkdirSync(cwd);
      if (existsSync(join(folder, 'input')))
        cpSync(join(folder, 'input'), cwd, { recursive: true });
      const before = ptydFiles(cwd);
      const actual = outputs(await run(spec, cwd), cwd, before);
      const expectedDir = join(folder, 'output');
      if (UPDATE) {
        rmSync(expectedDir, { recursive: true, force: true });
        mkdirSync(expectedDir);
        for (const [file, text] of actual) writeFileSync(join(expectedDir, file), text);
        return;
      }
      const expected = readdirSync(expectedDir).sort();
      assert.deepEqual(
        [...actual.keys()].sort(),
        expected,
        `${relative(GOLDEN, expectedDir)}: files`,
      );
      for (const file of expected) {
        const want = readFileSync(join(expectedDir, file), 'utf8');
        assert.equal(actual.get(file), want, `${name}/output/${file}`);
      }
    });
  }
});
