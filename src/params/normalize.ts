import { ParameterError } from '../errors.js';
import type { PyDict } from '../py/value.js';
import { describeValue, isPlainObject } from './check.js';
import { setOwn } from './own.js';
import type { ParamTree, ValidateOptions } from './tree.js';

/**
 * The parameters a class runs with: the tree's defaults, overlaid with the
 * user's `pars` (the user wins; sub-tree dicts are merged key by key), then
 * validated as a whole. The user's values are taken by reference, not copied
 * (a large `positions_theory` array stays one array). Keys set to `undefined`
 * are left at their default.
 *
 * @throws ParameterError listing every problem (unknown keys, types, limits, choices).
 * @example
 * const info = normalizeParams(PTYSCAN_PARAMS, { shape: 128, rebin: 2 });
 * info.min_frames; // 1n (default); info.shape; // 128 (as given)
 */
export function normalizeParams(
  tree: ParamTree,
  pars: unknown = {},
  options: ValidateOptions = {},
): PyDict {
  if (!isPlainObject(pars)) {
    throw new ParameterError([
      {
        path: options.path ?? tree.path,
        expected: 'a dict of parameters',
        found: describeValue(pars),
      },
    ]);
  }
  const merged = overlay(tree, '', tree.defaults(), pars);
  tree.validate(merged, options);
  // Validation has proven every value to be a PyValue.
  return merged as PyDict;
}

/** Only sub-trees (entries with children) merge; any other value is replaced whole. */
function overlay(
  tree: ParamTree,
  prefix: string,
  base: Record<string, unknown>,
  user: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(user)) {
    if (value === undefined) continue;
    const name = prefix === '' ? key : `${prefix}.${key}`;
    const current = out[key];
    const subTree = tree.children(name).length > 0;
    const merged =
      subTree && isPlainObject(current) && isPlainObject(value)
        ? overlay(tree, name, current, value)
        : value;
    setOwn(out, key, merged);
  }
  return out;
}
