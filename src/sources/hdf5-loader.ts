import { FrameError } from '../errors.js';
import {
  type FrameStack,
  formatShape,
  type NdArray,
  ndarray,
  sameShape,
} from '../frames/ndarray.js';
import type { PyDict } from '../py/value.js';
import { PtyScan, type PtyScanOptions, type ScanParams } from '../scan/pty-scan.js';
import type { CheckResult, CommonData, LoadResult } from '../scan/types.js';
import { toNumber } from '../scan/values.js';
import { type DatasetRef, readFloat64, refName, withFile } from './hdf5-datasets.js';
import { type FrameLayout, readFrames, readLayout } from './hdf5-frames.js';
import { HDF5_LOADER_PARAMS } from './hdf5-loader-params.js';
import {
  type Corrections,
  frameCorrection,
  type LoaderRefs,
  loaderRefs,
  recordedGeometry,
  shapeError,
  subTree,
} from './hdf5-loader-refs.js';

/**
 * The generic loader for beamline HDF5 files, after ptypy's `Hdf5Loader`:
 * frames from one dataset (3-D, 4-D, or a group of 3-D stacks such as an
 * Eiger master file's external links), positions from slow/fast datasets with
 * multipliers, and optionally a mask, dark and flat frames, a per-frame
 * monitor, a frame filter, and energy/distance/pixel size recorded in a file.
 *
 * Frames are read per chunk in hyperslabs; nothing reads the whole dataset.
 * Datasets compressed with gzip, LZF or bitshuffle-LZ4 are read through the
 * h5wasm-plugins filters. Corrections (`correct()`): `(data - dark) / flat`,
 * divided by the frame's monitor relative to the mean monitor, in float64,
 * negative values set to 0. `check()` counts the frames in the dataset: a
 * dataset still growing while the scan runs is not supported.
 *
 * Needs `await h5ready()` before construction (recorded values are read then).
 *
 * @example
 * ```ts
 * await h5ready();
 * const scan = new Hdf5Loader({
 *   intensities: { file: 'scan_17.h5', key: '/entry/data/data' },
 *   positions: { slow_key: '/entry/sy', fast_key: '/entry/sx', slow_multiplier: 1e-6, fast_multiplier: 1e-6 },
 *   shape: 128,
 * });
 * ```
 */
export class Hdf5Loader extends PtyScan {
  static override params = HDF5_LOADER_PARAMS;

  private readonly refs: LoaderRefs;
  private frameLayout: FrameLayout | null = null;
  /** Raw frame index of each scan frame after the filter; null: every frame, in order. */
  private selected: number[] | null | undefined;
  private corrections: Corrections | null = null;
  /** Scan indices of the frames `load()` returned last: `correct()` needs their monitor values. */
  private loadedIndices: readonly number[] = [];

  constructor(pars: ScanParams = {}, options: PtyScanOptions = {}) {
    super(pars, options);
    this.refs = loaderRefs(this.info);
  }

  /** energy, distance and psize recorded in the files (`recorded_*`), once the keys are known to be complete. */
  static override paramsFromFiles(info: PyDict): ScanParams {
    loaderRefs(info);
    return recordedGeometry(info);
  }

  /** The stored layout of the frames (read once). */
  layout(): FrameLayout {
    this.frameLayout ??= withFile(this.refs.intensities, (h5) =>
      readLayout(h5, this.refs.intensities),
    );
    return this.frameLayout;
  }

  /** Raw frame indices the scan uses (after `framefilter`), or null for all of them. */
  private selection(): number[] | null {
    if (this.selected !== undefined) return this.selected;
    const ref = this.refs.framefilter;
    if (ref === null) {
      this.selected = null;
      return null;
    }
    const values = this.perFrame(ref);
    const chosen: number[] = [];
    values.forEach((v, i) => {
      if (v !== 0) chosen.push(i);
    });
    this.selected = chosen;
    return chosen;
  }

  /** Number of frames of the scan: the stored frames the filter keeps. */
  frameCount(): number {
    return this.selection()?.length ?? this.layout().frames;
  }

  private rawIndex(index: number): number {
    return this.selection()?.[index] ?? index;
  }

