import { PtyscanError } from '../errors.js';
import { type CliEffects, type Command, parseCommandArgs, UsageError } from './command.js';
import { COMMANDS } from './commands/index.js';
import { printable } from './printable.js';
import { packageVersion } from './version.js';

/** Exit codes: success, a failure of the work itself, a wrong command line. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * Runs `ptyscan` with `argv` (the words after the program name) and resolves
 * to the exit code; nothing touches the process, so tests call it directly.
 * A wrong command line prints one line on stderr and gives 2; a ptyscan error
 * while working prints `ptyscan: error: <message>` (with `--verbose` also the
 * stack and causes) and gives 1. Any other error (a bug, or a source's own
 * failure) is one line too, never a bare stack. Control characters in a
 * message (which may quote file content) are shown escaped.
 *
 * @example
 * const code = await runCli(['params', 'PtyScan'], { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
 */
export async function runCli(
  argv: readonly string[],
  effects: CliEffects,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  try {
    return await dispatch(argv, effects, commands);
  } catch (e) {
    if (e instanceof UsageError) {
      const who = e.command === '' ? 'ptyscan' : `ptyscan ${e.command}`;
      effects.stderr(`${who}: ${e.message} (see '${who} --help')\n`);
      return EXIT.usage;
    }
    const verbose = argv.includes('--verbose');
    if (e instanceof PtyscanError) {
      effects.stderr(`ptyscan: error: ${printable(e.message)}\n`);
      if (verbose) effects.stderr(printable(errorDetail(e)));
      return EXIT.failure;
    }
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    effects.stderr(
      `ptyscan: error: unexpected failure: ${printable(what)}${verbose ? '' : ' (--verbose shows where)'}\n`,
    );
    if (verbose) effects.stderr(printable(errorDetail(e)));
    return EXIT.failure;
  }
}

/** The stack and the chain of causes, for `--verbose`. */
function errorDetail(error: unknown): string {
  const out: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e !== undefined && depth < 10; depth++) {
    const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
    out.push(depth === 0 ? text : `caused by: ${text}`);
    e = e instanceof Error ? e.cause : undefined;
  }
  return `${out.join('\n')}\n`;
}

async function dispatch(
  argv: readonly string[],
  effects: CliEffects,
  commands: readonly Command[],
): Promise<number> {
  // Options before the first plain word belong to ptyscan; the rest to the command.
  const split = argv.findIndex((a) => !a.startsWith('-'));
  const own = split < 0 ? argv : argv.slice(0, split);
  const { values } = parseCommandArgs('', own, {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'V' },
  });
  if (values.version) {
    effects.stdout(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (values.help) {
    effects.stdout(mainHelp(commands));
    return EXIT.ok;
  }
  const name = split < 0 ? undefined : argv[split];
  if (name === undefined) throw new UsageError('', 'missing command');
  const command = commands.find((c) => c.name === name);
  if (command === undefined) throw new UsageError('', `unknown command '${name}'`);
  const args = argv.slice(split + 1);
  if (args.includes('--help') || args.includes('-h')) {
    effects.stdout(`Usage:\n${indent(command.usage)}\n`);
    return EXIT.ok;
  }
  return await command.run(args, effects);
}

function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: ptyscan <command> [options]',
    '',
    'Prepares ptychography data and manages ptypy-compatible .ptyd files.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    "  -h, --help     show this help (or a command's help: ptyscan <command> --help)",
    '  -V, --version  print the version',
    '',
  ].join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? '' : `  ${l}`))
    .join('\n');
}
