import { isNdArray, PyTuple, type PyValue } from '../../py/value.js';
import type { PtyScan } from '../../scan/index.js';
import { formatDuration, formatRate } from '../progress.js';
import type { Outcome } from './prepare-run.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The summary `prepare` prints at the end: the file's totals (a resumed
 * file holds more than this run prepared), what this run added, the
 * output, the frozen geometry, time and rate.
 */
export function prepareSummary(scan: PtyScan, outcome: Outcome, elapsed: number): string {
  const info = scan.info;
  const save = info.save;
  const output =
    typeof save === 'string' && typeof info.dfile === 'string'
      ? `${info.dfile} (save '${save}')`
      : 'none (save is None: nothing written)';
  const resumed = outcome.firstFrame > 0;
  const rows: [string, string][] = [
    ['source', String(info.name ?? scan.constructor.name)],
    [
      'frames',
      `${scan.framestart}${scan.numFrames === null ? '' : ` of ${scan.numFrames}`} in ${plural(scan.chunknum, 'chunk')}`,
    ],
  ];
  if (resumed) {
    rows.push([
      'this run',
      outcome.frames === 0
        ? `nothing added: the file already held frames 0-${outcome.firstFrame - 1}`
        : `added ${plural(outcome.frames, 'frame')} in ${plural(outcome.chunks, 'chunk')} (frames ${outcome.firstFrame}-${outcome.firstFrame + outcome.frames - 1}), resumed at frame ${outcome.firstFrame}`,
    ]);
  }
  rows.push(
    ['output', output],
    ['ROI shape', formatValue(scan.meta.shape)],
    [
      'centre',
      `${formatValue(scan.meta.center)} on the prepared frames (raw: ${formatValue(info.center)})`,
    ],
    ['psize', formatValue(scan.meta.psize)],
    ['elapsed', `${formatDuration(elapsed)} (${elapsed.toFixed(2)} s)`],
    ['rate', `${formatRate(elapsed > 0 ? outcome.frames / elapsed : Number.NaN)} frames/s`],
  );
  const head = outcome.interrupted
    ? `Interrupted: ${plural(scan.chunknum, 'complete chunk')} kept.`
    : 'Prepared.';
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${head}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

/** A pair such as `(64, 64)`, a scalar as itself, None as `None`. */
function formatValue(value: PyValue | undefined): string {
  if (value === undefined || value === null) return 'None';
  if (isNdArray(value)) {
    return `(${Array.from(value.data as ArrayLike<number | bigint>, (v) => formatNumber(v)).join(', ')})`;
  }
  if (Array.isArray(value)) return `(${value.map((v) => formatValue(v)).join(', ')})`;
  if (value instanceof PyTuple) {
    return `(${value.items.map((v) => formatValue(v)).join(', ')})`;
  }
  if (typeof value === 'number' || typeof value === 'bigint') return formatNumber(value);
  return typeof value === 'string' ? `'${value}'` : String(value);
}

function formatNumber(v: number | bigint): string {
  if (typeof v === 'bigint') return String(v);
  return Number.isInteger(v) ? v.toFixed(1) : String(Number(v.toPrecision(6)));
}
