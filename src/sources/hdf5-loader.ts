import { FrameError, MissingDataError } from '../errors.js';
import { type DType, TYPED_ARRAY, type TypedArrayFor } from '../frames/dtype.js';
import { type FrameStack, type NdArray, ndarray } from '../frames/ndarray.js';
import type { H5File } from '../h5/index.js';
import { HUGE_PAGES } from '../native/memory.js';
import { isPyDict, markParam, type PyDict, type PyValue } from '../py/value.js';
import { PtyScan, type PtyScanOptions, type ScanParams } from '../scan/pty-scan.js';
import type { CheckResult, LoadResult } from '../scan/types.js';
import { expect2 } from '../scan/values.js';
import { type ChunkCorrections, correctChunk } from './hdf5-corrections.js';
import { withFile } from './hdf5-datasets.js';
import { readWindows, type StoredFrames } from './hdf5-frames.js';
import { type LiveFrames, liveFrames } from './hdf5-live.js';
import { HDF5_LOADER_PARAMS } from './hdf5-loader-params.js';
import { type AxisArray, frameOrdinal, type ScanLayout, type ScanPoint } from './hdf5-mapping.js';
import { type Auxiliary, type LoaderPlan, planLoader } from './hdf5-plan.js';
import { electronToPhotonEnergy } from './hdf5-recorded.js';
import { type LoaderSettings, loaderSettings } from './hdf5-settings.js';

/** The meta values ptypy's loader sets at construction (PtyScan's `initialize()` would reset them). */
interface ConstructionMeta {
  energy: PyValue;
  distance: PyValue;
  center: PyValue;
  psize: PyValue;
}

/** Marks the nested parameter groups of `info` as ptypy `Param`s (stored as such in a `.ptyd`). */
function markParamGroups(tree: typeof HDF5_LOADER_PARAMS, dict: PyDict, prefix = ''): void {
  for (const [key, value] of Object.entries(dict)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (isPyDict(value) && tree.get(name)?.type.includes('Param')) {
      markParam(value);
      markParamGroups(tree, value, name);
    }
  }
}

/**
 * ptypy's generic loader for beamline HDF5 files (`Hdf5Loader`), with every
 * parameter and rule of ptypy 0.9: frames (N, H, W) or (A, B, H, W) (also
 * behind external links, virtual datasets and gzip/LZF/bitshuffle-LZ4
 * filters) mapped to slow/fast positions in ptypy's five layouts; bounding
 * box, skip, frame filter and frame order; darkfield, flatfield,
 * normalisation and mask per frame with numpy's dtypes; recorded energy,
 * distance and pixel size; spectro scans (`outer_index`), padding, electron
 * data; and a load window (`shape`/`center`) of which only the window is
 * read from the file. A ptypy config carries over unchanged; the few
 * places where ptyscan deliberately differs are in docs/compatibility.md.
 *
 * Files are opened at construction (everything is checked there) and per
 * chunk; needs `await h5ready()` first.
 *
 * @example
 * ```ts
 * await h5ready();
 * const scan = new Hdf5Loader({
 *   intensities: { file: 'scan_master.h5', key: 'entry/data/data' },
 *   positions: { file: 'scan_master.h5', slow_key: 'entry/sample/y', fast_key: 'entry/sample/x',
 *                slow_multiplier: 1e-6, fast_multiplier: 1e-6 },
 *   mask: { file: 'scan_master.h5', key: 'entry/instrument/detector/pixel_mask', invert: true },
 *   shape: 128n, center: new PyTuple([260n, 250n]),
 * });
 * ```
 */
export class Hdf5Loader extends PtyScan {
  static override params = HDF5_LOADER_PARAMS;

  /** The parameters as the loader uses them. */
  readonly settings: LoaderSettings;
  /** What is read for every scan point and how it is corrected (worked out at construction). */
  readonly plan: LoaderPlan;
  private readonly constructionMeta: ConstructionMeta;
  /** The last chunk's raw stack, filled again by the next load() (see `LoadResult.scratch`). */
  private stack: TypedArrayFor[DType] | null = null;
  /** How far a live acquisition has got (SWMR keys, arriving data files), or null. */
  private readonly live: LiveFrames | null;

