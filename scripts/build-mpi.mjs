#!/usr/bin/env node
// Builds the optional MPI addon (native/mpi) into build/ptyscan_mpi.node.
// Runs from `npm ci` / `npm install` (prepare), so it never fails the install:
// without Open MPI it says so in one line; with Open MPI and a failed build it
// prints the compiler output and a loud warning, and the MPI tests then fail.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const source = join(root, 'native', 'mpi');
const product = join(root, 'build', 'ptyscan_mpi.node');
const require = createRequire(import.meta.url);

function warn(lines) {
  const bar = '!'.repeat(78);
  console.warn([bar, ...lines.map((l) => `!! ${l}`), bar].join('\n'));
}

function resolveOrNull(id) {
  try {
    return require.resolve(id);
  } catch {
    return null;
  }
}

const probe = spawnSync('pkg-config', ['--modversion', 'mpi-c'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.log(
    'ptyscan: Open MPI not found (pkg-config mpi-c); the MPI addon is skipped, ptyscan runs single-process',
  );
  process.exit(0);
}

const nodeGyp = resolveOrNull('node-gyp/bin/node-gyp.js');
const addonApi = resolveOrNull('node-addon-api');
if (nodeGyp === null || addonApi === null) {
  warn([
    'ptyscan: Open MPI is installed but node-gyp or node-addon-api is missing,',
    'so the MPI addon was NOT built and ptyscan can only run single-process.',
    'Install with dev and optional dependencies (npm ci) and run: node scripts/build-mpi.mjs',
  ]);
  process.exit(0);
}

// node-gyp would otherwise try to download Node's headers; use the local ones.
const args = [nodeGyp, 'rebuild', '--directory', source];
const localHeaders = join(dirname(dirname(process.execPath)), 'include', 'node', 'node_api.h');
if (!process.env.npm_config_nodedir && existsSync(localHeaders)) {
  args.push(`--nodedir=${dirname(dirname(process.execPath))}`);
}

console.log(
  `ptyscan: building the MPI addon against Open MPI ${probe.stdout.trim()} (node-gyp)...`,
);
rmSync(product, { force: true });
const build = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
const built = join(source, 'build', 'Release', 'ptyscan_mpi.node');
if (build.status !== 0 || !existsSync(built)) {
  process.stderr.write(build.stdout ?? '');
  process.stderr.write(build.stderr ?? '');
  warn([
    'ptyscan: Open MPI is installed but the MPI addon FAILED to build (output above).',
    'ptyscan will refuse to run under mpirun, and the MPI tests will fail.',
    'Fix the error, then run: node scripts/build-mpi.mjs',
  ]);
  process.exit(0);
}
mkdirSync(dirname(product), { recursive: true });
copyFileSync(built, product);
console.log(`ptyscan: MPI addon built: ${product}`);
