import type { ConformanceCase } from './case.js';
import type { IntendedDifference } from './replay.js';

export function intendedHdf5Difference(_kase: ConformanceCase): IntendedDifference | null {
  return null;
}
