/**
 * Writing into datasets that already exist: a slab of values at an offset
 * of a growable dataset (one created with a `maxshape`, see `write.ts`),
 * which is extended along its unlimited axes to hold it; and hard links,
 * a second name for an object already written. A file written chunk by
 * chunk (a CXI stack of frames) grows this way.
 */
import { H5Error } from '../errors.js';
import { itemSize } from '../frames/dtype.js';
import { formatShape, type NdArray, sizeOf } from '../frames/ndarray.js';
import { type H5Handle, withHeap } from './handle.js';
import { absolute, parentOf } from './paths.js';
import { datasetMeta } from './read.js';
import { h5call } from './runtime.js';
import { createGroupAt, type EntryOf } from './write.js';

/** bool is stored as int8 (see `write.ts`): a bool slab goes into an int8 dataset. */
function storedType(dtype: NdArray['dtype']): string {
  return dtype === 'bool' ? 'int8' : dtype;
}

/**
 * Writes `array` into the dataset at `path` with its first element at
 * `offset`, extending the dataset where the slab reaches past its present
 * shape (only along axes its maxshape allows). The slab's dtype must be the
 * dataset's. Written in pieces of at most `maxIoBytes` along the slab's
 * first axis.
 */
export function writeSlabAt(
  h: H5Handle,
  path: string,
  array: NdArray,
  offset: readonly number[],
  entryOf: EntryOf,
): void {
  const abs = absolute(path);
  const ctx = { file: h.file, dataset: abs };
  const at = entryOf(abs);
  if (at.kind !== 'dataset') {
    throw new H5Error(`${h.file}:${abs}: a slab goes into a dataset, found ${at.kind}.`, {
      ...ctx,
      expected: 'an existing growable dataset',
      found: at.kind,
    });
  }
  const shape = [...array.shape];
  if (at.dtype !== storedType(array.dtype) || offset.length !== shape.length) {
    throw new H5Error(
      `${h.file}:${abs}: a ${array.dtype} ${formatShape(shape)} slab at (${offset.join(', ')}) does not fit this ${typeof at.dtype === 'string' ? at.dtype : 'unsupported'} ${formatShape(at.shape)} dataset.`,
      {
        ...ctx,
        expected: `${typeof at.dtype === 'string' ? at.dtype : '?'} values with ${at.shape.length} axes and an offset on each`,
        found: `${array.dtype} ${formatShape(shape)} at (${offset.join(', ')})`,
      },
    );
  }
  const needed = shape.map((d, i) => Math.max(at.shape[i] ?? 0, (offset[i] ?? 0) + d));
  if (needed.some((d, i) => d !== at.shape[i])) grow(h, abs, needed);
  const size = sizeOf(shape);
  if (size === 0) return;
  const rowBytes = sizeOf(shape.slice(1)) * itemSize(array.dtype);
  if (rowBytes > h.maxIoBytes) {
    throw new H5Error(
      `${h.file}:${abs}: one row of the slab is ${rowBytes} bytes, too large.`,
      ctx,
    );
  }
  const rowsPerPiece = Math.max(1, Math.floor(h.maxIoBytes / rowBytes));
  const bytes = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const rows = shape[0] ?? 1;
  for (let row = 0; row < rows; row += rowsPerPiece) {
    const n = Math.min(rowsPerPiece, rows - row);
    const count = [n, ...shape.slice(1)].map(BigInt);
    const start = offset.map((o, i) => BigInt(i === 0 ? o + row : o));
    const strides = shape.map(() => 1n);
    withHeap(h, bytes.subarray(row * rowBytes, (row + n) * rowBytes), abs, (ptr) =>
      h5call('Writing a slab', ctx, () =>
        h.module.set_dataset_data(h.id, abs, count, start, strides, BigInt(ptr)),
      ),
    );
  }
}

/** Extends the dataset at `abs` to `shape`, within its maxshape. */
function grow(h: H5Handle, abs: string, shape: readonly number[]): void {
  const ctx = { file: h.file, dataset: abs };
  // h5wasm reports maxshape too; an unlimited axis comes as a huge or negative number.
  const meta = datasetMeta(h, abs) as ReturnType<typeof datasetMeta> & {
    maxshape?: number[] | null;
  };
  const max = meta.maxshape ?? meta.shape ?? [];
  const unlimited = (m: number): boolean => m < 0 || !Number.isSafeInteger(m);
  if (shape.some((d, i) => !unlimited(max[i] ?? 0) && d > (max[i] ?? 0))) {
    throw new H5Error(
      `${h.file}:${abs}: cannot grow to ${formatShape(shape)}, its maxshape is ${formatShape(max)}.`,
      {
        ...ctx,
        expected: `a shape within ${formatShape(max)}`,
        found: formatShape(shape),
      },
    );
  }
  h5call('Growing a dataset', ctx, () => h.module.resize_dataset(h.id, abs, shape.map(BigInt)));
}

/** Creates a hard link at `linkPath` to the object at `target` (an absolute path in this file). */
export function createHardLinkAt(
  h: H5Handle,
  linkPath: string,
  target: string,
  entryOf: EntryOf,
): void {
  const abs = absolute(linkPath);
  const to = absolute(target);
  const ctx = { file: h.file, dataset: abs };
  const existing = entryOf(abs);
  const source = entryOf(to);
  if (existing.kind !== 'missing' || (source.kind !== 'dataset' && source.kind !== 'group')) {
    throw new H5Error(`${h.file}:${abs}: cannot link it to ${to}.`, {
      ...ctx,
      expected: `nothing at ${abs}, a dataset or group at ${to}`,
      found: `${existing.kind} at ${abs}, ${source.kind} at ${to}`,
    });
  }
  const parent = parentOf(abs);
  if (parent !== '/') createGroupAt(h, parent, entryOf);
  h5call('Creating a hard link', ctx, () => h.module.create_hard_link(h.id, to, abs));
}
