/**
 * Scan sources by name: `name` in a config selects the class, as ptypy's
 * `scan.data.name` does. Built-in sources register themselves when their
 * module loads (import `src/sources/index.ts` to get them all); a user's own
 * class comes from a module path given in the config.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ParameterError, type ParameterProblem } from '../errors.js';
import { normalizeParams, registerParams } from '../params/index.js';
import type { PyDict, PyValue } from '../py/value.js';
import { PtyScan, type PtyScanOptions, type ScanParams } from '../scan/pty-scan.js';

/** A scan source: {@link PtyScan} or a subclass, with its parameter tree in `params`. */
export type SourceClass = typeof PtyScan;

const SOURCES = new Map<string, SourceClass>();

/** Config keys that are not parameters of the source: they say where the class comes from. */
const MODULE_KEY = 'module';

/**
 * Makes `cls` available as `name: '<name>'` in configs, and its parameter
 * tree to `ptyscan params` when the tree carries the same name. Registering
 * the same class again is a no-op; another class under a taken name is
 * refused unless `replace`.
 *
 * @throws ParameterError when `name` is taken by another class.
 * @example
 * registerSource('MyBeamlineScan', MyBeamlineScan);
 */
export function registerSource(
  name: string,
  cls: SourceClass,
  options: { replace?: boolean } = {},
): void {
  const existing = SOURCES.get(name);
  if (existing !== undefined && existing !== cls && !options.replace) {
    throw new ParameterError([
      {
        path: 'name',
        expected: 'a source name not registered yet',
        found: `'${name}' already registered by class ${existing.name}`,
      },
    ]);
  }
  SOURCES.set(name, cls);
  if (cls.params.name === name) registerParams(cls.params, options);
}

/** The names of every registered source, in registration order. */
export function listSources(): string[] {
  return [...SOURCES.keys()];
}

/**
 * The source class registered as `name`.
 *
 * @throws ParameterError naming every registered source when `name` is unknown.
 */
export function getSource(name: string): SourceClass {
  const cls = SOURCES.get(name);
  if (cls === undefined) throw new ParameterError([unknownSource(name)]);
  return cls;
}

function unknownSource(name: string): ParameterProblem {
  const known = listSources();
  return {
    path: 'name',
    expected: `a registered source (${known.join(', ') || 'none registered'}) or a "module" path to your own class`,
    found: `'${name}'`,
  };
}

/** Where a config's relative paths start and how a scan reports. */
export interface CreateScanOptions extends PtyScanOptions {
  /**
   * Folder that relative paths in the config (`module`, `base_path`, `dfile`,
   * `file`, `*_file`, PtydScan's `source` and parameters of type `file`) resolve against; usually the
   * config file's folder. Default: the current directory.
   */
  baseDir?: string;
}

/** A config checked against its class: the class and the parameters it will run with. */
export interface ResolvedScanConfig {
  cls: SourceClass;
  /** The user's parameters with relative paths resolved (without `module`). */
  params: ScanParams;
  /** Every parameter of the class: its defaults overlaid with `params`, validated. */
  info: PyDict;
}

/**
 * Finds the class of `config` and validates the parameters against its tree
 * without touching any data: every problem is reported at once.
 *
 * @throws ParameterError listing every problem (unknown name, unknown keys, types, limits).
 * @example
 * const { cls, info } = await resolveScanConfig({ name: 'NumpyScan', base_path: 'raw' }, { baseDir: '/data' });
 */
export async function resolveScanConfig(
  config: Readonly<Record<string, PyValue>>,
  options: { baseDir?: string } = {},
): Promise<ResolvedScanConfig> {
  const baseDir = resolve(options.baseDir ?? '.');
  const cls = await sourceClassOf(config, baseDir);
  const params = resolvePaths(cls, config, baseDir) as ScanParams;
  // A user class without its own tree still runs under its own name in ptypy's sense.
  if (params.name === undefined && cls.params.get('name') !== undefined) {
    params.name = cls.params.name;
  }
  return { cls, params, info: normalizeParams(cls.params, params) };
}

