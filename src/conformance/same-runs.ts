import type { PtyScan } from '../scan/pty-scan.js';
import { Difference, describeCall } from './compare.js';
import { firstDifference } from './describe.js';
import type { OwnCall } from './replay.js';

/**
 * Checks that two runs of ours give the same messages and, for every data
 * call, the same record (indices, meta, positions, dtypes, shapes and the
 * hashes of data, mask and weights). `other` names the second run in messages.
 */
export function sameRuns(
  a: { scan: PtyScan; calls: OwnCall[] },
  b: { scan: PtyScan; calls: OwnCall[] },
  other: string,
): void {
  const n = Math.max(a.calls.length, b.calls.length);
  for (let i = 0; i < n; i++) {
    const x = a.calls[i];
    const y = b.calls[i];
    if (x?.msg === 'error') throw x.error;
    if (x?.msg !== y?.msg) {
      throw new Difference(
        `call ${i}: ${x?.msg ?? 'no call'} here, ${y?.msg ?? 'no call'} with ${other}`,
      );
    }
    if (x?.msg !== 'data' || y?.msg !== 'data') continue;
    const d = firstDifference(describeCall(x.result, a.scan), describeCall(y.result, b.scan));
    if (d !== null) throw new Difference(`call ${i} differs from the run with ${other}: ${d}`);
  }
}
