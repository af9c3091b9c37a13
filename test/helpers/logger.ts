import type { Logger } from '../../src/scan/types.js';

/** A logger that prints nothing. */
export const quietLogger: Logger = { warn: () => {}, info: () => {} };

/** Scan options with the quiet logger, for `new SomeScan(pars, quiet)`. */
export const quiet = { logger: quietLogger };

/** A logger that keeps every message, for tests that check what was said. */
export interface CapturingLogger extends Logger {
  readonly warnings: string[];
  readonly notes: string[];
}

/** A logger that records warnings and notes instead of printing them. */
export function capturingLogger(): CapturingLogger {
  const warnings: string[] = [];
  const notes: string[] = [];
  return {
    warnings,
    notes,
    warn: (message) => warnings.push(message),
    info: (message) => notes.push(message),
  };
}
