import { FrameError, ParameterError, StateError } from '../errors.js';
import { type FrameStack, formatShape, type NdArray } from '../frames/ndarray.js';
import { HUGE_PAGES } from '../native/memory.js';
import { type Communicator, getCommunicator, LoadManager } from '../parallel/index.js';
import { normalizeParams, type ParamTree, setOwn } from '../params/index.js';
import { requireSaveSettings, scanStorage } from '../ptyd/storage.js';
import type { PyDict } from '../py/value.js';
import type { ScanStorage } from '../sink/index.js';
import { ChunkMemory } from './chunk-memory.js';
import { agreeRawShape, shareOf } from './distribute.js';
import { type FrozenCenter, resolveCenter } from './geometry.js';
import { type LocalFrames, loadFrames } from './load.js';
import { type PtyScanOptions, type ScanParams, stderrLogger } from './options.js';
import { checkOutputNotInput } from './output-guard.js';
import { dataPackage } from './package.js';
import { checkGeometry, needsProcessing, squareRoi } from './prepare.js';
import {
  type ChunkContext,
  type ChunkGeometry,
  emptyChunk,
  prepareLocal,
  updateMeta,
} from './prepare-chunk.js';
import { PTYSCAN_PARAMS } from './pty-scan-params.js';
import { coversRoi, windowFor } from './row-window.js';
import { type ScanSettings, scanSettings } from './settings.js';
import {
  type AutoResult,
  type CheckResult,
  type CommonData,
  type DataPackage,
  EOS,
  type LoadResult,
  type Logger,
  type Meta,
  type RowWindow,
  type ScanProgress,
  WAIT,
} from './types.js';
import { pair, toPositions, truthy } from './values.js';

export type { PtyScanOptions, ScanParams } from './options.js';

/**
 * The base class of every scan source, following ptypy's `PtyScan`: a
 * subclass knows how to `load()` raw frames (and optionally positions,
 * a common mask, common data); the base class turns them into prepared,
 * chunked data packages, chunk by chunk, through `auto(n)`.
 *
 * @example
 * ```ts
 * class MyScan extends PtyScan {
 *   override loadPositions() { return positions; }        // (N, 2) metres
 *   override load(indices: number[]) {
 *     return { data: new Map(indices.map((i) => [i, readFrame(i)])) };
 *   }
 * }
 * const scan = new MyScan({ shape: 128, save: 'append', dfile: 'scan.ptyd' });
 * scan.initialize();
 * for (let msg = scan.auto(100); msg.msg !== 'EOS'; msg = scan.auto(100)) { ... }
 * ```
 */
export class PtyScan {
  /** The parameter tree of this class (subclasses set their own). */
  static params: ParamTree = PTYSCAN_PARAMS;
  /**
   * Whether this source reads HDF5 files (through `H5File`, which needs
   * `await h5ready()`): `createScan` loads h5wasm before it builds the scan
   * when it does. A source that reads none says false, and a run that also
   * saves through the native addon never loads h5wasm.
   */
  static usesHdf5 = true;

  /** Every parameter, as ptypy's `info`; the centre and shape are frozen into it on the first chunk. */
  readonly info: PyDict;
  /** Meta data handed out with every chunk (ptypy's `meta`, `out['common']`). */
  readonly meta: Meta;
  /** Number of frames of the scan, once known. */
  numFrames: number | null = null;
  /** The common mask from `loadWeight()` / `loadCommon()`, if any. */
  weight2d: NdArray | null = null;
  /** Scan positions from `loadPositions()` / `loadCommon()`, if any, (N, 2) metres. */
  positionsScan: NdArray<'float64'> | null = null;
  /** Theoretical positions from the parameters, if any. */
  positionsTheory: NdArray<'float64'> | null = null;
  /** Index of the next frame to prepare. */
  framestart = 0;
  /** Number of data chunks prepared so far. */
  chunknum = 0;
  /** What `loadCommon()` returned. */
  common: CommonData = {};

