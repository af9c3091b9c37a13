import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { h5read } from '../ptyd/h5rw.js';
import type { PyDict } from '../py/value.js';
import { firstDifference, type Plain, toPlain } from './describe.js';
import { expectedStructure, listStructure, type StructureEntry } from './file-structure.js';

/** ptyscan's own parameters: they appear in our `info` group and not in ptypy's. */
const OWN_INFO_KEYS = new Set([
  'compression',
  'compression_level',
  'shuffle',
  'compression_plugins',
  'workers',
]);

/** Booleans as 0/1: we store bool as int8 (h5wasm cannot write h5py's bool enum). */
function boolsAsNumbers(value: Plain): Plain {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return value.map(boolsAsNumbers);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, boolsAsNumbers(v)]));
  }
  return value;
}

function withoutOwnInfo(tree: PyDict): PyDict {
  const info = tree.info;
  if (info === null || typeof info !== 'object' || Array.isArray(info) || !('name' in info))
    return tree;
  const kept = Object.fromEntries(Object.entries(info).filter(([k]) => !OWN_INFO_KEYS.has(k)));
  return { ...tree, info: kept as PyDict };
}

function sameEntry(ours: StructureEntry, expected: StructureEntry, dtypes: boolean): string | null {
  if (ours.kind !== expected.kind)
    return `${expected.path}: expected a ${expected.kind}, found a ${ours.kind}`;
  if (ours.type !== expected.type)
    return `${expected.path}: type attribute expected ${expected.type}, found ${ours.type}`;
  if (expected.kind !== 'dataset') return null;
  // h5py reports variable-length strings as numpy 'object'.
  const dtypeOk =
    ours.dtype === expected.dtype ||
    (expected.dtype === 'bool' && ours.dtype === 'int8') ||
    (expected.dtype === 'object' && ours.dtype === 'string');
  if (!dtypeOk && dtypes)
    return `${expected.path}: dtype expected ${expected.dtype}, found ${ours.dtype}`;
  return firstDifference(ours.shape ?? [], expected.shape ?? [], `${expected.path} shape`);
}

/**
 * The filters ptyscan writes where ptypy writes others, on purpose: the
 * default pipeline (docs/compatibility.md, "Differences in the files we
 * write"). Both are core HDF5 filters every reader decodes; the values are
 * compared as well.
 */
const INTENDED_FILTERS: readonly { ptypy: RegExp; ours: string; note: string }[] = [
  {
    ptypy: /^gzip \d$/,
    ours: 'shuffle + gzip 1',
    note: 'intended difference: the default pipeline, byte shuffle then gzip 1 (ptypy writes gzip without the shuffle)',
  },
];

/** The filter pipelines of our datasets against ptypy's: a difference, or the intended differences seen. */
function compareFilters(
  ours: StructureEntry,
  expected: StructureEntry,
  notes: Set<string>,
): string | null {
  if (ours.filters === expected.filters) return null;
  const intended = INTENDED_FILTERS.find(
    (d) => d.ptypy.test(expected.filters ?? '') && d.ours === ours.filters,
  );
  if (intended === undefined) {
    return `${expected.path}: filters expected ${expected.filters}, found ${ours.filters}`;
  }
  notes.add(intended.note);
  return null;
}

/** What comparing a saved file found: the first difference (null: none), and the intended differences seen. */
export interface SavedFileComparison {
  difference: string | null;
  /** Notes for the pass line (the filters, where they differ on purpose). */
  notes: string[];
}

/**
 * Compares the `.ptyd` we wrote with ptypy's: the same groups, datasets,
 * dtypes (bool as int8), shapes, `type` attributes, filter pipelines (or an
 * intended difference of them) and values (unless `values` is false: an
 * intended difference changed them, and with them the dtypes (padding or
 * not), so only paths, kinds, `type` attributes, shapes and filters are compared). Link targets are not compared by name
 * (we name chunk files by `chunk_format`).
 */
export function compareSavedFile(
  ours: string,
  expectedDir: string,
  name: string,
  values = true,
): SavedFileComparison {
  const notes = new Set<string>();
  const difference = firstSavedDifference(ours, expectedDir, name, notes, values);
  return { difference, notes: difference === null ? [...notes] : [] };
}

function firstSavedDifference(
  ours: string,
  expectedDir: string,
  name: string,
  notes: Set<string>,
  values: boolean,
): string | null {
  const structureFile = join(expectedDir, `${name}.structure.json`);
  if (!existsSync(ours)) return `${name}: not written`;
  const expected = expectedStructure(
    JSON.parse(readFileSync(structureFile, 'utf8')) as Record<string, Plain>,
  );
  const found = new Map(listStructure(ours).map((e) => [e.path, e]));
  for (const entry of expected) {
    const mine = found.get(entry.path);
    if (mine === undefined) return `${entry.path}: missing from our file`;
    const d =
      sameEntry(mine, entry, values) ??
      (entry.kind === 'dataset' ? compareFilters(mine, entry, notes) : null);
    if (d !== null) return d;
    found.delete(entry.path);
  }
  for (const path of found.keys()) {
    const key = path.startsWith('/info/') ? path.slice('/info/'.length) : null;
    if (key === null || !OWN_INFO_KEYS.has(key)) return `${path}: in our file but not in ptypy's`;
  }
  if (!values) return null;
  const theirs = boolsAsNumbers(toPlain(h5read(join(expectedDir, name))));
  const mine = boolsAsNumbers(toPlain(withoutOwnInfo(h5read(ours))));
  return firstDifference(mine, theirs, name);
}
