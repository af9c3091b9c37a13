import { readFileSync } from 'node:fs';
import { FileFormatError } from '../errors.js';
import { type DType, itemSize, NUMPY_DESCR, TYPED_ARRAY } from '../frames/dtype.js';
import { type NdArray, ndarray, sizeOf } from '../frames/ndarray.js';

const MAGIC = '\x93NUMPY';

const DTYPE_OF_KIND: Record<string, DType> = {
  b1: 'bool',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64',
  f4: 'float32',
  f8: 'float64',
};

/** What an NPY header says about the array that follows it. */
export interface NpyHeader {
  dtype: DType;
  /** True when the file stores the array big-endian. */
  bigEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the array data in the file. */
  dataOffset: number;
}

function fail(
  file: string,
  found: string,
  expected = 'an NPY file (format 1.0, 2.0 or 3.0)',
): never {
  throw new FileFormatError(`${file}: not a readable NPY file: ${found}.`, {
    file,
    expected,
    found,
  });
}

/** Parses the header of an NPY file held in `bytes`. */
export function parseNpyHeader(bytes: Uint8Array, file = '<buffer>'): NpyHeader {
  if (bytes.length < 10) fail(file, `only ${bytes.length} bytes`);
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== MAGIC) fail(file, 'the magic string \\x93NUMPY is missing');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let start: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail(file, `only ${bytes.length} bytes`);
    headerLength = view.getUint32(8, true);
    start = 12;
  } else {
    fail(file, `format version ${major}`);
  }
  if (start + headerLength > bytes.length) fail(file, 'the header is truncated');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(start, start + headerLength),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    fail(file, `header without descr/fortran_order/shape: ${header.trim()}`);
  }
  const order = descr[0];
  const kind = descr.slice(1);
  const dtype = DTYPE_OF_KIND[kind];
  if (dtype === undefined || !['<', '>', '|', '='].includes(order ?? '')) {
    fail(file, `dtype '${descr}'`, 'a numeric or bool dtype');
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s);
      if (!Number.isSafeInteger(n) || n < 0) fail(file, `shape entry '${s}'`);
      return n;
    });
  return {
    dtype,
    bigEndian: order === '>' && itemSize(dtype) > 1,
    fortranOrder: fortran === 'True',
    shape,
    dataOffset: start + headerLength,
  };
}

function byteSwap(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** Reorders a Fortran-order array (column-major) into C order. */
function fortranToC<D extends DType>(array: NdArray<D>): NdArray<D> {
  const { shape } = array;
  if (shape.length < 2) return array;
  const out = ndarray(array.dtype, shape);
  const src = array.data as ArrayLike<number | bigint> & { [i: number]: number | bigint };
  const dst = out.data as { [i: number]: number | bigint };
  const n = sizeOf(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let c = 0; c < n; c++) {
    // idx is the multi-index of C-order position c; its Fortran offset:
    let f = 0;
    let stride = 1;
    for (let d = 0; d < shape.length; d++) {
      f += idx[d]! * stride;
      stride *= shape[d]!;
    }
    dst[c] = src[f]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Decodes a whole NPY file held in memory into a C-order {@link NdArray}. */
export function decodeNpy(bytes: Uint8Array, file = '<buffer>'): NdArray {
  const header = parseNpyHeader(bytes, file);
  const size = itemSize(header.dtype);
  const byteLength = sizeOf(header.shape) * size;
  const available = bytes.length - header.dataOffset;
  if (available < byteLength) {
    throw new FileFormatError(
      `${file}: NPY data is truncated: the header announces ${byteLength} bytes of data, the file holds ${available}.`,
      { file, expected: `${byteLength} data bytes`, found: `${available}` },
    );
  }
  // Copy into an aligned buffer of our own.
  // (Buffer.slice would return a view into Node's shared pool, so copy explicitly.)
  const copy = new Uint8Array(byteLength);
  copy.set(bytes.subarray(header.dataOffset, header.dataOffset + byteLength));
  if (header.bigEndian) byteSwap(copy, size);
  const data = new TYPED_ARRAY[header.dtype](copy.buffer, 0, byteLength / size);
  const array = ndarray(header.dtype, header.shape, data);
  return header.fortranOrder ? fortranToC(array) : array;
}

/** Reads an NPY file from disk. */
export function readNpy(file: string): NdArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new FileFormatError(`${file}: cannot read the NPY file (${(cause as Error).message}).`, {
      file,
      cause,
    });
  }
  return decodeNpy(bytes, file);
}

/** Encodes an array as an NPY 1.0 file (C order, little-endian). */
export function encodeNpy(array: NdArray): Uint8Array {
  return encodeNpyBytes(NUMPY_DESCR[array.dtype], array.shape, array.data);
}

/**
 * An NPY 1.0 file of raw C-order bytes with numpy dtype `descr` (e.g.
 * `'<c16'` for complex128, which {@link NdArray} has no dtype for).
 */
export function encodeNpyBytes(
  descr: string,
  shape: readonly number[],
  data: ArrayBufferView,
): Uint8Array {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  const unpadded = 10 + header.length + 1;
  header += `${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
