/**
 * Intended difference 14 (docs/compatibility.md): ptyscan's Hdf5LoaderFast
 * gives Hdf5Loader's numbers. ptypy's fast variant differs from its own
 * Hdf5Loader in the numbers, the dtypes (its read buffers) and the nesting of
 * positions; a case is judged by our two classes giving the same run, and by
 * ptypy's record for everything else, or by the Hdf5Loader difference that
 * also applies to the case.
 */
import { PtyscanError } from '../errors.js';
import type { ScanParams } from '../scan/pty-scan.js';
import type { ConformanceCase } from './case.js';
import { createCaseScan } from './case-scan.js';
import { compareData, Difference } from './compare.js';
import { firstDifference, type Plain, toPlain } from './describe.js';
import { type IntendedDifference, ownRun, replay } from './replay.js';
import { sameRuns } from './same-runs.js';

/** The case as an Hdf5Loader case (the same construction: ptypy's fast variant only reads differently). */
export function asLoaderCase(kase: ConformanceCase): ConformanceCase {
  return { ...kase, harness: { ...kase.harness, class: 'Hdf5Loader' } };
}

/** Record fields that show how ptypy's fast variant reads, not what. */
const FAST_DETAILS = ['data_dtype', 'weights_dtype', 'positions', 'positions_type'];

function flat(value: Plain): Plain[] {
  return Array.isArray(value) ? value.flatMap(flat) : [value];
}

/** Our construction fails the same way for both classes (or neither fails). */
function sameConstruction(kase: ConformanceCase): boolean {
  const fails = (className: string): string | null => {
    try {
      createCaseScan(kase, {}, kase.params as ScanParams, className).close();
      return null;
    } catch (error) {
      return error instanceof PtyscanError ? error.name : String(error);
    }
  };
  const fast = fails('Hdf5LoaderFast');
  if (fast !== fails('Hdf5Loader')) {
    throw new Difference(`construction: Hdf5LoaderFast and Hdf5Loader differ (${fast})`);
  }
  return fast === null;
}

/** Difference 14 for a fast case whose construction ptypy completed; `inner` applies to it as an Hdf5Loader case. */
export function fastDifference(
  kase: ConformanceCase,
  inner: IntendedDifference | null,
): IntendedDifference {
  const base = "Hdf5LoaderFast gives Hdf5Loader's numbers";
  return {
    note: inner === null ? base : `${base}; ${inner.note}`,
    judge: () => {
      const params = kase.params as ScanParams;
      const constructs = sameConstruction(kase);
      if (constructs) {
        sameRuns(
          ownRun(kase, params, 'Hdf5LoaderFast'),
          ownRun(kase, params, 'Hdf5Loader'),
          'Hdf5Loader',
        );
      }
      // Where ptypy's fast variant itself failed (an int shape, integer frames with a
      // normalisation), its record judges only the calls before, unless ours refuses earlier.
      const fastFailed = kase.expected.calls.some(
        (c) => c.error === 'TypeError' || c.error === 'UFuncTypeError',
      );
      if (inner !== null && (!fastFailed || !constructs)) return inner.judge(asLoaderCase(kase));
      return (
        replay(kase, {
          // Its other numbers move an automatic centre.
          finalWithoutCenter: kase.params.auto_center !== false,
          compare: (i, result, expected, scan) => {
            compareData(i, result, expected, kase, scan, ['data', 'mask', 'weights'], FAST_DETAILS);
            if (result.msg !== 'data') return;
            const ours = flat(toPlain(result.chunk.positions));
            const d = firstDifference(ours, flat(expected.positions ?? null));
            if (d !== null) throw new Difference(`call ${i}: positions (flattened): ${d}`);
          },
          ptypyRaised: (i, expected) =>
            `call ${i} returned data where ptypy's Hdf5LoaderFast raised ${expected.error}`,
        }) ?? 'frames, weights and positions equal to an Hdf5Loader run'
      );
    },
  };
}
