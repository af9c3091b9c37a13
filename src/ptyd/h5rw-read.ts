/** Decoding of h5rw-encoded HDF5 objects (ptypy's or ours, h5py's dtypes included) into Python values. */
import { FileFormatError, MissingDataError } from '../errors.js';
import { isNumberDType, itemSize } from '../frames/dtype.js';
import { formatShape, type NdArray } from '../frames/ndarray.js';
import type { H5Data, H5Entry, H5File } from '../h5/index.js';
import { isPyDict, markParam, type PyDict, PyTuple, type PyValue } from '../py/value.js';

/** What to do with an external link whose target file or object is missing. */
export type DeadLinkPolicy = 'error' | 'skip';

/** Options of the decoder. */
export interface DecodeOptions {
  /** Group levels to descend below the start; deeper groups come back empty. Default: all. */
  depth?: number;
  /** `error` (default): MissingDataError; `skip`: leave the member out. */
  deadLinks?: DeadLinkPolicy;
  /**
   * The most bytes of array data to read, over the whole value (default:
   * no limit): a larger declared dataset is a FileFormatError before any
   * of it is read.
   */
  maxBytes?: number;
}

const SKIP = Symbol('skip');

function bad(file: H5File, path: string, expected: string, found: string): FileFormatError {
  return new FileFormatError(`${file.file}:${path}: expected ${expected}, found ${found}.`, {
    file: file.file,
    dataset: path,
    expected,
    found,
  });
}

function elementAt(array: NdArray, i: number): PyValue {
  const v = array.data[i];
  if (v === undefined) return null;
  if (array.dtype === 'bool') return v !== 0;
  if (typeof v === 'bigint') return v;
  return isNumberDType(array.dtype) && array.dtype.startsWith('float') ? v : BigInt(v);
}

function scalarOf(file: H5File, path: string, data: H5Data): PyValue {
  if (data.shape.length !== 0 && !(data.shape.length === 1 && data.shape[0] === 1)) {
    throw bad(file, path, 'a scalar', `shape ${formatShape(data.shape)}`);
  }
  if (data.dtype === 'string') return data.data[0] ?? '';
  return elementAt(data, 0);
}

function nestedList(array: NdArray, axis: number, offset: number): PyValue[] {
  const dim = array.shape[axis] ?? 0;
  const stride = array.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out: PyValue[] = [];
  for (let i = 0; i < dim; i++) {
    out.push(
      axis === array.shape.length - 1
        ? elementAt(array, offset + i)
        : nestedList(array, axis + 1, offset + i * stride),
    );
  }
  return out;
}

function listOf(file: H5File, path: string, data: H5Data): PyValue[] {
  if (data.dtype === 'string') return [...data.data];
  if (data.shape.length === 0) throw bad(file, path, 'an array for a list', 'a scalar');
  return nestedList(data, 0, 0);
}

/** Bytes of array data still allowed, over one decoded value. */
interface Budget {
  left: number;
  readonly max: number;
}

/** Takes the declared size of the dataset `entry` out of `budget`, or refuses it. */
function spend(file: H5File, path: string, entry: H5Entry, budget: Budget): void {
  if (entry.kind !== 'dataset' || !Number.isFinite(budget.max)) return;
  const item =
    typeof entry.dtype === 'string' && entry.dtype !== 'string' ? itemSize(entry.dtype) : 8;
  const bytes = entry.shape.reduce((a, b) => a * b, 1) * item;
  budget.left -= bytes;
  if (budget.left < 0) {
    throw new FileFormatError(
      `${file.file}:${path} declares shape ${formatShape(entry.shape)} (${bytes} bytes), more than the at most ${budget.max} bytes of metadata a reader takes.`,
      {
        file: file.file,
        dataset: path,
        expected: `at most ${budget.max} bytes of metadata`,
        found: `${bytes} bytes declared`,
      },
    );
  }
}

