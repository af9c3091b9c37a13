/**
 * The intended differences of the Hdf5Loader corpus (docs/compatibility.md
 * 7 to 13), recognised from a case's parameters and ptypy's record, each
 * with the check that holds ptyscan to its documented behaviour instead:
 * where ptypy raised, ptyscan's run is compared with another run of its own
 * (with the fallback made explicit, without the filter or normalisation) or
 * with values read from the case's files independently.
 */
import { PtyscanError } from '../errors.js';
import type { FrameStack, NdArray } from '../frames/ndarray.js';
import { H5File } from '../h5/index.js';
import { isPyDict, type PyDict, PyTuple, type PyValue } from '../py/value.js';
import type { PtyScan, ScanParams } from '../scan/pty-scan.js';
import type { DataPackage } from '../scan/types.js';
import { Hdf5Loader } from '../sources/index.js';
import { autoCentreCheck, type FirstFrames } from './base-intended.js';
import type { ConformanceCase } from './case.js';
import { createCaseScan, isSourceCase } from './case-scan.js';
import { Difference } from './compare.js';
import type { Plain } from './describe.js';
import { asLoaderCase, fastDifference } from './hdf5-fast-intended.js';
import { type IntendedDifference, type OwnCall, ownRun, replay } from './replay.js';
import { sameRuns } from './same-runs.js';

function group(params: PyDict, name: string): PyDict {
  const value = params[name];
  return isPyDict(value) ? value : {};
}

function given(value: PyValue | undefined): boolean {
  return value !== null && value !== undefined;
}

/** The dataset a `<param>.file` / `.key` pair names, read from the case's raw folder. */
function dataset(params: PyDict, param: string): NdArray | null {
  const { file, key } = group(params, param);
  if (typeof file !== 'string' || typeof key !== 'string') return null;
  const h5 = H5File.open(file, 'r');
  try {
    const read = h5.readDataset(key);
    return read.dtype === 'string' ? null : read;
  } finally {
    h5.close();
  }
}

function calls(kase: ConformanceCase): Record<string, Plain>[] {
  return kase.expected.calls;
}

/** ptypy raised `pyClass` at some `auto()` call. */
function raisedInCall(kase: ConformanceCase, pyClass: string): boolean {
  return calls(kase).some((c) => c.error === pyClass);
}

/** Our scan must fail at construction or `initialize()` with a typed error the predicate accepts. */
function failsEarly(kase: ConformanceCase, ok: (e: PtyscanError) => boolean, what: string): string {
  try {
    createCaseScan(kase).initialize();
  } catch (error) {
    if (error instanceof PtyscanError && ok(error))
      return `${error.name} at initialize(): ${error.message.split('\n')[0]}`;
    throw new Difference(`initialize: expected ${what}, found ${String(error)}`);
  }
  throw new Difference(`initialize: expected ${what}, found success`);
}

/** Our run of the case with a changed parameter group. */
function runWith(
  kase: ConformanceCase,
  change: (params: PyDict) => PyDict,
): { scan: PtyScan; calls: OwnCall[] } {
  return ownRun(kase, change({ ...kase.params }) as ScanParams, kase.harness.class, [
    Number.MAX_SAFE_INTEGER,
  ]);
}

function frames(run: { calls: OwnCall[] }): DataPackage | null {
  const first = run.calls[0];
  if (first?.msg === 'error') throw first.error;
  return first?.msg === 'data' ? first.result : null;
}

function pixels(pkg: DataPackage | null, k: number): number[] {
  if (pkg === null) return [];
  const [, h = 0, w = 0] = pkg.chunk.data.shape;
  const data = pkg.chunk.data.data as ArrayLike<number | bigint>;
  return Array.from({ length: h * w }, (_, i) => Number(data[k * h * w + i]));
}

/** The value of a per-point dataset at the point of scan frame `index` (by grid or by frame, as it fits). */
function atPoint(array: NdArray, scan: Hdf5Loader, index: number): number {
  const { points, gridShape, leadShape } = scan.plan.mapping;
  const point = points[index]!;
  const size = array.data.length;
  const [coords, shape] =
    size === gridShape.reduce((a, b) => a * b, 1)
      ? [point.grid, gridShape]
      : [point.data, leadShape];
  const flat = coords.reduce((acc, c, i) => acc * shape[i]! + c, 0);
  return Number((array.data as ArrayLike<number | bigint>)[flat]);
}

