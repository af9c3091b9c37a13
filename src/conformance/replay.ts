import type { PtyScan, ScanParams } from '../scan/pty-scan.js';
import type { AutoResult, DataPackage, Logger } from '../scan/types.js';
import type { ConformanceCase } from './case.js';
import { createCaseScan } from './case-scan.js';
import {
  type ArrayKind,
  compareData,
  compareFinal,
  compareInit,
  Difference,
  differ,
  expectError,
} from './compare.js';
import { firstDifference, type Plain } from './describe.js';
import { compareSavedFile } from './storage.js';

/** How a replay of a case departs from the strict comparison (for intended differences). */
export interface ReplayOptions {
  params?: ScanParams;
  className?: string;
  /** Array hashes not compared with the record (an intended difference changes them). */
  skip?: readonly ArrayKind[];
  /** Checks a data call instead of comparing it with the record. */
  compare?: (i: number, result: AutoResult, expected: Record<string, Plain>, scan: PtyScan) => void;
  /** Further checks of a data call, after the comparison. */
  check?: (i: number, result: DataPackage, scan: PtyScan) => void;
  /** ptypy raised at call `i` but we returned data: the note to pass with, or null to fail. */
  ptypyRaised?: (i: number, expected: Record<string, Plain>, result: AutoResult) => string | null;
  /** ptypy raised at call `i`, earlier than our (other) typed error: the note to pass with, or null. */
  laterError?: (i: number, expected: Record<string, Plain>, error: unknown) => string | null;
  /** The frozen centre differs on purpose. */
  finalWithoutCenter?: boolean;
  /** The saved frames and `info` centre differ on purpose: only the file's structure is compared. */
  savedStructureOnly?: boolean;
}

/** A documented difference from ptypy that applies to a case, and how the case is judged instead. */
export interface IntendedDifference {
  /** What the difference is, printed with the pass line. */
  note: string;
  /** Judges the case; returns extra words for the note, or throws a {@link Difference}. */
  judge(kase: ConformanceCase): string | undefined;
}

const quiet: Logger = { warn: () => {}, info: () => {} };

/**
 * Replays a case (construct, initialize, one `auto()` per recorded call)
 * and compares every step with ptypy's record, bit for bit unless `options`
 * say otherwise. Returns a note for the pass line, if any.
 */
export function replay(kase: ConformanceCase, options: ReplayOptions = {}): string | undefined {
  const init = kase.expected.init;
  let scan: PtyScan;
  try {
    scan = createCaseScan(kase, { logger: quiet }, options.params, options.className);
    scan.initialize();
  } catch (error) {
    if (typeof init.error !== 'string') throw error;
    expectError('initialize', init, error);
    return undefined;
  }
  if (typeof init.error === 'string')
    throw new Difference(`initialize: expected ${init.error}, found success`);
  compareInit(scan, init);
  const sequence: string[] = [];
  for (const [i, expected] of kase.expected.calls.entries()) {
    const frames = kase.calls[i]!;
    if (typeof expected.error === 'string') {
      let result: AutoResult;
      try {
        result = scan.auto(frames);
      } catch (error) {
        const later = options.laterError?.(i, expected, error) ?? null;
        if (later !== null) {
          scan.close();
          return later;
        }
        expectError(`call ${i}`, expected, error);
        scan.close();
        return undefined;
      }
      const note = options.ptypyRaised?.(i, expected, result) ?? null;
      scan.close();
      if (note !== null) return note;
      throw new Difference(`call ${i}: expected ${expected.error}, found ${result.msg}`);
    }
    const result = scan.auto(frames);
    sequence.push(result.msg === 'data' ? String(result.chunk.indices.length) : result.msg);
    if (typeof expected.msg === 'string') {
      differ(`call ${i}`, firstDifference(result.msg, expected.msg));
      continue;
    }
    if (options.compare !== undefined) options.compare(i, result, expected, scan);
    else compareData(i, result, expected, kase, scan, options.skip);
    if (options.check !== undefined && result.msg === 'data') options.check(i, result, scan);
  }
  if (kase.expected.final !== null)
    compareFinal(scan, sequence, kase.expected.final, options.finalWithoutCenter === true);
  scan.close();
  const notes: string[] = [];
  if (kase.params.save !== null && kase.params.save !== undefined) {
    const dfile = String(kase.params.dfile);
    const saved = compareSavedFile(
      dfile,
      kase.expected.dir,
      dfile,
      options.savedStructureOnly !== true,
    );
    differ('saved file', saved.difference);
    const save = String(kase.params.save);
    const mode = Object.hasOwn(SAVE_NOTES, save) ? SAVE_NOTES[save] : undefined;
    if (mode !== undefined) notes.push(mode);
    notes.push(...saved.notes);
  }
  return notes.length === 0 ? undefined : notes.join('; ');
}

/** The note a passing case gets for the save mode it ran with (intended difference 3). */
const SAVE_NOTES: Readonly<Record<string, string | undefined>> = {
  link: 'intended difference: link-mode chunk files are named dfile + chunk_format % n, link targets relative to the master',
};

/** One call of our own run: the message, and for data the package. */
export type OwnCall =
  | { msg: 'WAIT' | 'EOS' }
  | { msg: 'data'; result: DataPackage }
  | { msg: 'error'; error: unknown };

/**
 * Runs a case through our scan only (no record), with other parameters or
 * another class, making the recorded `auto()` calls until the first error.
 * Used where ptypy's record cannot judge an intended difference: our run is
 * then compared with another run of ours.
 */
export function ownRun(
  kase: ConformanceCase,
  params: ScanParams = kase.params as ScanParams,
  className: string = kase.harness.class,
  calls: readonly number[] = kase.calls,
): { scan: PtyScan; calls: OwnCall[] } {
  const scan = createCaseScan(kase, { logger: quiet }, params, className);
  scan.initialize();
  const out: OwnCall[] = [];
  for (const frames of calls) {
    try {
      const result = scan.auto(frames);
      out.push(result.msg === 'data' ? { msg: 'data', result } : { msg: result.msg });
    } catch (error) {
      out.push({ msg: 'error', error });
      break;
    }
  }
  scan.close();
  return { scan, calls: out };
}
