import { formatPyLiteral } from '../../params/index.js';
import type { PyValue } from '../../py/value.js';
import { readScanConfig, resolveScanConfig } from '../../sources/index.js';
import { type CliEffects, type Command, parseCommandArgs } from '../command.js';
import { singlePositional } from './options.js';

/** Longest parameter value printed whole; longer ones (e.g. positions) are cut. */
const MAX_VALUE = 72;

/**
 * `ptyscan validate <config>`: checks a scan config against its source's
 * parameters without reading any data; lists every problem, or prints the
 * parameters the scan would run with.
 */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check a scan config (all problems at once) and print the resolved parameters',
  usage: [
    'ptyscan validate <config.json|config.yaml>',
    '',
    'Exits 0 when the config is valid, 1 otherwise. Parameters not given in the',
    'config are marked (default).',
  ].join('\n'),
  async run(args: readonly string[], effects: CliEffects): Promise<number> {
    const { positionals } = parseCommandArgs('validate', args, {
      verbose: { type: 'boolean', short: 'v' },
    });
    const file = singlePositional('validate', positionals, '<config>');
    const { config, baseDir, file: path } = readScanConfig(file);
    const { cls, params, info } = await resolveScanConfig(config, { baseDir });
    const keys = Object.keys(info);
    const width = Math.max(...keys.map((k) => k.length));
    const lines = keys.map((key) => {
      const given = Object.hasOwn(params, key);
      return `  ${key.padEnd(width)} = ${literal(info[key] ?? null, key)}${given ? '' : '  (default)'}`;
    });
    effects.stdout(
      `OK: ${path} is a valid ${cls.params.name} config (class ${cls.name})\n${lines.join('\n')}\n`,
    );
    return 0;
  },
};

function literal(value: PyValue, path: string): string {
  const text = formatPyLiteral(value, path);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 3)}...` : text;
}