/** Frame filter applied in every layout: the frames are the unfiltered run's frames whose filter value is > 0. */
function judgeFilter(kase: ConformanceCase): string {
  const filter = dataset(kase.params, 'framefilter');
  if (filter === null) throw new Difference('framefilter: cannot read the dataset');
  const ours = runWith(kase, (p) => p);
  const all = runWith(kase, (p) => ({ ...p, framefilter: {} }));
  const allScan = all.scan as Hdf5Loader;
  const kept = (frames(all)?.chunk.indices ?? []).filter((i) => atPoint(filter, allScan, i) > 0);
  const mine = frames(ours);
  const found = (mine?.chunk.indices ?? []).map((i) =>
    (ours.scan as Hdf5Loader).sourceIndex(i).join(','),
  );
  const want = kept.map((i) => allScan.sourceIndex(i).join(','));
  if (found.join(' ') !== want.join(' ')) {
    throw new Difference(`framefilter: frames ${found.join(' ')} read, expected ${want.join(' ')}`);
  }
  kept.forEach((i, k) => {
    if (pixels(mine, k).join() !== pixels(frames(all), i).join()) {
      throw new Difference(`framefilter: frame ${k} differs from unfiltered frame ${i}`);
    }
  });
  return `${found.length} of ${allScan.plan.mapping.points.length} frames kept in layout ${allScan.layout}`;
}

/** numpy-free mean and population std, enough to tell the frames the sigma test keeps. */
function meanStd(values: ArrayLike<number | bigint>): [number, number] {
  const v = Array.from(values, Number);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return [mean, Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length)];
}

/** The value range of the integer frame dtypes a quotient may wrap in. */
const INT_SPAN: Readonly<Record<string, number | undefined>> = {
  int8: 2 ** 8,
  uint8: 2 ** 8,
  int16: 2 ** 16,
  uint16: 2 ** 16,
  int32: 2 ** 32,
  uint32: 2 ** 32,
};

/** Normalisation in every layout: each frame is the unnormalised one times mean / v, or unchanged outside sigma. */
function judgeNormalisation(kase: ConformanceCase): string {
  const norm = dataset(kase.params, 'normalisation');
  if (norm === null) throw new Difference('normalisation: cannot read the dataset');
  const sigma = Number(group(kase.params, 'normalisation').sigma ?? 3);
  const [mean, std] = meanStd(norm.data as ArrayLike<number | bigint>);
  const refused = constructionError(kase);
  if (refused?.parameter === 'normalisation.key' && norm.shape.length > 2) {
    // A (C, D, k) table: ptypy indexes it with the flat frame number and the load window.
    return `${refused.name} at construction: ${refused.message.split('\n')[0]}`;
  }
  const ours = runWith(kase, (p) => p);
  const plain = runWith(kase, (p) => ({ ...p, normalisation: {} }));
  const a = frames(ours);
  const b = frames(plain);
  const scan = ours.scan as Hdf5Loader;
  let scaled = 0;
  (a?.chunk.indices ?? []).forEach((index, k) => {
    const v = atPoint(norm, scan, index);
    const inside = Math.abs(v - mean) < sigma * std;
    const want = pixels(b, k).map((x) => (inside ? (x / v) * mean : x));
    const got = pixels(a, k);
    const span = INT_SPAN[a?.chunk.data.dtype ?? ''];
    const close = got.every((g, i) => {
      // Small integer frames keep the quotient modulo their range, as numpy's cast does.
      const d = span === undefined ? g - want[i]! : ((g - want[i]!) % span) + (0 % span);
      const e = span === undefined ? Math.abs(d) : Math.min(Math.abs(d), span - Math.abs(d));
      return e <= Math.max(1, Math.abs(want[i]!) * 1e-6);
    });
    if (!close)
      throw new Difference(
        `normalisation: frame ${index} is not the unnormalised frame times ${mean} / ${v}`,
      );
    if (inside) scaled++;
  });
  return `${scaled} frames normalised in layout ${scan.layout}`;
}

