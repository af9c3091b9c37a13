/**
 * The writer's state in a live `.ptyd` master: three root attributes a
 * reader uses to tell a writer that is still working from one that died.
 * h5py and ptypy ignore extra root attributes.
 *
 * - `ptyscan_state`: `running` while the scan goes on, `complete` once it ended;
 * - `ptyscan_heartbeat`: `<ISO time> pid <pid> host <host>`, refreshed on every
 *   master rewrite and at least about once a second while the writer waits
 *   for raw frames;
 * - `ptyscan_run`: an id shared by the master and the chunk files of one scan,
 *   so a resumed writer only adopts chunk files of its own scan.
 *
 * A reader decides the writer died when the state is `running` and the
 * heartbeat has not changed for `staleAfter` seconds of the reader's own clock
 * (clocks of different hosts need not agree), or at once when the writer ran
 * on the reader's host and its pid is gone.
 */
import { hostname } from 'node:os';
import { StateError } from '../errors.js';
import { H5File } from '../h5/index.js';

/** Seconds a live file's heartbeat may stand still before a reader calls its writer dead. */
export const DEFAULT_STALE_AFTER = 60;

/** `ptyscan_state`: whether the writer still works on the file. */
export type WriterState = 'running' | 'complete';

/** Root attribute names of the writer state. */
export const WRITER_ATTRIBUTES = {
  state: 'ptyscan_state',
  heartbeat: 'ptyscan_heartbeat',
  run: 'ptyscan_run',
  /** The frozen raw centre and ROI while the scan runs (JSON), for a resume; `info` gets them at the end, as in ptypy (a complete master has no such attribute). */
  frozen: 'ptyscan_frozen',
} as const;

/** The frozen raw centre (with its dtype) and ROI of a running scan. */
export interface FrozenValues {
  center: { value: [number, number]; dtype: 'int64' | 'float64' };
  roi: [number, number];
}

/** The `ptyscan_frozen` text of frozen values. */
export function frozenText(frozen: FrozenValues): string {
  return JSON.stringify({
    center: frozen.center.value,
    dtype: frozen.center.dtype,
    shape: frozen.roi,
  });
}

function isPair(value: unknown): value is [number, number] {
  return Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number');
}

