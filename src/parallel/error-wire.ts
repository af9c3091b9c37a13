/**
 * The one format in which errors cross worker threads and MPI ranks: plain
 * data (structured-clone and wire safe) that keeps the error's class, its
 * context (file, dataset, parameter, frame, expected, found), a
 * ParameterError's problems, the stack where it was thrown, and its causes.
 * The receiving side rebuilds an error of the same class.
 */
import * as errors from '../errors.js';

/** The context fields of a {@link errors.PtyscanError}, as they travel (the cause travels apart). */
export type WireContext = Omit<errors.ErrorContext, 'cause'>;

/** An error on its way to another thread or rank. */
export interface WireError {
  /** The class name, e.g. `H5Error`; a plain `Error`'s name for anything that is not ours. */
  name: string;
  message: string;
  context: WireContext;
  /** A ParameterError's problems. */
  problems?: errors.ParameterProblem[];
  stack?: string;
  cause?: WireError;
}

const CONTEXT_KEYS = ['file', 'dataset', 'parameter', 'frame', 'expected', 'found'] as const;
/** Causes deeper than this are left out (a cause chain may be long, or circular). */
const MAX_CAUSES = 4;

type ErrorClass = new (message: string, context?: errors.ErrorContext) => errors.PtyscanError;

/** Our error classes by name; a ParameterError is built from its problems instead. */
const CLASSES: Readonly<Record<string, ErrorClass>> = {
  PtyscanError: errors.PtyscanError,
  FrameError: errors.FrameError,
  CenterError: errors.CenterError,
  RebinError: errors.RebinError,
  FileFormatError: errors.FileFormatError,
  H5Error: errors.H5Error,
  LockError: errors.LockError,
  MissingDataError: errors.MissingDataError,
  StateError: errors.StateError,
  ParallelError: errors.ParallelError,
  AccessError: errors.AccessError,
};

/** Any thrown value as a {@link WireError}. */
export function errorToWire(error: unknown, depth = 0): WireError {
  const e = error instanceof Error ? error : new Error(String(error));
  const context: WireContext = {};
  if (e instanceof errors.PtyscanError) {
    for (const key of CONTEXT_KEYS) {
      const value = e[key];
      if (value !== undefined) Object.assign(context, { [key]: value });
    }
  }
  return {
    name: e.name,
    message: e.message,
    context,
    ...(e instanceof errors.ParameterError ? { problems: [...e.problems] } : {}),
    ...(e.stack === undefined ? {} : { stack: e.stack }),
    ...(e.cause !== undefined && depth < MAX_CAUSES
      ? { cause: errorToWire(e.cause, depth + 1) }
      : {}),
  };
}

/** The error a {@link WireError} describes, rebuilt with its class, context, stack and causes. */
export function errorFromWire(wire: WireError): Error {
  const cause = wire.cause === undefined ? undefined : errorFromWire(wire.cause);
  const context: errors.ErrorContext = { ...wire.context, ...(cause ? { cause } : {}) };
  let error: Error;
  if (wire.name === 'ParameterError' && wire.problems !== undefined) {
    const { parameter: _p, expected: _e, found: _f, ...rest } = context;
    error = new errors.ParameterError(wire.problems, rest);
  } else {
    const Class = Object.hasOwn(CLASSES, wire.name) ? CLASSES[wire.name] : undefined;
    error =
      Class === undefined
        ? Object.assign(new Error(wire.message, cause ? { cause } : undefined), { name: wire.name })
        : new Class(wire.message, context);
  }
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}