/** Mask inversion of integer flags: weights are 1 where ptypy's `1 - mask` is 1 (no flag set), else 0. */
function invertedFlagsCheck(kase: ConformanceCase) {
  return (i: number, result: DataPackage): void => {
    const ours = result.chunk.weights;
    if (ours.dtype === 'bool') return;
    const ref = kase.expected.array(i, 'weights').data as ArrayLike<number | bigint>;
    const mine = ours.data as ArrayLike<number | bigint>;
    for (let k = 0; k < ref.length; k++) {
      const want = Number(ref[k]) === 1 ? 1 : 0;
      if (Number(mine[k]) !== want) {
        throw new Difference(
          `call ${i}: weights[flat ${k}]: expected ${want} (ptypy's 1 - mask is ${ref[k]}), found ${mine[k]}`,
        );
      }
    }
  };
}

/** The first frames as our loader reads and corrects them, with their weights. */
function loadedFrames(kase: ConformanceCase): FirstFrames {
  return (n) => {
    const scan = createCaseScan(kase);
    const loaded = scan.load(Array.from({ length: n }, (_, i) => i));
    scan.close();
    return { frames: loaded.data as FrameStack, mask: loaded.weights as FrameStack | undefined };
  };
}

/** True when a bounding-box value (an int or a pair) holds a negative bound. */
function hasNegative(value: PyValue | undefined): boolean {
  if (typeof value === 'bigint' || typeof value === 'number') return value < 0;
  const items = Array.isArray(value) ? value : value instanceof PyTuple ? value.items : [];
  return items.some((v) => (typeof v === 'bigint' || typeof v === 'number') && v < 0);
}

/** The typed error our loader's construction raises, or null when it constructs. */
function constructionError(kase: ConformanceCase): PtyscanError | null {
  try {
    createCaseScan(kase);
    return null;
  } catch (error) {
    return error instanceof PtyscanError ? error : null;
  }
}

/** A probe of our loader: its layout, or null when it cannot be constructed. */
function probeLayout(kase: ConformanceCase, params?: ScanParams): number | null {
  try {
    const scan = createCaseScan(kase, {}, params);
    return scan instanceof Hdf5Loader ? scan.layout : null;
  } catch {
    return null;
  }
}

