import { join } from 'node:path';
import { listCases, readCase } from './case.js';
import { type CaseResult, runCase } from './run-case.js';

export { type ConformanceCase, isCaseDir, listCases, readCase } from './case.js';
export { createCaseScan } from './case-scan.js';
export { type CaseResult, runCase } from './run-case.js';

/** Runs every case folder below `root` (or only `names`) and returns the verdicts in order. */
export function runCorpus(root: string, names?: readonly string[]): CaseResult[] {
  return (names ?? listCases(root)).map((name) => {
    try {
      return runCase(readCase(join(root, name), name));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { status: 'fail', name, reason: `cannot read the case: ${reason}` } as const;
    }
  });
}

/** One line per case: `pass <name>`, `fail <name>: <first difference>`, `skip <name>: <reason>`. */
export function formatResult(result: CaseResult): string {
  if (result.status === 'pass')
    return result.note ? `pass ${result.name} (${result.note})` : `pass ${result.name}`;
  return `${result.status} ${result.name}: ${result.reason}`;
}

/** The closing line: `N passed, N failed, N skipped`. */
export function formatSummary(results: readonly CaseResult[]): string {
  const count = (s: CaseResult['status']) => results.filter((r) => r.status === s).length;
  return `${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`;
}
