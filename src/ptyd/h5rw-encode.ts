/**
 * Encoding Python values into HDF5 objects the way ptypy's h5rw lays them
 * out: a tree (see `src/h5/tree.ts`) built before anything is written, so a
 * value that cannot be stored fails before the file is touched. Which engine
 * writes each array is `src/h5/`'s business.
 */
import { H5Error } from '../errors.js';
import { ndarray } from '../frames/ndarray.js';
import type { H5Attributes, H5Compression, H5Member, H5Node } from '../h5/index.js';
import { isNdArray, isParam, isPyDict, type PyDict, PyTuple, type PyValue } from '../py/value.js';
import type { CompressionChoice } from './compression.js';

/** Compression of array datasets (ptypy writes gzip level 4, without the shuffle). */
export type H5rwCompression = CompressionChoice;

/** Where a value is encoded: the file named in errors, and the arrays' compression. */
interface Encoding {
  file: string;
  compression: H5Compression;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function typed(text: string, extra?: H5Attributes): H5Attributes {
  return { type: text, ...extra };
}

function checkInt64(value: bigint, enc: Encoding, path: string): bigint {
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new H5Error(`${enc.file}:${path}: the integer ${value} does not fit int64.`, {
      file: enc.file,
      dataset: path,
      expected: 'an integer within int64',
      found: String(value),
    });
  }
  return value;
}

function listElementsKind(items: readonly PyValue[]): 'int' | 'float' | 'bool' | undefined {
  if (items.length === 0) return undefined;
  if (items.every((v) => typeof v === 'bigint')) return 'int';
  if (items.every((v) => typeof v === 'number')) return 'float';
  if (items.every((v) => typeof v === 'boolean')) return 'bool';
  return undefined;
}

function encodeList(
  items: readonly PyValue[],
  tuple: boolean,
  path: string,
  enc: Encoding,
  extra: H5Attributes | undefined,
): H5Node {
  const kind = listElementsKind(items);
  if (kind !== undefined) {
    const array =
      kind === 'int'
        ? ndarray(
            'int64',
            [items.length],
            BigInt64Array.from(items as bigint[], (v) => checkInt64(v, enc, path)),
          )
        : kind === 'float'
          ? ndarray('float64', [items.length], Float64Array.from(items as number[]))
          : ndarray(
              'bool',
              [items.length],
              Uint8Array.from(items as boolean[], (v) => (v ? 1 : 0)),
            );
    return {
      kind: 'array',
      value: array,
      storage: { compression: enc.compression },
      attributes: typed(tuple ? 'arraytuple' : 'arraylist', extra),
    };
  }
  return {
    kind: 'group',
    attributes: typed(tuple ? 'tuple' : 'list', extra),
    members: items.map((item, i) => {
      const name = String(i).padStart(5, '0');
      return { name, node: encodeValue(item, `${path}/${name}`, enc) };
    }),
  };
}

function encodeDict(
  dict: PyDict,
  path: string,
  enc: Encoding,
  extra: H5Attributes | undefined,
): H5Node {
  const base = path === '/' ? '' : path;
  const members = Object.entries(dict).map(([key, item]): H5Member => {
    if (key === '' || key === '.') {
      throw new H5Error(
        `${enc.file}:${path}: the dict key ${JSON.stringify(key)} cannot be stored.`,
        {
          file: enc.file,
          dataset: path,
          expected: 'a non-empty key other than "."',
          found: JSON.stringify(key),
        },
      );
    }
    // `/` cannot appear in an HDF5 name.
    const escaped = key.includes('/');
    const name = escaped ? key.replaceAll('/', '_SLASH_') : key;
    const node = encodeValue(item, `${base}/${name}`, enc, escaped ? { escaped: '1' } : undefined);
    return { name, node };
  });
  return { kind: 'group', attributes: typed(isParam(dict) ? 'param' : 'dict', extra), members };
}

/**
 * The HDF5 object storing `value` at `path` with its h5rw `type` attribute
 * (and `extra` attributes, such as `escaped`).
 */
export function encodeValue(
  value: PyValue,
  path: string,
  enc: Encoding,
  extra?: H5Attributes,
): H5Node {
  if (value === null) {
    const none = ndarray('float64', [1]);
    return {
      kind: 'array',
      value: none,
      storage: { layout: 'contiguous' },
      attributes: typed('None', extra),
    };
  }
  if (typeof value === 'string')
    return { kind: 'string', text: value, attributes: typed('string', extra) };
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') {
    const scalar =
      typeof value === 'bigint'
        ? ndarray('int64', [], BigInt64Array.of(checkInt64(value, enc, path)))
        : typeof value === 'boolean'
          ? ndarray('int8', [], Int8Array.of(value ? 1 : 0))
          : ndarray('float64', [], Float64Array.of(value));
    return {
      kind: 'array',
      value: scalar,
      storage: { layout: 'contiguous' },
      attributes: typed('scalar', extra),
    };
  }
  if (Array.isArray(value)) return encodeList(value, false, path, enc, extra);
  if (value instanceof PyTuple) return encodeList(value.items, true, path, enc, extra);
  if (isNdArray(value)) {
    const compression: H5Compression =
      value.shape.length === 0 ? { kind: 'none' } : enc.compression;
    return { kind: 'array', value, storage: { compression }, attributes: typed('array', extra) };
  }
  if (isPyDict(value)) return encodeDict(value, path, enc, extra);
  throw new H5Error(`${enc.file}:${path}: cannot store a value of this kind.`, {
    file: enc.file,
    dataset: path,
  });
}

/** The path a top-level key names (`chunks/0`, as in ptypy's h5append), without the leading `/`. */
export function topPath(key: string): string {
  const parts = key.split('/').filter((p) => p !== '');
  if (parts.length === 0) {
    throw new H5Error(`The top-level key ${JSON.stringify(key)} names no object.`, {
      expected: 'a key such as "meta" or "chunks/0"',
      found: JSON.stringify(key),
    });
  }
  return parts.join('/');
}

/** The members of an h5rw file holding `value`: its top-level keys are paths. */
export function encodeMembers(value: PyDict, file: string, compression: H5Compression): H5Member[] {
  return Object.entries(value).map(([key, item]) => {
    const name = topPath(key);
    return { name, node: encodeValue(item as PyValue, `/${name}`, { file, compression }) };
  });
}
