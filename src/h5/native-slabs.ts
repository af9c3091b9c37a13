/**
 * Slabs the native engine writes into existing datasets: which it can take
 * (the dataset's filters are HDF5's own, the slab fits its dtype and
 * maxshape) and which it compresses itself (deflate in chunks of whole rows,
 * the slab on chunk boundaries).
 */
import { existsSync } from 'node:fs';
import { sameShape } from '../frames/ndarray.js';
import { type NativeDeflate, nativeAddon } from '../native/addon.js';
import { absolute } from './paths.js';
import { type H5AddWrite, type H5Write, isEncoded, type StoredArray } from './tree.js';

function validLevel(level: number): boolean {
  return Number.isInteger(level) && level >= 0 && level <= 9;
}

/** How a slab's rows are compressed here (see {@link slabPipelines}), by its path. */
export type SlabPipelines = ReadonlyMap<string, NativeDeflate & { rowsPerChunk: number }>;

/** HDF5's own filters (deflate, shuffle, fletcher32): what the addon's HDF5 applies to a slab. */
const CORE_FILTERS = new Set([1, 2, 3]);

/**
 * Whether the addon can write the slabs of `write`: each goes into a
 * dataset of its existing file whose filters the addon's HDF5 applies
 * itself (LZF or a plugin filter, as h5wasm writes them, is h5wasm's).
 */
export function slabsWritable(write: H5Write<StoredArray>): boolean {
  const slabs = write.members.filter((m) => m.node.kind === 'slab');
  if (slabs.length === 0) return true;
  const native = nativeAddon();
  if (native === null || write.kind !== 'add' || !existsSync(write.file)) return false;
  let handle: number;
  try {
    handle = native.readOpen(write.file, false);
  } catch {
    return false;
  }
  try {
    return slabs.every((m) => {
      if (m.node.kind !== 'slab' || isEncoded(m.node.value)) return false;
      const { value, offset } = m.node;
      try {
        const info = native.readInfo(handle, absolute(m.name));
        // What h5wasm refuses (another dtype, past the maxshape) goes there, to be refused.
        const fits = value.shape.every((d, i) => {
          const max = info.maxshape[i] ?? 0;
          return max === -1 || (offset[i] ?? 0) + d <= max;
        });
        return (
          fits &&
          info.dtype === value.dtype &&
          info.shape.length === value.shape.length &&
          info.filters.every((f) => CORE_FILTERS.has(f.id))
        );
      } catch {
        return false;
      }
    });
  } finally {
    native.readClose(handle);
  }
}

/**
 * The slabs of `write` whose rows are compressed here and stored by direct
 * chunk writes, as whole arrays are: the dataset is deflate (after the
 * shuffle or not) in chunks of whole rows, and the slab starts on a chunk and
 * fills whole chunks or reaches the dataset's end. Other slabs go through
 * HDF5's own filter pipeline.
 */
export function slabPipelines(write: H5AddWrite<StoredArray>): SlabPipelines {
  const out = new Map<string, NativeDeflate & { rowsPerChunk: number }>();
  const native = nativeAddon();
  const slabs = write.members.filter((m) => m.node.kind === 'slab');
  if (native === null || slabs.length === 0) return out;
  const handle = native.readOpen(write.file, false);
  try {
    for (const m of slabs) {
      if (m.node.kind !== 'slab' || isEncoded(m.node.value)) continue;
      const path = absolute(m.name);
      const { value, offset } = m.node;
      const info = native.readInfo(handle, path);
      const ids = info.filters.map((f) => f.id).join(',');
      const level = info.filters.find((f) => f.id === 1)?.cdValues[0];
      const [perChunk = 0, ...tail] = info.chunks ?? [];
      const [rows = 0, ...valueTail] = value.shape;
      const start = offset[0] ?? 0;
      const wholeRows =
        sameShape(tail, info.shape.slice(1)) &&
        sameShape(valueTail, tail) &&
        offset.slice(1).every((o) => o === 0);
      const aligned =
        perChunk > 0 &&
        start % perChunk === 0 &&
        (rows % perChunk === 0 || start + rows >= (info.shape[0] ?? 0));
      if (
        (ids === '1' || ids === '2,1') &&
        level !== undefined &&
        validLevel(level) &&
        wholeRows &&
        aligned
      ) {
        out.set(path, { shuffle: ids === '2,1', level, rowsPerChunk: perChunk });
      }
    }
  } finally {
    native.readClose(handle);
  }
  return out;
}
