import type { PyValue } from '../py/value.js';

/** The type names a ptypy parameter block may list in its `type` field. */
export const PARAM_TYPES = [
  'str',
  'int',
  'float',
  'bool',
  'tuple',
  'list',
  'array',
  'dict',
  'Param',
  'file',
  'None',
] as const;

/** One type name of a parameter, e.g. `'int'` or `'Param'` (a sub-tree). */
export type ParamType = (typeof PARAM_TYPES)[number];

/** The fields of a `[name]` block, in the order they are written. */
export const PARAM_FIELDS = [
  'type',
  'default',
  'help',
  'doc',
  'userlevel',
  'choices',
  'lowlim',
  'uplim',
] as const;

/** The name of one field of a `[name]` block. */
export type ParamField = (typeof PARAM_FIELDS)[number];

/** A numeric limit: a Python int (bigint) or float (number). */
export type ParamLimit = bigint | number;

/**
 * One parameter, as declared by a `[name]` block (after inheritance).
 * Values are {@link PyValue}s: an int default is a bigint, a float a number.
 */
export interface ParamDescriptor {
  /** Dotted name inside its tree, e.g. `rebin` or `geometry.distance`. */
  readonly name: string;
  /** Accepted types; a value matching any of them is accepted. */
  readonly type: readonly ParamType[];
  /** Default value; `null` (None) also makes `null` an accepted value. */
  readonly default: PyValue;
  /** One-line description. */
  readonly help: string;
  /** Longer documentation, may span lines. */
  readonly doc: string;
  /** ptypy's audience level: 0 basic, 1 advanced, 2 expert; `null` when not given. */
  readonly userlevel: number | null;
  /** Allowed values of the kinds listed here (see `validate`); `null` when unrestricted. */
  readonly choices: readonly PyValue[] | null;
  /** Smallest allowed numeric value (inclusive). */
  readonly lowlim: ParamLimit | null;
  /** Largest allowed numeric value (inclusive). */
  readonly uplim: ParamLimit | null;
}

/** Words for the userlevel numbers, used in help output. */
export const USERLEVEL_NAMES: readonly string[] = ['basic', 'advanced', 'expert'];
