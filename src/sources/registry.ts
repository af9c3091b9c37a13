/**
 * Scan sources by name: `name` in a config selects the class, as ptypy's
 * `scan.data.name` does. A registry is an object, built by a function
 * ({@link createSourceRegistry} holds the built-in sources), so importing a
 * module registers nothing; the process has one default registry, made on
 * first use, that the `registerSource`/`getSource`/`listSources` and
 * `registerParams`/`getParams`/`listParams` functions and configs without
 * an explicit registry use. A user's own class may also come from a module
 * path given in the config (see `create-scan.ts`).
 */
import { ParameterError, type ParameterProblem } from '../errors.js';
import { ParamRegistry, type ParamTree } from '../params/index.js';
import type { PtyScan } from '../scan/pty-scan.js';
import { PTYSCAN_PARAMS } from '../scan/pty-scan-params.js';
import { CxiScan } from './cxi-scan.js';
import { FoldSliceScan } from './fold-slice-scan.js';
import { Hdf5Loader } from './hdf5-loader.js';
import { Hdf5LoaderFast } from './hdf5-loader-fast.js';
import { MoonFlowerScan } from './moon-flower-scan.js';
import { NumpyScan } from './numpy-scan.js';
import { PtydScan } from './ptyd-scan.js';
import { SwmrLoader } from './swmr-loader.js';

/** A scan source: {@link PtyScan} or a subclass, with its parameter tree in `params`. */
export type SourceClass = typeof PtyScan;

/** Source classes by name, and the parameter trees of the classes they name. */
export class SourceRegistry {
  /** The parameter trees, listed by `ptyscan params` as `scandata.<Name>`. */
  readonly params = new ParamRegistry();
  private readonly sources = new Map<string, SourceClass>();

  /**
   * Makes `cls` available as `name: '<name>'` in configs, and its parameter
   * tree in {@link params} when the tree carries the same name. Registering
   * the same class again is a no-op; another class under a taken name is
   * refused unless `replace`.
   *
   * @throws ParameterError when `name` is taken by another class.
   */
  register(name: string, cls: SourceClass, options: { replace?: boolean } = {}): void {
    const existing = this.sources.get(name);
    if (existing !== undefined && existing !== cls && !options.replace) {
      throw new ParameterError([
        {
          path: 'name',
          expected: 'a source name not registered yet',
          found: `'${name}' already registered by class ${existing.name}`,
        },
      ]);
    }
    this.sources.set(name, cls);
    if (cls.params.name === name) this.params.register(cls.params, options);
  }

  /** The names of every registered source, in registration order. */
  list(): string[] {
    return [...this.sources.keys()];
  }

  /**
   * The source class registered as `name`.
   *
   * @throws ParameterError naming every registered source when `name` is unknown.
   */
  get(name: string): SourceClass {
    const cls = this.sources.get(name);
    if (cls === undefined) throw new ParameterError([this.unknown(name)]);
    return cls;
  }

  /** The problem of an unknown source name, listing the known ones. */
  unknown(name: string): ParameterProblem {
    const known = this.list();
    return {
      path: 'name',
      expected: `a registered source (${known.join(', ') || 'none registered'}) or a "module" path to your own class`,
      found: `'${name}'`,
    };
  }
}

/**
 * A new registry holding the built-in sources (`CxiScan`, `FoldSliceScan`,
 * `Hdf5Loader`, `Hdf5LoaderFast`, `SwmrLoader`, `MoonFlowerScan`, `NumpyScan`,
 * `PtydScan`) and the parameter tree of `PtyScan` itself.
 *
 * @example
 * const registry = createSourceRegistry();
 * registry.register('MyBeamlineScan', MyBeamlineScan);
 * const scan = await createScan({ name: 'MyBeamlineScan' }, { registry });
 */
export function createSourceRegistry(): SourceRegistry {
  const registry = new SourceRegistry();
  // `ptyscan params` lists the base class and the .ptyd reader first.
  registry.params.register(PTYSCAN_PARAMS);
  registry.params.register(PtydScan.params);
  registry.register('CxiScan', CxiScan);
  registry.register('FoldSliceScan', FoldSliceScan);
  registry.register('Hdf5Loader', Hdf5Loader);
  registry.register('Hdf5LoaderFast', Hdf5LoaderFast);
  registry.register('SwmrLoader', SwmrLoader);
  registry.register('MoonFlowerScan', MoonFlowerScan);
  registry.register('NumpyScan', NumpyScan);
  registry.register('PtydScan', PtydScan);
  return registry;
}

let shared: SourceRegistry | undefined;

/** The process's default registry: {@link createSourceRegistry}'s, made on first use. */
export function defaultSourceRegistry(): SourceRegistry {
  shared ??= createSourceRegistry();
  return shared;
}

/**
 * Makes `cls` available as `name: '<name>'` in configs of the default
 * registry (see {@link SourceRegistry.register}).
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
  defaultSourceRegistry().register(name, cls, options);
}

/** The names of every source of the default registry, in registration order. */
export function listSources(): string[] {
  return defaultSourceRegistry().list();
}

/**
 * The source class registered as `name` in the default registry.
 *
 * @throws ParameterError naming every registered source when `name` is unknown.
 */
export function getSource(name: string): SourceClass {
  return defaultSourceRegistry().get(name);
}

/**
 * Registers a class's parameter tree in the default registry under
 * `scandata.<Name>` (for `ptyscan params`).
 *
 * @example
 * registerParams(defineParams(text, { name: 'MyBeamline', parent: PTYSCAN_PARAMS }));
 */
export function registerParams(tree: ParamTree, options: { replace?: boolean } = {}): void {
  defaultSourceRegistry().params.register(tree, options);
}

/** The tree of `name` (`PtyScan` or `scandata.PtyScan`) in the default registry; throws ParameterError if unknown. */
export function getParams(name: string): ParamTree {
  return defaultSourceRegistry().params.get(name);
}

/** Every parameter tree of the default registry, in registration order. */
export function listParams(): ParamTree[] {
  return defaultSourceRegistry().params.list();
}
