import { fileURLToPath } from 'node:url';

/** The ptypy conformance corpus, read in place from `../shared` beside the project. */
export const CASES = fileURLToPath(
  new URL('../../../shared/conformance/ptypy-cases/', import.meta.url),
);

/** The ptypy Hdf5Loader conformance corpus, beside the base corpus. */
export const HDF5_CASES = fileURLToPath(
  new URL('../../../shared/conformance/hdf5-loader-cases/', import.meta.url),
);
