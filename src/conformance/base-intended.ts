/**
 * The intended differences of the base PtyScan corpus (docs/compatibility.md
 * 1, 2, 5 and 7), recognised from a case's parameters and record, each with
 * the check that holds ptyscan to its documented behaviour instead.
 */
import { RebinError } from '../errors.js';
import { meanMassCenter } from '../frames/index.js';
import { type FrameStack, ndarray } from '../frames/ndarray.js';
import { isNdArray } from '../py/value.js';
import type { PtyScan } from '../scan/pty-scan.js';
import type { AutoResult } from '../scan/types.js';
import type { ConformanceCase } from './case.js';
import { Difference, differ } from './compare.js';
import { firstDifference, type Plain } from './describe.js';
import { type IntendedDifference, replay } from './replay.js';

/** The raw frames of a case's first `n` scan frames and their mask (for the automatic centre). */
export type FirstFrames = (n: number) => { frames: FrameStack; mask: FrameStack | undefined };

/** The base corpus's raw frames and common mask. */
function caseFrames(kase: ConformanceCase): FirstFrames {
  return (n) => {
    const frames = kase.frames as FrameStack;
    const [, h, w] = frames.shape as [number, number, number];
    const first = ndarray(frames.dtype, [n, h, w], frames.data.subarray(0, n * h * w));
    // ptypy masks each frame with its own weights when load() gives them, else with weight2d.
    const mask =
      kase.harness.perFrameWeights && kase.weights !== null
        ? ndarray(kase.weights.dtype, [n, h, w], kase.weights.data.subarray(0, n * h * w))
        : kase.weight2d === null
          ? undefined
          : ndarray(kase.weight2d.dtype, [1, h, w], kase.weight2d.data);
    return { frames: first, mask };
  };
}

/**
 * Same chunks as ptypy, and the frozen centre is the mass centre of the
 * first chunk's raw frames (auto_center true enforced over an explicit centre).
 */
export function autoCentreCheck(raw: FirstFrames) {
  return (i: number, result: AutoResult, expected: Record<string, Plain>, scan: PtyScan) => {
    if (result.msg !== 'data')
      throw new Difference(`call ${i}: expected data, found ${result.msg}`);
    differ(`call ${i} indices`, firstDifference(result.chunk.indices, expected.indices as Plain));
    differ(
      `call ${i} data_shape`,
      firstDifference([...result.chunk.data.shape], expected.data_shape as Plain),
    );
    if (i !== 0) return;
    const { frames, mask } = raw(result.chunk.indices.length);
    const want = meanMassCenter(frames, mask);
    const frozen = scan.info.center;
    const got = isNdArray(frozen) ? Array.from(frozen.data as ArrayLike<number>, Number) : [];
    differ(`call ${i} centre`, firstDifference(got, want));
  };
}

/** ptypy raised at a call; we return data there: the note saying so. */
function returnedData(
  i: number,
  expected: Record<string, Plain>,
  result: AutoResult,
): string | null {
  return result.msg === 'data'
    ? `call ${i} returned ${result.chunk.indices.length} frames instead of ptypy's ${expected.error}`
    : null;
}

/**
 * ptypy crashed on what the intended difference handles (the ignored centre,
 * a mask of another shape, a file without positions); ptyscan went on to an incompatible rebin, which
 * ptypy checks later: the note saying so.
 */
function laterRebinError(
  i: number,
  expected: Record<string, Plain>,
  error: unknown,
): string | null {
  return error instanceof RebinError &&
    ['AssertionError', 'ValueError', 'AttributeError'].includes(String(expected.error))
    ? `call ${i} raised RebinError, which ptypy checks after its ${expected.error}`
    : null;
}

/**
 * Difference 7: where ptypy fails on an unknown scan length, the first call
 * gives the frames `check()` reports (up to the call's count), or WAIT when
 * fewer than `min_frames` are there.
 */
function openEnded(kase: ConformanceCase) {
  return (i: number, _expected: Record<string, Plain>, result: AutoResult): string | null => {
    const asked = kase.calls[i] ?? 0;
    const there = kase.reveal?.[Math.min(i, kase.reveal.length - 1)] ?? asked;
    const n = Math.max(0, Math.min(asked, there));
    const minFrames = Number(kase.params.min_frames ?? 1);
    if (result.msg === 'WAIT' && n < minFrames) return `call ${i} waits for more frames`;
    if (result.msg !== 'data') return null;
    const want = Array.from({ length: n }, (_, k) => k);
    differ(`call ${i} indices`, firstDifference(result.chunk.indices, want));
    return `call ${i} returned the ${n} frames there instead of ptypy's TypeError`;
  };
}

/** The base corpus's intended difference that applies to `kase`, or null. */
export function intendedBaseDifference(kase: ConformanceCase): IntendedDifference | null {
  if (kase.harness.class !== 'PtyScan' && kase.harness.class !== 'PtydScan') return null;
  const p = kase.params;
  // An absent centre is ptypy's default 'fftshift', an explicit centre too.
  if (p.auto_center === true && p.center !== null) {
    return {
      note: 'auto_center true enforces the automatic centre over the explicit one',
      judge: () =>
        replay(kase, {
          compare: autoCentreCheck(caseFrames(kase)),
          finalWithoutCenter: true,
          savedStructureOnly: true,
          laterError: laterRebinError,
          // ptypy failed on the explicit centre (outside the frame) or on a mask of
          // another shape (difference 2) while computing the centre it then ignores.
          ptypyRaised: (i, expected, result) =>
            expected.error === 'AssertionError' || expected.error === 'ValueError'
              ? returnedData(i, expected, result)
              : null,
        }),
    };
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
    return {
      note: 'a mask whose shape differs from the raw frames never crashes auto-centring',
      judge: () => replay(kase, { ptypyRaised: returnedData, laterError: laterRebinError }),
    };
  }
  // ptypy compares `start + accessible >= num_frames` with num_frames None.
  if (
    kase.harness.class === 'PtyScan' &&
    kase.expected.init.num_frames === null &&
    kase.expected.calls[0]?.error === 'TypeError'
  ) {
    return {
      note: 'a scan of unknown length is open-ended: the frames there are prepared, then it waits',
      judge: () => replay(kase, { ptypyRaised: openEnded(kase) }),
    };
  }
  if (kase.harness.class === 'PtydScan' && err?.error === 'AttributeError') {
    return {
      note: 'a .ptyd written without positions is readable (positions None)',
      judge: () =>
        replay(kase, {
          ptypyRaised: (i, expected, result) => {
            if (result.msg === 'data' && isNdArray(result.chunk.positions)) {
              throw new Difference(
                `call ${i}: expected positions None for a file without positions`,
              );
            }
            return returnedData(i, expected, result);
          },
          laterError: laterRebinError,
        }),
    };
  }
  return null;
}
