/**
 * Reading datasets and attributes of an open file (see `handle.ts`), every
 * status checked and every result verified (shape, element size, bool values)
 * before it is handed out. Reads are split into pieces of at most
 * `maxIoBytes`: the WASM heap tops out at 2 GiB.
 */
import { FileFormatError, H5Error, MissingDataError } from '../errors.js';
import { type DType, itemSize, TYPED_ARRAY, type TypedArrayFor } from '../frames/dtype.js';
import { formatShape, ndarray, sizeOf } from '../frames/ndarray.js';
import { blockOf } from './block.js';
import { type H5Handle, malloc } from './handle.js';
import { counters } from './open.js';
import { h5call } from './runtime.js';
import {
  describeElementType,
  elementType,
  type H5Data,
  type H5ElementType,
  type H5Metadata,
  type StringArray,
} from './types.js';

/** A slice along the first axis: `count` rows from `start`. */
export interface H5Slice {
  start: number;
  count: number;
}

/** h5wasm's metadata of the dataset at `abs`. */
export function datasetMeta(h: H5Handle, abs: string): H5Metadata {
  return h5call('Reading dataset metadata', { file: h.file, dataset: abs }, () =>
    h.module.get_dataset_metadata(h.id, abs),
  ) as unknown as H5Metadata;
}

/** Names of the members of the group at `abs`, sorted. */
export function membersAt(h: H5Handle, abs: string): string[] {
  const names = h5call('Listing a group', { file: h.file, dataset: abs }, () =>
    h.module.get_names(h.id, abs, false),
  );
  counters.membersListed += names.length;
  return [...names].sort();
}

/** Names of the attributes of the object at `abs`. */
export function attributeNamesAt(h: H5Handle, abs: string): string[] {
  const names = h5call('Listing attributes', { file: h.file, dataset: abs }, () =>
    h.module.get_attribute_names(h.id, abs),
  );
  return [...names].sort();
}

/** The attribute `name` of the object at `abs` (numbers as an NdArray, strings as a StringArray). */
export function readAttributeAt(h: H5Handle, abs: string, name: string): H5Data {
  const m = h.module;
  const where = `${abs}@${name}`;
  const ctx = { file: h.file, dataset: where };
  const meta = h5call('Reading attribute metadata', ctx, () =>
    m.get_attribute_metadata(h.id, abs, name),
  ) as unknown as H5Metadata;
  const shape = checkedShape(h, meta, where);
  const dtype = readableType(h, meta, where);
  const nbytes = meta.size * sizeOf(shape);
  const ptr = malloc(h, nbytes, where);
  try {
    h5call('Reading attribute', ctx, () => m.get_attribute_data(h.id, abs, name, BigInt(ptr)));
    try {
      return decode(h, meta, dtype, shape, ptr, nbytes, where);
    } finally {
      if (meta.vlen) m.reclaim_vlen_memory(h.id, abs, name, BigInt(ptr));
    }
  } finally {
    m._free(ptr);
  }
}

