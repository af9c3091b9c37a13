import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PtyscanError } from '../errors.js';
import { meanMassCenter } from '../frames/index.js';
import { type FrameStack, type NdArray, ndarray } from '../frames/ndarray.js';
import { isNdArray, type PyValue } from '../py/value.js';
import { PtyScan, type PtyScanOptions, type ScanParams } from '../scan/pty-scan.js';
import type { AutoResult, CheckResult, LoadResult, Logger } from '../scan/types.js';
import { expect2 } from '../scan/values.js';
import { PtydScan } from '../sources/ptyd-scan.js';
import { type ConformanceCase, frameOf } from './case.js';
import { firstDifference, type Plain, sha256Of, toPlain, typeString } from './describe.js';
import { compareSavedFile } from './storage.js';

/** The verdict on one case. */
export type CaseResult =
  | { status: 'pass'; name: string; note?: string }
  | { status: 'fail'; name: string; reason: string }
  | { status: 'skip'; name: string; reason: string };

/** Which of our error classes stand for each Python exception ptypy raised. */
const ERROR_MATCH: Record<string, readonly string[]> = {
  AssertionError: ['CenterError', 'FrameError'],
  RuntimeError: ['RebinError'],
  ValueError: ['FrameError', 'ParameterError', 'CenterError'],
  TypeError: ['ParameterError', 'FrameError'],
  KeyError: ['MissingDataError', 'ParameterError'],
  IndexError: ['MissingDataError', 'FrameError'],
  IOError: ['FileFormatError', 'MissingDataError', 'H5Error'],
  OSError: ['FileFormatError', 'MissingDataError', 'H5Error'],
  FileNotFoundError: ['FileFormatError'],
};

class Difference extends Error {}

function differ(where: string, detail: string | null): void {
  if (detail !== null) throw new Difference(`${where}: ${detail}`);
}

/** The case's loader, exactly as the corpus README describes the harness. */
class CaseScan extends PtyScan {
  private calls = 0;
  constructor(
    private readonly kase: ConformanceCase,
    options: PtyScanOptions,
  ) {
    super(kase.params as ScanParams, options);
  }

  override loadWeight(): NdArray | null {
    const { harness } = this.kase;
    if (harness.weight2d === 'raw') return this.kase.weight2d;
    if (harness.weight2d === 'none') return null;
    const [h, w] = expect2(this.info.shape, 'shape');
    return ndarray('bool', [h, w], new Uint8Array(h * w).fill(1));
  }

  override loadPositions(): NdArray | null {
    return this.kase.harness.positions === 'load_positions' ? this.kase.positions : null;
  }

  override load(indices: readonly number[]): LoadResult {
    const { frames, positions, weights, harness } = this.kase;
    const stack = frames as FrameStack;
    const result: LoadResult = { data: new Map(indices.map((i) => [i, frameOf(stack, i)])) };
    if (harness.positions === 'load' && positions !== null) {
      result.positions = new Map(
        indices.map((i) => [i, positions.data.subarray(2 * i, 2 * i + 2)]),
      );
    }
    if (harness.perFrameWeights && weights !== null) {
      result.weights = new Map(indices.map((i) => [i, frameOf(weights, i)]));
    }
    return result;
  }

  override check(frames: number, start: number): CheckResult {
    const reveal = this.kase.reveal;
    const call = this.calls++;
    if (reveal === null) return super.check(frames, start);
    const available = reveal[Math.min(call, reveal.length - 1)]!;
    return [Math.min(frames, available - start), null];
  }
}

function expectError(where: string, expected: Record<string, Plain>, error: unknown): void {
  const pyClass = String(expected.error);
  const ours = error instanceof PtyscanError ? error.name : 'untyped';
  if (!(error instanceof PtyscanError)) {
    throw new Difference(`${where}: expected ${pyClass}, found an untyped error: ${String(error)}`);
  }
  if (!(ERROR_MATCH[pyClass] ?? []).includes(ours)) {
    throw new Difference(`${where}: expected ${pyClass}, found ${ours}: ${error.message}`);
  }
}

function compareInit(scan: PtyScan, expected: Record<string, Plain>): void {
  const weight2d = scan.weight2d;
  const found: Record<string, Plain> = {
    num_frames: scan.numFrames,
    has_weight2d: weight2d !== null,
    has_positions: scan.positionsScan !== null || scan.positionsTheory !== null,
    weight2d_shape: weight2d === null ? null : [...weight2d.shape],
    meta: toPlain(scan.meta),
    meta_types: Object.fromEntries(Object.entries(scan.meta).map(([k, v]) => [k, typeString(v)])),
  };
  differ('init', firstDifference(found, expected));
}