  /** A dataset with one value per stored frame, flattened in C order. */
  private perFrame(ref: DatasetRef): Float64Array {
    const layout = this.layout();
    const array = withFile(ref, (h5) => readFloat64(h5, ref));
    if (array.data.length !== layout.frames) {
      shapeError(
        `${refName(ref)} has shape ${formatShape(array.shape)}, but ${refName(layout.ref)} holds ${layout.frames} frames (shape ${formatShape(layout.shape)}): ${ref.param} needs one value per frame.`,
        ref,
        `${layout.frames} values`,
        formatShape(array.shape),
      );
    }
    return array.data;
  }

  override loadCommon(): CommonData {
    // Reading the layout here reports a bad file or key at initialize(), not at the first chunk.
    this.layout();
    this.selection();
    return {};
  }

  /**
   * The mask as bool (H, W), with the pixels a flat field cannot correct
   * (0 or not finite) masked too; null when neither is given.
   */
  override loadWeight(): NdArray | null {
    const { mask: ref } = this.refs;
    const layout = this.layout();
    const [h, w] = layout.frameShape;
    const flat = this.loadCorrections().flat;
    if (ref === null && flat === null) return null;
    const good = new Uint8Array(h * w).fill(1);
    if (ref !== null) {
      const mask = withFile(ref, (h5) => readFloat64(h5, ref));
      if (!sameShape(mask.shape, [h, w])) {
        throw new FrameError(
          `The mask ${refName(ref)} has shape ${formatShape(mask.shape)}, but the frames (${refName(layout.ref)}) are ${formatShape([h, w])}.`,
          {
            file: ref.file,
            dataset: ref.key,
            parameter: 'mask.key',
            expected: formatShape([h, w]),
            found: formatShape(mask.shape),
          },
        );
      }
      const invert = subTree(this.info, 'mask').invert === true;
      for (let i = 0; i < good.length; i++) good[i] = (mask.data[i] !== 0) !== invert ? 1 : 0;
    }
    if (flat !== null) {
      for (let i = 0; i < good.length; i++) {
        const f = flat[i]!;
        if (f === 0 || !Number.isFinite(f)) good[i] = 0;
      }
    }
    return ndarray('bool', [h, w], good);
  }

  /** `[slow * slow_multiplier, fast * fast_multiplier]` per frame, (n, 2) metres. */
  override loadPositions(): NdArray | null {
    const { slow: slowRef, fast: fastRef } = this.refs;
    if (slowRef === null || fastRef === null) return null;
    const layout = this.layout();
    const slow = withFile(slowRef, (h5) => readFloat64(h5, slowRef));
    const fast = withFile(fastRef, (h5) => readFloat64(h5, fastRef));
    const n = layout.frames;
    const block = subTree(this.info, 'positions');
    const ms = toNumber(block.slow_multiplier ?? 1, 'positions.slow_multiplier');
    const mf = toNumber(block.fast_multiplier ?? 1, 'positions.fast_multiplier');
    const grid = layout.grid;
    let at: (r: number) => [number, number];
    if (slow.data.length === n && fast.data.length === n) {
      at = (r) => [slow.data[r]!, fast.data[r]!];
    } else if (
      grid !== null &&
      slow.shape.length === 1 &&
      fast.shape.length === 1 &&
      slow.data.length === grid[0] &&
      fast.data.length === grid[1]
    ) {
      // A raster of A slow rows by B fast columns: frame a*B + b sits at (slow[a], fast[b]).
      at = (r) => [slow.data[Math.floor(r / grid[1])]!, fast.data[r % grid[1]]!];
    } else {
      const wanted =
        grid === null
          ? `${n} values each`
          : `${n} values each, or (${grid[0]},) slow and (${grid[1]},) fast axes`;
      throw new FrameError(
        `The positions do not match the frames: slow ${refName(slowRef)} has shape ${formatShape(slow.shape)}, fast ${refName(fastRef)} has shape ${formatShape(fast.shape)}, frames ${refName(layout.ref)} have shape ${formatShape(layout.shape)}; expected ${wanted}.`,
        {
          file: slowRef.file,
          dataset: `${slowRef.key}, ${fastRef.key}`,
          parameter: 'positions',
          expected: wanted,
          found: `${formatShape(slow.shape)} and ${formatShape(fast.shape)}`,
        },
      );
    }
    const count = this.frameCount();
    const out = new Float64Array(2 * count);
    for (let k = 0; k < count; k++) {
      const [y, x] = at(this.rawIndex(k));
      out[2 * k] = y * ms;
      out[2 * k + 1] = x * mf;
    }
    return ndarray('float64', [count, 2], out);
  }

