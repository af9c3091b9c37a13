import { ParallelError } from '../errors.js';
import type { Communicator } from './communicator.js';
import { BUILD_HINT, loadMpiAddon, mpiLaunch } from './mpi-addon.js';
import { MpiCommunicator } from './mpi-communicator.js';
import { SingleProcess } from './single-process.js';

// MPI can be initialised once per process, so the communicator is a
// process-wide singleton by nature.
let current: Communicator | undefined;

/**
 * The communicator of this process, made on first use. Under mpirun with more
 * than one rank it is an MPI communicator (the addon is loaded and MPI_Init
 * called now); otherwise a {@link SingleProcess}. Under mpirun without a
 * working addon it throws {@link ParallelError} at once, rather than letting
 * every rank run the whole job on its own.
 *
 * Set `PTYSCAN_MPI_ADDON` to load the addon from another file.
 *
 * @example
 * ```ts
 * const comm = getCommunicator();
 * if (comm.isMaster) console.log(`running on ${comm.size} rank(s)`);
 * ```
 */
export function getCommunicator(): Communicator {
  current ??= createCommunicator(process.env);
  return current;
}

/** Makes a new communicator for an environment; {@link getCommunicator} caches one. */
export function createCommunicator(env: NodeJS.ProcessEnv): Communicator {
  const launch = mpiLaunch(env);
  if (!launch.parallel) return new SingleProcess();
  try {
    return new MpiCommunicator(loadMpiAddon(env));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ParallelError(
      `ptyscan runs under an MPI launcher (${launch.evidence}) but cannot use MPI, so it ` +
        `stops instead of running the whole job once per rank. ${reason}` +
        (reason.includes(BUILD_HINT) ? '' : ` ${BUILD_HINT}`),
      { cause, expected: 'a working MPI addon', found: 'none' },
    );
  }
}
