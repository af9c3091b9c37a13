import type { Allocator } from '../frames/memory.js';
import type { Communicator } from '../parallel/index.js';
import type { PyValue } from '../py/value.js';
import type { Logger, ScanSink } from './types.js';

/** Options of a scan that are not ptypy parameters: where effects go. */
export interface PtyScanOptions {
  /** Receives warnings; defaults to stderr. */
  logger?: Logger;
  /**
   * Where prepared chunks are stored besides being returned (e.g. a `.ptyd`
   * writer); null stores nothing. Default: the `.ptyd` writer the `save`
   * parameters ask for.
   */
  sink?: ScanSink | null;
  /** Continue the interrupted link/merge-mode file in `dfile` from its last complete chunk. */
  resume?: boolean;
  /** The processes sharing the work; default: MPI ranks under mpirun, else this process alone. */
  comm?: Communicator;
  /**
   * The caller is done with a chunk's arrays when it calls `auto()` again (as
   * `ptyscan prepare` is): the next chunk's data is then prepared into the
   * same memory instead of fresh memory, which is slow to touch on some
   * machines. Off by default: ptypy's chunks stay valid for good.
   */
  recycle?: boolean;
  /** Where fresh memory for prepared chunks comes from; default: memory offered for huge pages. */
  allocator?: Allocator;
}

/** User parameters: a subset of the class's parameter tree. */
export type ScanParams = Record<string, PyValue | undefined>;

/** The default logger: warnings to stderr, notes dropped. */
export const stderrLogger: Logger = {
  warn: (message) => process.stderr.write(`ptyscan: warning: ${message}\n`),
  info: () => {},
};