  constructor(pars: ScanParams = {}, options: PtyScanOptions = {}) {
    super(pars, options);
    const info = this.info;
    markParamGroups((this.constructor as typeof Hdf5Loader).params, info);
    this.settings = loaderSettings(info, this.logger);
    // `live` is ptyscan's own: saved only when set, so a ptypy config saves ptypy's info.
    if (info.live === false) delete info.live;
    this.plan = planLoader(this.settings, info);
    const { recorded, window } = this.plan;
    let energy: PyValue = recorded.energy ?? info.energy ?? null;
    if (this.settings.electronData) energy = electronToPhotonEnergy(this.requireEnergy(energy));
    this.constructionMeta = {
      energy,
      distance: recorded.distance ?? info.distance ?? null,
      center: info.center ?? null,
      psize: info.psize ?? null,
    };
    if (recorded.psize !== null) info.psize = recorded.psize;
    if (window.center !== null) info.center = window.center.set;
    // As in ptypy, the mapping decides the frame count; a num_frames parameter does not.
    this.numFrames = this.plan.mapping.points.length;
    const frames = this.plan.mapping.leadShape.reduce((a, b) => a * b, 1);
    this.live = liveFrames(this.settings, this.plan.frames, this.plan.arrivals, frames);
  }

  /**
   * Without a live acquisition, every frame is there. With one (SwmrLoader,
   * `live`), the scan points from `start` whose frames the writer has
   * written, up to `frames`.
   */
  override check(frames: number, start: number): CheckResult {
    if (this.live === null) return super.check(frames, start);
    const written = this.live.written();
    const points = this.plan.mapping.points;
    let n = 0;
    while (n < frames && start + n < points.length) {
      const at = frameOrdinal(this.plan.mapping, points[start + n]!);
      if (at < 0 || at >= written) break;
      n++;
    }
    return [n, null];
  }

  /** What a live scan waits for (a data file, a live key), or null. */
  waitingFor(): string | null {
    return this.live?.waitingFor() ?? null;
  }

  private requireEnergy(energy: PyValue): number {
    if (typeof energy === 'number' || typeof energy === 'bigint') return Number(energy);
    throw new FrameError('electron_data needs an energy (the electron energy in keV).', {
      parameter: 'energy',
      expected: 'a number',
      found: String(energy),
    });
  }

  /** Which of ptypy's five position/frame layouts the files have. */
  get layout(): ScanLayout {
    return this.plan.mapping.layout;
  }

  /** The index into the intensities dataset that scan frame `index` is read from (outer index first). */
  sourceIndex(index: number): number[] {
    const point = this.point(index);
    const outer = this.plan.recorded.outerIndex;
    return outer === null ? [...point.data] : [outer, ...point.data];
  }

  private point(index: number): ScanPoint {
    const point = this.plan.mapping.points[index];
    if (point === undefined) {
      throw new FrameError(
        `The scan has ${this.plan.mapping.points.length} frames; there is no frame ${index}.`,
        {
          frame: index,
          expected: `an index below ${this.plan.mapping.points.length}`,
          found: String(index),
        },
      );
    }
    return point;
  }

  /** ptypy's default: ones of the ROI shape (unused, since every frame brings its weights), or None. */
  override loadWeight(): NdArray | null {
    const shape = this.info.shape;
    if (shape === null || shape === undefined) return null;
    const [h, w] = expect2(shape, 'shape');
    return ndarray('bool', [h, w], new Uint8Array(h * w).fill(1));
  }

  /**
   * ptypy's default placeholder `[[0, 1], [1, 2], ...]` (int64): the real positions come with
   * every frame. None when nothing is selected: ptypy counts an empty table as no positions.
   */
  override loadPositions(): NdArray | null {
    const n = this.plan.mapping.points.length;
    if (n === 0) return null;
    const data = HUGE_PAGES.array('int64', 2 * n);
    for (let i = 0; i < n; i++) {
      data[2 * i] = BigInt(i);
      data[2 * i + 1] = BigInt(i + 1);
    }
    return ndarray('int64', [n, 2], data);
  }

  override postInitialize(): void {
    // ptypy builds meta once at construction; these are the values it holds then.
    Object.assign(this.meta, this.constructionMeta);
  }

  /** The load window, padded: the shape of every frame `load()` returns. */
  override frameShape(_index: number): [number, number] {
    const { rows, cols } = this.plan.window;
    const [top, bottom, left, right] = this.settings.padding ?? [0, 0, 0, 0];
    return [rows[1] - rows[0] + top + bottom, cols[1] - cols[0] + left + right];
  }

