/**
 * Live acquisitions for an {@link Hdf5Loader}: how far the writer has got.
 * Two kinds, behind one face ({@link LiveFrames}): a file written under
 * SWMR whose live keys turn non-zero as frames are written (SwmrLoader, as
 * ptypy's), and a master written at the start of the scan whose data files
 * appear one by one (`live: true`). Each says how many leading frames of the
 * data (in C order of its leading axes) can be read now, and what it waits
 * for; the loader counts its scan points against that.
 */
import { FileFormatError } from '../errors.js';
import { H5File } from '../h5/index.js';
import { type Arrival, ArrivingFiles } from './hdf5-arrivals.js';
import { readAxis } from './hdf5-axes.js';
import { type DatasetRef, refName } from './hdf5-datasets.js';
import type { StoredFrames } from './hdf5-frames.js';
import type { AxisArray } from './hdf5-mapping.js';
import type { LoaderSettings, SwmrKeys } from './hdf5-settings.js';

/** What a live acquisition has written so far. */
export interface LiveFrames {
  /**
   * How many leading frames of the data (C order of its leading axes) can
   * be read now; looks at the files again on every call.
   */
  written(): number;
  /** What the scan waits for, in words, as of the last {@link written}; null when nothing. */
  waitingFor(): string | null;
  /** The frames as they can be read now (a group's data files as they arrived). */
  stored(): StoredFrames;
  /** The positions as written now (SWMR), or null when they were complete at the start. */
  axes(): { slow: AxisArray; fast: AxisArray } | null;
  /**
   * Runs `use` on the file of `ref` when the tracker keeps it open (a file
   * written under SWMR is read through one open file: HDF5 refreshes it
   * there); undefined when it does not.
   */
  reading<T>(ref: DatasetRef, use: (h5: H5File) => T): T | undefined;
  close(): void;
}

function isZero(v: number | bigint): boolean {
  return v === 0 || v === 0n;
}

/**
 * A file written under SWMR (SwmrLoader): a frame is written when all three
 * of its live keys are non-zero; as swmr_tools' KeyFollower (which ptypy
 * uses), the keys are read flat and the frames written are those before the
 * first position where any key is 0 (or has no entry yet).
 */
class SwmrFollower implements LiveFrames {
  private h5: H5File | null = null;
  private awaited: string | null = null;
  private current: StoredFrames;

  constructor(
    private readonly keys: SwmrKeys,
    private readonly data: StoredFrames,
    private readonly settings: LoaderSettings,
    /** Frames of the whole scan (the expected shape's). */
    private readonly total: number,
  ) {
    this.current = data;
  }

  private file(): H5File {
    this.h5 ??= H5File.open(this.data.ref.file, 'r', { swmr: true });
    return this.h5;
  }

  written(): number {
    const h5 = this.file();
    let count = Number.POSITIVE_INFINITY;
    let behind: DatasetRef | null = null;
    for (const ref of this.keys.live) {
      h5.refresh(ref.key);
      const keys = h5.readDataset(ref.key);
      if (keys.dtype === 'string') {
        throw new FileFormatError(`${refName(ref)} holds strings, not live keys.`, {
          file: ref.file,
          dataset: ref.key,
          expected: 'numbers (0 until written)',
          found: 'strings',
        });
      }
      const values = keys.data as ArrayLike<number | bigint>;
      let n = 0;
      while (n < values.length && !isZero(values[n]!)) n++;
      if (n < count) {
        count = n;
        behind = ref;
      }
    }
    // Frames past the data's extent are not there, whatever the keys say.
    h5.refresh(this.data.ref.key);
    const entry = h5.resolve(this.data.ref.key);
    if (entry.kind === 'dataset') {
      this.current = { ...this.data, shape: entry.shape };
      const lead = entry.shape.slice(0, -2).reduce((a, b) => a * b, 1);
      if (lead < count) {
        count = lead;
        behind = this.data.ref;
      }
    }
    const written = Math.min(count, this.total);
    this.awaited =
      written >= this.total || behind === null
        ? null
        : behind === this.data.ref
          ? `frame ${written} in ${refName(this.data.ref)}`
          : `frame ${written}: its live key in ${refName(behind)} is still 0`;
    return written;
  }

  waitingFor(): string | null {
    return this.awaited;
  }

  stored(): StoredFrames {
    return this.current;
  }

  axes(): { slow: AxisArray; fast: AxisArray } {
    const { slow, fast, slowIndex, fastIndex } = this.settings;
    const h5 = this.file();
    h5.refresh(slow.key);
    h5.refresh(fast.key);
    return {
      slow: readAxis(slow, slowIndex, null, 'slow', h5),
      fast: readAxis(fast, fastIndex, null, 'fast', h5),
    };
  }

  reading<T>(ref: DatasetRef, use: (h5: H5File) => T): T | undefined {
    return ref.file === this.data.ref.file ? use(this.file()) : undefined;
  }

  close(): void {
    this.h5?.close();
    this.h5 = null;
  }
}

/** The tracker of a live scan: SWMR keys, or data files arriving behind a master. */
export function liveFrames(
  settings: LoaderSettings,
  stored: StoredFrames,
  arrivals: readonly Arrival[] | null,
  total: number,
): LiveFrames | null {
  if (settings.swmr !== null) return new SwmrFollower(settings.swmr, stored, settings, total);
  if (arrivals === null) return null;
  return new ArrivingFiles(stored, [...arrivals], total);
}
