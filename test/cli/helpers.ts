import type { CliEffects } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/index.js';

/** What one in-process `ptyscan` run printed and returned. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Extra effects for a run: a terminal, Ctrl-C, and a hook on every stderr write. */
export interface RunOptions {
  isTTY?: boolean;
  signal?: AbortSignal;
  onStderr?: (text: string) => void;
}

/** Runs `ptyscan <argv>` in-process with captured output. */
export async function cli(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const effects: CliEffects = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
      options.onStderr?.(t);
    },
    isTTY: options.isTTY ?? false,
    columns: 100,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const code = await runCli(argv, effects);
  return { code, out, err };
}
