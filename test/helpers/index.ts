/** The helpers every test shares: corpus paths, temp folders, loggers, running a scan. */
export { CASES, HDF5_CASES } from './corpus.js';
export { type CapturingLogger, capturingLogger, quiet, quietLogger } from './logger.js';
export { PYTHON, python } from './python.js';
export { type RunOptions, runToEos } from './scan.js';
export { tempDir } from './temp.js';
