import { FrameError, MissingDataError, ParameterError, StateError } from '../errors.js';
import type { DType, NumberDType } from '../frames/dtype.js';
import {
  addPoissonNoise,
  type Orientation,
  orientationFlags,
  orientCenter,
  translateToPix,
} from '../frames/index.js';
import {
  type FrameStack,
  formatShape,
  type NdArray,
  ndarray,
  repeatedRows,
  repeatOf,
  sameShape,
} from '../frames/ndarray.js';
import { type Communicator, getCommunicator, LoadManager } from '../parallel/index.js';
import { normalizeParams, type ParamTree, setOwn } from '../params/index.js';
import { requireSaveSettings, scanStorage } from '../ptyd/storage.js';
import { isNdArray, type PyDict, type PyValue } from '../py/value.js';
import type { ScanStorage } from '../sink/index.js';
import { agreeRawShape, distributedMassCenter } from './distribute.js';
import {
  checkCenterInside,
  checkRebin,
  needsProcessing,
  type PrepareMemory,
  prepareFrames,
  squareRoi,
} from './prepare.js';
import { PTYSCAN_PARAMS } from './pty-scan-params.js';
import {
  type AutoResult,
  type CheckResult,
  type Chunk,
  type CommonData,
  type DataPackage,
  EOS,
  type FrameRecord,
  type LoadResult,
  type Logger,
  type Meta,
  type ScanProgress,
  type ScanSink,
  WAIT,
} from './types.js';
import {
  allInts,
  expect2,
  pair,
  sequenceItems,
  toInt,
  toNumber,
  toOptionalInt,
  toPositions,
  truthy,
} from './values.js';

/** Options of a scan that are not ptypy parameters: where effects go. */
export interface PtyScanOptions {
  /** Receives warnings; defaults to stderr. */
  logger?: Logger;
  /** Where prepared chunks are stored besides being returned (e.g. a `.ptyd` writer). */
  sink?: ScanSink | null;
  /** Continue the interrupted link/merge-mode file in `dfile` from its last complete chunk. */
  resume?: boolean;
  /** The processes sharing the work; default: MPI ranks under mpirun, else this process alone. */
  comm?: Communicator;
  /**
   * The caller is done with a chunk's arrays when it calls `auto()` again (as
   * `ptyscan prepare` is): the next chunk's data is then prepared into the
   * same memory instead of fresh memory, which is slow to touch on some
   * machines. Off by default: ptypy's chunks stay valid for good.
   */
  recycle?: boolean;
}

/** User parameters: a subset of the class's parameter tree. */
export type ScanParams = Record<string, PyValue | undefined>;

const stderrLogger: Logger = {
  warn: (message) => process.stderr.write(`ptyscan: warning: ${message}\n`),
  info: () => {},
};