  protected readonly logger: Logger;
  /** The processes this scan runs on (rank 0 checks, saves and logs). */
  readonly comm: Communicator;
  /**
   * The parameters as the scan computes with them: read once, when the scan
   * starts (`initialize()`), after the source's constructor has set what it
   * sets in `info` (as ptypy's sources do).
   */
  private typed!: ScanSettings;
  private readonly loadManager: LoadManager;
  /** Where chunks go: the given sink, else the `.ptyd` writer the parameters ask for. */
  private readonly storage: ScanStorage;
  private readonly memory: ChunkMemory;
  private initialized = false;
  private metaWritten = false;
  /** The centre and ROI frozen on the first chunk (or taken over from an interrupted file). */
  private frozen: { center: FrozenCenter; roi: [number, number] } | null = null;
  /** The `.ptyd` file written from `save`/`dfile`, if any. */
  private readonly output: string | null;
  /** The raw frame shape of the last chunk: with the frozen geometry, which rows the next one needs. */
  private rawShape: [number, number] | null = null;

  constructor(pars: ScanParams = {}, options: PtyScanOptions = {}) {
    const cls = this.constructor as typeof PtyScan;
    // Every problem at once, before a source reads any file; then what it reads, checked too.
    this.info = normalizeParams(cls.params, pars);
    const fromFiles = cls.paramsFromFiles(this.info, pars);
    cls.params.validate(fromFiles);
    for (const [key, value] of Object.entries(fromFiles)) {
      if (value !== undefined) setOwn(this.info, key, value);
    }
    this.logger = options.logger ?? stderrLogger;
    this.comm = options.comm ?? getCommunicator();
    this.loadManager = new LoadManager(this.comm.size);
    this.memory = new ChunkMemory(options.recycle === true, options.allocator ?? HUGE_PAGES);
    const save = options.sink === undefined ? requireSaveSettings(this.info) : null;
    this.output = save?.dfile ?? null;
    this.storage = scanStorage(options.sink, save, {
      comm: this.comm,
      logger: this.logger,
      resume: options.resume === true,
    });
    this.meta = {
      version: this.info.version ?? null,
      num_frames: null,
      label: null,
      shape: null,
      psize: null,
      energy: null,
      center: null,
      distance: null,
    };
  }

  // ---- methods a source overrides -------------------------------------------------

  /**
   * Parameters a source reads from its own files once the parameters are
   * valid (geometry.txt, values recorded in an HDF5 file, a `.ptyd` file's
   * meta); they override the parameters and are checked like them. `info`:
   * the validated parameters; `pars`: the user's own. The default reads
   * nothing.
   */
  static paramsFromFiles(_info: PyDict, _pars: ScanParams): ScanParams {
    return {};
  }

  /** Scan-wide data (a mask, positions) loaded once; the default has none. */
  loadCommon(): CommonData {
    return {};
  }

  /** The common 2-D mask/weights, raw frame shape; the default has none. */
  loadWeight(): NdArray | null {
    return null;
  }

  /** Raw frame `index`'s shape if the source knows it unloaded (the first chunk then reads only its rows). */
  frameShape(_index: number): [number, number] | null {
    return null;
  }

  /** Scan positions (N, 2) in metres, `[y, x]`; the default has none. */
  loadPositions(): NdArray | null {
    return null;
  }

  /**
   * Loads raw frames (and optionally positions and weights) for `indices`.
   * With a `window`, only those rows of each frame are used: a source may
   * return just them (saying so in `rows`), or whole frames.
   */
  load(indices: readonly number[], _window?: RowWindow): LoadResult {
    throw new StateError(
      `${this.constructor.name}.load() is not provided: a scan source must override load(indices) to return the raw frames ${indices[0]}..${indices[indices.length - 1]}.`,
    );
  }

  /**
   * How many of the next `frames` frames from `start` can be loaded now, and
   * whether the scan ends there (null lets the scan decide from `num_frames`).
   */
  check(frames: number, start: number): CheckResult {
    if (this.numFrames === null) {
      throw new ParameterError([
        {
          path: 'num_frames',
          expected: 'a frame count (num_frames, positions, or a check() override)',
          found: 'None',
        },
      ]);
    }
    return [Math.min(frames, this.numFrames - start), null];
  }

