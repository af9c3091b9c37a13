import { UsageError } from '../command.js';

/** The one positional argument a command takes; a missing or extra one is a usage error. */
export function singlePositional(
  command: string,
  positionals: readonly string[],
  what: string,
): string {
  const [first, ...rest] = positionals;
  if (first === undefined) throw new UsageError(command, `missing ${what}`);
  if (rest.length > 0) throw new UsageError(command, `unexpected argument '${rest[0]}'`);
  return first;
}

/** A numeric option's value, or undefined when the option was not given. */
function numberOption(
  command: string,
  option: string,
  value: string | boolean | undefined,
  ok: (n: number) => boolean,
  expected: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!ok(n)) throw new UsageError(command, `${option} expects ${expected}, found '${value}'`);
  return n;
}

/** `--chunk 100`: a positive integer. */
export function positiveInt(
  command: string,
  option: string,
  value: string | boolean | undefined,
): number | undefined {
  return numberOption(
    command,
    option,
    value,
    (n) => Number.isSafeInteger(n) && n > 0,
    'a positive integer',
  );
}

/** `--poll 200`: a positive number. */
export function positiveNumber(
  command: string,
  option: string,
  value: string | boolean | undefined,
): number | undefined {
  return numberOption(
    command,
    option,
    value,
    (n) => Number.isFinite(n) && n > 0,
    'a positive number',
  );
}

/** `--seed 3`, `--delay 0`: an integer >= 0. */
export function nonNegativeInt(
  command: string,
  option: string,
  value: string | boolean | undefined,
): number | undefined {
  return numberOption(
    command,
    option,
    value,
    (n) => Number.isSafeInteger(n) && n >= 0,
    'an integer >= 0',
  );
}