/** Frozen values out of a `ptyscan_frozen` text, or null when it is not one. */
export function parseFrozen(text: string | undefined): FrozenValues | null {
  if (text === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const { center, dtype, shape } = (parsed ?? {}) as Record<string, unknown>;
  if (!isPair(center) || !isPair(shape) || (dtype !== 'int64' && dtype !== 'float64')) return null;
  return { center: { value: center, dtype }, roi: shape };
}

/** What a master says about its writer. */
export interface WriterStatus {
  state: WriterState;
  /** The heartbeat text as stored. */
  heartbeat: string;
  /** Parsed from the heartbeat; null when it does not follow the format. */
  time: Date | null;
  pid: number | null;
  host: string | null;
  /** The scan's run id, or null when absent. */
  run: string | null;
}

/** The heartbeat text for now: `<ISO time> pid <pid> host <host>`. */
function heartbeatText(now: Date = new Date()): string {
  return `${now.toISOString()} pid ${process.pid} host ${hostname()}`;
}

const HEARTBEAT = /^(\S+) pid (\d+) host (.+)$/;

/** Reads `time`, `pid` and `host` out of a heartbeat text (nulls when it is not ours). */
function parseHeartbeat(text: string): Pick<WriterStatus, 'time' | 'pid' | 'host'> {
  const match = HEARTBEAT.exec(text);
  if (match === null) return { time: null, pid: null, host: null };
  const time = new Date(match[1]!);
  return {
    time: Number.isNaN(time.getTime()) ? null : time,
    pid: Number(match[2]),
    host: match[3]!,
  };
}

/** The root attributes of the writer state now (state, heartbeat, run id). */
export function writerStateAttributes(state: WriterState, run: string): Record<string, string> {
  return {
    [WRITER_ATTRIBUTES.state]: state,
    [WRITER_ATTRIBUTES.heartbeat]: heartbeatText(),
    [WRITER_ATTRIBUTES.run]: run,
  };
}

/**
 * The writer state of a `.ptyd` master (an open file or a path), or null
 * when the file carries none (written by ptypy, in append mode, or by an
 * older ptyscan): such a file is taken as it is.
 */
export function readWriterStatus(file: H5File | string): WriterStatus | null {
  const h5 = typeof file === 'string' ? H5File.open(file, 'r') : file;
  try {
    const state = h5.readStringAttribute('/', WRITER_ATTRIBUTES.state);
    if (state !== 'running' && state !== 'complete') return null;
    const heartbeat = h5.readStringAttribute('/', WRITER_ATTRIBUTES.heartbeat) ?? '';
    const run = h5.readStringAttribute('/', WRITER_ATTRIBUTES.run) ?? null;
    return { state, heartbeat, run, ...parseHeartbeat(heartbeat) };
  } finally {
    if (typeof file === 'string') h5.close();
  }
}

/** Settings of a {@link WriterWatch}. */
export interface WriterWatchOptions {
  /** Seconds without a heartbeat change after which a running writer counts as dead. */
  staleAfter: number;
  /** Milliseconds clock (default `performance.now`). */
  now?: () => number;
  /** Whether a pid runs on this host (default: `process.kill(pid, 0)`). */
  isAlive?: (pid: number) => boolean;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Watches the heartbeat of a live master across repeated reads and throws a
 * {@link StateError} once the writer is known dead.
 *
 * @example
 * const watch = new WriterWatch('scan.ptyd', { staleAfter: 60 });
 * watch.observe(readWriterStatus('scan.ptyd')); // throws when the writer died
 */
export class WriterWatch {
  readonly file: string;
  private readonly staleAfter: number;
  private readonly now: () => number;
  private readonly isAlive: (pid: number) => boolean;
  private lastHeartbeat: string | null = null;
  private lastChange = 0;

  constructor(file: string, options: WriterWatchOptions) {
    this.file = file;
    this.staleAfter = options.staleAfter;
    this.now = options.now ?? (() => performance.now());
    this.isAlive = options.isAlive ?? pidAlive;
  }

  /** Takes one reading of the master; throws when its writer died. */
  observe(status: WriterStatus | null): void {
    if (status === null || status.state !== 'running') return;
    const now = this.now();
    if (status.heartbeat !== this.lastHeartbeat) {
      this.lastHeartbeat = status.heartbeat;
      this.lastChange = now;
    }
    const who =
      status.pid === null ? `'${status.heartbeat}'` : `pid ${status.pid} on host ${status.host}`;
    const last = status.time === null ? 'unknown' : status.time.toISOString();
    if (status.pid !== null && status.host === hostname() && !this.isAlive(status.pid)) {
      throw new StateError(
        `${this.file}: the writer died: its heartbeat names ${who}, which no longer runs, and the file is still 'running' (last heartbeat ${last}). Resume the preparation (prepare --resume) to finish the file.`,
        {
          file: this.file,
          expected: 'a running writer or a complete file',
          found: `dead writer ${who}`,
        },
      );
    }
    const silent = (now - this.lastChange) / 1000;
    if (silent > this.staleAfter) {
      throw new StateError(
        `${this.file}: the writer looks dead: its heartbeat (${who}, last ${last}) has not changed for ${silent.toFixed(1)} s (stale after ${this.staleAfter} s) and the file is still 'running'. Resume the preparation (prepare --resume) to finish the file.`,
        {
          file: this.file,
          expected: `a heartbeat refreshed within ${this.staleAfter} s`,
          found: `no change for ${silent.toFixed(1)} s`,
        },
      );
    }
  }
}

/**
 * The bound on waiting for a file without writer state (ptypy's files,
 * append mode, a writer killed before it wrote one): when nothing a reader
 * can see changes for `staleAfter` seconds while it waits, the file cannot
 * become complete, and {@link SilenceWatch.observe} throws a StateError
 * with the reason.
 */
export class SilenceWatch {
  readonly file: string;
  private readonly staleAfter: number;
  private readonly now: () => number;
  private last: string | null = null;
  private since = 0;

  constructor(file: string, options: Pick<WriterWatchOptions, 'staleAfter' | 'now'>) {
    this.file = file;
    this.staleAfter = options.staleAfter;
    this.now = options.now ?? (() => performance.now());
  }

  /** Forgets the silence so far (the reader got frames). */
  reset(): void {
    this.last = null;
  }

  /**
   * One look at a waiting file: `signature` is what changes when a writer
   * adds to it, `holds` says what it holds (e.g. `12 of 20 frames`).
   */
  observe(signature: string, holds: string): void {
    const now = this.now();
    if (signature !== this.last) {
      this.last = signature;
      this.since = now;
      return;
    }
    const silent = (now - this.since) / 1000;
    if (silent <= this.staleAfter) return;
    throw new StateError(
      `${this.file}: the file has no writer state and has not changed for ${silent.toFixed(1)} s (stale after ${this.staleAfter} s); it holds ${holds}. It cannot become complete: prepare it again (or --resume).`,
      {
        file: this.file,
        expected: `a file that grows within ${this.staleAfter} s`,
        found: `no change for ${silent.toFixed(1)} s with ${holds}`,
      },
    );
  }
}
