import { resolve } from 'node:path';
import { h5ready } from '../../h5/index.js';
import { FinalNamePtydSink } from '../../ptyd/index.js';
import type { PyValue } from '../../py/value.js';
import type { PtyScan } from '../../scan/index.js';
import { createScan } from '../../sources/index.js';
import { type CliEffects, type Command, parseCommandArgs, UsageError } from '../command.js';
import { formatDuration, formatRate, Progress, type ProgressMode } from '../progress.js';
import {
  inputSource,
  OUTPUT_FORMATS,
  type OutputFormat,
  outputFiles,
  outputFormat,
} from './convert-formats.js';
import { nonNegativeInt, positiveInt } from './options.js';
import { EXIT_INTERRUPTED, openScan, runScan } from './prepare-run.js';

const DEFAULT_CHUNK = 100;
/** A .ptyd still being written is followed: checked again this often while it waits for frames. */
const POLL_MS = 500;
const COMPRESSIONS = ['gzip', 'lzf', 'none'] as const;

/**
 * `ptyscan convert <in> <out> [--to ...]`: a prepared scan from one format
 * into another, chunk by chunk: the input read by its source (PtydScan,
 * CxiScan, FoldSliceScan) with nothing prepared again, written by the save
 * mode of the output format. The output takes its name only when it is
 * complete (an existing one is kept as `.old`); a conversion that fails
 * leaves no partial output.
 */
export const convertCommand: Command = {
  name: 'convert',
  summary: 'Convert a prepared scan between .ptyd, CXI, NXcxi_ptycho and fold_slice files',
  usage: [
    'ptyscan convert <in> <out> [--to ptyd|cxi|nxcxi|fold-slice] [options]',
    '',
    'Reads <in> (a .ptyd, CXI or NXcxi_ptycho, or fold_slice data_roi*_dp.hdf5 file,',
    'told apart by their content) and writes <out> in the format --to names, or the',
    'one its name makes clear: .ptyd, .cxi, .nxs, _dp.hdf5. Formats:',
    ...Object.entries(OUTPUT_FORMATS).map(([name, what]) => `  ${name.padEnd(12)} ${what}`),
    '',
    'Frames, mask, positions and geometry are carried over as they are (see',
    'docs/formats.md for what each format keeps). To crop, rebin or orient on the',
    'way, use prepare with source CxiScan or FoldSliceScan instead.',
    '',
    'Options:',
    '  --chunk N          frames read and written at a time (default 100)',
    '  --compression C    gzip (default), lzf or none: compression of the frames',
    '  --level L          gzip level 0-9 (default 4)',
    '  --quiet            print nothing but errors',
    '  --verbose          notes, and the stack of an error',
    '',
    'The output is written under a working name and takes its name when complete;',
    'an existing file of that name is then kept as <out>.old. A conversion that fails',
    '(or is stopped with Ctrl-C) leaves no partial output and the existing file as it was.',
  ].join('\n'),
  async run(args: readonly string[], effects: CliEffects): Promise<number> {
    const { values, positionals } = parseCommandArgs('convert', args, {
      to: { type: 'string' },
      chunk: { type: 'string' },
      compression: { type: 'string' },
      level: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      verbose: { type: 'boolean', short: 'v' },
    });
    const [input, output, ...extra] = positionals;
    if (input === undefined) throw new UsageError('convert', 'missing <in>');
    if (output === undefined) throw new UsageError('convert', 'missing <out>');
    if (extra.length > 0) throw new UsageError('convert', `unexpected argument '${extra[0]}'`);
    const to = outputFormat(output, typeof values.to === 'string' ? values.to : undefined);
    const chunk = positiveInt('convert', '--chunk', values.chunk) ?? DEFAULT_CHUNK;
    const compression = compressionOption(values.compression);
    const level = nonNegativeInt('convert', '--level', values.level) ?? 4;
    if (level > 9) throw new UsageError('convert', `--level expects 0 to 9, found '${level}'`);
    const quiet = values.quiet === true;
    const verbose = values.verbose === true;
    const out = resolve(output);
    if (resolve(input) === out) {
      throw new UsageError('convert', `<out> is <in> (${input}): write to another file`);
    }
    // As the user wrote them, for messages.
    const files = outputFiles(output, to);

    await h5ready();
    const source = inputSource(resolve(input));
    const config: Record<string, PyValue> = {
      ...source.config,
      save: to === 'ptyd' ? 'append' : to,
      dfile: out,
      compression,
      compression_level: BigInt(level),
      min_frames: BigInt(chunk),
    };
    const logger = {
      warn: (message: string) => effects.stderr(`ptyscan: warning: ${message}\n`),
      info: (message: string) => {
        if (verbose) effects.stderr(`ptyscan: ${message}\n`);
      },
    };
    const sink =
      to === 'ptyd'
        ? { sink: new FinalNamePtydSink({ dfile: out, compression, level, logger }) }
        : {};
    const scan = await openScan(() => createScan(config, { logger, recycle: true, ...sink }), {
      live: false,
      pollMs: POLL_MS,
      timeoutS: undefined,
      effects,
      onWait: () => {},
    });
    if (scan === null) return EXIT_INTERRUPTED;
    const mode: ProgressMode = quiet ? 'quiet' : effects.isTTY ? 'bar' : 'lines';
    const progress = new Progress({
      mode,
      write: effects.stderr,
      label: 'convert',
      ...(effects.columns === undefined ? {} : { columns: effects.columns }),
    });
    let interrupted: boolean;
    try {
      interrupted = (
        await runScan(scan, { chunk, pollMs: POLL_MS, timeoutS: undefined, progress, effects })
      ).interrupted;
    } finally {
      progress.finish();
      // Before its end, closing removes the working files: no partial output.
      scan.close();
    }
    if (interrupted) {
      effects.stderr(`convert: interrupted: ${files.join(' and ')} not written\n`);
      return EXIT_INTERRUPTED;
    }
    if (!quiet) {
      effects.stdout(summary(scan, `${input} (${source.format})`, files, to, progress.elapsed()));
    }
    return 0;
  },
};

function compressionOption(value: string | boolean | undefined): (typeof COMPRESSIONS)[number] {
  if (value === undefined) return 'gzip';
  const found = COMPRESSIONS.find((c) => c === value);
  if (found === undefined) {
    throw new UsageError('convert', `--compression expects gzip, lzf or none, found '${value}'`);
  }
  return found;
}

function summary(
  scan: PtyScan,
  input: string,
  files: readonly string[],
  to: OutputFormat,
  elapsed: number,
): string {
  const frames = scan.framestart;
  const rows: [string, string][] = [
    ['input', input],
    ['output', `${files.join(' and ')} (${to})`],
    ['frames', `${frames} in ${scan.chunknum} chunk${scan.chunknum === 1 ? '' : 's'}`],
    ['elapsed', `${formatDuration(elapsed)} (${elapsed.toFixed(2)} s)`],
    ['rate', `${formatRate(elapsed > 0 ? frames / elapsed : Number.NaN)} frames/s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `Converted.\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
