import { existsSync } from 'node:fs';
import { h5ready } from '../../h5/index.js';
import { formatPyLiteral } from '../../params/index.js';
import type { PyValue } from '../../py/value.js';
import { checkBeforeFrames } from '../../scan/index.js';
import { hasParamOrigins, readScanConfig, resolveScanConfig } from '../../sources/index.js';
import { type CliEffects, type Command, parseCommandArgs } from '../command.js';
import { printable } from '../printable.js';
import { singlePositional } from './options.js';

/** Longest parameter value printed whole; longer ones (e.g. positions) are cut. */
const MAX_VALUE = 72;

/** `prepare`'s chunk size when `--chunk` is not given; unset min_frames follows it. */
const PREPARE_CHUNK = 100;

/** Silences the source while it is built only to be looked at. */
const quietLogger = { warn: () => {}, info: () => {} };

/**
 * `ptyscan validate <config>`: checks a scan config against its source's
 * parameters, builds the source (which reads what it reads at construction,
 * e.g. NumpyScan's `geometry.txt`, and checks its folder) without reading
 * frames or writing anything, and prints the values `prepare` will use, each
 * with where it came from.
 */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check a scan config (all problems at once) and print the values prepare will use',
  usage: [
    'ptyscan validate <config.json|config.yaml> [--load-module]',
    '',
    'Exits 0 when the config is valid and its source can be built, 1 otherwise.',
    'Each value is marked with where it came from unless the config gives it:',
    '(default), (from <file>) when the source filled it in (NumpyScan: geometry.txt),',
    'or (prepare: ...) for what ptyscan prepare sets.',
    '',
    'A "module" in the config is a JavaScript file that prepare imports, which',
    'runs its code. validate names it and does not import it unless asked:',
    '',
    'Options:',
    '  --load-module    import the module (its code runs) and check the parameters',
    '                   of its class; without it only the PtyScan parameters are checked',
  ].join('\n'),
  async run(args: readonly string[], effects: CliEffects): Promise<number> {
    const { values, positionals } = parseCommandArgs('validate', args, {
      verbose: { type: 'boolean', short: 'v' },
      'load-module': { type: 'boolean' },
    });
    const file = singlePositional('validate', positionals, '<config>');
    const { config, baseDir, file: path } = readScanConfig(file);
    const loadModule = values['load-module'] === true;
    const resolved = await resolveScanConfig(config, { baseDir, loadModule });
    const { cls, params, module } = resolved;
    if (module !== null && !loadModule) {
      effects.stdout(
        printable(unloadedReport(path, module, resolved.info, params, resolved.unchecked)),
      );
      return 0;
    }
    // Built as prepare builds it, minus the output: what it reads at construction is checked too.
    if (cls.usesHdf5) await h5ready();
    const scan = new cls(params, { sink: null, logger: quietLogger });
    try {
      checkBeforeFrames(scan);
      const info = scan.info;
      const origins = hasParamOrigins(scan) ? scan.paramOrigins() : {};
      const keys = Object.keys(info);
      const width = Math.max(...keys.map((k) => k.length));
      const lines = keys.map((key) => {
        const given = Object.hasOwn(params, key);
        let value = info[key] ?? null;
        let origin = given ? '' : '  (default)';
        if (!given && origins[key] !== undefined) origin = `  (from ${origins[key]})`;
        if (key === 'min_frames' && !given) {
          value = BigInt(PREPARE_CHUNK);
          origin = `  (prepare: its --chunk, ${PREPARE_CHUNK} unless given)`;
        }
        return `  ${key.padEnd(width)} = ${literal(value, key)}${origin}`;
      });
      const notes: string[] = [];
      const base = info.base_path;
      if (typeof base === 'string' && !existsSync(base)) {
        notes.push(
          `note: base_path ${base} does not exist yet; prepare waits for it (a live scan: num_frames is set)`,
        );
      }
      if (module !== null) notes.push(`module ${module} was imported (its code ran)`);
      effects.stdout(
        printable(
          `OK: ${path} is a valid ${cls.params.name} config (class ${cls.name})\n${lines.join('\n')}\n${notes.map((n) => `${n}\n`).join('')}`,
        ),
      );
      return 0;
    } finally {
      scan.close();
    }
  },
};

/** What validate says about a config whose module it did not import. */
function unloadedReport(
  path: string,
  module: string,
  info: Readonly<Record<string, PyValue>>,
  params: Readonly<Record<string, PyValue | undefined>>,
  unchecked: readonly string[],
): string {
  const keys = Object.keys(info).filter((k) => Object.hasOwn(params, k));
  const width = Math.max(0, ...keys.map((k) => k.length));
  const lines = keys.map((key) => `  ${key.padEnd(width)} = ${literal(info[key] ?? null, key)}`);
  return [
    `OK: ${path}: its PtyScan parameters are valid; the source class comes from a module`,
    `module ${module} would be imported, and its code run, by prepare: not loaded now`,
    '(--load-module imports it and checks the parameters of its class)',
    ...lines,
    ...(unchecked.length > 0 ? [`not checked without the module: ${unchecked.join(', ')}`] : []),
    '',
  ].join('\n');
}

function literal(value: PyValue, path: string): string {
  const text = formatPyLiteral(value, path);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 3)}...` : text;
}
