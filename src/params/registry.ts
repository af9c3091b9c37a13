import { ParameterError } from '../errors.js';
import { PARAM_ROOT, type ParamTree } from './tree.js';

/**
 * Parameter trees by class name, listed under `scandata.<Name>` as ptypy
 * lists its scan data classes. Each source registry holds one (see
 * `sources/registry.ts`, which also keeps the process's default); tests and
 * tools may make their own.
 */
export class ParamRegistry {
  private readonly trees = new Map<string, ParamTree>();

  /**
   * Adds a tree under `scandata.<tree.name>`. Registering the same tree again
   * is a no-op; a different tree under a taken name is refused unless `replace`.
   *
   * @throws ParameterError when the name is taken by another tree.
   */
  register(tree: ParamTree, options: { replace?: boolean } = {}): void {
    const existing = this.trees.get(tree.name);
    if (existing !== undefined && existing !== tree && !options.replace) {
      throw new ParameterError([
        {
          path: tree.path,
          expected: 'a class name not registered yet',
          found: `'${tree.name}' already registered by another parameter tree`,
        },
      ]);
    }
    this.trees.set(tree.name, tree);
  }

  /** True when `name` (`PtyScan` or `scandata.PtyScan`) is registered. */
  has(name: string): boolean {
    return this.trees.has(bareName(name));
  }

  /**
   * The tree of `name` (`PtyScan` or `scandata.PtyScan`).
   *
   * @throws ParameterError naming the registered classes when `name` is unknown.
   */
  get(name: string): ParamTree {
    const tree = this.trees.get(bareName(name));
    if (tree === undefined) {
      const known = [...this.trees.keys()].map((n) => `${PARAM_ROOT}.${n}`);
      throw new ParameterError([
        {
          path: name.startsWith(`${PARAM_ROOT}.`) ? name : `${PARAM_ROOT}.${name}`,
          expected: `a registered class (${known.join(', ') || 'none registered'})`,
          found: 'unknown class',
        },
      ]);
    }
    return tree;
  }

  /** Every registered tree, in registration order. */
  list(): ParamTree[] {
    return [...this.trees.values()];
  }
}

function bareName(name: string): string {
  return name.startsWith(`${PARAM_ROOT}.`) ? name.slice(PARAM_ROOT.length + 1) : name;
}
