import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type ErrorContext, PtyscanError } from '../errors.js';

/**
 * What a command may do to the outside world. The real entry writes to the
 * process streams; tests pass collectors, so every command runs in-process.
 */
export interface CliEffects {
  /** Writes text (newlines included) to standard output. */
  stdout(text: string): void;
  /** Writes text (newlines included) to standard error. */
  stderr(text: string): void;
  /** True when standard error is a terminal: progress is then one line redrawn in place. */
  isTTY?: boolean;
  /** Width of that terminal in characters. */
  columns?: number;
  /** Aborted on Ctrl-C: a long command stops after its current step and says what it kept. */
  signal?: AbortSignal;
}

/** One `ptyscan <name>` subcommand. Add new ones to the table in `commands/index.ts`. */
export interface Command {
  /** The word after `ptyscan`. */
  readonly name: string;
  /** One line for `ptyscan --help`. */
  readonly summary: string;
  /** Full usage text for `ptyscan <name> --help`, first line `ptyscan <name> ...`. */
  readonly usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: readonly string[], effects: CliEffects): number | Promise<number>;
}

/**
 * The command line itself is wrong (unknown command, option or argument):
 * the CLI prints one line and exits with code 2.
 */
export class UsageError extends PtyscanError {
  override readonly name = 'UsageError';
  /** The subcommand whose line is wrong, or `''` for ptyscan's own options. */
  readonly command: string;

  constructor(command: string, message: string, context: ErrorContext = {}) {
    super(message, context);
    this.command = command;
  }
}

/**
 * `node:util` `parseArgs` in strict mode, with its errors turned into one
 * short {@link UsageError} line naming the command.
 */
export function parseCommandArgs<const T extends ParseArgsConfig['options']>(
  command: string,
  args: readonly string[],
  options: T,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: options ?? {},
      strict: true,
      allowPositionals: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (e) {
    throw new UsageError(command, parseArgsMessage(e), { cause: e });
  }
}

/** Node's parseArgs messages are long; keep the gist and the offending word. */
function parseArgsMessage(e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  const message = e instanceof Error ? e.message : String(e);
  const word = /'([^']+)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${word}'`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return message.split('.')[0] ?? message;
  return message;
}