/** The dataset at `abs`, or `slice` rows of its first axis. */
export function readDatasetAt(h: H5Handle, abs: string, slice?: H5Slice): H5Data {
  const meta = datasetMeta(h, abs);
  const full = checkedShape(h, meta, abs);
  const dtype = readableType(h, meta, abs);
  let offset = 0;
  let rows = full[0] ?? 1;
  if (slice) {
    const dim0 = full[0];
    if (dim0 === undefined) {
      throw new H5Error(`${h.file}:${abs} is a scalar; it has no rows to slice.`, {
        file: h.file,
        dataset: abs,
        expected: 'an array',
        found: 'a scalar',
      });
    }
    const { start, count } = slice;
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(count) ||
      start < 0 ||
      count < 0 ||
      start + count > dim0
    ) {
      throw new MissingDataError(
        `${h.file}:${abs}: rows [${start}, ${start + count}) are outside its ${dim0} rows.`,
        {
          file: h.file,
          dataset: abs,
          expected: `rows within [0, ${dim0})`,
          found: `[${start}, ${start + count})`,
        },
      );
    }
    offset = start;
    rows = count;
  }
  const shape = full.length === 0 ? [] : [rows, ...full.slice(1)];
  const rowBytes = sizeOf(full.slice(1)) * meta.size;
  if (full.length > 0 && rowBytes > h.maxIoBytes) {
    throw new H5Error(
      `${h.file}:${abs}: one row is ${rowBytes} bytes, more than one read may take.`,
      {
        file: h.file,
        dataset: abs,
        expected: `rows of at most ${h.maxIoBytes} bytes`,
        found: `${rowBytes}`,
      },
    );
  }
  const piece =
    full.length === 0 ? 1 : Math.max(1, Math.floor(h.maxIoBytes / Math.max(rowBytes, 1)));
  if (full.length === 0 || (rows <= piece && !slice)) {
    return readPiece(h, abs, meta, dtype, shape, null);
  }
  const parts: H5Data[] = [];
  for (let done = 0; done < rows || (rows === 0 && parts.length === 0); done += piece) {
    const n = Math.min(piece, rows - done);
    const at = full.map((_, i) => (i === 0 ? offset + done : 0));
    parts.push(readPiece(h, abs, meta, dtype, [n, ...full.slice(1)], at));
    if (rows === 0) break;
  }
  return concatRows(parts, shape);
}

/** One block of the dataset at `abs` (see {@link H5File.readBlock}). */
export function readBlockAt(
  h: H5Handle,
  abs: string,
  start: readonly number[],
  count: readonly number[],
): H5Data {
  const meta = datasetMeta(h, abs);
  const full = checkedShape(h, meta, abs);
  const dtype = readableType(h, meta, abs);
  const { shape, offsets } = blockOf(h.file, abs, full, start, count);
  return readPiece(h, abs, meta, dtype, shape, offsets);
}

function readPiece(
  h: H5Handle,
  abs: string,
  meta: H5Metadata,
  dtype: DType | 'string',
  shape: number[],
  offsets: readonly number[] | null,
): H5Data {
  const m = h.module;
  const count = sizeOf(shape);
  const nbytes = count * meta.size;
  if (count === 0) return dtype === 'string' ? { dtype, shape, data: [] } : ndarray(dtype, shape);
  const ptr = malloc(h, nbytes, abs);
  const hyperslab = offsets === null ? null : offsets.map(BigInt);
  const counts = offsets === null ? null : shape.map(BigInt);
  const strides = offsets === null ? null : shape.map(() => 1n);
  try {
    h5call('Reading dataset', { file: h.file, dataset: abs }, () =>
      m.get_dataset_data(h.id, abs, counts, hyperslab, strides, BigInt(ptr)),
    );
    try {
      return decode(h, meta, dtype, shape, ptr, nbytes, abs);
    } finally {
      if (meta.vlen) {
        if (counts) m.reclaim_vlen_memory_count(h.id, abs, '', BigInt(ptr), counts);
        else m.reclaim_vlen_memory(h.id, abs, '', BigInt(ptr));
      }
    }
  } finally {
    m._free(ptr);
  }
}

function checkedShape(h: H5Handle, meta: H5Metadata, where: string): number[] {
  const shape = meta.shape;
  if (
    !shape?.every((d) => Number.isSafeInteger(d) && d >= 0) ||
    sizeOf(shape) !== meta.total_size
  ) {
    throw new FileFormatError(`${h.file}:${where}: unreadable shape ${JSON.stringify(shape)}.`, {
      file: h.file,
      dataset: where,
      expected: 'a simple dataspace',
      found: JSON.stringify(shape),
    });
  }
  return [...shape];
}

function readableType(h: H5Handle, meta: H5Metadata, where: string): DType | 'string' {
  const dtype: H5ElementType = elementType(h.module, meta);
  if (typeof dtype !== 'string') {
    throw new FileFormatError(
      `${h.file}:${where}: element type ${describeElementType(dtype)} cannot be read.`,
      {
        file: h.file,
        dataset: where,
        expected: 'integers, floats, bools or strings',
        found: describeElementType(dtype),
      },
    );
  }
  if (dtype !== 'string' && meta.size !== itemSize(dtype)) {
    throw new FileFormatError(
      `${h.file}:${where}: element size ${meta.size} does not fit ${dtype}.`,
      {
        file: h.file,
        dataset: where,
      },
    );
  }
  return dtype;
}

