// Shared by scripts/build-mpi.mjs and scripts/build-hdf5.mjs: builds one
// optional N-API addon from native/<name> into build/ptyscan_<name>.node.
// Runs from `npm ci` / `npm install` (prepare), so it never fails the install:
// without the system libraries it says so in one line; with them and a failed
// build it prints the compiler output and a loud warning.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
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

/**
 * @param {object} addon
 * @param {string} addon.name        folder under native/ and suffix of the product
 * @param {string} addon.what        e.g. "the MPI addon"
 * @param {string[]} addon.packages  pkg-config packages that must all exist
 * @param {string} addon.missing     the line printed when they do not
 * @param {string} addon.consequence what a failed build means for the user
 */
export function buildAddon({ name, what, packages, missing, consequence }) {
  const script = `node scripts/build-${name}.mjs`;
  const versions = [];
  for (const pkg of packages) {
    const probe = spawnSync('pkg-config', ['--modversion', pkg], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log(missing);
      return;
    }
    versions.push(`${pkg} ${probe.stdout.trim()}`);
  }
  const nodeGyp = resolveOrNull('node-gyp/bin/node-gyp.js');
  const addonApi = resolveOrNull('node-addon-api');
  if (nodeGyp === null || addonApi === null) {
    warn([
      `ptyscan: the libraries of ${what} are installed but node-gyp or node-addon-api is missing,`,
      `so ${what} was NOT built: ${consequence}`,
      `Install with dev and optional dependencies (npm ci) and run: ${script}`,
    ]);
    return;
  }
  const source = join(root, 'native', name);
  const product = join(root, 'build', `ptyscan_${name}.node`);
  // node-gyp would otherwise try to download Node's headers; use the local ones.
  const args = [nodeGyp, 'rebuild', '--directory', source];
  const localHeaders = join(dirname(dirname(process.execPath)), 'include', 'node', 'node_api.h');
  if (!process.env.npm_config_nodedir && existsSync(localHeaders)) {
    args.push(`--nodedir=${dirname(dirname(process.execPath))}`);
  }
  console.log(`ptyscan: building ${what} against ${versions.join(', ')} (node-gyp)...`);
  rmSync(product, { force: true });
  const build = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const built = join(source, 'build', 'Release', `ptyscan_${name}.node`);
  if (build.status !== 0 || !existsSync(built)) {
    process.stderr.write(build.stdout ?? '');
    process.stderr.write(build.stderr ?? '');
    warn([
      `ptyscan: the libraries are installed but ${what} FAILED to build (output above):`,
      consequence,
      `Fix the error, then run: ${script}`,
    ]);
    return;
  }
  mkdirSync(dirname(product), { recursive: true });
  copyFileSync(built, product);
  console.log(`ptyscan: ${what} built: ${product}`);
}
