/** Runs Debian's Python with numpy and h5py: the real programs whose files and rules ptyscan must match. */
import { spawnSync } from 'node:child_process';

/** Debian's interpreter (python3-numpy, python3-h5py), not whatever python3 is first on PATH. */
export const PYTHON = '/usr/bin/python3';

/**
 * Runs `code` with `args` (as `sys.argv[1:]`) in `cwd` and returns its
 * stdout; a non-zero exit fails with the script's stderr.
 */
export function python(code: string, args: readonly string[] = [], cwd?: string): string {
  const run = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', cwd });
  if (run.status !== 0) {
    throw new Error(`python failed (${run.status}): ${run.stderr || run.error?.message}`);
  }
  return run.stdout;
}