  /** Dark/flat correction hook: turns raw counts into photons. The default is the identity. */
  correct(
    data: FrameStack,
    weights: FrameStack | null,
    _common: CommonData,
  ): { data: FrameStack; weights: FrameStack | null } {
    return { data, weights };
  }

  /** Called at the end of `initialize()`. */
  postInitialize(): void {}

  /** Whether prepared frames get `add_poisson_noise`; a source whose frames already carry it says no. */
  protected addsPoissonNoise(): boolean {
    return truthy(this.info.add_poisson_noise);
  }

  /**
   * Reads the typed settings from `info` again. `initialize()` reads them
   * once; a source that fills parameters later (before the first chunk, such
   * as a live scan's late `geometry.txt`) calls this so they take effect.
   */
  protected settingsChanged(): void {
    this.typed = { ...scanSettings(this.info), addPoissonNoise: this.addsPoissonNoise() };
  }

  // ---- lifecycle -------------------------------------------------------------------

  /** Loads the common data, works out the number of frames and opens the sink. */
  initialize(): void {
    if (this.initialized) throw new StateError('initialize() was called twice on the same scan.');
    if (this.output !== null) checkOutputNotInput(this.info, this.output);
    this.settingsChanged();
    const { info, comm, typed: settings } = this;
    this.common = comm.isMaster || settings.loadParallel.common ? this.loadCommon() : {};
    // The master loads the common mask and positions once and shares them.
    const shared = comm.bcast(
      comm.isMaster
        ? {
            weight2d: this.common.weight2d ?? this.loadWeight() ?? null,
            positions: this.common.positions_scan ?? this.loadPositions() ?? null,
          }
        : null,
      0,
    ) as { weight2d: NdArray | null; positions: NdArray | null };
    this.weight2d = shared.weight2d ?? null;
    if (this.weight2d !== null && this.weight2d.shape.length !== 2) {
      throw new FrameError(
        `The common weights (loadWeight) must be a 2-D frame, found shape ${formatShape(this.weight2d.shape)}.`,
        { expected: '(h, w)', found: formatShape(this.weight2d.shape) },
      );
    }
    this.positionsTheory = settings.positionsTheory;
    // As ptypy's PtyScan sets num_frames at construction (the theory's length over the
    // parameter), a subclass may have set numFrames before initialize().
    let numFrames = this.numFrames ?? this.positionsTheory?.shape[0] ?? settings.numFrames;
    const positions = shared.positions;
    if (this.positionsTheory === null && positions !== null && positions !== undefined) {
      // Kept whole (also past num_frames, where a check() may reach), as in ptypy.
      this.positionsScan = toPositions(positions, 'loadPositions()');
      const n = this.positionsScan.shape[0]!;
      numFrames = numFrames === null || numFrames > n ? n : numFrames;
      info.positions_scan = positions; // as loadPositions() returned them (dtype, length)
    }
    this.numFrames = numFrames;
    if (info.rebin === null) info.rebin = 1n;
    if (this.weight2d !== null) info.weight2d = true;
    Object.assign(this.meta, {
      version: info.version ?? null,
      num_frames: numFrames === null ? null : BigInt(numFrames),
      label: typeof info.label === 'string' ? info.label : null,
      shape: info.shape ?? null,
      psize: info.psize ?? null,
      energy: info.energy ?? null,
      center: info.center ?? null,
      distance: info.distance ?? null,
    });
    const progress = this.storage.begin(info);
    if (progress !== null) this.restore(progress);
    this.initialized = true;
    this.postInitialize();
  }

