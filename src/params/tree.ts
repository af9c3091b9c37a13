import { ParameterError, type ParameterProblem } from '../errors.js';
import { isNdArray, type PyDict, PyTuple, type PyValue } from '../py/value.js';
import { describeValue, isPlainObject, valueProblem } from './check.js';
import {
  PARAM_FIELDS,
  PARAM_TYPES,
  type ParamDescriptor,
  type ParamField,
  type ParamType,
} from './descriptor.js';
import { formatParamDefaults, formatParamHelp, formatParamText } from './format.js';
import { parsePyLiteral } from './literal.js';
import { setOwn } from './own.js';
import { readParamBlocks } from './text.js';

/** Where registered trees live: `scandata.<Name>`, as in ptypy's `p.scans.*.data`. */
export const PARAM_ROOT = 'scandata';

/** Options of {@link defineParams}. */
export interface DefineParamsOptions {
  /** Class name, e.g. `PtyScan`; the tree's parameter paths are `scandata.<name>.*`. */
  name: string;
  /** Tree to inherit from: its entries come first; blocks here add or override fields. */
  parent?: ParamTree;
  /** One line saying what the class is, shown by `ptyscan params`. */
  description?: string;
}

/** Options of {@link ParamTree.validate}. */
export interface ValidateOptions {
  /** Path prefix of the problems; defaults to `scandata.<name>`. */
  path?: string;
}

/**
 * The parameters of one class: descriptors by dotted name, in declaration
 * order (inherited ones first). Immutable; make a subclass tree with
 * {@link defineParams} and a `parent`.
 */
export class ParamTree {
  /** Class name, e.g. `PtyScan`. */
  readonly name: string;
  /** One-line description, may be empty. */
  readonly description: string;
  /** The tree this one inherits from, or null. */
  readonly parent: ParamTree | null;
  /** Every descriptor by dotted name, in order. */
  readonly entries: ReadonlyMap<string, ParamDescriptor>;

  /** Use {@link defineParams}; this constructor trusts its input. */
  constructor(
    name: string,
    entries: ReadonlyMap<string, ParamDescriptor>,
    parent: ParamTree | null = null,
    description = '',
  ) {
    this.name = name;
    this.entries = entries;
    this.parent = parent;
    this.description = description;
  }

  /** Default path prefix of this tree's parameters: `scandata.<name>`. */
  get path(): string {
    return `${PARAM_ROOT}.${this.name}`;
  }

  /** The descriptor of a dotted name, or undefined. */
  get(name: string): ParamDescriptor | undefined {
    return this.entries.get(name);
  }

  /** Descriptors one level below `prefix` (`''` for the top level). */
  children(prefix: string): ParamDescriptor[] {
    const out: ParamDescriptor[] = [];
    for (const d of this.entries.values()) {
      const dot = d.name.lastIndexOf('.');
      if ((dot < 0 ? '' : d.name.slice(0, dot)) === prefix) out.push(d);
    }
    return out;
  }

  /**
   * The default parameters as a fresh plain object (a deep copy every call, so
   * callers may mutate it). Sub-trees become nested objects.
   *
   * @example
   * PTYSCAN_PARAMS.defaults().min_frames; // 1n
   */
  defaults(): PyDict {
    const build = (prefix: string): PyDict => {
      const out: PyDict = {};
      for (const d of this.children(prefix)) {
        const key = prefix === '' ? d.name : d.name.slice(prefix.length + 1);
        setOwn(
          out,
          key,
          this.children(d.name).length > 0 ? build(d.name) : clonePyValue(d.default),
        );
      }
      return out;
    };
    return build('');
  }

  /**
   * Every problem of `pars` (unknown keys, wrong types, values outside
   * lowlim/uplim or not in the choices), without throwing. Keys whose value is
   * `undefined` count as absent; missing keys are not problems.
   */
  problems(pars: unknown, options: ValidateOptions = {}): ParameterProblem[] {
    const root = options.path ?? this.path;
    const problems: ParameterProblem[] = [];
    const walk = (value: unknown, prefix: string, path: string): void => {
      if (!isPlainObject(value)) {
        problems.push({ path, expected: 'a dict of parameters', found: describeValue(value) });
        return;
      }
      for (const [key, v] of Object.entries(value)) {
        if (v === undefined) continue;
        const name = prefix === '' ? key : `${prefix}.${key}`;
        const d = this.entries.get(name);
        const at = `${path}.${key}`;
        if (d === undefined) {
          problems.push({
            path: at,
            expected: knownKeysText(this, prefix, key),
            found: 'unknown key',
          });
          continue;
        }
        const problem = valueProblem(d, v, at);
        if (problem) problems.push(problem);
        else if (isPlainObject(v) && this.children(name).length > 0) walk(v, name, at);
      }
    };
    walk(pars, '', root);
    return problems;
  }

