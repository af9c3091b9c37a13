import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { FileFormatError } from '../errors.js';
import { parsePyJson } from '../py/json.js';
import { isPyDict, type PyValue } from '../py/value.js';

/** A scan config read from disk. */
export interface ScanConfigFile {
  /** Absolute path of the config file. */
  file: string;
  /** Its folder: relative paths in the config resolve against it. */
  baseDir: string;
  /** The `scan.data` parameters, `name` selecting the source; ints are bigints. */
  config: Record<string, PyValue>;
}

/**
 * Reads a scan config: a JSON or YAML (`.yaml`, `.yml`) object of ptypy
 * `scan.data` parameters. Integers stay Python ints (bigint) and floats
 * floats, as Python's `json` and `yaml` modules read them; nothing is
 * evaluated.
 *
 * @throws FileFormatError naming the file (and line) when it cannot be read or parsed, or is not an object.
 * @example
 * const { config, baseDir } = readScanConfig('run7/scan.yaml');
 * const scan = await createScan(config, { baseDir });
 */
export function readScanConfig(file: string): ScanConfigFile {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new FileFormatError(`${file}: cannot read the config (${(cause as Error).message}).`, {
      file,
      cause,
    });
  }
  const ext = extname(path).toLowerCase();
  const value =
    ext === '.yaml' || ext === '.yml' ? parseYamlConfig(text, file) : parsePyJson(text, file);
  if (!isPyDict(value)) {
    throw new FileFormatError(`${file}: a scan config must be an object of parameters.`, {
      file,
      expected: 'an object such as {"name": "NumpyScan", "base_path": "raw/"}',
      found: Array.isArray(value) ? 'a list' : String(value),
    });
  }
  return { file: path, baseDir: dirname(path), config: value };
}

function parseYamlConfig(text: string, file: string): PyValue {
  let raw: unknown;
  try {
    // The core schema has no timestamps or custom tags; ints become bigints like Python ints.
    raw = parseYaml(text, { intAsBigInt: true, schema: 'core', uniqueKeys: true });
  } catch (cause) {
    if (cause instanceof YAMLParseError) {
      const at = cause.linePos?.[0];
      // yaml's message ends in "at line L, column C:" and an excerpt: say it our way, whole.
      const what = (cause.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      throw new FileFormatError(
        `${file}${at === undefined ? '' : `:${at.line}:${at.col}`}: invalid YAML: ${what}${at === undefined ? '' : `\n${excerpt(text, at.line, at.col)}`}`,
        { file, expected: 'valid YAML', found: cause.code, cause },
      );
    }
    throw cause;
  }
  return toPyValue(raw, file, '');
}

/** The line before `line`, `line` itself and a caret under `col`, numbered. */
function excerpt(text: string, line: number, col: number): string {
  const lines = text.split('\n');
  const width = String(line).length;
  const shown: string[] = [];
  for (let n = Math.max(1, line - 1); n <= line; n++) {
    shown.push(`  ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`);
  }
  shown.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, col - 1))}^`);
  return shown.join('\n');
}

/** YAML's plain data as Python values; anything else (sets, maps with non-string keys) is refused. */
function toPyValue(value: unknown, file: string, path: string): PyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'bigint' || typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map((v, i) => toPyValue(v, file, `${path}[${i}]`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, PyValue> = {};
    for (const [key, v] of Object.entries(value)) {
      const child = toPyValue(v, file, path === '' ? key : `${path}.${key}`);
      Object.defineProperty(out, key, {
        value: child,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  throw new FileFormatError(
    `${file}: ${path || 'the config'} holds a value a scan config cannot use.`,
    {
      file,
      expected: 'numbers, strings, booleans, null, lists or mappings',
      found: Object.prototype.toString.call(value),
    },
  );
}
