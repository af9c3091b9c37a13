/**
 * The h5grove HTTP API (`/meta`, `/attr`, `/data`, `/paths`) over our HDF5
 * layer, so h5web's `H5GroveProvider` browses any file of the served folder
 * unchanged. External links are resolved on the server (through
 * {@link ServedFolder}), so the chunk files of a link-mode `.ptyd` show as
 * the groups they are; a link to a missing file shows as an external link.
 */
import { AccessError, MissingDataError, ParameterError } from '../errors.js';
import type { DType } from '../frames/dtype.js';
import type { NdArray } from '../frames/ndarray.js';
import type { H5Data, H5ElementType, H5Entry, H5File } from '../h5/index.js';
import { encodeNpy } from '../npy/index.js';
import { parseSelection, readSelection } from './selection.js';
import type { Located, Walk } from './served-folder.js';

/** An h5grove response: JSON, or raw little-endian bytes for `format=bin`. */
export type GroveResponse = { kind: 'json'; body: unknown } | { kind: 'bytes'; body: Uint8Array };

/** h5grove's type descriptor (HDF5 class numbers, as h5web decodes them). */
type GroveType =
  | { class: 0; size: number; order: 0; sign: 0 | 1 }
  | { class: 1; size: number; order: 0 }
  | { class: 3; size: number; order: 0; cset: 1; strPad: 0; vlen: true }
  | {
      class: 8;
      size: 1;
      order: 0;
      base: { class: 0; size: 1; order: 0; sign: 1 };
      members: Record<string, number>;
    }
  | { class: 5; size: 1; order: 0; tag: string };

const INTEGER_SIZE: Partial<Record<DType, [number, 0 | 1]>> = {
  int8: [1, 1],
  uint8: [1, 0],
  int16: [2, 1],
  uint16: [2, 0],
  int32: [4, 1],
  uint32: [4, 0],
  int64: [8, 1],
  uint64: [8, 0],
};

function groveType(dtype: H5ElementType): GroveType {
  if (typeof dtype !== 'string') return { class: 5, size: 1, order: 0, tag: dtype.unsupported };
  if (dtype === 'string') return { class: 3, size: 4, order: 0, cset: 1, strPad: 0, vlen: true };
  if (dtype === 'bool') {
    return {
      class: 8,
      size: 1,
      order: 0,
      base: { class: 0, size: 1, order: 0, sign: 1 },
      members: { FALSE: 0, TRUE: 1 },
    };
  }
  if (dtype === 'float32' || dtype === 'float64') {
    return { class: 1, size: dtype === 'float32' ? 4 : 8, order: 0 };
  }
  const [size, sign] = INTEGER_SIZE[dtype] ?? [4, 1];
  return { class: 0, size, order: 0, sign };
}

/** A JSON-safe value: bigints become numbers, NaN and infinities null (as h5grove does). */
function jsonNumber(v: number | bigint): number | null {
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Nested lists of an array (a bare value for a scalar). */
function nested(data: H5Data): unknown {
  const flat: unknown[] =
    data.dtype === 'string'
      ? [...data.data]
      : Array.from(data.data as ArrayLike<number | bigint>, jsonNumber);
  const build = (axis: number, offset: number): unknown => {
    if (axis === data.shape.length) return flat[offset];
    const stride = data.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: data.shape[axis]! }, (_, i) =>
      build(axis + 1, offset + i * stride),
    );
  };
  return build(0, 0);
}

function attributes(
  h5: H5File,
  path: string,
): { name: string; type: GroveType; shape: number[] }[] {
  return h5.attributeNames(path).map((name) => {
    const value = h5.readAttribute(path, name);
    return { name, type: groveType(value.dtype), shape: [...value.shape] };
  });
}

function kindOf(entry: H5Entry): string {
  switch (entry.kind) {
    case 'group':
      return 'group';
    case 'dataset':
      return 'dataset';
    case 'external-link':
      return 'external_link';
    case 'soft-link':
      return 'soft_link';
    default:
      return 'other';
  }
}

/** Children listed with their full metadata at most; beyond, names and kinds only. */
const DETAILED_CHILDREN = 200;

