import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Command } from '../../src/cli/command.js';
import { COMMANDS, runCli } from '../../src/cli/index.js';
import { parseParams } from '../../src/params/index.js';
import { PTYSCAN_PARAMS } from '../../src/scan/pty-scan-params.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION: string = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version;

async function run(
  argv: string[],
  commands: readonly Command[] = COMMANDS,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { stdout: (t) => (out += t), stderr: (t) => (err += t) },
    commands,
  );
  return { code, out, err };
}

describe('ptyscan CLI', () => {
  it('--version and -V print the package version', async () => {
    for (const flag of ['--version', '-V']) {
      assert.deepEqual(await run([flag]), { code: 0, out: `${VERSION}\n`, err: '' });
    }
  });

  it('--help lists every command with its summary', async () => {
    const { code, out, err } = await run(['--help']);
    assert.equal(code, 0);
    assert.equal(err, '');
    assert.match(out, /^Usage: ptyscan <command>/);
    for (const c of COMMANDS) {
      assert.ok(out.includes(`  ${c.name.padEnd(8)}  ${c.summary}`), c.name);
    }
    assert.match(out, /--version/);
  });

  it('a command --help prints its usage', async () => {
    const { code, out } = await run(['params', '--help']);
    assert.equal(code, 0);
    assert.match(out, /ptyscan params <class> --defaults/);
  });

  for (const [argv, line] of [
    [['bogus'], "ptyscan: unknown command 'bogus' (see 'ptyscan --help')\n"],
    [['--bogus'], "ptyscan: unknown option '--bogus' (see 'ptyscan --help')\n"],
    [[], "ptyscan: missing command (see 'ptyscan --help')\n"],
    [
      ['params', '--nope'],
      "ptyscan params: unknown option '--nope' (see 'ptyscan params --help')\n",
    ],
    [
      ['params', 'NoSuchScan'],
      "ptyscan params: unknown class 'NoSuchScan' (known: PtyScan, PtydScan, CxiScan, FoldSliceScan, Hdf5Loader, Hdf5LoaderFast, SwmrLoader, MoonFlowerScan, NumpyScan) (see 'ptyscan params --help')\n",
    ],
    [
      ['params', 'PtyScan', 'rebinn'],
      "ptyscan params: PtyScan has no parameter 'rebinn' (see 'ptyscan params --help')\n",
    ],
  ] as const) {
    it(`'${argv.join(' ')}' fails with one line on stderr and exit code 2`, async () => {
      assert.deepEqual(await run([...argv]), { code: 2, out: '', err: line });
    });
  }

  it('params lists the registered classes', async () => {
    const { code, out } = await run(['params']);
    assert.equal(code, 0);
    assert.match(out, /^scandata\.PtyScan +prepares raw detector frames/m);
    assert.match(out, /^scandata\.NumpyScan +.*\(extends scandata\.PtyScan\)$/m);
    assert.match(out, /^scandata\.MoonFlowerScan +simulates a ptychography scan/m);
  });

  it('params PtyScan describes every parameter with type, default, limits and choices', async () => {
    const { code, out } = await run(['params', 'PtyScan']);
    assert.equal(code, 0);
    for (const name of PTYSCAN_PARAMS.entries.keys()) {
      assert.match(out, new RegExp(`^scandata\\.PtyScan\\.${name}$`, 'm'), name);
    }
    const rebin = out.slice(out.indexOf('scandata.PtyScan.rebin\n'));
    const section = rebin.slice(0, rebin.indexOf('\n\n'));
    assert.match(section, /type: +int, None/);
    assert.match(section, /default: +None/);
    assert.match(section, /limits: +1 <= rebin <= 32/);
    assert.match(out, /choices: +'gzip', 'lzf', 'none'/);
    assert.match(out, /default: +0\.000172/);
  });

  it('params PtyScan <name> shows only the named parameters', async () => {
    const { out } = await run(['params', 'scandata.PtyScan', 'energy']);
    assert.match(out, /^scandata\.PtyScan\.energy$/m);
    assert.match(out, /keV/);
    assert.doesNotMatch(out, /scandata\.PtyScan\.rebin/);
  });

  it('params PtyScan --defaults prints parseable ptypy text with the defaults', async () => {
    const { code, out } = await run(['params', 'PtyScan', '--defaults']);
    assert.equal(code, 0);
    assert.match(out, /^\[shape\]\ntype = int, tuple, array, None\ndefault = 256$/m);
    assert.match(out, /^\[center\]\ntype = str, tuple, list, array, None\ndefault = 'fftshift'$/m);
    assert.deepEqual(parseParams(out, 'PtyScan').defaults(), PTYSCAN_PARAMS.defaults());
  });

  it('takes extra commands from the table it is given', async () => {
    const hello: Command = {
      name: 'hello',
      summary: 'Say hello',
      usage: 'ptyscan hello',
      run: async (args, effects) => {
        effects.stdout(`hello ${args.join(' ')}\n`);
        return 0;
      },
    };
    assert.deepEqual(await run(['hello', 'world'], [...COMMANDS, hello]), {
      code: 0,
      out: 'hello world\n',
      err: '',
    });
    assert.match((await run(['--help'], [...COMMANDS, hello])).out, /hello +Say hello/);
  });

  it('the entry file runs as a child process and prints the version', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', '--version'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, `${VERSION}\n`);
    assert.equal(result.status, 0);
  });

  it('the entry file exits with code 2 on an unknown command', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'nope'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, "ptyscan: unknown command 'nope' (see 'ptyscan --help')\n");
  });
});