/**
 * Builds the scan a config describes (see {@link resolveScanConfig}); the
 * parameters are validated before the class's constructor runs.
 *
 * @example
 * const scan = await createScan(
 *   { name: 'NumpyScan', base_path: 'raw/', shape: 128n, save: 'append', dfile: 'out.ptyd' },
 *   { baseDir: '/data/run7' },
 * );
 * scan.initialize();
 */
export async function createScan(
  config: Readonly<Record<string, PyValue>>,
  options: CreateScanOptions = {},
): Promise<PtyScan> {
  const { baseDir, ...scanOptions } = options;
  const { cls, params } = await resolveScanConfig(config, baseDir === undefined ? {} : { baseDir });
  return new cls(params, scanOptions);
}

async function sourceClassOf(
  config: Readonly<Record<string, PyValue>>,
  baseDir: string,
): Promise<SourceClass> {
  const name = config.name;
  const modulePath = config[MODULE_KEY];
  if (name !== undefined && typeof name !== 'string') {
    throw new ParameterError([
      { path: 'name', expected: 'the name of a source class (a string)', found: String(name) },
    ]);
  }
  if (modulePath === undefined || modulePath === null) {
    if (name === undefined) {
      throw new ParameterError([
        {
          path: 'name',
          expected: `a source name (${listSources().join(', ')}) or a "module" path`,
          found: 'no name',
        },
      ]);
    }
    return getSource(name);
  }
  if (typeof modulePath !== 'string') {
    throw new ParameterError([
      { path: MODULE_KEY, expected: 'a path to a JavaScript module', found: String(modulePath) },
    ]);
  }
  return importSourceClass(resolve(baseDir, modulePath), name);
}

/** Loads `name` (or the default export) of the module at `file` and checks it is a PtyScan class. */
async function importSourceClass(file: string, name: string | undefined): Promise<SourceClass> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new ParameterError(
      [
        {
          path: MODULE_KEY,
          expected: 'a module that loads',
          found: `${file}: ${(cause as Error).message}`,
        },
      ],
      { file, cause },
    );
  }
  const exported = name !== undefined && name in mod ? mod[name] : mod.default;
  if (!isSourceClass(exported)) {
    const exports = Object.keys(mod).join(', ') || 'nothing';
    throw new ParameterError(
      [
        {
          path: name !== undefined && name in mod ? 'name' : MODULE_KEY,
          expected: `${name === undefined ? 'a default export' : `an export '${name}' (or a default export)`} that is a PtyScan subclass`,
          found: `${file} exports ${exports}`,
        },
      ],
      { file },
    );
  }
  return exported;
}

function isSourceClass(value: unknown): value is SourceClass {
  return typeof value === 'function' && (value === PtyScan || value.prototype instanceof PtyScan);
}

/**
 * Keys holding paths on disk, besides parameters declared with type `file`;
 * PtydScan's `source` is a path unless it is the word 'file'.
 */
function isPathKey(key: string, value: string): boolean {
  if (key === 'source') return value !== 'file';
  return key === 'base_path' || key === 'dfile' || key === 'file' || key.endsWith('_file');
}

/**
 * A copy of `config` without `module`, relative paths made absolute against
 * `baseDir` at every level of sub-trees. Keys are defined, not assigned, so
 * a key named `__proto__` stays data.
 */
function resolvePaths(
  cls: SourceClass,
  config: Readonly<Record<string, unknown>>,
  baseDir: string,
): Record<string, unknown> {
  const walk = (
    dict: Readonly<Record<string, unknown>>,
    prefix: string,
  ): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(dict)) {
      if (prefix === '' && key === MODULE_KEY) continue;
      const path = prefix === '' ? key : `${prefix}.${key}`;
      let resolved = value;
      if (typeof value === 'string') {
        const declaredFile = cls.params.get(path)?.type.includes('file') ?? false;
        if ((declaredFile || isPathKey(key, value)) && value !== '' && !isAbsolute(value)) {
          resolved = resolve(baseDir, value);
        }
      } else if (isPlainDict(value)) {
        resolved = walk(value, path);
      }
      Object.defineProperty(out, key, {
        value: resolved,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return walk(config, '');
}

function isPlainDict(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}
