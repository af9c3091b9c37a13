import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PtyscanError } from '../../errors.js';
import { nativeHdf5Status } from '../../h5/index.js';
import { loadMpiAddon, mpiLaunch } from '../../parallel/index.js';
import { type CliEffects, type Command, parseCommandArgs, UsageError } from '../command.js';
import { packageInfo } from '../version.js';

/** The install step's script, shipped in the package. */
const BUILD_SCRIPT = 'scripts/build-native.mjs';

/**
 * `ptyscan doctor [--build]`: where ptyscan is installed and which native
 * addons it has: the line the install step printed (what was built, what was
 * skipped and why, with the apt command), then whether each addon loads in
 * this process. `--build` builds the addons again first (after installing
 * the libraries, or when npm did not run the install step).
 */
export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Show the installation and its native addons (MPI, HDF5); --build builds them',
  usage: [
    'ptyscan doctor [--build]',
    '',
    'Prints the version, the package folder, the native addons the install step',
    'built or skipped (and why), and whether each one loads now.',
    '',
    'Options:',
    '  --build          build the addons again (needs the libraries, pkg-config and a',
    '                   C++ compiler; Debian: apt-get install openmpi-bin libopenmpi-dev',
    '                   libhdf5-dev libdeflate-dev liblz4-dev pkg-config g++ make)',
    '',
    'Exit code 1 when --build was given and a build failed.',
  ].join('\n'),
  run(args: readonly string[], effects: CliEffects): number {
    const { values, positionals } = parseCommandArgs('doctor', args, {
      build: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
    });
    if (positionals.length > 0) {
      throw new UsageError('doctor', `unexpected argument '${positionals[0]}'`);
    }
    const { root, version } = packageInfo();
    const script = join(root, BUILD_SCRIPT);
    if (!existsSync(script)) {
      throw new PtyscanError(`${script} is missing: the package is incomplete.`, {
        file: script,
        expected: 'the build script shipped with ptyscan',
        found: 'no such file',
      });
    }
    effects.stdout(`ptyscan ${version} (ESM) at ${root}, node ${process.version}\n`);
    let code = 0;
    if (values.build === true) {
      const build = runNode(script, ['--strict']);
      effects.stdout(build.stdout);
      effects.stderr(build.stderr);
      code = build.status === 0 ? 0 : 1;
    } else {
      effects.stdout(runNode(script, ['--report']).stdout);
    }
    effects.stdout(`  MPI   ${mpiStatus()}\n`);
    const hdf5 = nativeHdf5Status();
    effects.stdout(
      `  HDF5  ${hdf5.available ? `in use: ${hdf5.detail}` : `not in use (${hdf5.detail}): gzip data is written by h5wasm alone`}\n`,
    );
    return code;
  },
};

function runNode(
  script: string,
  args: readonly string[],
): { status: number; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: run.status ?? 1, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
}

/** Whether the MPI addon loads here, and whether this process runs under mpirun. */
function mpiStatus(): string {
  const launch = mpiLaunch();
  try {
    loadMpiAddon();
  } catch (e) {
    const why = e instanceof PtyscanError ? e.message : String(e);
    return `not in use: ${why}`;
  }
  return launch.parallel
    ? `in use: this process is one of several MPI ranks (${launch.evidence})`
    : 'loads: `mpirun -n N npx ptyscan prepare ...` spreads a scan over N processes';
}
