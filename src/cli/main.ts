#!/usr/bin/env node
/** The `ptyscan` executable: runs the CLI against the real process streams. */
import { EXIT_INTERRUPTED } from './commands/prepare-run.js';
import { printable } from './printable.js';
import { runCli } from './run.js';

/** Signals that stop a command as Ctrl-C does, and the exit code each gives (128 + its number). */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

// The first Ctrl-C (or a batch scheduler's SIGTERM, or a closed terminal's SIGHUP)
// asks the running command to stop after its current step (completed chunks stay
// readable); a second one ends the process at once.
const interrupt = new AbortController();
let stoppedBy: StopSignal | null = null;
for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) {
  process.on(signal, () => {
    if (interrupt.signal.aborted) process.exit(STOP_SIGNALS[signal]);
    stoppedBy = signal;
    const again = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    writeQuietly(
      process.stderr,
      `\nptyscan: ${signal === 'SIGINT' ? 'interrupted' : `${signal} received`}, stopping after the current step (${again} again to quit now)\n`,
    );
    interrupt.abort();
  });
}

// A reader that went away (`ptyscan info f | head`) ends the command quietly, as
// SIGPIPE ends other programs.
const EXIT_PIPE = 141;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_PIPE);
    throw error;
  });
}

function writeQuietly(stream: NodeJS.WriteStream, text: string): void {
  if (!stream.destroyed) stream.write(text);
}

try {
  const code = await runCli(process.argv.slice(2), {
    stdout: (text) => writeQuietly(process.stdout, text),
    stderr: (text) => writeQuietly(process.stderr, text),
    isTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns ?? 80,
    signal: interrupt.signal,
  });
  process.exitCode =
    code === EXIT_INTERRUPTED && stoppedBy !== null ? STOP_SIGNALS[stoppedBy] : code;
} catch (error) {
  // Only a failure outside any command gets here.
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  writeQuietly(process.stderr, `ptyscan: error: ${printable(what)}\n`);
  process.exitCode = 1;
}
