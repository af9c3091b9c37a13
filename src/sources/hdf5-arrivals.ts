/**
 * An Eiger-style master written at the start of a scan whose data files
 * (named by its virtual dataset or its external links) appear one by one:
 * which of them are complete, so that their frames can be read
 * (`live: true` of an {@link Hdf5Loader}).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { FileFormatError, MissingDataError } from '../errors.js';
import { formatShape, sameShape } from '../frames/ndarray.js';
import {
  type H5Entry,
  H5File,
  lockedByWriter,
  nativeFileState,
  virtualSources,
  writeState,
} from '../h5/index.js';
import { type DatasetRef, datasetLocation, numericType, refName } from './hdf5-datasets.js';
import { checkFilters, groupMembers, layoutError, type StoredFrames } from './hdf5-frames.js';
import type { LiveFrames } from './hdf5-live.js';

/** How long a data file must stay unchanged when nothing else can tell its writer closed it. */
export const SETTLE_MS = 1000;

/** One data file behind a master, as the master names it, until it has arrived. */
export interface Arrival {
  /** The file as the master names it (for messages). */
  readonly name: string;
  /** Where it is looked for, in order. */
  readonly candidates: readonly string[];
  /** Its dataset of frames. */
  readonly dataset: string;
  /** The master's member that links to it (a group's), or null for a virtual mapping. */
  readonly member: DatasetRef | null;
  /** Its first frame and frame count, once known (a virtual dataset's mapping tells them up front). */
  start: number | null;
  count: number | null;
  arrived: boolean;
  /** Its size and time when first seen complete: without a stronger sign it must stay so a while. */
  seen: { size: number; mtime: number; at: number } | null;
}

/** Where a data file `name` a master names is looked for: next to the master, then from here. */
function candidatesFor(master: string, name: string): string[] {
  const here = dirname(resolve(master));
  if (isAbsolute(name)) return [name, join(here, basename(name))];
  return [join(here, name), resolve(name)];
}

/**
 * A master written at the start (an Eiger's), whose data files, named by its
 * virtual dataset's mappings or by its external links, appear one by one.
 * The frames written are those of the leading data files that are complete:
 * the superblock ends where the file ends and marks no writer; no process
 * holds HDF5's lock on it and every chunk is written (with the native addon);
 * where that cannot tell (no addon, or a file whose frame count only the
 * file knows), its size and time have not changed for {@link SETTLE_MS}.
 */
export class ArrivingFiles implements LiveFrames {
  private awaited: string | null = null;
  private checked = false;

  constructor(
    private readonly base: StoredFrames,
    private readonly arrivals: Arrival[],
    private readonly total: number,
  ) {}

  written(): number {
    let end = 0;
    this.awaited = null;
    for (const a of this.arrivals) {
      if (!a.arrived && !this.arrive(a, end)) break;
      end = (a.start ?? end) + (a.count ?? 0);
    }
    if (this.awaited === null && end < this.total) {
      throw new FileFormatError(
        `${refName(this.base.ref)}: its data files hold ${end} frames, but the scan has ${this.total}.`,
        {
          file: this.base.ref.file,
          dataset: this.base.ref.key,
          expected: `${this.total} frames`,
          found: `${end} in ${this.arrivals.length} data files`,
        },
      );
    }
    return Math.min(end, this.total);
  }

  private range(a: Arrival, end: number): string {
    const start = a.start ?? end;
    return a.count === null ? `frames from ${start}` : `frames ${start}-${start + a.count - 1}`;
  }

  /** Whether `a` is complete now (its first frame is `end` unless its mapping says otherwise). */
  private arrive(a: Arrival, end: number): boolean {
    const path = a.candidates.find((c) => existsSync(c));
    const what = `the data file ${a.name} (${this.range(a, end)})`;
    if (path === undefined) {
      this.awaited = what;
      return false;
    }
    const state = writeState(path);
    if (state.kind !== 'complete') {
      this.awaited = `${what}: ${state.kind === 'writing' ? state.why : 'not an HDF5 file yet'}`;
      return false;
    }
    const native = nativeFileState(path, a.dataset);
    if (native?.kind === 'locked' || (native === null && lockedByWriter(path) === true)) {
      this.awaited = `${what}: a writer holds HDF5's lock on it`;
      return false;
    }
    if ((native === null || a.count === null) && !this.settled(a, path)) {
      this.awaited = `${what}: it must stay unchanged for ${SETTLE_MS / 1000} s`;
      return false;
    }
    const entry = this.entryIn(path, a);
    const count = a.count ?? entry.shape[0]!;
    if (entry.shape[0]! < count) {
      throw new MissingDataError(
        `${path}:${a.dataset} holds ${entry.shape[0]} frames, but ${refName(this.base.ref)} maps ${count} frames to it.`,
        {
          file: path,
          dataset: a.dataset,
          expected: `${count} frames`,
          found: `${entry.shape[0]} frames in a complete file`,
        },
      );
    }
    if (
      native?.kind === 'readable' &&
      (native.allocated === 'part' || native.allocated === 'none')
    ) {
      this.awaited = `${what}: not every chunk of ${a.dataset} is written yet`;
      return false;
    }
    a.start ??= end;
    a.count = count;
    a.arrived = true;
    return true;
  }