/** The centre resolved on the first chunk, with the dtype ptypy would give it. */
interface FrozenCenter {
  value: [number, number];
  dtype: 'int64' | 'float64';
}

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
  private readonly loadManager: LoadManager;
  /** Where chunks go: given as `sink`, else the `.ptyd` writer the parameters ask for. */
  private readonly storage: ScanStorage;
  private initialized = false;
  private metaWritten = false;
  private center: FrozenCenter | null = null;
  private readonly recycle: boolean;
  /** Memory the next chunk may be prepared into (see {@link PtyScanOptions.recycle}). */
  private memory: PrepareMemory = {};

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
    this.recycle = options.recycle === true;
    const save = options.sink === undefined ? requireSaveSettings(this.info) : null;
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

  /** Scan positions (N, 2) in metres, `[y, x]`; the default has none. */
  loadPositions(): NdArray | null {
    return null;
  }

  /** Loads raw frames (and optionally positions and weights) for `indices`. */
  load(indices: readonly number[]): LoadResult {
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

  // ---- lifecycle -------------------------------------------------------------------

  /** Loads the common data, works out the number of frames and opens the sink. */
  initialize(): void {
    if (this.initialized) throw new StateError('initialize() was called twice on the same scan.');
    const info = this.info;
    const { comm } = this;
    const parallelCommon = info.load_parallel === 'common' || info.load_parallel === 'all';
    this.common = comm.isMaster || parallelCommon ? this.loadCommon() : {};
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
    const weight2d = shared.weight2d;
    const positions = shared.positions;
    this.weight2d = weight2d ?? null;
    if (this.weight2d !== null && this.weight2d.shape.length !== 2) {
      throw new FrameError(
        `The common weights (loadWeight) must be a 2-D frame, found shape ${formatShape(this.weight2d.shape)}.`,
        { expected: '(h, w)', found: formatShape(this.weight2d.shape) },
      );
    }
    const numFramesParam = toOptionalInt(info.num_frames, 'num_frames');
    let numFrames = numFramesParam;
    if (info.positions_theory !== null && info.positions_theory !== undefined) {
      this.positionsTheory = toPositions(info.positions_theory, 'positions_theory');
      numFrames = this.positionsTheory.shape[0]!;
    } else if (positions !== null && positions !== undefined) {
      const all = toPositions(positions, 'loadPositions()');
      const n = all.shape[0]!;
      numFrames = numFrames === null || numFrames > n ? n : numFrames;
      this.positionsScan = ndarray('float64', [numFrames, 2], all.data.slice(0, 2 * numFrames));
    }
    this.numFrames = numFrames;
    if (info.rebin === null) info.rebin = 1n;
    if (this.weight2d !== null) info.weight2d = true;
    if (this.positionsScan !== null) info.positions_scan = this.positionsScan;
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
    const minFrames = toInt(this.info.min_frames, 'min_frames');
    if (accessible < minFrames && !eos) {
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
    this.center = { value: [...progress.center.value], dtype: progress.center.dtype };
    this.info.center = pair(progress.center.dtype, progress.center.value);
    this.info.shape = pair('int64', progress.roi);
    Object.assign(this.meta, progress.meta);
    this.metaWritten = true;
  }

  /** Releases the sink's files and locks. */
  close(): void {
    this.storage.close();
  }

  // ---- the pipeline --------------------------------------------------------------

  /** The frames of a chunk this process loads: its LoadManager share, or all of them on the master. */
  private localIndices(indices: readonly number[]): number[] {
    const shares = this.loadManager.assign(indices);
    const parallelData = this.info.load_parallel === 'data' || this.info.load_parallel === 'all';
    if (!parallelData) return this.comm.isMaster ? [...indices] : [];
    return (shares[this.comm.rank] ?? []).map((p) => indices[p]!);
  }

  /** Loads and corrects this process's frames of a chunk. */
  private loadLocal(indices: readonly number[]): LocalFrames {
    const loaded = this.load(indices);
    const raw = toStack(loaded.data, indices, 'data');
    const perFrameWeights =
      loaded.weights === undefined ? null : toStack(loaded.weights, indices, 'weights');
    const corrected = this.correct(raw, perFrameWeights, this.common);
    const data = corrected.data;
    assertNumeric(data, 'data');
    const rawShape: [number, number] = [data.shape[1]!, data.shape[2]!];
    const weights = corrected.weights ?? this.commonWeights(rawShape);
    assertNumeric(weights, 'weights');
    const scratch = loaded.scratch === true ? raw.data.buffer : null;
    return { indices, data, weights, rawShape, positions: loaded.positions, scratch };
  }

  private prepareChunk(indices: number[]): DataPackage {
    const mine = this.localIndices(indices);
    const local = mine.length > 0 ? this.loadLocal(mine) : null;
    const rawShape = agreeRawShape(this.comm, local?.rawShape ?? null);
    const center = this.center ?? this.resolveCenter(local, rawShape);
    const roi = squareRoi(this.roiParam(), rawShape);
    const rebin = toOptionalInt(this.info.rebin, 'rebin') ?? 1;
    checkCenterInside(center.value, rawShape);
    checkRebin(rebin, roi);
    if (this.center === null) {
      this.center = center;
      this.info.center = pair(center.dtype, center.value);
      this.info.shape = pair('int64', roi);
    }

    const orientation = this.orientation();
    const processing = needsProcessing(truthy(this.info.orientation), roi, rawShape, rebin);
    // ptypy's rebinned mask compares with the maximum over the whole chunk: combine it over ranks.
    const combineMax =
      processing && rebin !== 1 && this.comm.size > 1
        ? (localMax: number) => this.comm.allreduce(localMax, 'max')
        : undefined;
    let chunk: Chunk;
    if (local !== null) {
      let data = local.data;
      if (truthy(this.info.add_poisson_noise)) data = addPoissonNoise(data);
      let outData: FrameStack = data;
      let outWeights: FrameStack = local.weights;
      if (processing) {
        const prepared = prepareFrames(
          data,
          local.weights,
          { roi, center: center.value, orientation, rebin },
          combineMax,
          this.memory,
        );
        outData = prepared.data;
        outWeights = prepared.weights;
        // The intermediate is ours alone; the output is the caller's until its next auto().
        this.memory = {
          ...(prepared.intermediate === undefined ? {} : { intermediate: prepared.intermediate }),
          ...(this.recycle && outData !== data ? { output: outData.data } : {}),
        };
      }
      if (local.scratch !== null && outData.data.buffer === local.scratch) {
        outData = ndarray(outData.dtype, outData.shape, outData.data.slice());
      }
      chunk = withCommonWeights(
        {
          num: this.chunknum,
          indices: mine,
          data: outData,
          positions: this.chunkPositions(mine, local.positions),
        },
        outWeights,
      );
    } else {
      combineMax?.(Number.NEGATIVE_INFINITY);
      const [h, w] = preparedShape(roi, orientation, rebin, processing, rawShape);
      chunk = {
        num: this.chunknum,
        indices: [],
        data: ndarray('float64', [0, h, w]),
        weights: ndarray('bool', [0, h, w]),
        positions: [],
      };
    }

    const geometry = preparedGeometry(center.value, roi, orientation, rebin, processing);
    this.meta.shape = pair('int64', geometry.shape);
    this.meta.center = pair('float64', geometry.center);
    this.meta.psize =
      this.info.psize === null
        ? null
        : pair(
            'float64',
            expect2(this.info.psize, 'psize').map((p) => p * rebin) as [number, number],
          );

    if (!this.metaWritten) this.storage.writeMeta(this.meta);
    this.storage.writeChunk(chunk);
    this.metaWritten = true;
    return {
      msg: 'data',
      common: this.meta,
      chunk,
      iterable: iterableOf(chunk, commonMask(chunk)),
    };
  }

  /** Weights when `load()` gave none: the common mask, else ones (float64) of the raw shape. */
  private commonWeights(rawShape: readonly [number, number]): FrameStack {
    if (this.weight2d !== null) {
      const [h, w] = this.weight2d.shape as [number, number];
      return ndarray(this.weight2d.dtype, [1, h, w], this.weight2d.data);
    }
    const ones = new Float64Array(rawShape[0] * rawShape[1]).fill(1);
    return ndarray('float64', [1, rawShape[0], rawShape[1]], ones);
  }

  /**
   * The optical axis on the raw frames. The automatic centre (mean mass centre
   * of the first chunk) is used when `center` is None and `auto_center` is not
   * False, and always when `auto_center` is True: that is what ptypy documents
   * ("enforced"), although ptypy itself then keeps an explicit centre.
   */
  private resolveCenter(local: LocalFrames | null, rawShape: [number, number]): FrozenCenter {
    const param = this.info.center;
    const autoCenter = this.info.auto_center;
    const useAuto = autoCenter === true || (param === null && autoCenter !== false);
    if (useAuto) {
      let mask: FrameStack | undefined = local?.weights;
      if (local !== null && mask !== undefined) {
        const weightShape = [mask.shape[1]!, mask.shape[2]!];
        if (!sameShape(weightShape, rawShape)) {
          this.logger.warn(
            `the mask has shape ${formatShape(weightShape)} but the raw frames are ${formatShape(rawShape)}: the automatic centre is computed from the unmasked frames.`,
          );
          mask = undefined;
        }
      }
      const value = distributedMassCenter(
        this.comm,
        local?.indices ?? [],
        local?.data ?? null,
        mask,
      );
      return { value, dtype: 'float64' };
    }
    if (typeof param === 'string') {
      if (param !== 'fftshift' && param !== 'geometric' && param !== 'fft') {
        throw new ParameterError([
          { path: 'center', expected: "'fftshift', 'geometric', 'fft' or a pair", found: param },
        ]);
      }
      return { value: translateToPix(rawShape, param), dtype: 'float64' };
    }
    if (param === null) {
      return {
        value: [Math.floor(rawShape[0] / 2), Math.floor(rawShape[1] / 2)],
        dtype: 'int64',
      };
    }
    return { value: expect2(param, 'center'), dtype: allInts(param) ? 'int64' : 'float64' };
  }

  private roiParam(): number | [number, number] | null {
    const shape = this.info.shape;
    if (shape === null || shape === undefined) return null;
    if (sequenceItems(shape) === null) return toInt(shape, 'shape');
    const [a, b] = expect2(shape, 'shape');
    return [a, b];
  }

  private orientation(): Orientation {
    const o = this.info.orientation;
    if (o === null || o === undefined) return null;
    const items = sequenceItems(o);
    if (items === null) return toInt(o, 'orientation');
    if (items.length !== 3) {
      throw new ParameterError([
        {
          path: 'orientation',
          expected: 'an int 0..7 or a (transpose, flipud, fliplr) triple',
          found: `a sequence of ${items.length}`,
        },
      ]);
    }
    return [truthy(items[0]), truthy(items[1]), truthy(items[2])];
  }

  /** Positions of a chunk: from `load()`, else the theory, else the scan positions, else None. */
  private chunkPositions(
    indices: readonly number[],
    fromLoad: ReadonlyMap<number, ArrayLike<number>> | undefined,
  ): NdArray<'float64'> | null[] {
    const out = new Float64Array(indices.length * 2);
    if (fromLoad !== undefined && fromLoad.size > 0) {
      indices.forEach((index, k) => {
        const p = fromLoad.get(index);
        if (p === undefined || p.length !== 2) {
          throw new FrameError(
            `load() returned positions for some frames but ${p === undefined ? 'none' : `${p.length} values`} for frame ${index}.`,
            {
              frame: index,
              expected: 'a [y, x] position for every frame',
              found: String(p?.length ?? 'none'),
            },
          );
        }
        out[2 * k] = toNumber(p[0], `positions[${index}][0]`);
        out[2 * k + 1] = toNumber(p[1], `positions[${index}][1]`);
      });
      return ndarray('float64', [indices.length, 2], out);
    }
    const table = this.positionsTheory ?? this.positionsScan;
    const rows = table?.shape[0] ?? 0;
    if (table === null || indices.some((i) => i >= rows)) return indices.map(() => null);
    indices.forEach((index, k) => {
      out[2 * k] = table.data[2 * index]!;
      out[2 * k + 1] = table.data[2 * index + 1]!;
    });
    return ndarray('float64', [indices.length, 2], out);
  }
}

/** One process's share of a chunk, loaded and corrected. */
interface LocalFrames {
  indices: readonly number[];
  data: FrameStack<NumberDType>;
  weights: FrameStack<NumberDType>;
  rawShape: [number, number];
  positions: ReadonlyMap<number, ArrayLike<number>> | undefined;
  /** The memory of a stack `load()` will overwrite (`LoadResult.scratch`), else null. */
  scratch: ArrayBufferLike | null;
}

/**
 * Centre and shape of the prepared frames, from the geometry alone: cropping
 * puts the centre at `roi // 2`, orientation moves it, rebinning divides it.
 * Without processing the centre stays where it was found (unrounded).
 */
function preparedGeometry(
  center: readonly [number, number],
  roi: [number, number],
  orientation: Orientation,
  rebin: number,
  processing: boolean,
): { center: [number, number]; shape: [number, number] } {
  if (!processing) return { center: [center[0], center[1]], shape: roi };
  const flags = orientationFlags(orientation);
  const [c0, c1] = orientCenter([Math.floor(roi[0] / 2), Math.floor(roi[1] / 2)], roi, flags);
  const shape = preparedShape(roi, orientation, rebin, processing, roi);
  return { center: [c0 / rebin, c1 / rebin], shape };
}

function preparedShape(
  roi: [number, number],
  orientation: Orientation,
  rebin: number,
  processing: boolean,
  rawShape: [number, number],
): [number, number] {
  if (!processing) return rawShape;
  const [h, w] = orientationFlags(orientation).transpose ? [roi[1], roi[0]] : roi;
  return [h / rebin, w / rebin];
}

function assertNumeric(stack: FrameStack, what: string): asserts stack is FrameStack<NumberDType> {
  if (stack.dtype === 'int64' || stack.dtype === 'uint64') {
    throw new FrameError(
      `${what}: 64-bit integer frames are not supported; convert them to float64.`,
      {
        expected: 'int8..int32, uint8..uint32, float32, float64 or bool',
        found: stack.dtype,
      },
    );
  }
}

/** Turns what `load()` returned into one (n, h, w) stack in index order, checking every frame. */
function toStack(
  source: FrameStack | ReadonlyMap<number, NdArray>,
  indices: readonly number[],
  what: string,
): FrameStack {
  if (!(source instanceof Map)) {
    const stack = source as FrameStack;
    if (stack.shape.length !== 3 || stack.shape[0] !== indices.length) {
      throw new FrameError(
        `load() returned ${what} of shape ${formatShape(stack.shape)} for ${indices.length} frames.`,
        { expected: `(${indices.length}, h, w)`, found: formatShape(stack.shape) },
      );
    }
    return stack;
  }
  const frames = source as ReadonlyMap<number, NdArray>;
  const first = frames.get(indices[0]!);
  if (first === undefined) return missing(what, indices[0]!);
  if (first.shape.length !== 2) {
    throw new FrameError(
      `load() returned ${what} for frame ${indices[0]} of shape ${formatShape(first.shape)}.`,
      {
        frame: indices[0]!,
        expected: '(h, w)',
        found: formatShape(first.shape),
      },
    );
  }
  const [h, w] = first.shape as [number, number];
  const dtype: DType = first.dtype;
  const out = ndarray(dtype, [indices.length, h, w]);
  const target = out.data as { set(src: ArrayLike<number | bigint>, offset: number): void };
  for (const [k, index] of indices.entries()) {
    const frame = frames.get(index);
    if (frame === undefined) missing(what, index);
    if (!sameShape(frame.shape, first.shape) || frame.dtype !== dtype) {
      throw new FrameError(
        `Frame ${index} has ${what} of shape ${formatShape(frame.shape)} ${frame.dtype}, but frame ${indices[0]} of the same chunk has ${formatShape(first.shape)} ${dtype}.`,
        {
          frame: index,
          expected: `${formatShape(first.shape)} ${dtype}`,
          found: `${formatShape(frame.shape)} ${frame.dtype}`,
        },
      );
    }
    target.set(frame.data as ArrayLike<number | bigint>, k * h * w);
  }
  return out;
}

function missing(what: string, index: number): never {
  throw new MissingDataError(`load() returned no ${what} for frame ${index}.`, {
    frame: index,
    expected: `${what} for every requested index`,
    found: 'nothing',
  });
}

/**
 * A chunk whose `weights` may be one frame shared by every frame (the common
 * mask). The `(n, h, w)` stack ptypy's chunk holds is then made on first use
 * only (by a caller that reads it; a sink writing with the native HDF5 addon
 * never does): repeating the mask costs fresh memory that a reconstruction
 * reading the iterable never needs.
 */
function withCommonWeights(fields: Omit<Chunk, 'weights'>, weights: FrameStack): Chunk {
  const n = fields.indices.length;
  if (weights.shape[0] === n) return { ...fields, weights };
  if (weights.shape[0] !== 1) {
    throw new FrameError(`Cannot spread ${weights.shape[0]} weight frames over ${n} data frames.`, {
      expected: `1 or ${n} weight frames`,
      found: String(weights.shape[0]),
    });
  }
  return { ...fields, weights: repeatedRows(weights, n) };
}

/** `weights > 0` of a chunk's shared weight frame, or null when every frame has its own weights. */
function commonMask(chunk: Chunk): Uint8Array | null {
  const shared = repeatOf(chunk.weights);
  if (shared === undefined) return null;
  const weights = shared.data as ArrayLike<number>;
  const mask = new Uint8Array(weights.length);
  for (let i = 0; i < mask.length; i++) mask[i] = weights[i]! > 0 ? 1 : 0;
  return mask;
}

/**
 * Per-frame records (views into the chunk's stacks) with `mask = weights > 0`.
 * With a common mask every record shows the same mask array.
 */
function iterableOf(chunk: Chunk, shared: Uint8Array | null): FrameRecord[] {
  const [n, h, w] = chunk.data.shape as [number, number, number];
  const size = h * w;
  let mask = shared;
  if (mask === null) {
    mask = new Uint8Array(n * size);
    const weights = chunk.weights.data as ArrayLike<number>;
    for (let i = 0; i < mask.length; i++) mask[i] = weights[i]! > 0 ? 1 : 0;
  }
  const perFrame = shared === null;
  const positions = chunk.positions;
  return chunk.indices.map((index, k) => ({
    index,
    data: ndarray(chunk.data.dtype, [h, w], chunk.data.data.subarray(k * size, (k + 1) * size)),
    mask: ndarray('bool', [h, w], perFrame ? mask.subarray(k * size, (k + 1) * size) : mask),
    position: isNdArray(positions) ? positions.data.subarray(2 * k, 2 * k + 2) : null,
  }));
}
