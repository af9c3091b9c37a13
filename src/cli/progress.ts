/**
 * Progress of a long command: on a terminal one line redrawn in place (a bar,
 * done/total, rate, ETA), elsewhere a plain line per step (logs stay
 * readable), or nothing at all.
 */

/** `bar`: one line redrawn in place; `lines`: a line per update; `quiet`: nothing. */
export type ProgressMode = 'bar' | 'lines' | 'quiet';

/** Where and how a {@link Progress} reports. */
export interface ProgressOptions {
  mode: ProgressMode;
  /** Receives the text (usually standard error). */
  write(text: string): void;
  /** What is counted, plural (default `frames`). */
  unit?: string;
  /** Word in front of every line, e.g. the command name. */
  label?: string;
  /** Milliseconds clock (default `performance.now`). */
  now?: () => number;
  /** Terminal width for the bar (default 80). */
  columns?: number;
}

/** Bar redraws closer together than this are skipped: a terminal cannot show them anyway. */
const REDRAW_MS = 100;
const CLEAR_LINE = '\r\u001b[K';

/**
 * `75` -> `1:15`, `3725` -> `1:02:05`; `--:--` for an unknown or endless time.
 *
 * @example
 * formatDuration(61.4); // '1:01'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** `1234.5` -> `1235`, `12.34` -> `12.3`: a rate with sensible digits. */
export function formatRate(rate: number): string {
  if (!Number.isFinite(rate)) return '-';
  return rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
}

/**
 * Reports how many of `total` items are done, with the average rate since
 * {@link Progress.start} and the time left.
 *
 * @example
 * const p = new Progress({ mode: 'lines', write: (t) => process.stderr.write(t), label: 'prepare' });
 * p.start(60);
 * p.update(20, 60, 'chunk 0'); // "prepare: 20/60 frames (chunk 0), 310 frames/s, ETA 0:00"
 * p.finish();
 */
export class Progress {
  private readonly options: ProgressOptions;
  private readonly now: () => number;
  private started = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawn = false;
  private waitingShown = false;

  constructor(options: ProgressOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
  }

  /** Seconds since {@link start}. */
  elapsed(): number {
    return (this.now() - this.started) / 1000;
  }

  /** Starts the clock (and shows an empty bar on a terminal). */
  start(total: number | null): void {
    this.started = this.now();
    if (this.options.mode === 'bar') this.draw(0, total, '', true);
  }

  /** `done` of `total` (null: unknown) items are finished; `note` says what just happened. */
  update(done: number, total: number | null, note = ''): void {
    this.waitingShown = false;
    const { mode } = this.options;
    if (mode === 'quiet') return;
    if (mode === 'bar') {
      this.draw(done, total, note, done === total);
      return;
    }
    this.options.write(`${this.prefix()}${this.status(done, total, note)}\n`);
  }

  /** Nothing new is available yet: said once per wait, not on every poll. */
  waiting(done: number, total: number | null, what = 'waiting for more data'): void {
    const { mode } = this.options;
    if (mode === 'quiet') return;
    if (mode === 'bar') {
      this.draw(done, total, what, !this.waitingShown);
    } else if (!this.waitingShown) {
      this.options.write(`${this.prefix()}${done}/${total ?? '?'} ${this.unit()}, ${what}\n`);
    }
    this.waitingShown = true;
  }

  /** Ends the bar's line so later output starts on a fresh one. */
  finish(): void {
    if (this.options.mode === 'bar' && this.drawn) this.options.write('\n');
    this.drawn = false;
  }

  private unit(): string {
    return this.options.unit ?? 'frames';
  }

  private prefix(): string {
    return this.options.label === undefined ? '' : `${this.options.label}: `;
  }

  private status(done: number, total: number | null, note: string): string {
    const elapsed = this.elapsed();
    const rate = elapsed > 0 ? done / elapsed : Number.NaN;
    const eta = total === null || !(rate > 0) ? Number.NaN : (total - done) / rate;
    const parts = [
      `${done}/${total ?? '?'} ${this.unit()}${note === '' ? '' : ` (${note})`}`,
      `${formatRate(rate)} ${this.unit()}/s`,
    ];
    if (total !== null && done < total) parts.push(`ETA ${formatDuration(eta)}`);
    else parts.push(`elapsed ${formatDuration(elapsed)}`);
    return parts.join(', ');
  }

  private draw(done: number, total: number | null, note: string, force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = t;
    const text = `${this.prefix()}${this.status(done, total, note)}`;
    const columns = this.options.columns ?? 80;
    const room = columns - text.length - 4;
    let bar = '';
    if (total !== null && total > 0 && room >= 10) {
      const width = Math.min(30, room);
      const filled = Math.min(width, Math.round((done / total) * width));
      bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `;
    }
    this.options.write(`${CLEAR_LINE}${bar}${text}`.slice(0, columns + CLEAR_LINE.length));
    this.drawn = true;
  }
}