function decodeDataset(file: H5File, path: string, type: string | undefined): PyValue {
  const data = file.readDataset(path);
  switch (type) {
    case 'None':
      return null;
    case 'string':
    case 'unicode':
      if (data.dtype !== 'string') throw bad(file, path, 'a string dataset', data.dtype);
      return scalarOf(file, path, data);
    case 'scalar':
      return scalarOf(file, path, data);
    case 'arraylist':
      return listOf(file, path, data);
    case 'arraytuple':
      return new PyTuple(listOf(file, path, data));
    case 'array':
    case undefined:
      if (data.dtype === 'string')
        return data.shape.length === 0 ? (data.data[0] ?? '') : [...data.data];
      if (type === undefined && data.shape.length === 0) return scalarOf(file, path, data);
      return data;
    default:
      throw bad(
        file,
        path,
        'an h5rw type (dict, list, tuple, string, scalar, None, array, arraylist, arraytuple)',
        `type "${type}"`,
      );
  }
}

function memberName(file: H5File, path: string, name: string): string {
  if (!name.includes('_SLASH_')) return name;
  return file.readStringAttribute(path, 'escaped') !== undefined
    ? name.replaceAll('_SLASH_', '/')
    : name;
}

function decode(
  file: H5File,
  path: string,
  depth: number,
  options: DecodeOptions,
  budget: Budget,
): PyValue | typeof SKIP {
  const at = file.entry(path);
  let target = at;
  if (at.kind === 'external-link') {
    if (at.dead) {
      if ((options.deadLinks ?? 'error') === 'skip') return SKIP;
      throw new MissingDataError(
        at.problem?.message ??
          `${file.file}:${path} links to ${at.targetFile}:${at.targetPath}, which does not exist (yet).`,
        {
          file: file.file,
          dataset: path,
          expected: `${at.targetFile}:${at.targetPath}`,
          found: 'a dead external link',
        },
      );
    }
    target = file.resolve(path);
  }
  if (target.kind === 'missing') {
    throw new MissingDataError(`${file.file}: nothing at ${path}.`, {
      file: file.file,
      dataset: path,
    });
  }
  if (target.kind !== 'group' && target.kind !== 'dataset') {
    throw bad(file, path, 'a group or a dataset', target.kind);
  }
  const type = file.readStringAttribute(path, 'type');
  if (target.kind === 'dataset') {
    spend(file, path, target, budget);
    return decodeDataset(file, path, type);
  }
  const isList = type === 'list' || type === 'tuple';
  if (type !== undefined && !isList && type !== 'dict' && type !== 'param') {
    throw bad(file, path, 'a dict, param, list or tuple group', `type "${type}"`);
  }
  if (depth <= 0) return isList ? (type === 'tuple' ? new PyTuple([]) : []) : {};
  const base = path === '/' ? '' : path;
  if (isList) {
    const items: PyValue[] = [];
    for (const name of file.members(path)) {
      const value = decode(file, `${base}/${name}`, depth - 1, options, budget);
      if (value !== SKIP) items.push(value);
    }
    return type === 'tuple' ? new PyTuple(items) : items;
  }
  const dict: PyDict = {};
  for (const name of file.members(path)) {
    const child = `${base}/${name}`;
    const value = decode(file, child, depth - 1, options, budget);
    if (value !== SKIP) dict[memberName(file, child, name)] = value;
  }
  return type === 'param' ? markParam(dict) : dict;
}

function budgetOf(options: DecodeOptions): Budget {
  const max = options.maxBytes ?? Number.POSITIVE_INFINITY;
  return { left: max, max };
}

/**
 * Decodes the object at `path` of an open file. A dead external link at
 * `path` itself always throws a MissingDataError.
 */
export function decodeValue(file: H5File, path: string, options: DecodeOptions = {}): PyValue {
  const value = decode(
    file,
    path,
    options.depth ?? Number.POSITIVE_INFINITY,
    { ...options, deadLinks: 'error' },
    budgetOf(options),
  );
  return value === SKIP ? null : value;
}

/** Decodes a group's members, applying the dead-link policy to each. */
export function decodeGroup(file: H5File, path: string, options: DecodeOptions = {}): PyDict {
  const value = decode(
    file,
    path,
    options.depth ?? Number.POSITIVE_INFINITY,
    options,
    budgetOf(options),
  );
  if (value === SKIP || !isPyDict(value))
    throw bad(file, path, 'a dict group', 'another kind of object');
  return value;
}
