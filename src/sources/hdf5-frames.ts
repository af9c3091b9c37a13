/**
 * Where the frames of an {@link Hdf5Loader} are stored and how a chunk of
 * them is read: one hyperslab per run of consecutive frames, holding only
 * the load window's rows and columns, never the whole dataset.
 */
import { FileFormatError, H5Error } from '../errors.js';
import { type DType, itemSize, type TypedArrayFor } from '../frames/dtype.js';
import { type FrameStack, formatShape, ndarray, sameShape } from '../frames/ndarray.js';
import type { H5File, H5Filter } from '../h5/index.js';
import { HUGE_PAGES } from '../native/memory.js';
import {
  checkVirtualSources,
  type DatasetRef,
  entryOf,
  numericType,
  refName,
} from './hdf5-datasets.js';
import type { Span } from './hdf5-window.js';

/** One 3-D stack of a group, holding frames `[start, start + frames)` of the concatenation. */
export interface FramePart {
  readonly key: string;
  readonly start: number;
  readonly frames: number;
}

/** A frame array as stored: a dataset, or a group of 3-D stacks read as their concatenation. */
export interface StoredFrames {
  readonly ref: DatasetRef;
  /** Full shape, e.g. (N, H, W), (A, B, H, W), with the outer axis of a spectro scan in front. */
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The stacks of a group (ptyscan reads an Eiger master's data group this way); null for a dataset. */
  readonly parts: readonly FramePart[] | null;
}

export function layoutError(ref: DatasetRef, found: string, expected: string): FileFormatError {
  return new FileFormatError(`${refName(ref)}: ${found}; expected ${expected} (${ref.param}).`, {
    file: ref.file,
    dataset: ref.key,
    parameter: `${ref.param}.key`,
    expected,
    found,
  });
}

/**
 * What `ref` names: a numeric dataset of at least three axes (a virtual one
 * only when all its data files exist), or a group whose members are 3-D
 * stacks of one frame shape and dtype, concatenated in name order (only the
 * `data_NNNNNN` members when it has such, as an Eiger master's data group).
 */
export function describeStored(h5: H5File, ref: DatasetRef): StoredFrames {
  const entry = entryOf(h5, ref);
  if (entry.kind === 'group') return groupFrames(h5, ref);
  if (entry.kind !== 'dataset') throw layoutError(ref, `a ${entry.kind}`, 'a dataset of frames');
  const dtype = numericType(ref, entry.dtype);
  if (entry.shape.length < 3) {
    throw layoutError(
      ref,
      `shape ${formatShape(entry.shape)}`,
      'a stack of frames (3 or more axes)',
    );
  }
  if (entry.chunks === null) checkVirtualSources(h5, ref);
  checkFilters(h5, ref, entry.shape, entry.filters);
  return { ref, shape: entry.shape, dtype, parts: null };
}

/** HDF5's own filters and those of the plugins h5wasm-plugins ships, by id (for messages). */
const FILTER_NAMES: Record<number, string> = {
  1: 'deflate (gzip)',
  2: 'shuffle',
  3: 'fletcher32',
  4: 'szip',
  5: 'nbit',
  6: 'scaleoffset',
  307: 'bzip2',
  32000: 'LZF',
  32001: 'blosc',
  32004: 'LZ4',
  32008: 'bitshuffle',
  32013: 'zfp',
  32015: 'zstd',
  32026: 'blosc2',
};

/** Where to get the HDF5 plugin of a filter nobody here decodes (Debian packages where one exists). */
const PLUGIN_PACKAGES: Record<number, string> = {
  307: 'apt-get install hdf5-filter-plugin',
  32001: 'apt-get install hdf5-filter-plugin-blosc-serial',
  32013: 'apt-get install hdf5-filter-plugin-zfp-serial',
};

/** How to get a plugin for `ids`: a Debian package, or hdf5plugin's collection. */
function pluginHint(ids: readonly number[]): string {
  const known = ids.map((id) => PLUGIN_PACKAGES[id]).filter((p) => p !== undefined);
  const get =
    known.length === ids.length && known.length > 0
      ? [...new Set(known)].join(' and ')
      : 'apt-get install python3-hdf5plugin (or pip install hdf5plugin) and set HDF5_PLUGIN_PATH to its plugin folder';
  return `Install the filter's HDF5 plugin (${get}): with the native HDF5 addon, libhdf5 loads it from HDF5_PLUGIN_PATH or its plugin folder; or decompress the file where the plugin is installed (h5repack -f NONE in.h5 out.h5) and read the copy`;
}

/**
 * Reads one element of a filtered dataset, so that a filter nothing here
 * decodes (not ptyscan's own decoders, not libhdf5's plugins, not h5wasm's)
 * is found before the first chunk and named, with how to get its plugin.
 *
 * @throws FileFormatError naming each filter (id and name) and what to do.
 */
export function checkFilters(
  h5: H5File,
  ref: DatasetRef,
  shape: readonly number[],
  filters: readonly H5Filter[],
): void {
  if (filters.length === 0 || shape.some((d) => d === 0)) return;
  try {
    h5.readBlock(
      ref.key,
      shape.map(() => 0),
      shape.map(() => 1),
    );
  } catch (error) {
    if (!(error instanceof H5Error)) throw error;
    const named = filters
      .map((f) => `${f.id} (${f.name || FILTER_NAMES[f.id] || 'no name in the file'})`)
      .join(', ');
    const unknown = filters.filter((f) => FILTER_NAMES[f.id] === undefined).map((f) => f.id);
    throw new FileFormatError(
      `${refName(ref)} cannot be decoded: it is compressed with HDF5 filter ${named}, which no decoder ptyscan has reads (its own: deflate, shuffle, fletcher32, LZF, LZ4, bitshuffle-LZ4; libhdf5's and h5wasm's plugins). ${pluginHint(unknown.length > 0 ? unknown : filters.map((f) => f.id))} (${ref.param}).`,
      {
        file: ref.file,
        dataset: ref.key,
        parameter: `${ref.param}.key`,
        expected: `filters ptyscan decodes (${Object.values(FILTER_NAMES).join(', ')})`,
        found: `filter ${named}`,
        cause: error,
      },
    );
  }
}

/** An Eiger master's data file links: `data_000001`, `data_000002`, ... */
const EIGER_PART = /^data_\d+$/;

/**
 * The members of the group `ref` names that hold its frames, in name order:
 * only its `data_NNNNNN` members when it has such (beside its data file
 * links an Eiger master's data group may hold a virtual dataset over them).
 */
export function groupMembers(h5: H5File, ref: DatasetRef): DatasetRef[] {
  const all = h5.members(ref.key);
  const names = all.some((n) => EIGER_PART.test(n)) ? all.filter((n) => EIGER_PART.test(n)) : all;
  if (names.length === 0) throw layoutError(ref, 'an empty group', 'a group of 3-D datasets');
  return names.map((name) => ({ ...ref, key: `${ref.key.replace(/\/+$/, '')}/${name}` }));
}

function groupFrames(h5: H5File, ref: DatasetRef): StoredFrames {
  const parts: FramePart[] = [];
  let first: { shape: number[]; dtype: DType } | null = null;
  let total = 0;
  for (const member of groupMembers(h5, ref)) {
    const entry = entryOf(h5, member);
    if (entry.kind !== 'dataset' || entry.shape.length !== 3) {
      const found = entry.kind === 'dataset' ? `shape ${formatShape(entry.shape)}` : entry.kind;
      throw layoutError(member, `a member ${found}`, 'only 3-D (N, H, W) datasets in the group');
    }
    const dtype = numericType(member, entry.dtype);
    const frame = entry.shape.slice(1);
    if (first !== null && (!sameShape(first.shape, frame) || first.dtype !== dtype)) {
      throw layoutError(
        member,
        `frames of ${formatShape(frame)} ${dtype}`,
        `the ${formatShape(first.shape)} ${first.dtype} frames of the group's first dataset`,
      );
    }
    if (entry.chunks === null) checkVirtualSources(h5, member);
    checkFilters(h5, member, entry.shape, entry.filters);
    first ??= { shape: frame, dtype };
    parts.push({ key: member.key, start: total, frames: entry.shape[0]! });
    total += entry.shape[0]!;
  }
  const frame = first?.shape ?? [0, 0];
  return { ref, shape: [total, ...frame], dtype: first?.dtype ?? 'float64', parts };
}

/** The dataset, block start and room (frames left in that stack) of leading index `lead`. */
function blockAt(
  stored: StoredFrames,
  lead: readonly number[],
): [key: string, start: number[], room: number] {
  const last = lead.length - 1;
  if (stored.parts === null) return [stored.ref.key, [...lead], stored.shape[last]! - lead[last]!];
  const r = lead[0]!;
  const part = stored.parts.find((p) => r >= p.start && r < p.start + p.frames);
  if (part === undefined) {
    throw layoutError(stored.ref, `no frame ${r}`, `frame indices below ${stored.shape[0]}`);
  }
  return [part.key, [r - part.start], part.start + part.frames - r];
}

/**
 * Reads the window `rows` x `cols` of the frames at `leads` (each a full
 * leading index, e.g. `[k]`, `[s, f]`, `[outer, k]`), in that order, as one
 * `(n, rows, cols)` stack of the stored dtype. Frames whose last leading
 * index follows the previous one are read together, in blocks of at most
 * the file's `maxIoBytes`. `into` (an array of the stored dtype with room
 * for every frame) receives the frames instead of new memory.
 */
export function readWindows(
  h5: H5File,
  stored: StoredFrames,
  leads: readonly (readonly number[])[],
  rows: Span,
  cols: Span,
  into?: TypedArrayFor[DType],
): FrameStack {
  const rh = rows[1] - rows[0];
  const cw = cols[1] - cols[0];
  const size = rh * cw;
  const out = into ?? HUGE_PAGES.array(stored.dtype, leads.length * size);
  const part = out as { subarray(begin: number, end: number): TypedArrayFor[DType] };
  const maxFrames = Math.max(
    1,
    Math.floor(h5.maxIoBytes / Math.max(1, size * itemSize(stored.dtype))),
  );
  let k = 0;
  while (k < leads.length) {
    const lead = leads[k]!;
    const last = lead.length - 1;
    const [key, start, room] = blockAt(stored, lead);
    let n = 1;
    const follows = (next: readonly number[] | undefined) =>
      next !== undefined &&
      next.length === lead.length &&
      next.every((v, i) => (i === last ? v === lead[last]! + n : v === lead[i]));
    while (n < Math.min(room, maxFrames) && follows(leads[k + n])) n++;
    if (size > 0) {
      const count = start.map((_, i) => (i === start.length - 1 ? n : 1));
      // Straight into the stack: the block is these frames' windows, in order.
      h5.readBlock(
        key,
        [...start, rows[0], cols[0]],
        [...count, rh, cw],
        part.subarray(k * size, (k + n) * size),
      );
    }
    k += n;
  }
  return ndarray(stored.dtype, [leads.length, rh, cw], out);
}
