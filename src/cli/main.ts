#!/usr/bin/env node
/** The `ptyscan` executable: runs the CLI against the real process streams. */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
