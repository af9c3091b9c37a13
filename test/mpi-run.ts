// Runs a TypeScript program under a real mpirun, for the tests that need MPI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const addon = `${PROJECT_ROOT}build/ptyscan_mpi.node`;

const hasMpirun = spawnSync('mpirun', ['--version'], { encoding: 'utf8' }).status === 0;
const hasMpiDev = spawnSync('pkg-config', ['--exists', 'mpi-c']).status === 0;

/** Skip reason when mpirun is missing, else false. */
export const noMpirun: string | false = hasMpirun
  ? false
  : 'Open MPI not installed (no mpirun on PATH)';
/** Skip reason when MPI (mpirun and headers for the addon) is missing, else false. */
export const noMpi: string | false =
  noMpirun ||
  (hasMpiDev ? false : 'Open MPI headers not installed (pkg-config mpi-c), so no addon was built');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `mpirun -n <ranks> node --import tsx <script> ...args` from the project root. */
export function mpirun(
  ranks: number,
  script: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Run {
  const run = spawnSync(
    'mpirun',
    [
      '-n',
      String(ranks),
      '--allow-run-as-root',
      '--oversubscribe',
      '--timeout',
      '120',
      // Ranks outnumber cores here: let waiting ranks yield instead of spinning.
      '--mca',
      'mpi_yield_when_idle',
      '1',
      process.execPath,
      '--import',
      'tsx',
      script,
      ...args,
    ],
    {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: {
        // Local jobs never use ssh, but Open MPI refuses to start when no ssh
        // or rsh is installed, as on a machine with only openmpi-bin.
        OMPI_MCA_plm_rsh_agent: 'false',
        ...process.env,
        ...env,
      },
      timeout: 180_000,
    },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Fails with the reason when MPI is installed but the addon was not built. */
export function assertAddonBuilt(): void {
  assert.ok(
    existsSync(addon),
    `Open MPI is installed but ${addon} is missing: the MPI addon did not build. ` +
      'Run `node scripts/build-native.mjs mpi` and see build/native-mpi.log for the compiler error.',
  );
}
