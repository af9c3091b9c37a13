/**
 * The package as a user installs it: `npm pack`, then `npm install` of the
 * tarball, of a git URL and `npm ci` in a checkout, each into a folder of its
 * own, with the real npm. The install step must build both native addons
 * when their libraries are installed (and say so in one line), never fail,
 * and `npx ptyscan prepare` must then run with them, also under mpirun.
 */
import assert from 'node:assert/strict';
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { firstDifference, type Plain, toPlain } from '../../src/conformance/describe.js';
import { h5ready } from '../../src/h5/index.js';
import { h5read } from '../../src/ptyd/index.js';
import { noMpi, PROJECT_ROOT } from '../mpi-run.js';

/** Whether pkg-config finds every package (the libraries of one addon). */
function hasLibraries(...packages: string[]): boolean {
  return spawnSync('pkg-config', ['--exists', ...packages]).status === 0;
}
const LIBS = { mpi: hasLibraries('mpi-c'), hdf5: hasLibraries('hdf5', 'libdeflate', 'liblz4') };
const noNpm = spawnSync('npm', ['--version']).status === 0 ? false : 'npm is not on PATH';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; fails the test with its output when it does not exit 0. */
function run(cmd: string, args: readonly string[], options: SpawnSyncOptions = {}): Run {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 300_000,
    ...options,
    env: {
      ...process.env,
      // Local jobs never use ssh; Open MPI refuses to start without one otherwise.
      OMPI_MCA_plm_rsh_agent: 'false',
      ...options.env,
    },
  });
  const out = { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  assert.equal(
    out.status,
    0,
    `${cmd} ${args.join(' ')} exited ${out.status}\n${out.stdout}\n${out.stderr}`,
  );
  return out;
}

const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline'];

/** The one line of the build step that names both addons as built (or as skipped, without their libraries). */
function assertReportLine(text: string): void {
  const line = text.split('\n').find((l) => l.startsWith('ptyscan: native addons: '));
  assert.ok(line !== undefined, `no report line in:\n${text}`);
  assert.match(
    line,
    LIBS.mpi
      ? /MPI built \(mpi-c [\d.]+\)/
      : /MPI skipped: pkg-config finds no mpi-c.*apt-get install openmpi-bin libopenmpi-dev/,
  );
  assert.match(
    line,
    LIBS.hdf5
      ? /HDF5 built \(hdf5 [\d.]+, libdeflate [\d.]+, liblz4 [\d.]+, (libisal [\d.]+|no libisal)\)/
      : /HDF5 skipped: pkg-config finds no (hdf5|libdeflate|liblz4).*apt-get install libhdf5-dev libdeflate-dev liblz4-dev libisal-dev/,
  );
}

/** A fresh npm project folder. */
function project(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', private: true }),
  );
  return dir;
}

/** The file's groups and datasets, without `info/dfile` (the output names differ on purpose). */
function content(file: string): Plain {
  const tree = toPlain(h5read(file)) as { info: Record<string, Plain> };
  delete tree.info.dfile;
  return tree;
}