function entityMeta(
  walk: Walk,
  path: string,
  at: Located,
  name: string,
  withChildren: boolean,
): unknown {
  const { h5, inner, entry } = at;
  const base = { name, kind: kindOf(entry) };
  if (entry.kind === 'external-link') {
    return { ...base, target_file: entry.targetFile, target_path: entry.targetPath };
  }
  if (entry.kind === 'soft-link') return { ...base, target_path: entry.target };
  if (entry.kind === 'missing') {
    throw new MissingDataError(`${path} is not a valid path in the file.`, {
      dataset: path,
      expected: 'an existing object',
      found: 'nothing',
    });
  }
  if (entry.kind === 'dataset') {
    return {
      ...base,
      attributes: attributes(h5, inner),
      type: groveType(entry.dtype),
      shape: entry.shape,
      chunks: entry.chunks,
      filters: entry.filters.map((f) => ({ id: f.id, name: f.name })),
    };
  }
  if (entry.kind !== 'group') return { ...base, attributes: [] };
  const meta: Record<string, unknown> = { ...base, attributes: attributes(h5, inner) };
  if (withChildren) {
    const names = h5.members(inner);
    meta.children = names.map((child, i) => {
      const childPath = path === '/' ? `/${child}` : `${path}/${child}`;
      let located: Located;
      try {
        located = walk.locate(childPath);
      } catch (error) {
        // A link leaving the folder is listed as the link it is, and refused when opened.
        if (!(error instanceof AccessError)) throw error;
        const link = h5.entry(`${inner === '/' ? '' : inner}/${child}`);
        return link.kind === 'external-link'
          ? {
              name: child,
              kind: 'external_link',
              target_file: link.targetFile,
              target_path: link.targetPath,
            }
          : { name: child, kind: 'other' };
      }
      if (i >= DETAILED_CHILDREN)
        return { name: child, kind: kindOf(located.entry), attributes: [] };
      return entityMeta(walk, childPath, located, child, false);
    });
  }
  return meta;
}

/** `/meta`: the entity at `path` (a group with its children). */
export function groveMeta(walk: Walk, path: string): GroveResponse {
  const at = walk.locate(path);
  const name =
    path === '/'
      ? ''
      : (path
          .split('/')
          .filter((p) => p !== '')
          .pop() ?? '');
  return { kind: 'json', body: entityMeta(walk, path, at, name, true) };
}

/** `/attr`: the attribute values of `path` (all, or those in `keys`). */
export function groveAttr(walk: Walk, path: string, keys: readonly string[]): GroveResponse {
  const { h5, inner } = walk.locate(path);
  const body: Record<string, unknown> = {};
  for (const name of h5.attributeNames(inner)) {
    if (keys.length > 0 && !keys.includes(name)) continue;
    body[name] = nested(h5.readAttribute(inner, name));
  }
  return { kind: 'json', body };
}

/** `/data`: the selected values, as JSON (nested, or flat with `flatten`) or raw bytes (`format=bin`). */
export function groveData(
  walk: Walk,
  path: string,
  options: { selection: string | null; format: string | null; flatten: boolean; maxBytes: number },
): GroveResponse {
  const { h5, inner, entry } = walk.locate(path);
  if (entry.kind !== 'dataset') {
    throw new MissingDataError(`${path} is not a dataset.`, {
      dataset: path,
      expected: 'a dataset',
      found: entry.kind,
    });
  }
  const dtype = entry.dtype;
  if (typeof dtype !== 'string') {
    throw new MissingDataError(`${path}: element type ${dtype.unsupported} cannot be read.`, {
      dataset: path,
      expected: 'numbers or strings',
      found: dtype.unsupported,
    });
  }
  const selection = parseSelection(options.selection, entry.shape);
  let data: H5Data;
  if (dtype === 'string') {
    const all = h5.readDataset(inner);
    if (all.dtype !== 'string')
      throw new MissingDataError(`${path}: expected strings.`, { dataset: path });
    data = all;
  } else {
    data = readSelection(h5, inner, entry.shape, dtype, selection, options.maxBytes);
  }
  if (options.format === 'bin' || options.format === 'npy') {
    if (data.dtype === 'string') {
      throw new ParameterError([
        {
          path: 'format',
          expected: `json for strings (${path} holds strings)`,
          found: options.format,
        },
      ]);
    }
    const array = data as NdArray;
    return {
      kind: 'bytes',
      body:
        options.format === 'npy'
          ? encodeNpy(array)
          : new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength),
    };
  }
  if (options.format !== null && options.format !== 'json') {
    throw new ParameterError([
      { path: 'format', expected: "'json', 'bin' or 'npy'", found: `'${options.format}'` },
    ]);
  }
  if (options.flatten) {
    const flat =
      data.dtype === 'string'
        ? [...data.data]
        : Array.from(data.data as ArrayLike<number | bigint>, jsonNumber);
    return { kind: 'json', body: data.shape.length === 0 ? flat[0] : flat };
  }
  return { kind: 'json', body: nested(data) };
}

/** Paths listed at most by `/paths`. */
const MAX_PATHS = 10_000;

/** `/paths`: every path under `path`, for h5web's search. */
export function grovePaths(walk: Walk, path: string): GroveResponse {
  const out: string[] = [];
  const visit = (at: string): void => {
    if (out.length >= MAX_PATHS) return;
    let located: Located;
    try {
      located = walk.locate(at);
    } catch (error) {
      if (error instanceof AccessError || error instanceof MissingDataError) return;
      throw error;
    }
    if (at !== path) out.push(at);
    if (located.entry.kind !== 'group') return;
    for (const child of located.h5.members(located.inner))
      visit(at === '/' ? `/${child}` : `${at}/${child}`);
  };
  visit(path);
  return { kind: 'json', body: out };
}
