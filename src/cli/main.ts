#!/usr/bin/env node
/** The `ptyscan` executable: runs the CLI against the real process streams. */
import { runCli } from './run.js';

// The first Ctrl-C asks the running command to stop after its current step
// (completed chunks stay readable); a second one ends the process at once.
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  process.stderr.write(
    '\nptyscan: interrupted, stopping after the current step (Ctrl-C again to quit now)\n',
  );
  interrupt.abort();
});

// Each command loads what it needs (h5wasm only when it reads or writes through it).
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  columns: process.stderr.columns ?? 80,
  signal: interrupt.signal,
});