  /**
   * Checks `pars` and throws one {@link ParameterError} listing every problem.
   *
   * @throws ParameterError with `problems` like `{path: 'scandata.PtyScan.rebin', expected, found}`.
   */
  validate(pars: unknown, options: ValidateOptions = {}): void {
    const problems = this.problems(pars, options);
    if (problems.length > 0) throw new ParameterError(problems);
  }

  /** The whole tree (inherited entries included) in the ptypy text form; {@link parseParams} reads it back. */
  toString(): string {
    return formatParamText(this);
  }

  /** Human help for each parameter (or only `names`): type, default, limits, choices, help, doc. */
  help(names?: readonly string[]): string {
    return formatParamHelp(this, names);
  }

  /** The defaults as ptypy text blocks (`type` and `default` of every entry). */
  defaultsText(): string {
    return formatParamDefaults(this);
  }

  /** True when both trees have the same name and the same descriptors in the same order. */
  equals(other: ParamTree): boolean {
    return this.name === other.name && formatParamText(this) === formatParamText(other);
  }
}

function knownKeysText(tree: ParamTree, prefix: string, key: string): string {
  const keys = tree
    .children(prefix)
    .map((d) => d.name.slice(prefix === '' ? 0 : prefix.length + 1));
  let near: string | undefined;
  let best = 3;
  for (const k of keys) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(k, key);
    if (d < best) [near, best] = [k, d];
  }
  if (near !== undefined) return `a known parameter (did you mean '${near}'?)`;
  const shown = keys.length > 8 ? [...keys.slice(0, 8), '...'] : keys;
  return `a known parameter (${shown.join(', ')})`;
}

/** Levenshtein distance, for "did you mean" hints on misspelt keys. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * Builds a parameter tree from ptypy's `[name]` block text, optionally on top
 * of a parent tree. A block naming an inherited entry overrides only the fields
 * it lists; a new entry must give its `type`. `[a.b]` declares `b` inside the
 * sub-tree `a` (created as type `Param` if not declared). Every default is
 * checked against its own type, limits and choices.
 *
 * @throws ParameterError listing every problem of the text at once.
 * @example
 * const tree = defineParams('[rebin]\ntype = int\ndefault = 2\nlowlim = 1', { name: 'MyScan' });
 * const child = defineParams('[rebin]\ndefault = 4', { name: 'MySub', parent: tree });
 */