function decode(
  h: H5Handle,
  meta: H5Metadata,
  dtype: DType | 'string',
  shape: number[],
  ptr: number,
  nbytes: number,
  where: string,
): H5Data {
  const m = h.module;
  const count = sizeOf(shape);
  if (dtype === 'string') {
    const data: string[] = [];
    if (meta.vlen) {
      const ptrs = new Uint32Array(m.HEAPU8.buffer, ptr, count);
      const read = meta.cset === 1 ? m.UTF8ToString : m.AsciiToString;
      for (const p of ptrs) data.push(p === 0 ? '' : read(p));
    } else {
      const decoder = new TextDecoder(meta.cset === 1 ? 'utf-8' : 'latin1');
      for (let i = 0; i < count; i++) {
        let bytes = m.HEAPU8.subarray(ptr + i * meta.size, ptr + (i + 1) * meta.size);
        const nul = bytes.indexOf(0);
        if (nul >= 0) bytes = bytes.subarray(0, nul);
        let text = decoder.decode(bytes);
        if (meta.strpad === 2) text = text.replace(/ +$/, '');
        data.push(text);
      }
    }
    return { dtype: 'string', shape, data } satisfies StringArray;
  }
  const bytes = m.HEAPU8.slice(ptr, ptr + nbytes);
  const data = new TYPED_ARRAY[dtype](bytes.buffer, 0, count) as TypedArrayFor[typeof dtype];
  if (dtype === 'bool') {
    for (const b of bytes) {
      if (b > 1) {
        throw new FileFormatError(`${h.file}:${where}: bool dataset holds the value ${b}.`, {
          file: h.file,
          dataset: where,
          expected: '0 or 1',
          found: String(b),
        });
      }
    }
  }
  return ndarray(dtype, shape, data);
}

function concatRows(parts: H5Data[], shape: number[]): H5Data {
  if (parts.length === 1 && parts[0]) return parts[0];
  const first = parts[0];
  if (!first) throw new H5Error('No rows were read.');
  if (first.dtype === 'string') {
    const data: string[] = [];
    for (const p of parts) data.push(...(p.data as readonly string[]));
    return { dtype: 'string', shape, data };
  }
  const out = ndarray(first.dtype, shape);
  let at = 0;
  for (const p of parts) {
    const d = p.data as ArrayLike<number | bigint> & { length: number };
    (out.data as unknown as { set(src: ArrayLike<number | bigint>, offset: number): void }).set(
      d,
      at,
    );
    at += d.length;
  }
  return out;
}

/** The one string an attribute holds, else a FileFormatError naming it. */
export function oneString(file: string, abs: string, name: string, value: H5Data): string {
  if (value.dtype === 'string' && value.data.length === 1) return value.data[0]!;
  throw new FileFormatError(`${file}:${abs}: attribute ${name} is not one string.`, {
    file,
    dataset: abs,
    expected: 'a string attribute',
    found: `${value.dtype} ${formatShape(value.shape)}`,
  });
}

/** `data` copied into `into` (of its dtype and size) when given, else `data` itself. */
export function copyInto(data: H5Data, into: TypedArrayFor[DType] | undefined): H5Data {
  if (into === undefined) return data;
  if (
    data.dtype === 'string' ||
    !(into instanceof TYPED_ARRAY[data.dtype]) ||
    into.length !== data.data.length
  ) {
    throw new H5Error(
      `A block of ${data.data.length} ${data.dtype} values does not fit the memory given.`,
      {
        expected: `${data.data.length} ${data.dtype} elements`,
        found: `${into.length} elements`,
      },
    );
  }
  (into as unknown as { set(src: ArrayLike<number | bigint>): void }).set(
    data.data as ArrayLike<number | bigint>,
  );
  return ndarray(data.dtype, [...data.shape], into);
}
