/**
 * Finding and loading the native MPI addon (native/mpi, built by
 * scripts/build-native.mjs into build/ptyscan_mpi.node), and telling whether this
 * process was started by mpirun.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ParallelError } from '../errors.js';

/** The functions the addon exports. Byte arguments accept any typed array view. */
export interface MpiAddon {
  init(): void;
  finalize(): void;
  rank(): number;
  size(): number;
  barrier(): void;
  /** In place; every rank passes a view of the same byte length. */
  bcast(bytes: ArrayBufferView, root: number): void;
  /** In place. */
  allreduce(values: Float64Array, op: 'sum' | 'max' | 'min'): void;
  /** `recv` and `counts` (bytes per rank) are read on the root only. */
  gatherv(
    send: ArrayBufferView,
    recv: ArrayBufferView | null,
    counts: Int32Array | null,
    root: number,
  ): void;
  send(bytes: ArrayBufferView, dest: number, tag: number): void;
  /** Returns the number of bytes received. */
  recv(bytes: ArrayBufferView, source: number, tag: number): number;
  abort(code: number): void;
}

/** Environment variable naming the addon file, overriding the built-in location. */
export const ADDON_ENV = 'PTYSCAN_MPI_ADDON';

const ADDON_FUNCTIONS = [
  'init',
  'finalize',
  'rank',
  'size',
  'barrier',
  'bcast',
  'allreduce',
  'gatherv',
  'send',
  'recv',
  'abort',
] as const;

/** How to get the addon, for error messages. */
export const BUILD_HINT =
  'Install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev pkg-config), then ' +
  'build the addon with `npx ptyscan doctor --build` (installing ptyscan does this too).';

/**
 * Where the addon is looked for: `$PTYSCAN_MPI_ADDON` when set, else
 * `build/ptyscan_mpi.node` of the package, whether this module runs from
 * `src/` (tsx) or `dist/src/` (built).
 */
export function addonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const override = env[ADDON_ENV];
  if (override) return [override];
  return ['../../build/ptyscan_mpi.node', '../../../build/ptyscan_mpi.node'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
}

/** Loads the addon, or throws ParallelError saying where it was looked for and how to build it. */
export function loadMpiAddon(env: NodeJS.ProcessEnv = process.env): MpiAddon {
  const candidates = addonCandidates(env);
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) {
    throw new ParallelError(
      `The MPI addon is not built (looked for ${candidates.join(' and ')}). ${BUILD_HINT}`,
      { file: candidates[0], expected: 'a built MPI addon', found: 'no file' },
    );
  }
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(path);
  } catch (cause) {
    throw new ParallelError(
      `The MPI addon at ${path} cannot be loaded: ${(cause as Error).message}. ${BUILD_HINT}`,
      { file: path, cause, expected: 'a loadable Node addon', found: 'a load error' },
    );
  }
  const missing = ADDON_FUNCTIONS.filter(
    (name) => typeof (loaded as Record<string, unknown> | null)?.[name] !== 'function',
  );
  if (missing.length > 0) {
    throw new ParallelError(
      `${path} is not the ptyscan MPI addon: it lacks ${missing.join(', ')}. ${BUILD_HINT}`,
      { file: path, expected: ADDON_FUNCTIONS.join(', '), found: `missing ${missing.join(', ')}` },
    );
  }
  return loaded as MpiAddon;
}

/**
 * How this process was launched: `parallel` is true when an MPI launcher
 * started it as one of several ranks. Open MPI sets OMPI_COMM_WORLD_SIZE,
 * MPICH and Slurm's PMI set PMI_SIZE; PMIx launchers set PMIX_RANK, which says
 * nothing about the size, so it counts as parallel.
 */
export function mpiLaunch(env: NodeJS.ProcessEnv = process.env): {
  parallel: boolean;
  evidence: string;
} {
  for (const name of ['OMPI_COMM_WORLD_SIZE', 'PMI_SIZE']) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      return { parallel: Number(value) > 1, evidence: `${name}=${value}` };
    }
  }
  const pmix = env.PMIX_RANK;
  if (pmix !== undefined) return { parallel: true, evidence: `PMIX_RANK=${pmix}` };
  return { parallel: false, evidence: 'no MPI launcher variables' };
}
