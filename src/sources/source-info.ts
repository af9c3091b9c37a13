/**
 * What a source may tell besides its frames: where parameters it filled in
 * came from (`ptyscan validate` shows it), and what a live scan is waiting
 * for (`ptyscan prepare` says it while it waits and when it gives up).
 * Both are optional; a source without them works the same.
 */

/** A source that fills parameters the user left unset from its own files. */
export interface ParamOrigins {
  /** Parameter name -> the file (or other origin) its value came from. */
  paramOrigins(): Readonly<Record<string, string>>;
}

/** A live source that can say what it is waiting for. */
export interface WaitReason {
  /** What the scan waits for now (a folder, a file, a frame), or null. */
  waitingFor(): string | null;
}

function hasMethod(value: unknown, name: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)[name] === 'function'
  );
}

/** Whether `scan` says where its filled-in parameters came from. */
export function hasParamOrigins(scan: unknown): scan is ParamOrigins {
  return hasMethod(scan, 'paramOrigins');
}

/** Whether `scan` says what it waits for. */
export function hasWaitReason(scan: unknown): scan is WaitReason {
  return hasMethod(scan, 'waitingFor');
}