  /**
   * Prepares the next chunk of up to `frames` frames. Returns the data
   * package, `WAIT` when fewer than `min_frames` new frames exist and the scan
   * is not over, or `EOS` once every frame was returned (and on every call after).
   */
  auto(frames: number): AutoResult {
    if (!this.initialized) throw new StateError('auto() was called before initialize().');
    if (!Number.isInteger(frames) || frames < 1) {
      throw new ParameterError([
        { path: 'auto(frames)', expected: 'a positive integer', found: String(frames) },
      ]);
    }
    const start = this.framestart;
    // Only the master asks the source how far the acquisition is.
    const [accessible, endOfScan] =
      this.comm.size === 1
        ? this.check(frames, start)
        : (this.comm.bcast(this.comm.isMaster ? [...this.check(frames, start)] : null, 0) as [
            number,
            boolean | null,
          ]);
    const eos = endOfScan ?? (this.numFrames !== null && start + accessible >= this.numFrames);
    if (accessible < this.typed.minFrames && !eos) {
      // Held chunks go to disk, and a live reader tells a waiting writer from a dead one.
      this.storage.wait();
      return WAIT;
    }
    if (eos && accessible <= 0) {
      this.storage.end(this.info);
      return EOS;
    }
    const indices = Array.from({ length: accessible }, (_, i) => start + i);
    const pkg = this.prepareChunk(indices);
    this.framestart += indices.length;
    this.chunknum += 1;
    return pkg;
  }

  /** Continues from a stored state: frames before `framestart` are not prepared again. */
  private restore(progress: ScanProgress): void {
    this.framestart = progress.framestart;
    this.chunknum = progress.chunknum;
    if (progress.chunknum === 0) return;
    this.freeze({ value: [...progress.center.value], dtype: progress.center.dtype }, progress.roi);
    Object.assign(this.meta, progress.meta);
    this.metaWritten = true;
  }

  /** Releases the sink's files and locks. */
  close(): void {
    this.storage.close();
  }

  // ---- the pipeline: load, correct, prepare, package, store -------------------------

  private prepareChunk(indices: number[]): DataPackage {
    const mine = shareOf(this.loadManager, this.comm, this.typed.loadParallel.data, indices);
    let local = mine.length > 0 ? this.loadLocal(mine) : null;
    const geometry = this.geometry(local);
    // Frames of another shape than the window expected: read whole.
    if (local !== null && !coversRoi(local.rows, geometry)) local = this.loadLocal(mine, true);
    const context: ChunkContext = {
      settings: this.typed,
      memory: this.memory,
      comm: this.comm,
      num: this.chunknum,
      positions: this.positionsTheory ?? this.positionsScan,
      theory: this.positionsTheory !== null,
    };
    const chunk =
      local === null ? emptyChunk(context, geometry) : prepareLocal(context, local, geometry);
    updateMeta(this.meta, this.typed, geometry);
    if (!this.metaWritten) this.storage.writeMeta(this.meta);
    this.storage.writeChunk(chunk);
    this.metaWritten = true;
    return dataPackage(this.meta, chunk);
  }

  /** Loads and corrects this process's frames of a chunk (only the ROI's rows, when that is known and the source can). */
  private loadLocal(indices: readonly number[], whole = false): LocalFrames {
    const seenWhole =
      whole || this.correct !== PtyScan.prototype.correct || this.typed.addPoissonNoise;
    const first = () => this.frameShape(indices[0]!);
    const window = windowFor(this.frozen, this.rawShape, this.typed, first, seenWhole);
    return loadFrames(this, indices, window, this.weight2d);
  }

  /** The raw shape agreed over the ranks, the centre and ROI (frozen on the first chunk), checked. */
  private geometry(local: LocalFrames | null): ChunkGeometry {
    const settings = this.typed;
    const rawShape = agreeRawShape(this.comm, local?.rawShape ?? null);
    const center =
      this.frozen?.center ??
      resolveCenter(settings.center, local, rawShape, this.comm, this.logger);
    const roi = this.frozen?.roi ?? squareRoi(settings.roi, rawShape);
    checkGeometry(center.value, roi, rawShape, settings.rebin);
    if (this.frozen === null) this.freeze(center, roi);
    this.rawShape = rawShape;
    const processing = needsProcessing(settings.oriented, roi, rawShape, settings.rebin);
    return { rawShape, center, roi, processing };
  }

  /** Freezes the centre and ROI, into `info` too (ptypy's frozen `center` and `shape`). */
  private freeze(center: FrozenCenter, roi: [number, number]): void {
    this.frozen = { center, roi };
    this.info.center = pair(center.dtype, center.value);
    this.info.shape = pair('int64', roi);
  }
}