  override load(indices: readonly number[]): LoadResult {
    const points = indices.map((i) => this.point(i));
    const { window } = this.plan;
    // Under MPI only the master checks: the other ranks look at the files themselves.
    if (this.live !== null && !this.comm.isMaster) this.live.written();
    const frames = this.live?.stored() ?? this.plan.frames;
    const size = (window.rows[1] - window.rows[0]) * (window.cols[1] - window.cols[0]);
    const into = this.rawMemory(frames.dtype, indices.length * size);
    const read = (h5: H5File) =>
      this.readRaw(
        h5,
        frames,
        points.map((_, k) => this.sourceIndex(indices[k]!)),
        window,
        into,
      );
    const raw = this.live?.reading(frames.ref, read) ?? withFile(frames.ref, read);
    const corrected = correctChunk(raw, this.corrections(points));
    const { slowMultiplier, fastMultiplier } = this.settings;
    const { slow, fast } = this.live?.axes() ?? this.plan;
    const positions = new Map(
      points.map((p, k) => [
        indices[k]!,
        Float64Array.of(
          position(slow, p.slowAt, indices[k]!, 'slow') * slowMultiplier,
          position(fast, p.fastAt, indices[k]!, 'fast') * fastMultiplier,
        ),
      ]),
    );
    // Uncorrected frames are the stack itself, which the next load() overwrites.
    const scratch = corrected.data.data.buffer === into.buffer;
    return { data: corrected.data, weights: corrected.weights, positions, scratch };
  }

  /** Memory for a chunk's raw frames: the last chunk's, when it has the room (fresh pages are slow). */
  private rawMemory(dtype: DType, length: number): TypedArrayFor[DType] {
    const stack = this.stack;
    if (stack === null || stack.constructor !== TYPED_ARRAY[dtype] || stack.length < length) {
      this.stack = HUGE_PAGES.array(dtype, length);
    }
    return (this.stack as TypedArrayFor[DType]).subarray(0, length) as TypedArrayFor[DType];
  }

  /**
   * Reads the raw windows of frames at `leads` into `into` (room for all of
   * them): the one step {@link Hdf5LoaderFast} does on threads.
   */
  protected readRaw(
    h5: H5File,
    stored: StoredFrames,
    leads: readonly (readonly number[])[],
    window: LoaderPlan['window'],
    into: TypedArrayFor[DType],
  ): FrameStack {
    return readWindows(h5, stored, leads, window.rows, window.cols, into);
  }

  private corrections(points: readonly ScanPoint[]): ChunkCorrections {
    const { window, monitor } = this.plan;
    const aux = (a: Auxiliary | null): NdArray | null => {
      if (a === null) return null;
      if (a.kind === 'frame') return a.frame;
      if (this.plan.recorded.outerIndex !== null) {
        // As in ptypy, which indexes it with the outer index it does not have.
        const { ref } = a.stored;
        throw new FrameError(
          `${ref.file}:${ref.key} is laid out like the frames of a spectro scan without their outer axis; it cannot be read with outer_index ${this.plan.recorded.outerIndex} (${ref.param}).`,
          {
            file: ref.file,
            dataset: ref.key,
            parameter: `${ref.param}.key`,
            expected: `an (H, W) ${ref.param} for a spectro scan`,
            found: `shape (${a.stored.shape.join(', ')})`,
          },
        );
      }
      return withFile(a.stored.ref, (h5) =>
        readWindows(
          h5,
          a.stored,
          points.map((p) => p.data),
          window.rows,
          window.cols,
        ),
      );
    };
    return {
      dark: aux(this.plan.dark),
      flat: aux(this.plan.flat),
      mask: aux(this.plan.mask),
      invert: this.settings.invert,
      monitor: points.map((p) => monitor?.valueAt(p) ?? null),
      stats: monitor?.stats ?? null,
      padding: this.settings.padding,
    };
  }

  override close(): void {
    this.live?.close();
    super.close();
  }
}

/**
 * The position at `at` of an axis (written by then, in a live scan); a NaN or
 * infinite one is refused, as NumpyScan refuses it in positions.txt.
 */
function position(axis: AxisArray, at: number, frame: number, which: 'slow' | 'fast'): number {
  const value = axis.values[at];
  if (value === undefined) {
    throw new MissingDataError(
      `${axis.name} has no position for frame ${frame} yet (it holds ${axis.values.length}).`,
      {
        frame,
        expected: `a position at index ${at}`,
        found: `${axis.values.length} positions`,
      },
    );
  }
  if (!Number.isFinite(value)) {
    throw new FrameError(
      `${axis.name} (positions.${which}_key) holds ${value} at index ${at}, the ${which} position of frame ${frame}: positions must be finite numbers.`,
      {
        parameter: `positions.${which}_key`,
        frame,
        expected: 'a finite position',
        found: String(value),
      },
    );
  }
  return value;
}
