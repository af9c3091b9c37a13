/**
 * Building the scan a config describes: its class (a registered source by
 * `name`, or a user's class from a `module` path), its parameters with
 * relative paths resolved against the config's folder, validated before the
 * class's constructor runs.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ParameterError } from '../errors.js';
import { h5ready } from '../h5/index.js';
import { normalizeParams } from '../params/index.js';
import { type SaveSettings, saveNeedsH5wasm, saveSettings } from '../ptyd/index.js';
import type { PyDict, PyValue } from '../py/value.js';
import { PtyScan, type PtyScanOptions, type ScanParams } from '../scan/pty-scan.js';
import { defaultSourceRegistry, type SourceClass, type SourceRegistry } from './registry.js';

/** Config keys that are not parameters of the source: they say where the class comes from. */
const MODULE_KEY = 'module';

/** Where a config's relative paths start and how a scan reports. */
export interface CreateScanOptions extends PtyScanOptions {
  /** The sources `name` is looked up in (default: the process's default registry). */
  registry?: SourceRegistry;
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
  /** The module file the config names (absolute), or null. */
  module: string | null;
  /**
   * With `loadModule: false` and a `module`: the config keys the base
   * `PtyScan` does not know, which only the module's class could check
   * (`cls` is then `PtyScan` and `params` leaves them out). Else empty.
   */
  unchecked: string[];
}

/**
 * Finds the class of `config` and validates the parameters against its tree
 * without touching any data: every problem is reported at once. A `module`
 * in the config is imported (its code runs) unless `loadModule` is false:
 * then only the parameters of the base `PtyScan` are checked.
 *
 * @throws ParameterError listing every problem (unknown name, unknown keys, types, limits).
 * @example
 * const { cls, info } = await resolveScanConfig({ name: 'NumpyScan', base_path: 'raw' }, { baseDir: '/data' });
 */
export async function resolveScanConfig(
  config: Readonly<Record<string, PyValue>>,
  options: ConfigOptions = {},
): Promise<ResolvedScanConfig> {
  const module = configModule(config, options.baseDir);
  if (module !== null && options.loadModule === false) {
    const known = Object.keys(config).filter((k) => k !== MODULE_KEY && k !== 'name');
    const checked = known.filter((k) => PtyScan.params.get(k) !== undefined);
    const subset = Object.fromEntries(checked.map((k) => [k, config[k] ?? null]));
    const params = resolvePaths(PtyScan, subset, resolve(options.baseDir ?? '.')) as ScanParams;
    const unchecked = known.filter((k) => !checked.includes(k));
    return {
      cls: PtyScan,
      params,
      info: normalizeParams(PtyScan.params, params),
      module,
      unchecked,
    };
  }
  const { cls, params } = await classAndParams(config, options);
  return { cls, params, info: normalizeParams(cls.params, params), module, unchecked: [] };
}

/** Where a config's class is looked up, and where its relative paths start. */
export interface ConfigOptions {
  /** The sources `name` is looked up in (default: the process's default registry). */
  registry?: SourceRegistry;
  /** Folder relative paths resolve against (default: the current directory). */
  baseDir?: string;
  /** Import the config's `module` to find its class (default true; its code runs). */
  loadModule?: boolean;
}

/** The class of `config` and its parameters with relative paths resolved. */
async function classAndParams(
  config: Readonly<Record<string, PyValue>>,
  options: ConfigOptions,
): Promise<{ cls: SourceClass; params: ScanParams }> {
  const baseDir = resolve(options.baseDir ?? '.');
  const registry = options.registry ?? defaultSourceRegistry();
  const cls = await sourceClassOf(config, baseDir, registry);
  const params = resolvePaths(cls, config, baseDir) as ScanParams;
  // A user class without its own tree still runs under its own name in ptypy's sense.
  if (params.name === undefined && cls.params.get('name') !== undefined) {
    params.name = cls.params.name;
  }
  return { cls, params };
}

/**
 * Builds the scan a config describes (see {@link resolveScanConfig}); the
 * scan validates the parameters (every problem at once) before it reads any
 * file.
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
  const { baseDir, registry, ...scanOptions } = options;
  const { cls, params } = await classAndParams(config, {
    ...(baseDir === undefined ? {} : { baseDir }),
    ...(registry === undefined ? {} : { registry }),
  });
  // h5wasm is loaded only when something of this run reads or writes through it.
  if (usesH5wasm(cls, params, scanOptions)) await h5ready();
  return new cls(params, scanOptions);
}

/**
 * The module file a config's `module` names (absolute), or null when it names
 * none. Importing that file runs its code: `ptyscan validate` only does so
 * when asked (`--load-module`).
 *
 * @throws ParameterError when `module` is not a string.
 */
export function configModule(
  config: Readonly<Record<string, PyValue>>,
  baseDir = '.',
): string | null {
  const modulePath = Object.hasOwn(config, MODULE_KEY) ? config[MODULE_KEY] : undefined;
  if (modulePath === undefined || modulePath === null) return null;
  if (typeof modulePath !== 'string') {
    throw new ParameterError([
      { path: MODULE_KEY, expected: 'a path to a JavaScript module', found: String(modulePath) },
    ]);
  }
  return resolve(baseDir, modulePath);
}

/** Whether the scan of `cls` with `params` reads or writes through h5wasm. */
function usesH5wasm(cls: SourceClass, params: ScanParams, options: PtyScanOptions): boolean {
  if (cls.usesHdf5 || options.sink !== undefined) return true;
  let save: SaveSettings | null;
  try {
    save = saveSettings(normalizeParams(cls.params, params), []);
  } catch {
    // The scan reports bad parameters itself, before it touches any file.
    return false;
  }
  return saveNeedsH5wasm(save, options.resume === true);
}

async function sourceClassOf(
  config: Readonly<Record<string, PyValue>>,
  baseDir: string,
  registry: SourceRegistry,
): Promise<SourceClass> {
  const name = Object.hasOwn(config, 'name') ? config.name : undefined;
  if (name !== undefined && typeof name !== 'string') {
    throw new ParameterError([
      { path: 'name', expected: 'the name of a source class (a string)', found: String(name) },
    ]);
  }
  const modulePath = configModule(config, baseDir);
  if (modulePath === null) {
    if (name === undefined) {
      throw new ParameterError([
        {
          path: 'name',
          expected: `a source name (${registry.list().join(', ')}) or a "module" path`,
          found: 'no name',
        },
      ]);
    }
    return registry.get(name);
  }
  return importSourceClass(modulePath, name);
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
