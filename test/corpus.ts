import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The ptypy conformance corpus, read in place from `../shared` beside the project. */
export const CASES = fileURLToPath(
  new URL('../../shared/conformance/ptypy-cases/', import.meta.url),
);

/**
 * Skip reason for the tests that read the corpus when it is not there (a
 * checkout without `../shared`), else false: they are reported as skipped,
 * with this reason, instead of failing.
 */
export const noCorpus: string | false = existsSync(join(CASES, 'index.json'))
  ? false
  : `the ptypy conformance corpus is missing (${CASES}): put the shared folder beside the project`;
