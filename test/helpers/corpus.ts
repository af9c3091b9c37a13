import { fileURLToPath } from 'node:url';

/** The ptypy conformance corpus, read in place from `../shared` beside the project. */
export const CASES = fileURLToPath(
  new URL('../../../shared/conformance/ptypy-cases/', import.meta.url),
);