  override postInitialize(): void {
    // Without positions or num_frames the stored frame count is the scan's length.
    if (this.numFrames === null) {
      this.numFrames = this.frameCount();
      this.meta.num_frames = BigInt(this.numFrames);
    }
  }

  override check(frames: number, start: number): CheckResult {
    const total = Math.min(this.frameCount(), this.numFrames ?? Number.POSITIVE_INFINITY);
    const available = Math.max(0, Math.min(frames, total - start));
    return [available, start + available >= total];
  }

  override load(indices: readonly number[]): LoadResult {
    const layout = this.layout();
    const raw = indices.map((i) => this.rawIndex(i));
    const data = withFile(layout.ref, (h5) => readFrames(h5, layout, raw));
    this.loadedIndices = indices;
    return { data };
  }

  /**
   * `(data - dark) / flat / (I0 / mean(I0))` in float64, negatives set to 0,
   * for whichever of the three are given; frames pass unchanged without them.
   */
  override correct(
    data: FrameStack,
    weights: FrameStack | null,
    _common: CommonData,
  ): { data: FrameStack; weights: FrameStack | null } {
    const { dark, flat, monitor } = this.loadCorrections();
    if (dark === null && flat === null && monitor === null) return { data, weights };
    const [n = 0, h = 0, w = 0] = data.shape;
    const size = h * w;
    if (monitor !== null && this.loadedIndices.length !== n) {
      throw new FrameError(
        `correct() got ${n} frames, but the last load() returned ${this.loadedIndices.length}.`,
        { expected: `${this.loadedIndices.length} frames`, found: String(n) },
      );
    }
    const src = data.data as ArrayLike<number | bigint>;
    const out = new Float64Array(n * size);
    for (let k = 0; k < n; k++) {
      const scale = monitor === null ? 1 : monitor[this.rawIndex(this.loadedIndices[k]!)]!;
      for (let i = 0; i < size; i++) {
        let v = Number(src[k * size + i]);
        if (dark !== null) v -= dark[i]!;
        if (flat !== null) {
          const f = flat[i]!;
          v = f === 0 || !Number.isFinite(f) ? 0 : v / f;
        }
        v /= scale;
        out[k * size + i] = Math.max(v, 0);
      }
    }
    return { data: ndarray('float64', [n, h, w], out), weights };
  }

  /** Dark, flat and monitor, read on first use. */
  private loadCorrections(): Corrections {
    if (this.corrections !== null) return this.corrections;
    const layout = this.layout();
    const frame = (ref: DatasetRef | null): Float64Array | null =>
      ref === null
        ? null
        : frameCorrection(
            withFile(ref, (h5) => readFloat64(h5, ref)),
            ref,
            layout,
          );
    this.corrections = {
      dark: frame(this.refs.dark),
      flat: frame(this.refs.flat),
      monitor: this.relativeMonitor(),
    };
    return this.corrections;
  }

  /** Monitor values divided by their mean over the frames used, by raw index. */
  private relativeMonitor(): Float64Array | null {
    const ref = this.refs.normalisation;
    if (ref === null) return null;
    const values = this.perFrame(ref);
    const count = this.frameCount();
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const r = this.rawIndex(k);
      const v = values[r]!;
      if (!(v > 0) || !Number.isFinite(v)) {
        throw new FrameError(
          `${refName(ref)}: the monitor of frame ${r} is ${v}; normalisation needs positive values.`,
          {
            file: ref.file,
            dataset: ref.key,
            parameter: 'normalisation.key',
            frame: r,
            expected: 'a positive monitor value',
            found: String(v),
          },
        );
      }
      sum += v;
    }
    const mean = sum / Math.max(1, count);
    return values.map((v) => v / mean);
  }
}
