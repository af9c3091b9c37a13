/** Encoding of Python values into HDF5 objects, the way ptypy's h5rw lays them out. */
import { H5Error } from '../errors.js';
import { ndarray } from '../frames/ndarray.js';
import { canDefer, type DeferredArray, type H5Compression, type H5File } from '../h5/index.js';
import { isNdArray, isParam, isPyDict, PyTuple, type PyValue } from '../py/value.js';

/** Compression of array datasets: ptypy writes gzip level 4. */
export interface H5rwCompression {
  compression?: 'gzip' | 'lzf' | 'none';
  /** gzip level 0..9 (default 4). */
  level?: number;
  /** Threads compressing large gzip arrays when the native HDF5 addon writes them (default 1). */
  threads?: number;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The h5wasm compression for the h5rw options (default gzip 4, like ptypy). */
export function toCompression(options: H5rwCompression = {}): H5Compression {
  const kind = options.compression ?? 'gzip';
  if (kind === 'gzip') return { kind, level: options.level ?? 4 };
  return { kind };
}

/** Stored name of a dict key: `/` cannot appear in an HDF5 name. */
function escapeKey(key: string): { name: string; escaped: boolean } {
  return key.includes('/')
    ? { name: key.replaceAll('/', '_SLASH_'), escaped: true }
    : { name: key, escaped: false };
}

function listElementsKind(items: readonly PyValue[]): 'int' | 'float' | 'bool' | undefined {
  if (items.length === 0) return undefined;
  if (items.every((v) => typeof v === 'bigint')) return 'int';
  if (items.every((v) => typeof v === 'number')) return 'float';
  if (items.every((v) => typeof v === 'boolean')) return 'bool';
  return undefined;
}

function checkInt64(value: bigint, file: H5File, path: string): bigint {
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new H5Error(`${file.file}:${path}: the integer ${value} does not fit int64.`, {
      file: file.file,
      dataset: path,
      expected: 'an integer within int64',
      found: String(value),
    });
  }
  return value;
}

function writeList(
  file: H5File,
  path: string,
  items: readonly PyValue[],
  tuple: boolean,
  compression: H5Compression,
): void {
  const kind = listElementsKind(items);
  if (kind !== undefined) {
    const array =
      kind === 'int'
        ? ndarray(
            'int64',
            [items.length],
            BigInt64Array.from(items as bigint[], (v) => checkInt64(v, file, path)),
          )
        : kind === 'float'
          ? ndarray('float64', [items.length], Float64Array.from(items as number[]))
          : ndarray(
              'bool',
              [items.length],
              Uint8Array.from(items as boolean[], (v) => (v ? 1 : 0)),
            );
    file.writeArray(path, array, { compression });
    file.writeStringAttribute(path, 'type', tuple ? 'arraytuple' : 'arraylist');
    return;
  }
  file.createGroup(path);
  file.writeStringAttribute(path, 'type', tuple ? 'tuple' : 'list');
  items.forEach((item, i) => {
    writeValue(file, `${path}/${String(i).padStart(5, '0')}`, item, compression);
  });
}

/**
 * Writes `value` at `path` (which must not exist yet) with its h5rw `type`
 * attribute. With `deferred`, large gzip arrays are not written but listed
 * there, for the native addon to write once h5wasm has closed the file.
 */
export function writeValue(
  file: H5File,
  path: string,
  value: PyValue,
  compression: H5Compression,
  deferred?: DeferredArray[],
): void {
  if (value === null) {
    file.writeArray(path, ndarray('float64', [1]), { layout: 'contiguous' });
    file.writeStringAttribute(path, 'type', 'None');
  } else if (typeof value === 'string') {
    file.writeString(path, value);
    file.writeStringAttribute(path, 'type', 'string');
  } else if (typeof value === 'bigint') {
    file.writeScalar(path, checkInt64(value, file, path));
    file.writeStringAttribute(path, 'type', 'scalar');
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    file.writeScalar(path, value);
    file.writeStringAttribute(path, 'type', 'scalar');
  } else if (Array.isArray(value)) {
    writeList(file, path, value, false, compression);
  } else if (value instanceof PyTuple) {
    writeList(file, path, value.items, true, compression);
  } else if (isNdArray(value)) {
    if (deferred && compression.kind === 'gzip' && canDefer(value, compression.level)) {
      deferred.push({ path, array: value, attributes: { type: 'array' } });
      return;
    }
    file.writeArray(path, value, {
      compression: value.shape.length === 0 ? { kind: 'none' } : compression,
    });
    file.writeStringAttribute(path, 'type', 'array');
  } else if (isPyDict(value)) {
    writeDict(file, path, value, compression, deferred);
  } else {
    throw new H5Error(`${file.file}:${path}: cannot store a value of this kind.`, {
      file: file.file,
      dataset: path,
    });
  }
}

function writeDict(
  file: H5File,
  path: string,
  dict: { [key: string]: PyValue },
  compression: H5Compression,
  deferred: DeferredArray[] | undefined,
): void {
  file.createGroup(path);
  file.writeStringAttribute(path, 'type', isParam(dict) ? 'param' : 'dict');
  const base = path === '/' ? '' : path;
  for (const [key, item] of Object.entries(dict)) {
    if (key === '' || key === '.') {
      throw new H5Error(
        `${file.file}:${path}: the dict key ${JSON.stringify(key)} cannot be stored.`,
        {
          file: file.file,
          dataset: path,
          expected: 'a non-empty key other than "."',
          found: JSON.stringify(key),
        },
      );
    }
    const { name, escaped } = escapeKey(key);
    const child = `${base}/${name}`;
    writeValue(file, child, item, compression, deferred);
    if (!escaped) continue;
    const later = deferred?.find((d) => d.path === child);
    if (later) later.attributes.escaped = '1';
    else file.writeStringAttribute(child, 'escaped', '1');
  }
}