  /** Not changed for {@link SETTLE_MS}: by its time stamp, or (another clock) since first seen. */
  private settled(a: Arrival, path: string): boolean {
    const st = statSync(path);
    const now = Date.now();
    if (now - st.mtimeMs >= SETTLE_MS) return true;
    if (a.seen === null || a.seen.size !== st.size || a.seen.mtime !== st.mtimeMs) {
      a.seen = { size: st.size, mtime: st.mtimeMs, at: now };
      return false;
    }
    return now - a.seen.at >= SETTLE_MS;
  }

  /** The frames dataset of a complete data file, checked against the master's frames. */
  private entryIn(path: string, a: Arrival): H5Entry & { kind: 'dataset' } {
    const ref: DatasetRef = { param: this.base.ref.param, file: path, key: a.dataset };
    const h5 = H5File.open(path, 'r', { lock: false });
    try {
      const entry = h5.resolve(a.dataset);
      if (entry.kind !== 'dataset') {
        throw layoutError(
          ref,
          entry.kind === 'missing' ? 'no such dataset' : `a ${entry.kind}`,
          'the frames the master links to',
        );
      }
      const dtype = numericType(ref, entry.dtype);
      const frame = this.base.shape.slice(-2);
      if (
        entry.shape.length !== 3 ||
        !sameShape(entry.shape.slice(1), frame) ||
        dtype !== this.base.dtype
      ) {
        throw layoutError(
          ref,
          `${formatShape(entry.shape)} ${dtype} frames`,
          `(N, ${frame.join(', ')}) ${this.base.dtype} frames, as the master's`,
        );
      }
      // A filter nothing here decodes is named once, at the first data file.
      if (!this.checked) checkFilters(h5, ref, entry.shape, entry.filters);
      this.checked = true;
      return entry;
    } finally {
      h5.close();
    }
  }

  waitingFor(): string | null {
    return this.awaited;
  }

  stored(): StoredFrames {
    if (this.base.parts === null) return this.base;
    const parts = this.arrivals
      .filter((a) => a.arrived && a.member !== null)
      .map((a) => ({ key: a.member!.key, start: a.start!, frames: a.count! }));
    return { ...this.base, parts };
  }

  axes(): null {
    return null;
  }

  reading(): undefined {
    return undefined;
  }

  close(): void {}
}

/** The arrivals of a virtual dataset's data files, in the order of the frames they fill. */
function virtualArrivals(h5: H5File, ref: DatasetRef): Arrival[] {
  const { file, path } = datasetLocation(h5, ref.key);
  const sources = virtualSources(file, path);
  const arrivals = sources.map((s) => ({
    name: s.file,
    candidates: s.candidates,
    dataset: s.dataset,
    member: null,
    start: s.frames?.start ?? null,
    count: s.frames?.count ?? null,
    arrived: false,
    seen: null,
  }));
  return arrivals.sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
}

/**
 * What a live master's frames are and which data files hold them: a virtual
 * dataset over data files, or a group of external links to them (then the
 * frames and dtype come from its first data file, which must be there, and
 * `total` is the scan's frame count). Null for frames stored in the master
 * itself (nothing to wait for).
 *
 * @throws MissingDataError naming the first data file of a group when it is not there yet.
 */
export function liveStored(
  h5: H5File,
  ref: DatasetRef,
): { stored: StoredFrames; arrivals: Arrival[] } | null {
  const entry = h5.resolve(ref.key);
  if (entry.kind === 'dataset') {
    const dtype = numericType(ref, entry.dtype);
    if (entry.chunks !== null || entry.shape.length < 3) return null;
    const arrivals = virtualArrivals(h5, ref);
    if (arrivals.length === 0) return null;
    return { stored: { ref, shape: entry.shape, dtype, parts: null }, arrivals };
  }
  if (entry.kind !== 'group') return null;
  const arrivals: Arrival[] = groupMembers(h5, ref).map((member) => {
    const link = h5.entry(member.key);
    if (link.kind !== 'external-link') {
      throw layoutError(member, `a ${link.kind}`, 'external links to data files (a live master)');
    }
    return {
      name: link.targetFile,
      candidates: candidatesFor(ref.file, link.targetFile),
      dataset: link.targetPath,
      member,
      start: null,
      count: null,
      arrived: false,
      seen: null,
    };
  });
  const first = arrivals[0]!;
  const path = first.candidates.find((c) => existsSync(c));
  if (path === undefined || writeState(path).kind !== 'complete') {
    throw new MissingDataError(
      `${refName(ref)}: its first data file ${first.name} is not there yet (or still being written); its frames' shape is needed to start (${ref.param}.key).`,
      {
        file: path ?? first.candidates[0],
        dataset: first.dataset,
        parameter: `${ref.param}.key`,
        expected: `the data file ${first.name}`,
        found: path === undefined ? 'no such file' : 'a file still being written',
      },
    );
  }
  const data = H5File.open(path, 'r', { lock: false });
  try {
    const frames = data.resolve(first.dataset);
    const at = { ...ref, file: path, key: first.dataset };
    if (frames.kind !== 'dataset' || frames.shape.length !== 3) {
      throw layoutError(
        at,
        frames.kind === 'dataset' ? `shape ${formatShape(frames.shape)}` : `a ${frames.kind}`,
        'a 3-D (N, H, W) dataset of frames',
      );
    }
    const dtype = numericType(at, frames.dtype);
    return { stored: { ref, shape: [0, ...frames.shape.slice(1)], dtype, parts: [] }, arrivals };
  } finally {
    data.close();
  }
}
