import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The ptypy conformance corpus, read in place from `../shared` beside the project. */
export const CASES = fileURLToPath(
  new URL('../../../shared/conformance/ptypy-cases/', import.meta.url),
);

/** The ptypy Hdf5Loader conformance corpus, beside the base corpus. */
export const HDF5_CASES = fileURLToPath(
  new URL('../../../shared/conformance/hdf5-loader-cases/', import.meta.url),
);

/**
 * Skip reason for the tests that read the corpus when it is not there (a
 * checkout without `../shared`), else false: they are reported as skipped,
 * with this reason, instead of failing.
 */
export const noCorpus: string | false = existsSync(join(CASES, 'index.json'))
  ? false
  : `the ptypy conformance corpus is missing (${CASES}): put the shared folder beside the project`;

/** Skip reason for the tests that read the Hdf5Loader corpus when it is not there, else false. */
export const noHdf5Corpus: string | false = existsSync(join(HDF5_CASES, 'README.md'))
  ? false
  : `the Hdf5Loader conformance corpus is missing (${HDF5_CASES}): put the shared folder beside the project`;
