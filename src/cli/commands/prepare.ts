import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MissingDataError, PtyscanError } from '../../errors.js';
import { h5ready, nativeHdf5Status } from '../../h5/index.js';
import { isNdArray, PyTuple, type PyValue } from '../../py/value.js';
import type { PtyScan } from '../../scan/index.js';
import { createScan, readScanConfig } from '../../sources/index.js';
import { type CliEffects, type Command, parseCommandArgs } from '../command.js';
import { formatDuration, formatRate, Progress, type ProgressMode } from '../progress.js';
import { positiveInt, positiveNumber, singlePositional } from './options.js';

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

const DEFAULT_CHUNK = 100;
const DEFAULT_POLL_MS = 500;

/** What one `prepare` run did. */
interface Outcome {
  frames: number;
  chunks: number;
  interrupted: boolean;
}

/**
 * `ptyscan prepare <config>`: builds the source a config names, runs
 * initialize and auto until EOS (waiting while a raw folder is still
 * growing), reports progress, and prints a summary.
 */
export const prepareCommand: Command = {
  name: 'prepare',
  summary: 'Prepare a scan from a JSON or YAML config (scan.data parameters) into a .ptyd file',
  usage: [
    'ptyscan prepare <config.json|config.yaml> [options]',
    '',
    'The config is an object of ptypy scan.data parameters; "name" selects the',
    'source (NumpyScan, MoonFlowerScan, ...) and "module" may point at a file',
    'exporting your own PtyScan subclass. Relative paths in it resolve against',
    "the config file's folder. Example:",
    '  {"name": "NumpyScan", "base_path": "raw/", "shape": 128,',
    '   "save": "append", "dfile": "scan.ptyd"}',
    '',
    'Options:',
    '  --chunk N        frames per chunk (default 100)',
    '  --out FILE       output .ptyd file (sets dfile; save becomes append if unset)',
    '  --poll MS        wait between checks while frames are still arriving (default 500)',
    '  --timeout S      give up after S seconds without a new frame (default: wait for ever)',
    '  --quiet          print nothing but errors',
    '  --verbose        more detail, and the stack of an error',
    '  --resume         continue an interrupted link/merge-mode file from its last complete chunk',
    '',
    'Ctrl-C stops after the current chunk: every completed chunk stays readable.',
  ].join('\n'),
  async run(args: readonly string[], effects: CliEffects): Promise<number> {
    const { values, positionals } = parseCommandArgs('prepare', args, {
      chunk: { type: 'string' },
      out: { type: 'string' },
      poll: { type: 'string' },
      timeout: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      verbose: { type: 'boolean', short: 'v' },
      resume: { type: 'boolean' },
    });
    const configFile = singlePositional('prepare', positionals, '<config>');
    const chunk = positiveInt('prepare', '--chunk', values.chunk) ?? DEFAULT_CHUNK;
    const pollMs = positiveNumber('prepare', '--poll', values.poll) ?? DEFAULT_POLL_MS;
    const timeoutS = positiveNumber('prepare', '--timeout', values.timeout);
    const quiet = values.quiet === true;
    const verbose = values.verbose === true;

    await h5ready();
    const { config, baseDir } = readScanConfig(configFile);
    if (typeof values.out === 'string') {
      // --out is a command-line path: relative to where the user stands, not to the config.
      config.dfile = resolve(values.out);
      if (config.save === undefined || config.save === null) config.save = 'append';
    }
    const warn = (message: string): void => effects.stderr(`ptyscan: warning: ${message}\n`);
    const note = (message: string): void => {
      if (verbose) effects.stderr(`ptyscan: ${message}\n`);
    };
    const scan = await createScan(config, {
      baseDir,
      logger: { warn, info: note },
      // Chunks are stored and counted here, never kept: prepare each into the last one's memory.
      recycle: true,
      ...(values.resume === true ? { resume: true } : {}),
    });
    const dfile = scan.info.dfile;
    const native = nativeHdf5Status();
    note(
      native.available
        ? `gzip data is written by the native HDF5 addon (${native.detail})`
        : `gzip data is written by h5wasm alone (native HDF5 addon: ${native.detail})`,
    );
    if (typeof scan.info.save === 'string' && typeof dfile === 'string') {
      mkdirSync(dirname(dfile), { recursive: true });
    }
    // Under MPI only rank 0 reports.
    const silent = quiet || !scan.comm.isMaster;
    const mode: ProgressMode = silent ? 'quiet' : effects.isTTY ? 'bar' : 'lines';
    const progress = new Progress({
      mode,
      write: effects.stderr,
      label: 'prepare',
      ...(effects.columns === undefined ? {} : { columns: effects.columns }),
    });

    let outcome: Outcome;
    try {
      outcome = await runScan(scan, { chunk, pollMs, timeoutS, progress, effects });
    } catch (e) {
      progress.finish();
      scan.close();
      throw asPtyscanError(e, String(config.name ?? 'the source'));
    }
    progress.finish();
    scan.close();
    if (!silent) effects.stdout(summary(scan, outcome, progress.elapsed()));
    return outcome.interrupted ? EXIT_INTERRUPTED : 0;
  },
};

