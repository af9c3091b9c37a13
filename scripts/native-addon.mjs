// The two optional N-API addons of ptyscan (native/mpi, native/hdf5) and how
// to build them where the package is installed. Used by scripts/build-native.mjs,
// which `npm install` / `npm ci` run as ptyscan's install script and
// `ptyscan doctor` runs later. Plain JavaScript: it runs before dist/ exists.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package folder (the one holding scripts/ and native/). */
export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** Where the built addons and the install report go. */
export const BUILD_DIR = join(ROOT, 'build');
/** What the last build step found, for `ptyscan doctor`. */
export const REPORT_FILE = join(BUILD_DIR, 'native-report.json');

/**
 * Each addon: the pkg-config packages it needs, the Debian packages that
 * provide them, and what ptyscan does without it.
 */
export const ADDONS = [
  {
    name: 'mpi',
    label: 'MPI',
    packages: ['mpi-c'],
    apt: 'apt-get install openmpi-bin libopenmpi-dev pkg-config',
    without: 'ptyscan runs in one process and refuses mpirun',
  },
  {
    name: 'hdf5',
    label: 'HDF5',
    packages: ['hdf5', 'libdeflate', 'liblz4'],
    // ISA-L's igzip makes gzip level 1 several times faster; without it libdeflate compresses.
    optional: ['libisal'],
    apt: 'apt-get install libhdf5-dev libdeflate-dev liblz4-dev libisal-dev pkg-config',
    without:
      'gzip data is written and detector frames are decoded by h5wasm alone, several times slower',
  },
];

const require = createRequire(import.meta.url);

function resolveOrNull(id) {
  try {
    return require.resolve(id);
  } catch {
    return null;
  }
}

/** The built file of an addon. */
export function productOf(addon) {
  return join(BUILD_DIR, `ptyscan_${addon.name}.node`);
}

/**
 * The system libraries of an addon: `{ ok: true, versions }`, or
 * `{ ok: false, why }` naming what pkg-config did not find.
 */
export function probeLibraries(addon) {
  const versions = [];
  for (const pkg of addon.packages) {
    const probe = spawnSync('pkg-config', ['--modversion', pkg], { encoding: 'utf8' });
    if (probe.error !== undefined) return { ok: false, why: 'pkg-config is not installed' };
    if (probe.status !== 0) {
      return { ok: false, why: `pkg-config finds no ${pkg}` };
    }
    versions.push(`${pkg} ${probe.stdout.trim()}`);
  }
  for (const pkg of addon.optional ?? []) {
    const probe = spawnSync('pkg-config', ['--modversion', pkg], { encoding: 'utf8' });
    versions.push(probe.status === 0 ? `${pkg} ${probe.stdout.trim()}` : `no ${pkg}`);
  }
  return { ok: true, versions };
}

/**
 * node-gyp, from wherever it is: ptyscan's own dev dependency (a checkout),
 * the one npm hands to install scripts, a node-gyp on PATH, or the one npm
 * bundles (found next to the npm on PATH).
 */
export function findNodeGyp(env = process.env) {
  const own = resolveOrNull('node-gyp/bin/node-gyp.js');
  if (own !== null) return own;
  const fromNpm = env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const [name, rel] of [
      ['node-gyp', null],
      ['npm', ['..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js']],
    ]) {
      const file = join(dir, name);
      if (!existsSync(file)) continue;
      if (rel === null) return file;
      const bundled = join(dirname(realpathSync(file)), ...rel);
      if (existsSync(bundled)) return bundled;
    }
  }
  return null;
}

/**
 * Builds one addon into build/ptyscan_<name>.node. Returns one result:
 * `{ name, label, status: 'built' | 'skipped' | 'failed', detail, hint? }`.
 * Never throws: the install must not fail because of an optional addon.
 */
export function buildAddon(addon, { log = () => {} } = {}) {
  const product = productOf(addon);
  const base = { name: addon.name, label: addon.label };
  const libraries = probeLibraries(addon);
  if (!libraries.ok) {
    rmSync(product, { force: true });
    return {
      ...base,
      status: 'skipped',
      detail: `${libraries.why}, so ${addon.without}`,
      hint: `${addon.apt}, then npx ptyscan doctor --build`,
    };
  }
  const nodeGyp = findNodeGyp();
  const addonApi = resolveOrNull('node-addon-api');
  if (nodeGyp === null || addonApi === null) {
    return {
      ...base,
      status: 'failed',
      detail: `${libraries.versions.join(', ')} found but ${nodeGyp === null ? 'node-gyp' : 'node-addon-api'} is missing, so ${addon.without}`,
      hint:
        nodeGyp === null
          ? 'install node-gyp (npm install -g node-gyp), then npx ptyscan doctor --build'
          : 'install ptyscan with its optional dependencies, then npx ptyscan doctor --build',
    };
  }
  const source = join(ROOT, 'native', addon.name);
  const args = [nodeGyp, 'rebuild', '--directory', source];
  // node-gyp would otherwise download Node's headers; use the local ones when they are there.
  const prefix = dirname(dirname(process.execPath));
  if (
    !process.env.npm_config_nodedir &&
    existsSync(join(prefix, 'include', 'node', 'node_api.h'))
  ) {
    args.push(`--nodedir=${prefix}`);
  }
  log(`ptyscan: building the ${addon.label} addon against ${libraries.versions.join(', ')}...`);
  rmSync(product, { force: true });
  const build = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  const built = join(source, 'build', 'Release', `ptyscan_${addon.name}.node`);
  if (build.status !== 0 || !existsSync(built)) {
    const logFile = join(BUILD_DIR, `native-${addon.name}.log`);
    mkdirSync(BUILD_DIR, { recursive: true });
    writeFileSync(logFile, `${build.stdout ?? ''}${build.stderr ?? ''}${build.error ?? ''}`);
    return {
      ...base,
      status: 'failed',
      detail: `${libraries.versions.join(', ')} found but the build failed, so ${addon.without}`,
      log: logFile,
      hint: `compiler output in ${logFile}; fix the error, then npx ptyscan doctor --build`,
    };
  }
  mkdirSync(BUILD_DIR, { recursive: true });
  copyFileSync(built, product);
  return { ...base, status: 'built', detail: libraries.versions.join(', ') };
}

/** The one line that says what was built and what was skipped, and why. */
export function reportLine(results) {
  const parts = results.map((r) => {
    if (r.status === 'built') return `${r.label} built (${r.detail})`;
    const word = r.status === 'skipped' ? 'skipped' : 'FAILED';
    return `${r.label} ${word}: ${r.detail} (${r.hint})`;
  });
  return `ptyscan: native addons: ${parts.join('; ')}`;
}

/** Records the results for `ptyscan doctor`. */
export function writeReport(results, when = new Date()) {
  mkdirSync(BUILD_DIR, { recursive: true });
  writeFileSync(
    REPORT_FILE,
    `${JSON.stringify({ time: when.toISOString(), node: process.version, results }, null, 2)}\n`,
  );
}
