/**
 * The error types of ptyscan. Every error the library throws on purpose is a
 * {@link PtyscanError}; the subclasses carry the context a user needs to find
 * the problem (parameter path, file, dataset, frame index) and always pass the
 * underlying `cause` on.
 */

/** Context that can be attached to any ptyscan error. */
export interface ErrorContext {
  /** File on disk the problem is in. */
  file?: string;
  /** Dataset or group path inside an HDF5 file. */
  dataset?: string;
  /** Parameter path, e.g. `scandata.PtyScan.rebin`. */
  parameter?: string;
  /** Frame index within the scan. */
  frame?: number;
  /** What was expected, in words. */
  expected?: string;
  /** What was found, in words. */
  found?: string;
  cause?: unknown;
}

/** Base class of every error ptyscan throws on purpose. */
export class PtyscanError extends Error {
  override readonly name: string = 'PtyscanError';
  readonly file?: string;
  readonly dataset?: string;
  readonly parameter?: string;
  readonly frame?: number;
  readonly expected?: string;
  readonly found?: string;

  constructor(message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    const { file, dataset, parameter, frame, expected, found } = context;
    if (file !== undefined) this.file = file;
    if (dataset !== undefined) this.dataset = dataset;
    if (parameter !== undefined) this.parameter = parameter;
    if (frame !== undefined) this.frame = frame;
    if (expected !== undefined) this.expected = expected;
    if (found !== undefined) this.found = found;
  }
}

/** One problem found while validating a parameter tree. */
export interface ParameterProblem {
  /** Dotted path of the parameter, e.g. `scandata.PtyScan.shape`. */
  path: string;
  expected: string;
  found: string;
}

/** A parameter is unknown, of the wrong type, out of range or not an allowed choice. */
export class ParameterError extends PtyscanError {
  override readonly name = 'ParameterError';
  /** Every problem found, so a user fixes them all in one go. */
  readonly problems: readonly ParameterProblem[];

  constructor(problems: readonly ParameterProblem[], context: ErrorContext = {}) {
    const lines = problems.map((p) => `  ${p.path}: expected ${p.expected}, found ${p.found}`);
    const head =
      problems.length === 1 ? 'Invalid parameter:' : `${problems.length} invalid parameters:`;
    const first = problems[0];
    super([head, ...lines].join('\n'), {
      ...context,
      ...(first ? { parameter: first.path, expected: first.expected, found: first.found } : {}),
    });
    this.problems = problems;
  }
}

/** Frames, weights or positions do not have the shape or values the pipeline needs. */
export class FrameError extends PtyscanError {
  override readonly name = 'FrameError';
}

/** The optical axis (centre) lies outside the detector frame or cannot be computed. */
export class CenterError extends PtyscanError {
  override readonly name = 'CenterError';
}

/** The rebin factor is too large or does not divide the region of interest. */
export class RebinError extends PtyscanError {
  override readonly name = 'RebinError';
}

/** A file is missing, unreadable, truncated, corrupt or not of the expected format. */
export class FileFormatError extends PtyscanError {
  override readonly name = 'FileFormatError';
}

/** An HDF5 operation failed (open, read, write, link). */
export class H5Error extends PtyscanError {
  override readonly name = 'H5Error';
}

/** Another process holds the write lock of a file. */
export class LockError extends PtyscanError {
  override readonly name = 'LockError';
}

/** A chunk, frame or link expected in a `.ptyd` file is not there. */
export class MissingDataError extends PtyscanError {
  override readonly name = 'MissingDataError';
}

/** A scan was used in the wrong order (e.g. `auto()` before `initialize()`). */
export class StateError extends PtyscanError {
  override readonly name = 'StateError';
}

/** Distributed (MPI) execution failed or is misconfigured. */
export class ParallelError extends PtyscanError {
  override readonly name = 'ParallelError';
}

/** A request reaches outside what may be read (a path or link leaving the served folder, a missing token). */
export class AccessError extends PtyscanError {
  override readonly name: string = 'AccessError';
}