describe('the installed package', { skip: noNpm }, () => {
  let root: string;
  let tarball: string;
  before(async () => {
    await h5ready();
    root = mkdtempSync(join(tmpdir(), 'ptyscan-install-'));
    const pack = run('npm', ['pack', '--json', '--pack-destination', root], {
      cwd: PROJECT_ROOT,
    });
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as {
      filename: string;
    }[];
    tarball = join(root, info!.filename);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('ships the addon sources and their build script, and no built addon', () => {
    const list = run('tar', ['tzf', tarball]).stdout.split('\n');
    for (const file of [
      'package/native/mpi/binding.gyp',
      'package/native/mpi/ptyscan_mpi.cc',
      'package/native/hdf5/binding.gyp',
      'package/native/hdf5/ptyscan_hdf5.cc',
      'package/native/hdf5/read.cc',
      'package/native/hdf5/read.h',
      'package/native/hdf5/decode.cc',
      'package/native/hdf5/decode.h',
      'package/scripts/build-native.mjs',
      'package/scripts/native-addon.mjs',
      'package/dist/src/cli/main.js',
    ]) {
      assert.ok(list.includes(file), `${file} missing from the tarball`);
    }
    assert.deepEqual(
      list.filter((f) => f.endsWith('.node') || f.includes('/build/')),
      [],
      'a built addon would not fit every machine',
    );
  });

  it('npm install <tarball> builds the addons, says so in one line, and prepare runs with them (also under mpirun)', async () => {
    const app = project(root, 'app');
    // npm hides a dependency's install output; --foreground-scripts shows the line it prints.
    const install = run('npm', ['install', tarball, ...NPM_FLAGS, '--foreground-scripts'], {
      cwd: app,
    });
    assertReportLine(install.stdout);
    const doctor = run('npx', ['ptyscan', 'doctor'], { cwd: app });
    assertReportLine(doctor.stdout);
    assert.match(doctor.stdout, /^ptyscan 0\.\d+\.\d+ \(ESM\) at .*node_modules\/ptyscan, node v/m);
    if (LIBS.hdf5) assert.match(doctor.stdout, /^ {2}HDF5 {2}in use: libhdf5 /m);
    if (LIBS.mpi) assert.match(doctor.stdout, /^ {2}MPI {3}loads/m);

    run('npx', ['ptyscan', 'simulate', 'raw', '--frames', '23', '--shape', '64', '--quiet'], {
      cwd: app,
    });
    writeFileSync(
      join(app, 'scan.json'),
      JSON.stringify({ name: 'NumpyScan', base_path: 'raw', shape: 48, save: 'link' }),
    );
    const one = run(
      'npx',
      ['ptyscan', 'prepare', 'scan.json', '--chunk', '5', '--out', 'one.ptyd', '--verbose'],
      { cwd: app },
    );
    assert.match(one.stdout, /frames +23 of 23 in 5 chunks/);
    if (LIBS.hdf5) assert.match(one.stderr, /written by the native HDF5 addon \(libhdf5/);
    if (noMpi) return;
    const two = run(
      'mpirun',
      [
        '-n',
        '2',
        '--oversubscribe',
        '--allow-run-as-root',
        'npx',
        'ptyscan',
        'prepare',
        'scan.json',
        '--chunk',
        '5',
        '--out',
        'two.ptyd',
      ],
      { cwd: app },
    );
    assert.equal(two.stdout.match(/Prepared\./g)?.length, 1, two.stdout);
    assert.equal(
      firstDifference(content(join(app, 'two.ptyd')), content(join(app, 'one.ptyd'))),
      null,
    );
  });

  it("is ESM, and the README's line for CommonJS loads it", () => {
    const app = join(root, 'app');
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const line = /^(const \{[^}]+\} = await import\('ptyscan'\);)/m.exec(readme)?.[1];
    assert.ok(line !== undefined, 'the README shows no CommonJS line');
    writeFileSync(
      join(app, 'use.cjs'),
      `(async () => {\n  ${line}\n  console.log(typeof PtyScan, typeof createScan);\n})();\n`,
    );
    assert.equal(run(process.execPath, ['use.cjs'], { cwd: app }).stdout, 'function function\n');
    const pkg = JSON.parse(
      readFileSync(join(app, 'node_modules/ptyscan/package.json'), 'utf8'),
    ) as { type?: string };
    assert.equal(pkg.type, 'module');
  });

  it('npm install <git url> builds the addons where the package lands', () => {
    // A repository holding exactly the project's files, as a git URL gives them.
    const repo = join(root, 'repo');
    mkdirSync(repo);
    const files = run('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
      cwd: PROJECT_ROOT,
    }).stdout.split('\0');
    for (const file of files.filter((f) => f !== '' && existsSync(join(PROJECT_ROOT, f)))) {
      mkdirSync(dirname(join(repo, file)), { recursive: true });
      cpSync(join(PROJECT_ROOT, file), join(repo, file));
    }
    const git = ['-c', 'user.name=test', '-c', 'user.email=test@localhost'];
    run('git', ['init', '-q'], { cwd: repo });
    run('git', ['add', '-A'], { cwd: repo });
    run('git', [...git, 'commit', '-qm', 'snapshot'], { cwd: repo });

    const app = project(root, 'from-git');
    run('npm', ['install', `git+file://${repo}`, ...NPM_FLAGS], { cwd: app });
    const installed = join(app, 'node_modules/ptyscan');
    assert.ok(existsSync(join(installed, 'dist/src/cli/main.js')), 'prepare built dist/');
    assert.equal(existsSync(join(installed, 'build/ptyscan_mpi.node')), LIBS.mpi);
    assert.equal(existsSync(join(installed, 'build/ptyscan_hdf5.node')), LIBS.hdf5);
    assertReportLine(run('npx', ['ptyscan', 'doctor'], { cwd: app }).stdout);

    // npm ci in the checkout itself builds them too (the repository's own install step).
    const ci = run('npm', ['ci', ...NPM_FLAGS], { cwd: repo });
    assertReportLine(ci.stdout);
    assert.equal(existsSync(join(repo, 'build/ptyscan_mpi.node')), LIBS.mpi);
    assert.equal(existsSync(join(repo, 'build/ptyscan_hdf5.node')), LIBS.hdf5);
  });

  it('with install scripts blocked, doctor says so and doctor --build builds the addons', () => {
    const app = project(root, 'no-scripts');
    run('npm', ['install', tarball, ...NPM_FLAGS, '--ignore-scripts'], { cwd: app });
    const before = run('npx', ['ptyscan', 'doctor'], { cwd: app });
    assert.match(
      before.stdout,
      /ptyscan: native addons: the install step did not run .* \(npx ptyscan doctor --build builds them\)/,
    );
    const build = run('npx', ['ptyscan', 'doctor', '--build'], { cwd: app });
    assertReportLine(build.stdout);
    if (LIBS.hdf5) assert.match(build.stdout, /^ {2}HDF5 {2}in use: libhdf5 /m);
  });
});

describe('the install step without the libraries, or with a build that fails', () => {
  let copy: string;
  before(() => {
    // The build script and addon sources alone, as in the package, with this project's node-gyp.
    copy = mkdtempSync(join(tmpdir(), 'ptyscan-build-native-'));
    cpSync(join(PROJECT_ROOT, 'scripts'), join(copy, 'scripts'), { recursive: true });
    for (const name of ['mpi', 'hdf5']) {
      mkdirSync(join(copy, 'native', name), { recursive: true });
      const sources = readdirSync(join(PROJECT_ROOT, 'native', name)).filter((f) =>
        /\.(gyp|cc|h)$/.test(f),
      );
      for (const file of sources) {
        cpSync(join(PROJECT_ROOT, 'native', name, file), join(copy, 'native', name, file));
      }
    }
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(copy, 'node_modules'));
  });
  after(() => rmSync(copy, { recursive: true, force: true }));

  it('skips each addon in one line, with the apt command, and exits 0', () => {
    const r = spawnSync(process.execPath, ['scripts/build-native.mjs'], {
      cwd: copy,
      encoding: 'utf8',
      env: { ...process.env, PKG_CONFIG_LIBDIR: join(copy, 'none'), PKG_CONFIG_PATH: '' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      'ptyscan: native addons: ' +
        'MPI skipped: pkg-config finds no mpi-c, so ptyscan runs in one process and refuses mpirun ' +
        '(apt-get install openmpi-bin libopenmpi-dev pkg-config, then npx ptyscan doctor --build); ' +
        'HDF5 skipped: pkg-config finds no hdf5, so gzip data is written and detector frames are decoded by h5wasm alone, several times slower ' +
        '(apt-get install libhdf5-dev libdeflate-dev liblz4-dev libisal-dev pkg-config, then npx ptyscan doctor --build)\n',
    );
    const report = run(process.execPath, ['scripts/build-native.mjs', '--report'], { cwd: copy });
    assert.equal(report.stdout, r.stdout);
  });

  it('--report without a report of the last build says what is there', () => {
    rmSync(join(copy, 'build'), { recursive: true, force: true });
    const none = run(process.execPath, ['scripts/build-native.mjs', '--report'], { cwd: copy });
    assert.match(none.stdout, /^ptyscan: native addons: the install step did not run/);
    // An addon an older build step left behind, without a report.
    mkdirSync(join(copy, 'build'));
    writeFileSync(join(copy, 'build/ptyscan_mpi.node'), '');
    const old = run(process.execPath, ['scripts/build-native.mjs', '--report'], { cwd: copy });
    assert.equal(
      old.stdout,
      'ptyscan: native addons: MPI built (no report of its build); ' +
        'HDF5 skipped: not built, and no report of a build (npx ptyscan doctor --build)\n',
    );
    rmSync(join(copy, 'build'), { recursive: true, force: true });
  });

  it('reports a failed build with its log and still exits 0 (--strict: 1)', {
    skip: LIBS.hdf5 ? false : 'libhdf5/libdeflate/liblz4 not installed: nothing to compile',
  }, () => {
    writeFileSync(join(copy, 'native/hdf5/ptyscan_hdf5.cc'), 'this is not C++;\n');
    const r = run(process.execPath, ['scripts/build-native.mjs', 'hdf5'], { cwd: copy });
    assert.match(
      r.stdout,
      /^ptyscan: native addons: HDF5 FAILED: hdf5 [\d.]+, libdeflate [\d.]+, liblz4 [\d.]+, (libisal [\d.]+|no libisal) found but the build failed, so gzip data is written and detector frames are decoded by h5wasm alone, several times slower \(compiler output in .*native-hdf5\.log; fix the error, then npx ptyscan doctor --build\)$/m,
    );
    assert.match(readFileSync(join(copy, 'build/native-hdf5.log'), 'utf8'), /error/);
    const strict = spawnSync(process.execPath, ['scripts/build-native.mjs', 'hdf5', '--strict'], {
      cwd: copy,
      encoding: 'utf8',
    });
    assert.equal(strict.status, 1);
  });
});
