import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type FrameStack, type NdArray, ndarray } from '../frames/ndarray.js';
import type { PyDict } from '../py/value.js';
import { PtyScan, type PtyScanOptions, type ScanParams } from '../scan/pty-scan.js';
import type { CheckResult, LoadResult } from '../scan/types.js';
import { expect2 } from '../scan/values.js';
import { getSource, PtydScan } from '../sources/index.js';
import { type ConformanceCase, frameOf } from './case.js';

/** The base corpus's loader, exactly as its README describes the harness. */
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
    // ptypy's default load_weight(): ones of the ROI shape, None without a shape.
    if (this.info.shape === null || this.info.shape === undefined) return null;
    const [h, w] = expect2(this.info.shape, 'shape');
    return ndarray('bool', [h, w], new Uint8Array(h * w).fill(1));
  }

  override loadPositions(): NdArray | null {
    return this.kase.harness.positions === 'load_positions' ? this.kase.positions : null;
  }

  /** ptypy's `has_positions`: loadPositions() gave at least one position (also when positions_theory wins). */
  loadedPositions(): boolean {
    const positions = this.loadPositions();
    return positions !== null && (positions.shape[0] ?? 0) > 0;
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

/** True for a case run by a registered source (the Hdf5Loader corpus), not by the base corpus's own loader. */
export function isSourceCase(kase: ConformanceCase): boolean {
  return kase.harness.class !== 'PtyScan' && kase.harness.class !== 'PtydScan';
}

/**
 * Builds the scan a case describes: the base corpus's loader (frames,
 * positions and weights from its `raw/` folder), PtydScan reading the case's
 * file, or the registered source the harness names (e.g. `Hdf5Loader`),
 * which reads `raw/...` relative to the working folder (see {@link inCaseFolder}).
 * `params` replaces the case's parameters; `className` its class.
 */
export function createCaseScan(
  kase: ConformanceCase,
  options: PtyScanOptions = {},
  params: ScanParams = kase.params as ScanParams,
  className: string = kase.harness.class,
): PtyScan {
  if (className === 'PtyScan') return new CaseScan({ ...kase, params: params as PyDict }, options);
  if (className !== 'PtydScan') return new (getSource(className))(params, options);
  const pars: ScanParams = { ...params };
  // ptypy ran with the case folder as working directory.
  if (typeof pars.dfile === 'string') pars.dfile = resolve(kase.dir, pars.dfile);
  if (typeof pars.source === 'string' && pars.source !== 'file')
    pars.source = resolve(kase.dir, pars.source);
  return new PtydScan(pars, options);
}

/**
 * Runs `body` inside a fresh working folder, then removes it: empty for the
 * base corpus's save cases (as ptypy's ran), holding a `raw` link to the
 * case's raw folder for source cases (ptypy ran them where `raw/...` paths
 * resolve, and saved `out.ptyd` beside it).
 */
export function inCaseFolder<T>(kase: ConformanceCase, body: () => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'ptyscan-case-'));
  if (isSourceCase(kase)) symlinkSync(resolve(kase.dir, 'raw'), join(dir, 'raw'), 'dir');
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return body();
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}
