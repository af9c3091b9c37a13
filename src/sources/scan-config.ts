import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { FileFormatError } from '../errors.js';
import { parsePyJson } from '../py/json.js';
import { isPyDict, type PyValue } from '../py/value.js';

/**
 * Largest config file read, in bytes. YAML takes about 100 times its size in
 * memory while it is parsed; arrays that large (positions) belong in files.
 */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** Deepest nesting of mappings and lists a config may have. */
const MAX_CONFIG_DEPTH = 64;

/**
 * Keys no config may use at any level: in JavaScript they reach an object's
 * prototype (a hidden `module` behind `__proto__` would be imported and run).
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

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
 * evaluated. A file over {@link MAX_CONFIG_BYTES}, nesting deeper than 64
 * levels, YAML aliases that expand too far and the keys `__proto__`,
 * `constructor` and `prototype` (at any level) are refused.
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
    const size = statSync(path).size;
    if (size > MAX_CONFIG_BYTES) {
      throw new FileFormatError(
        `${file}: the config is ${size} bytes, more than the ${MAX_CONFIG_BYTES} a config may have; put large arrays (positions) in files the source reads.`,
        { file, expected: `at most ${MAX_CONFIG_BYTES} bytes`, found: `${size} bytes` },
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    if (cause instanceof FileFormatError) throw cause;
    throw new FileFormatError(`${file}: cannot read the config (${(cause as Error).message}).`, {
      file,
      cause,
    });
  }
  const ext = extname(path).toLowerCase();
  const value =
    ext === '.yaml' || ext === '.yml' ? parseYamlConfig(text, file) : parsePyJson(text, file);
  checkKeys(value, file, '', 0);
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
    // Aliases expanding too far (yaml's guard against alias bombs), or nesting too deep.
    const why = cause instanceof RangeError ? 'nested too deep' : (cause as Error).message;
    throw new FileFormatError(`${file}: invalid YAML: ${why}.`, {
      file,
      expected: 'valid YAML of plain data',
      found: why,
      cause,
    });
  }
  return toPyValue(raw, file, '', 0);
}

/** Refuses keys that reach a prototype, and nesting deeper than {@link MAX_CONFIG_DEPTH}. */
function checkKeys(value: PyValue, file: string, path: string, depth: number): void {
  if (depth > MAX_CONFIG_DEPTH) tooDeep(file, path);
  const children: [string, PyValue][] = Array.isArray(value)
    ? value.map((v, i) => [`${path}[${i}]`, v])
    : isPyDict(value)
      ? Object.entries(value).map(([k, v]) => {
          if (FORBIDDEN_KEYS.has(k)) {
            const where = path === '' ? k : `${path}.${k}`;
            throw new FileFormatError(
              `${file}: the key '${where}' is not allowed in a config (${[...FORBIDDEN_KEYS].join(', ')} reach JavaScript prototypes).`,
              { file, parameter: where, expected: 'parameter names', found: k },
            );
          }
          return [path === '' ? k : `${path}.${k}`, v];
        })
      : [];
  for (const [child, v] of children) checkKeys(v, file, child, depth + 1);
}

function tooDeep(file: string, path: string): never {
  throw new FileFormatError(
    `${file}: ${path || 'the config'} is nested deeper than ${MAX_CONFIG_DEPTH} levels.`,
    { file, expected: `at most ${MAX_CONFIG_DEPTH} levels`, found: 'deeper' },
  );
}

/** The line before `line`, `line` itself and a caret under `col`, numbered. */
function excerpt(text: string, line: number, col: number): string {
  const lines = text.split('\n');
  const width = String(line).length;
  // Long lines are shown as a window around the column.
  const from = Math.max(0, col - 1 - EXCERPT_WIDTH / 2);
  const shown: string[] = [];
  for (let n = Math.max(1, line - 1); n <= line; n++) {
    const whole = lines[n - 1] ?? '';
    const part = whole.slice(from, from + EXCERPT_WIDTH);
    shown.push(`  ${String(n).padStart(width)} | ${from > 0 ? '...' : ''}${part}`);
  }
  const caret = ' '.repeat(Math.max(0, col - 1 - from + (from > 0 ? 3 : 0)));
  shown.push(`  ${' '.repeat(width)} | ${caret}^`);
  return shown.join('\n');
}

/** Characters of a config line shown around an error. */
const EXCERPT_WIDTH = 100;

/** YAML's plain data as Python values; anything else (sets, maps with non-string keys) is refused. */
function toPyValue(value: unknown, file: string, path: string, depth: number): PyValue {
  if (depth > MAX_CONFIG_DEPTH) tooDeep(file, path);
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'bigint' || typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) {
    return value.map((v, i) => toPyValue(v, file, `${path}[${i}]`, depth + 1));
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, PyValue> = {};
    for (const [key, v] of Object.entries(value)) {
      const child = toPyValue(v, file, path === '' ? key : `${path}.${key}`, depth + 1);
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
