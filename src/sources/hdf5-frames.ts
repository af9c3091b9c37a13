/**
 * Where the frames of an {@link Hdf5Loader} live and how a run of them is
 * read: in hyperslabs along the leading axes, never the whole dataset.
 */
import { FileFormatError } from '../errors.js';
import { type DType, itemSize } from '../frames/dtype.js';
import { type FrameStack, formatShape, ndarray, sameShape } from '../frames/ndarray.js';
import type { H5File } from '../h5/index.js';
import { HUGE_PAGES } from '../native/memory.js';
import { type DatasetRef, entryOf, numericType, refName } from './hdf5-datasets.js';

/** One 3-D stack holding frames `[start, start + frames)` of the scan's raw frames. */
export interface FramePart {
  readonly key: string;
  readonly start: number;
  readonly frames: number;
}

/** The raw frames of a scan as stored. */
export interface FrameLayout {
  readonly ref: DatasetRef;
  /** Raw frames in all (A*B for 4-D data). */
  readonly frames: number;
  /** `[A, B]` of a 4-D `(A, B, H, W)` dataset; null for 3-D stacks. */
  readonly grid: readonly [number, number] | null;
  readonly frameShape: readonly [number, number];
  /** Element type as stored. */
  readonly dtype: DType;
  /** Shape of the dataset (or of the concatenated stacks), for messages. */
  readonly shape: readonly number[];
  /** The 3-D stacks, in frame order (one for a plain dataset; unused for 4-D). */
  readonly parts: readonly FramePart[];
}

function layoutError(ref: DatasetRef, found: string, expected: string): FileFormatError {
  return new FileFormatError(`${refName(ref)}: ${found}; expected ${expected} (${ref.param}).`, {
    file: ref.file,
    dataset: ref.key,
    parameter: `${ref.param}.key`,
    expected,
    found,
  });
}

/**
 * Finds the frames `ref` names: a 3-D `(N, H, W)` or 4-D `(A, B, H, W)`
 * dataset, or a group whose members are 3-D stacks concatenated in name order
 * (an Eiger master file's `/entry/data`, whose `data_000001`... are external
 * links to the data files).
 */
export function readLayout(h5: H5File, ref: DatasetRef): FrameLayout {
  const entry = entryOf(h5, ref);
  if (entry.kind === 'group') return groupLayout(h5, ref);
  if (entry.kind !== 'dataset') {
    throw layoutError(ref, `a ${entry.kind}`, 'a 3-D or 4-D dataset or a group of 3-D datasets');
  }
  const dtype = numericType(ref, entry.dtype);
  const { shape } = entry;
  if (shape.length === 3) {
    const [n, h, w] = shape as [number, number, number];
    return {
      ref,
      frames: n,
      grid: null,
      frameShape: [h, w],
      dtype,
      shape,
      parts: [{ key: ref.key, start: 0, frames: n }],
    };
  }
  if (shape.length === 4) {
    const [a, b, h, w] = shape as [number, number, number, number];
    return { ref, frames: a * b, grid: [a, b], frameShape: [h, w], dtype, shape, parts: [] };
  }
  throw layoutError(ref, `shape ${formatShape(shape)}`, '(N, H, W) or (A, B, H, W) frames');
}

function groupLayout(h5: H5File, ref: DatasetRef): FrameLayout {
  const names = h5.members(ref.key);
  if (names.length === 0) throw layoutError(ref, 'an empty group', 'a group of 3-D datasets');
  const parts: FramePart[] = [];
  let frameShape: [number, number] | null = null;
  let dtype: DType | null = null;
  let total = 0;
  for (const name of names) {
    const key = `${ref.key.replace(/\/+$/, '')}/${name}`;
    const member = { ...ref, key };
    const entry = entryOf(h5, member);
    if (entry.kind !== 'dataset' || entry.shape.length !== 3) {
      const found = entry.kind === 'dataset' ? `shape ${formatShape(entry.shape)}` : entry.kind;
      throw layoutError(member, `a member ${found}`, 'only 3-D (N, H, W) datasets in the group');
    }
    const memberType = numericType(member, entry.dtype);
    const [n, h, w] = entry.shape as [number, number, number];
    if (frameShape !== null && (!sameShape(frameShape, [h, w]) || dtype !== memberType)) {
      throw layoutError(
        member,
        `frames of ${formatShape([h, w])} ${memberType}`,
        `the ${formatShape(frameShape)} ${dtype} frames of the group's first dataset`,
      );
    }
    frameShape = [h, w];
    dtype = memberType;
    parts.push({ key, start: total, frames: n });
    total += n;
  }
  const [h, w] = frameShape ?? [0, 0];
  return {
    ref,
    frames: total,
    grid: null,
    frameShape: [h, w],
    dtype: dtype ?? 'float64',
    shape: [total, h, w],
    parts,
  };
}

/** The dtype frames come out as: 64-bit integers become float64 (the pipeline computes in numbers). */
function frameDType(layout: FrameLayout): DType {
  return layout.dtype === 'int64' || layout.dtype === 'uint64' ? 'float64' : layout.dtype;
}

/**
 * Reads the raw frames `raw` (indices into the stored frames, any order) as
 * one `(n, H, W)` stack. Consecutive indices are read together, in blocks of
 * at most the file's `maxIoBytes`; a 4-D dataset is read row by row
 * (frame `r` is element `(r / B, r % B)`).
 */
export function readFrames(h5: H5File, layout: FrameLayout, raw: readonly number[]): FrameStack {
  const [h, w] = layout.frameShape;
  const size = h * w;
  const dtype = frameDType(layout);
  const out = HUGE_PAGES.array(dtype, raw.length * size);
  const target = out as { set(src: ArrayLike<number | bigint>, offset: number): void };
  const maxFrames = Math.max(
    1,
    Math.floor(h5.maxIoBytes / Math.max(1, size * itemSize(layout.dtype))),
  );
  let k = 0;
  while (k < raw.length) {
    const first = raw[k] ?? 0;
    const [key, start, count, room] = blockAt(layout, first);
    let n = 1;
    while (n < Math.min(room, maxFrames) && k + n < raw.length && raw[k + n] === first + n) n++;
    const block = h5.readBlock(key, start, count(n));
    const data = block.data as ArrayLike<number | bigint>;
    if (dtype === layout.dtype) target.set(data, k * size);
    else for (let i = 0; i < data.length; i++) out[k * size + i] = Number(data[i]);
    k += n;
  }
  return ndarray(dtype, [raw.length, h, w], out);
}

/**
 * The dataset and block start of raw frame `r`, how to count `n` frames from
 * there, and how many frames follow in the same stack or row.
 */
function blockAt(
  layout: FrameLayout,
  r: number,
): [key: string, start: number[], count: (n: number) => number[], room: number] {
  if (layout.grid !== null) {
    const b = layout.grid[1];
    const row = Math.floor(r / b);
    const col = r % b;
    return [layout.ref.key, [row, col], (n) => [1, n], b - col];
  }
  const part = layout.parts.find((p) => r >= p.start && r < p.start + p.frames);
  if (part === undefined) {
    throw layoutError(layout.ref, `no frame ${r}`, `frame indices below ${layout.frames}`);
  }
  return [part.key, [r - part.start], (n) => [n], part.start + part.frames - r];
}
