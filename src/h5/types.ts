/** Public types of the HDF5 layer and the mapping between HDF5 datatypes and our dtypes. */
import type { DType } from '../frames/dtype.js';
import type { NdArray } from '../frames/ndarray.js';
import type { H5Module } from './runtime.js';

/**
 * How a dataset's chunks are compressed. `gzip` is HDF5's deflate filter at
 * `level` (0..9), after HDF5's byte shuffle when `shuffle` is set: both are
 * core filters every HDF5 reader has; the shuffle needs the native addon
 * (h5wasm writes one filter per dataset). `lzf` needs the reader to have the
 * LZF filter (h5py has it); datasets with chunks under 4 KiB are stored
 * uncompressed instead, and an LZF write of data LZF cannot shrink (random
 * floats) fails with an H5Error: use gzip or none for such data. `plugin`
 * filters need the reader to have the plugin.
 */
export type H5Compression =
  | { kind: 'gzip'; level: number; shuffle?: boolean }
  | { kind: 'lzf' }
  | { kind: 'none' }
  | H5PluginCompression;

/**
 * A filter of an HDF5 plugin (bitshuffle-LZ4, LZ4, Zstandard, ...), written
 * through h5wasm-plugins. A reader needs the same plugin (stock h5py and
 * ptypy do not have it); chunks under 4 KiB are stored uncompressed.
 */
export interface H5PluginCompression {
  readonly kind: 'plugin';
  /** The filter's usual name (in messages). */
  readonly name: string;
  /** Its registered HDF5 filter id. */
  readonly id: number;
  readonly cdValues: readonly number[];
}

/** A filter applied to a stored dataset. */
export interface H5Filter {
  id: number;
  name: string;
  cdValues: number[];
}

/** Strings read from a dataset or attribute, in C order. */
export interface StringArray {
  readonly dtype: 'string';
  readonly shape: readonly number[];
  readonly data: readonly string[];
}

/** Whatever a dataset or attribute holds: numbers (incl. h5py's bool enum as `bool`) or strings. */
export type H5Data = NdArray | StringArray;

/** Element type of a stored dataset as we see it. `unsupported` carries HDF5's description. */
export type H5ElementType = DType | 'string' | { unsupported: string };

/** Why an external link cannot be followed: its target file or object, or the links on the way. */
export interface LinkProblem {
  kind: 'no-file' | 'not-file' | 'not-hdf5' | 'no-object' | 'loop' | 'too-deep' | 'outside';
  /** The full error of following it (names the link and its target). */
  message: string;
}

/** What sits at a path of a file. External links are reported as such, with whether they resolve. */
export type H5Entry =
  | { kind: 'group'; path: string }
  | {
      kind: 'dataset';
      path: string;
      shape: number[];
      dtype: H5ElementType;
      /** Chunk shape, or null for contiguous/compact storage. */
      chunks: number[] | null;
      filters: H5Filter[];
    }
  | {
      kind: 'external-link';
      path: string;
      targetFile: string;
      targetPath: string;
      /** True when the link cannot be followed ({@link problem} says why). */
      dead: boolean;
      /** Why a dead link cannot be followed. */
      problem?: LinkProblem;
    }
  | { kind: 'soft-link'; path: string; target: string }
  | { kind: 'other'; path: string }
  | { kind: 'missing'; path: string };

/** The subset of h5wasm's metadata record we rely on. */
export interface H5Metadata {
  type: number;
  size: number;
  signed: boolean;
  littleEndian: boolean;
  vlen: boolean;
  cset?: number;
  strpad?: number;
  shape: number[] | null;
  total_size: number;
  chunks: number[] | null;
  enum_type?: { type: number; nmembers: number; members: Record<string, number> };
}

const INT_DTYPE: Record<string, DType> = {
  s1: 'int8',
  u1: 'uint8',
  s2: 'int16',
  u2: 'uint16',
  s4: 'int32',
  u4: 'uint32',
  s8: 'int64',
  u8: 'uint64',
};

function isH5pyBool(enumType: H5Metadata['enum_type']): boolean {
  if (enumType?.nmembers !== 2) return false;
  return enumType.members.FALSE === 0 && enumType.members.TRUE === 1;
}

/** Our element type for an HDF5 datatype. */
export function elementType(module: H5Module, meta: H5Metadata): H5ElementType {
  const classes = module.H5T_class_t;
  if (meta.type === classes.H5T_INTEGER.value) {
    return (
      INT_DTYPE[`${meta.signed ? 's' : 'u'}${meta.size}`] ?? { unsupported: `int${meta.size * 8}` }
    );
  }
  if (meta.type === classes.H5T_FLOAT.value) {
    if (meta.size === 4) return 'float32';
    if (meta.size === 8) return 'float64';
    return { unsupported: `float${meta.size * 8}` };
  }
  if (meta.type === classes.H5T_STRING.value) return 'string';
  if (meta.type === classes.H5T_ENUM.value) {
    if (isH5pyBool(meta.enum_type) && meta.size === 1) return 'bool';
    return { unsupported: `enum of ${meta.size} bytes` };
  }
  const names: Record<number, string> = {
    [classes.H5T_COMPOUND.value]: 'compound',
    [classes.H5T_REFERENCE.value]: 'reference',
    [classes.H5T_VLEN.value]: 'variable-length sequence',
    [classes.H5T_ARRAY.value]: 'array type',
    [classes.H5T_OPAQUE.value]: 'opaque',
    [classes.H5T_BITFIELD.value]: 'bitfield',
    [classes.H5T_TIME.value]: 'time',
  };
  return { unsupported: names[meta.type] ?? `HDF5 type class ${meta.type}` };
}

/** Human-readable element type, e.g. `int32`, `string`, `compound (unsupported)`. */
export function describeElementType(dtype: H5ElementType): string {
  return typeof dtype === 'string' ? dtype : `${dtype.unsupported} (unsupported)`;
}
