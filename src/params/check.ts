import type { ParameterProblem } from '../errors.js';
import { isNdArray, PyTuple, type PyValue } from '../py/value.js';
import type { ParamDescriptor, ParamLimit, ParamType } from './descriptor.js';
import { formatPyLiteral } from './literal.js';

/**
 * Checks of one value against one descriptor: type, then limits, then choices.
 * The value comes from user code, so it is `unknown` until checked.
 */

/** A plain JS object used as a Python dict (not an array, tuple or NdArray). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value) || value instanceof PyTuple || isNdArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const TYPE_CHECKS: Record<ParamType, (v: unknown) => boolean> = {
  str: (v) => typeof v === 'string',
  file: (v) => typeof v === 'string',
  int: (v) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)),
  // Python accepts an int where a float is declared.
  float: (v) => typeof v === 'number' || typeof v === 'bigint',
  bool: (v) => typeof v === 'boolean',
  tuple: (v) => Array.isArray(v) || v instanceof PyTuple,
  list: (v) => Array.isArray(v) || v instanceof PyTuple,
  array: (v) => isNdArray(v) || Array.isArray(v),
  dict: isPlainObject,
  Param: isPlainObject,
  None: (v) => v === null,
};

/** True when `value` matches one of the descriptor's types (or is None and the default is None). */
function matchesType(d: ParamDescriptor, value: unknown): boolean {
  if (value === null && d.default === null) return true;
  return d.type.some((t) => TYPE_CHECKS[t](value));
}

/**
 * The first problem of `value` for descriptor `d`, or undefined when it is fine.
 * Limits apply to numeric scalars only; choices restrict the values of the
 * kinds they list (string choices restrict strings, a `None` choice restricts
 * None, numbers restrict numbers), so `center` can be a tuple or one of its
 * named strings.
 */
export function valueProblem(
  d: ParamDescriptor,
  value: unknown,
  path: string,
): ParameterProblem | undefined {
  if (!matchesType(d, value)) {
    const types = d.default === null && !d.type.includes('None') ? [...d.type, 'None'] : d.type;
    return { path, expected: `type ${types.join(' or ')}`, found: describeValue(value) };
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    const low = d.lowlim !== null && value < d.lowlim;
    const high = d.uplim !== null && value > d.uplim;
    if (low || high) {
      const leaf = d.name.slice(d.name.lastIndexOf('.') + 1);
      return { path, expected: limitText(d, leaf), found: describeValue(value) };
    }
  }
  const choices = d.choices;
  if (choices !== null) {
    const kind = choiceKind(value);
    const sameKind = choices.filter((c) => choiceKind(c) === kind);
    if (kind !== undefined && sameKind.length > 0 && !sameKind.some((c) => sameScalar(c, value))) {
      return {
        path,
        expected: `one of ${choices.map((c) => formatPyLiteral(c)).join(', ')}`,
        found: describeValue(value),
      };
    }
  }
  return undefined;
}

/** `1 <= value <= 32`, `value >= 1` or `value <= 9`, for messages and help. */
export function limitText(d: Pick<ParamDescriptor, 'lowlim' | 'uplim'>, name = 'value'): string {
  const fmt = (x: ParamLimit): string => formatPyLiteral(x);
  if (d.lowlim !== null && d.uplim !== null)
    return `${fmt(d.lowlim)} <= ${name} <= ${fmt(d.uplim)}`;
  if (d.lowlim !== null) return `${name} >= ${fmt(d.lowlim)}`;
  if (d.uplim !== null) return `${name} <= ${fmt(d.uplim)}`;
  return 'any value';
}

function choiceKind(value: unknown): 'None' | 'str' | 'number' | 'bool' | undefined {
  if (value === null) return 'None';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'bool';
  return undefined;
}

function sameScalar(a: PyValue, b: unknown): boolean {
  if (typeof a === 'bigint' && typeof b === 'number') return Number.isInteger(b) && BigInt(b) === a;
  if (typeof a === 'number' && typeof b === 'bigint') return Number.isInteger(a) && BigInt(a) === b;
  return a === b;
}

/** A short description of any value for "found ..." texts, e.g. `'spiral' (str)`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'None';
  if (typeof value === 'number') {
    const text =
      Number.isInteger(value) || !Number.isFinite(value) ? String(value) : formatPyLiteral(value);
    return `${text} (number)`;
  }
  if (typeof value === 'bigint') return `${value} (int)`;
  if (typeof value === 'boolean') return `${value ? 'True' : 'False'} (bool)`;
  if (typeof value === 'string') return `${shorten(formatPyLiteral(value))} (str)`;
  if (isNdArray(value)) return `array ${value.dtype} (${value.shape.join(', ')})`;
  if (Array.isArray(value)) return `list of ${value.length}`;
  if (value instanceof PyTuple) return `tuple of ${value.items.length}`;
  if (isPlainObject(value)) return 'dict';
  if (typeof value === 'object') return `${value.constructor?.name ?? 'object'} object`;
  return typeof value;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