/** The Hdf5Loader corpus's intended difference that applies to `kase`, or null. */
export function intendedHdf5Difference(kase: ConformanceCase): IntendedDifference | null {
  if (!isSourceCase(kase)) return null;
  const p = kase.params;
  const init = kase.expected.init;
  const initError = typeof init.error === 'string' ? init.error : null;
  // A construction error is the same for both classes: the strict comparison judges it.
  if (kase.harness.class === 'Hdf5LoaderFast' && initError === null) {
    return fastDifference(kase, intendedHdf5Difference(asLoaderCase(kase)));
  }
  const centre = p.center === undefined ? 'fftshift' : p.center;
  const firstError = calls(kase).find((c) => typeof c.error === 'string');
  // ptypy fails at the first chunk when its explicit centre is outside the frame; ours uses the
  // automatic one. A failure for any other reason is judged by the differences below.
  const centreOnly =
    firstError === undefined ||
    (firstError === calls(kase)[0] && firstError.error === 'AssertionError');
  if (
    p.auto_center === true &&
    given(centre) &&
    !given(p.shape) &&
    initError === null &&
    centreOnly &&
    constructionError(kase) === null
  ) {
    return {
      note: 'auto_center true enforces the automatic centre over the explicit one',
      judge: () =>
        replay(kase, {
          compare: autoCentreCheck(loadedFrames(kase)),
          finalWithoutCenter: true,
          ptypyRaised: (i, expected, result) =>
            result.msg === 'data'
              ? `call ${i} returned ${result.chunk.indices.length} frames around the automatic centre where ptypy's explicit one raised ${expected.error}`
              : null,
        }),
    };
  }
  const pos = group(p, 'positions');
  if (!given(pos.file) && given(group(p, 'intensities').file) && initError === 'RuntimeError') {
    return {
      note: 'positions.file falls back to intensities.file, as documented',
      judge: () => {
        const fallback = { ...pos, file: group(p, 'intensities').file ?? null };
        sameRuns(
          ownRun(kase),
          ownRun(kase, { ...p, positions: fallback } as ScanParams),
          'positions.file given',
        );
        return 'the same run as with positions.file = intensities.file';
      },
    };
  }
  // ptypy ignores an order whose largest index is past the selection (and wraps negative ones);
  // ours refuses both, so the record shows success where our construction fails.
  if (given(group(p, 'frameorder').indices) && initError === null) {
    const refused = constructionError(kase);
    if (refused?.parameter === 'frameorder.indices') {
      return {
        note: 'a frame order index outside the selected frames is an error at initialize() (ptypy ignores the order)',
        judge: () =>
          failsEarly(
            kase,
            (e) => e.parameter === 'frameorder.indices',
            'an error naming frameorder.indices',
          ),
      };
    }
  }
  const box = isPyDict(pos.bounding_box) ? pos.bounding_box : {};
  // ptypy fails late (IndexError past the end) or wraps a negative bound; ours refuses both at
  // construction. An IndexError we do not refuse early has another cause, judged below.
  const refusedBox =
    (given(box.slow_axis_bounds) || given(box.fast_axis_bounds)) &&
    initError === null &&
    (raisedInCall(kase, 'IndexError') ||
      [box.slow_axis_bounds, box.fast_axis_bounds].some(hasNegative)) &&
    constructionError(kase)?.parameter?.startsWith('positions.bounding_box') === true;
  if (refusedBox) {
    return {
      note: 'a bounding box past the scan or below 0 is an error at initialize() (ptypy fails at the chunk that reaches past it; a negative bound counts from the end until index -1 reads nothing)',
      judge: () =>
        failsEarly(
          kase,
          (e) => e.parameter?.startsWith('positions.bounding_box') === true,
          'an error naming the bounding box',
        ),
    };
  }
  const firstCall = calls(kase)[0]?.error;
  if (
    given(p.shape) &&
    p.auto_center !== true &&
    (firstCall === 'AssertionError' ||
      (typeof firstCall === 'string' && constructionError(kase)?.name === 'CenterError'))
  ) {
    return {
      note: 'a load window starting outside the frame is an error at initialize() (ptypy reads empty frames and fails at the first chunk)',
      judge: () =>
        failsEarly(
          kase,
          (e) => e.name === 'CenterError' && e.parameter === 'center',
          'a CenterError naming center',
        ),
    };
  }
  const ptypyFailed = initError !== null || calls(kase).some((c) => typeof c.error === 'string');
  const filter = given(group(p, 'framefilter').key);
  const norm = given(group(p, 'normalisation').key);
  // In layouts 3 to 5 ptypy's normalisation indexes the dataset with the flat frame number:
  // it raises, or (a window on a (C, D, k) table) silently scales by an unrelated value or not at all.
  const useFilter = filter && ptypyFailed;
  // Both refusing at construction is judged by the strict comparison.
  const bothRefuse = initError !== null && constructionError(kase) !== null;
  if ((useFilter || norm) && !bothRefuse) {
    // Without the normalisation when ours refuses its shape (the layout is the scan's own).
    const layout =
      probeLayout(kase) ??
      (norm ? probeLayout(kase, { ...p, normalisation: {} } as ScanParams) : null);
    if (layout !== null && layout >= 3) {
      return useFilter
        ? { note: 'the frame filter works in every layout', judge: judgeFilter }
        : { note: 'the normalisation works in every layout', judge: judgeNormalisation };
    }
  }
  if (group(p, 'mask').invert === true) {
    const mask = dataset(p, 'mask');
    const ints = mask !== null && mask.dtype !== 'bool' && !mask.dtype.startsWith('float');
    const values = mask === null ? [] : Array.from(mask.data as ArrayLike<number | bigint>, Number);
    if (ints && values.some((v) => v !== 0 && v !== 1)) {
      return {
        note: "mask.invert of an integer flag mask marks every pixel with a flag bad (ptypy's 1 - mask wraps them into good)",
        judge: () => replay(kase, { skip: ['mask', 'weights'], check: invertedFlagsCheck(kase) }),
      };
    }
  }
  return null;
}