function compareData(
  i: number,
  result: AutoResult,
  expected: Record<string, Plain>,
  kase: ConformanceCase,
): void {
  if (result.msg !== 'data') {
    throw new Difference(
      `call ${i}: expected a chunk of ${(expected.indices as Plain[]).length} frames, found ${result.msg}`,
    );
  }
  const { chunk, common } = result;
  const mask = ndarray('bool', chunk.data.shape, new Uint8Array(chunk.data.data.length));
  const weights = chunk.weights.data as ArrayLike<number>;
  for (let k = 0; k < mask.data.length; k++) mask.data[k] = weights[k]! > 0 ? 1 : 0;
  const found: Record<string, Plain> = {
    indices: chunk.indices,
    chunk_num: chunk.num,
    common: toPlain(common),
    common_types: Object.fromEntries(Object.entries(common).map(([k, v]) => [k, typeString(v)])),
    positions: toPlain(chunk.positions as PyValue),
    positions_type: typeString(chunk.positions as PyValue),
    data_dtype: chunk.data.dtype,
    data_shape: [...chunk.data.shape],
    mask_dtype: 'bool',
    weights_dtype: chunk.weights.dtype,
    weights_shape: [...chunk.weights.shape],
    data_sha256: sha256Of(chunk.data),
    mask_sha256: sha256Of(mask),
    weights_sha256: sha256Of(chunk.weights),
  };
  const d = firstDifference(found, expected);
  if (d !== null && /sha256/.test(d)) {
    // Name the first differing pixel instead of a hash.
    const kind = d.startsWith('data') ? 'data' : d.startsWith('mask') ? 'mask' : 'weights';
    const ref = kase.expected.array(i, kind);
    const ours = kind === 'data' ? chunk.data : kind === 'mask' ? mask : chunk.weights;
    const k = Array.prototype.findIndex.call(
      ours.data,
      (v: number, j: number) => !Object.is(Number(v), Number(ref.data[j])),
    );
    throw new Difference(
      `call ${i}: ${kind}[flat ${k}]: expected ${ref.data[k]}, found ${ours.data[k]}`,
    );
  }
  differ(`call ${i}`, d);
}

/** Recognises the documented differences from ptypy by the case's parameters and outcomes. */
function intendedDifference(kase: ConformanceCase): string | null {
  const p = kase.params;
  if (p.auto_center === true && p.center !== null && p.center !== undefined) {
    return 'auto_center true enforces the automatic centre over the explicit one';
  }
  const err = kase.expected.calls.find((c) => typeof c.error === 'string');
  const rawShape = kase.frames?.shape.slice(1);
  const w2d = kase.expected.init.weight2d_shape;
  if (
    err?.error === 'ValueError' &&
    Array.isArray(w2d) &&
    rawShape !== undefined &&
    firstDifference(w2d, rawShape) !== null
  ) {
    return 'a mask whose shape differs from the raw frames never crashes auto-centring';
  }
  if (kase.harness.class === 'PtydScan' && err?.error === 'AttributeError') {
    return 'a .ptyd written without positions is readable (positions None)';
  }
  return null;
}

/**
 * Builds the scan a case describes: the case's own loader (frames, positions
 * and weights from its `raw/` folder), or PtydScan reading the case's file.
 */
export function createCaseScan(kase: ConformanceCase, options: PtyScanOptions = {}): PtyScan {
  if (kase.harness.class !== 'PtydScan') return new CaseScan(kase, options);
  const pars: ScanParams = { ...kase.params };
  // ptypy ran with the case folder as working directory.
  if (typeof pars.dfile === 'string') pars.dfile = join(kase.dir, pars.dfile);
  if (typeof pars.source === 'string' && pars.source !== 'file')
    pars.source = join(kase.dir, pars.source);
  return new PtydScan(pars, options);
}

/** Runs `body` inside a fresh empty working directory (as ptypy's save cases ran), then removes it. */
function inTempDir<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'ptyscan-case-'));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return body(dir);
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one case through our PtyScan and compares everything with ptypy's record. */
export function runCase(kase: ConformanceCase): CaseResult {
  const saving = kase.params.save !== null && kase.params.save !== undefined;
  return saving ? inTempDir(() => runInPlace(kase, true)) : runInPlace(kase, false);
}

/** The note a passing case gets for the save mode it ran with (intended difference 3). */
const SAVE_NOTES: Readonly<Record<string, string | undefined>> = {
  link: 'intended difference: link-mode chunk files are named dfile + chunk_format % n, link targets relative to the master',
};