export function defineParams(text: string, options: DefineParamsOptions): ParamTree {
  const { name, parent } = options;
  const prefix = `${PARAM_ROOT}.${name}`;
  const problems: ParameterProblem[] = [];
  const entries = new Map<string, ParamDescriptor>(parent?.entries ?? []);

  for (const block of readParamBlocks(text, prefix, problems)) {
    const path = `${prefix}.${block.name}`;
    ensureParents(entries, block.name, path, problems);
    const base = entries.get(block.name);
    if (base === undefined && block.fields.type === undefined) {
      problems.push({
        path: `${path}.type`,
        expected: 'a type for a new parameter',
        found: `no 'type' in [${block.name}] (line ${block.line})`,
      });
      continue;
    }
    const d = applyFields(base ?? emptyDescriptor(block.name), block.fields, path, problems);
    if (d) entries.set(block.name, d);
  }

  for (const d of entries.values()) {
    const problem = valueProblem(d, d.default, `${prefix}.${d.name}.default`);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new ParameterError(problems);
  return new ParamTree(name, entries, parent ?? null, options.description ?? '');
}

/**
 * Reads a tree written by {@link ParamTree.toString} (or any block text without a parent).
 *
 * @example
 * parseParams(PTYSCAN_PARAMS.toString(), 'PtyScan').equals(PTYSCAN_PARAMS); // true
 */
export function parseParams(text: string, name = 'Params'): ParamTree {
  return defineParams(text, { name });
}

function emptyDescriptor(name: string): ParamDescriptor {
  return {
    name,
    type: [],
    default: null,
    help: '',
    doc: '',
    userlevel: null,
    choices: null,
    lowlim: null,
    uplim: null,
  };
}

/** Declares `a` and `a.b` as `Param` sub-trees when `[a.b.c]` appears first. */
function ensureParents(
  entries: Map<string, ParamDescriptor>,
  name: string,
  path: string,
  problems: ParameterProblem[],
): void {
  const parts = name.split('.');
  for (let i = 1; i < parts.length; i++) {
    const parentName = parts.slice(0, i).join('.');
    const existing = entries.get(parentName);
    if (existing === undefined) {
      entries.set(parentName, { ...emptyDescriptor(parentName), type: ['Param'], default: {} });
    } else if (!existing.type.includes('Param')) {
      problems.push({
        path,
        expected: `'${parentName}' to be of type Param to hold sub-parameters`,
        found: `type ${existing.type.join(', ')}`,
      });
    }
  }
}

/** Overlays the fields present in a block onto `base`; problems are collected. */
function applyFields(
  base: ParamDescriptor,
  fields: Partial<Record<ParamField, string>>,
  path: string,
  problems: ParameterProblem[],
): ParamDescriptor | undefined {
  const before = problems.length;
  const d: { -readonly [K in keyof ParamDescriptor]: ParamDescriptor[K] } = { ...base };
  for (const field of PARAM_FIELDS) {
    const raw = fields[field];
    if (raw === undefined) continue;
    const at = `${path}.${field}`;
    switch (field) {
      case 'type':
        d.type = parseTypeList(raw, at, problems);
        break;
      case 'default':
        d.default = raw === '' ? null : tryLiteral(raw, at, problems);
        break;
      case 'help':
        d.help = raw;
        break;
      case 'doc':
        d.doc = raw;
        break;
      case 'userlevel': {
        const v = raw === '' ? null : tryLiteral(raw, at, problems);
        if (v === null || typeof v === 'bigint') d.userlevel = v === null ? null : Number(v);
        else problems.push({ path: at, expected: 'an int (0, 1 or 2)', found: describeValue(v) });
        break;
      }
      case 'choices': {
        const v = raw === '' ? null : tryLiteral(raw, at, problems);
        if (v === null) d.choices = null;
        else if (Array.isArray(v)) d.choices = v;
        else if (v instanceof PyTuple) d.choices = v.items;
        else problems.push({ path: at, expected: 'a list of values', found: describeValue(v) });
        break;
      }
      case 'lowlim':
      case 'uplim': {
        const v = raw === '' ? null : tryLiteral(raw, at, problems);
        if (v === null || typeof v === 'bigint' || typeof v === 'number') d[field] = v;
        else problems.push({ path: at, expected: 'a number', found: describeValue(v) });
        break;
      }
    }
  }
  return problems.length === before ? d : undefined;
}

function parseTypeList(raw: string, path: string, problems: ParameterProblem[]): ParamType[] {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const out: ParamType[] = [];
  for (const n of names) {
    const t = PARAM_TYPES.find((known) => known === n);
    if (t === undefined) {
      problems.push({ path, expected: `types from ${PARAM_TYPES.join(', ')}`, found: `'${n}'` });
    } else if (!out.includes(t)) {
      out.push(t);
    }
  }
  if (names.length === 0) problems.push({ path, expected: 'at least one type', found: 'none' });
  return out;
}

function tryLiteral(raw: string, path: string, problems: ParameterProblem[]): PyValue {
  try {
    return parsePyLiteral(raw, path);
  } catch (e) {
    if (!(e instanceof ParameterError)) throw e;
    problems.push(...e.problems);
    return null;
  }
}

/** A deep copy of a {@link PyValue}; NdArray data is copied too. */
export function clonePyValue(value: PyValue): PyValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clonePyValue);
  if (value instanceof PyTuple) return new PyTuple(value.items.map(clonePyValue));
  if (isNdArray(value))
    return { dtype: value.dtype, shape: [...value.shape], data: value.data.slice() };
  const out: PyDict = {};
  for (const [k, v] of Object.entries(value)) setOwn(out, k, clonePyValue(v));
  return out;
}