interface RunOptions {
  chunk: number;
  pollMs: number;
  timeoutS: number | undefined;
  progress: Progress;
  effects: CliEffects;
}

async function runScan(scan: PtyScan, options: RunOptions): Promise<Outcome> {
  const { chunk, pollMs, timeoutS, progress, effects } = options;
  const signal = effects.signal;
  scan.initialize();
  progress.start(scan.numFrames);
  const firstFrame = scan.framestart;
  // Every MPI rank must stop at the same chunk, so an interrupt seen by any rank stops all.
  const interrupted = (): boolean => {
    const local = signal?.aborted === true;
    return scan.comm.size > 1 ? scan.comm.allreduce(local ? 1 : 0, 'max') === 1 : local;
  };
  let frames = 0;
  let chunks = 0;
  let lastNew = progress.elapsed();
  for (;;) {
    // Yield to the event loop so a Ctrl-C is seen between chunks.
    await new Promise((resolve) => setImmediate(resolve));
    if (interrupted()) return { frames, chunks, interrupted: true };
    const msg = scan.auto(chunk);
    if (msg.msg === 'EOS') break;
    if (msg.msg === 'WAIT') {
      progress.waiting(frames, scan.numFrames, 'waiting for more frames');
      if (timeoutS !== undefined && progress.elapsed() - lastNew > timeoutS) {
        throw new MissingDataError(
          `no new frame for ${timeoutS} s after frame ${frames}; the source still expects ${scan.numFrames ?? 'more'} frames.`,
          {
            expected: `${scan.numFrames ?? 'more'} frames`,
            found: `${frames} frames`,
          },
        );
      }
      try {
        await sleep(pollMs, undefined, signal ? { signal } : {});
      } catch {
        return { frames, chunks, interrupted: true };
      }
      continue;
    }
    // The whole chunk's frames (under MPI, msg.chunk holds only this rank's share).
    const first = frames + firstFrame;
    frames = scan.framestart - firstFrame;
    chunks += 1;
    lastNew = progress.elapsed();
    const last = frames + firstFrame - 1;
    progress.update(frames, scan.numFrames, `chunk ${msg.chunk.num}: frames ${first}-${last}`);
  }
  return { frames, chunks, interrupted: false };
}

function summary(scan: PtyScan, outcome: Outcome, elapsed: number): string {
  const info = scan.info;
  const save = info.save;
  const output =
    typeof save === 'string' && typeof info.dfile === 'string'
      ? `${info.dfile} (save '${save}')`
      : 'none (save is None: nothing written)';
  const rows: [string, string][] = [
    ['source', String(info.name ?? scan.constructor.name)],
    [
      'frames',
      `${outcome.frames}${scan.numFrames === null ? '' : ` of ${scan.numFrames}`} in ${outcome.chunks} chunk${outcome.chunks === 1 ? '' : 's'}`,
    ],
    ['output', output],
    ['ROI shape', formatValue(scan.meta.shape)],
    [
      'centre',
      `${formatValue(scan.meta.center)} on the prepared frames (raw: ${formatValue(info.center)})`,
    ],
    ['psize', formatValue(scan.meta.psize)],
    ['elapsed', `${formatDuration(elapsed)} (${elapsed.toFixed(2)} s)`],
    ['rate', `${formatRate(elapsed > 0 ? outcome.frames / elapsed : Number.NaN)} frames/s`],
  ];
  const head = outcome.interrupted
    ? `Interrupted: ${outcome.chunks} complete chunk${outcome.chunks === 1 ? '' : 's'} kept.`
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

/** A source's own bug (a TypeError in a user's load()) still ends as one clear line. */
function asPtyscanError(e: unknown, source: string): unknown {
  if (e instanceof PtyscanError || !(e instanceof Error)) return e;
  return new PtyscanError(`${source} failed: ${e.name}: ${e.message}`, { cause: e });
}