function runInPlace(kase: ConformanceCase, saving: boolean): CaseResult {
  const name = kase.name;
  const intended = intendedDifference(kase);
  const save = String(kase.params.save);
  const linkNote = Object.hasOwn(SAVE_NOTES, save) ? SAVE_NOTES[save] : undefined;
  const warnings: string[] = [];
  const logger: Logger = { warn: (m) => warnings.push(m), info: () => {} };
  try {
    const scan = createCaseScan(kase, { logger });
    const init = kase.expected.init;
    if (typeof init.error === 'string') {
      try {
        scan.initialize();
      } catch (error) {
        expectError('initialize', init, error);
        return { status: 'pass', name };
      }
      throw new Difference(`initialize: expected ${init.error}, found success`);
    }
    scan.initialize();
    compareInit(scan, init);
    const sequence: string[] = [];
    for (const [i, expected] of kase.expected.calls.entries()) {
      const frames = kase.calls[i]!;
      if (typeof expected.error === 'string') {
        let result: AutoResult;
        try {
          result = scan.auto(frames);
        } catch (error) {
          expectError(`call ${i}`, expected, error);
          return { status: 'pass', name };
        }
        if (intended !== null && result.msg === 'data') {
          if (kase.harness.class === 'PtydScan' && isNdArray(result.chunk.positions)) {
            throw new Difference(`call ${i}: expected positions None for a file without positions`);
          }
          return {
            status: 'pass',
            name,
            note: `intended difference: ${intended}; call ${i} returned ${result.chunk.indices.length} frames instead of ptypy's ${expected.error}`,
          };
        }
        throw new Difference(`call ${i}: expected ${expected.error}, found ${result.msg}`);
      }
      const result = scan.auto(frames);
      sequence.push(result.msg === 'data' ? String(result.chunk.indices.length) : result.msg);
      if (typeof expected.msg === 'string') {
        differ(`call ${i}`, firstDifference(result.msg, expected.msg));
      } else if (intended === null) {
        compareData(i, result, expected, kase);
      } else {
        checkIntended(i, result, expected, scan, kase);
      }
    }
    if (kase.expected.final !== null)
      compareFinal(scan, sequence, kase.expected.final, intended !== null);
    scan.close();
    if (saving) {
      const dfile = String(kase.params.dfile);
      differ('saved file', compareSavedFile(dfile, kase.expected.dir, dfile));
    }
    if (intended !== null)
      return { status: 'pass', name, note: `intended difference: ${intended}` };
    return linkNote === undefined
      ? { status: 'pass', name }
      : { status: 'pass', name, note: linkNote };
  } catch (error) {
    if (error instanceof Difference) return { status: 'fail', name, reason: error.message };
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { status: 'fail', name, reason: `unexpected error: ${message}` };
  }
}

/** For the auto_center difference: same chunks, and the centre is the mass centre of the first chunk. */
function checkIntended(
  i: number,
  result: AutoResult,
  expected: Record<string, Plain>,
  scan: PtyScan,
  kase: ConformanceCase,
): void {
  if (result.msg !== 'data') throw new Difference(`call ${i}: expected data, found ${result.msg}`);
  differ(`call ${i} indices`, firstDifference(result.chunk.indices, expected.indices as Plain));
  differ(
    `call ${i} data_shape`,
    firstDifference([...result.chunk.data.shape], expected.data_shape as Plain),
  );
  if (i === 0 && kase.frames !== null) {
    const n = result.chunk.indices.length;
    const [, h, w] = kase.frames.shape as [number, number, number];
    const first = ndarray(
      kase.frames.dtype,
      [n, h, w],
      kase.frames.data.subarray(0, n * h * w),
    ) as FrameStack<'int32'>;
    const mask =
      kase.weight2d === null
        ? undefined
        : (ndarray(kase.weight2d.dtype, [1, h, w], kase.weight2d.data) as FrameStack<'bool'>);
    const want = meanMassCenter(first, mask);
    const frozen = scan.info.center;
    const got = isNdArray(frozen) ? Array.from(frozen.data as ArrayLike<number>, Number) : [];
    differ(`call ${i} centre`, firstDifference(got, want));
  }
}

function compareFinal(
  scan: PtyScan,
  sequence: string[],
  expected: Record<string, Plain>,
  intended: boolean,
): void {
  const found: Record<string, Plain> = {
    info_center: toPlain(scan.info.center ?? null),
    info_center_type: typeString(scan.info.center ?? null),
    info_shape: toPlain(scan.info.shape ?? null),
    info_shape_type: typeString(scan.info.shape ?? null),
    num_frames: scan.numFrames,
    framestart: scan.framestart,
    chunknum: scan.chunknum,
    sequence,
  };
  if (intended) {
    delete found.info_center;
    delete found.info_center_type;
    const { info_center: _c, info_center_type: _t, ...rest } = expected;
    differ('final', firstDifference(found, rest));
    return;
  }
  differ('final', firstDifference(found, expected));
}
