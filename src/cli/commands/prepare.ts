import { resolve } from 'node:path';
import { PtyscanError } from '../../errors.js';
import { describeSave, saveSettings } from '../../ptyd/index.js';
import { createScan, readScanConfig, resolveScanConfig } from '../../sources/index.js';
import { type CliEffects, type Command, parseCommandArgs } from '../command.js';
import { Progress, type ProgressMode } from '../progress.js';
import { positiveInt, positiveNumber, singlePositional } from './options.js';
import { EXIT_INTERRUPTED, type Outcome, openScan, runScan } from './prepare-run.js';
import { prepareSummary } from './prepare-summary.js';

export { EXIT_INTERRUPTED } from './prepare-run.js';

const DEFAULT_CHUNK = 100;
const DEFAULT_POLL_MS = 500;

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
    'exporting your own PtyScan subclass: prepare imports that file, which',
    'runs its code (ptyscan validate names it without importing it). Relative',
    "paths in the config resolve against the config file's folder. Example:",
    '  {"name": "NumpyScan", "base_path": "raw/", "shape": 128,',
    '   "save": "append", "dfile": "scan.ptyd"}',
    '',
    'Options:',
    '  --chunk N        frames per chunk (default 100)',
    '  --out FILE       output .ptyd file (sets dfile; save becomes append if unset)',
    '  --poll MS        wait between checks while frames are still arriving (default 500);',
    '                   makes the scan live: a source whose files are not there yet is waited for',
    '  --timeout S      give up after S seconds without a new frame or file (default: wait for ever)',
    '  --quiet          print nothing but errors',
    '  --verbose        more detail, and the stack of an error',
    '  --resume         continue an interrupted link/merge-mode file from its last complete chunk',
    '',
    'A scan with num_frames, live: true (Hdf5Loader) or --poll, and a SwmrLoader, is',
    'live: frames, positions, raw folders and HDF5 files that are not there yet are',
    'waited for. Each chunk holds --chunk frames (the last one the rest): the scan',
    'waits for that many new frames unless the config sets min_frames (e.g. 1: take',
    'what has arrived, smaller chunks, less delay).',
    '',
    'Ctrl-C, SIGTERM and SIGHUP stop after the current chunk: every completed chunk',
    'stays readable (exit code 130, 143, 129); a second one ends the process at once.',
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

    const { config, baseDir } = readScanConfig(configFile);
    if (typeof values.out === 'string') {
      // --out is a command-line path: relative to where the user stands, not to the config.
      config.dfile = resolve(values.out);
      if (config.save === undefined || config.save === null) config.save = 'append';
    }
    // Chunks of the requested size also while frames trickle in (see the usage text).
    if (config.min_frames === undefined) config.min_frames = BigInt(chunk);
    const live =
      values.poll !== undefined ||
      (config.num_frames !== undefined && config.num_frames !== null) ||
      (await resolveScanConfig(config, { baseDir })).info.live === true;
    const warn = (message: string): void => effects.stderr(`ptyscan: warning: ${message}\n`);
    const note = (message: string): void => {
      if (verbose) effects.stderr(`ptyscan: ${message}\n`);
    };
    const opened = await openScan(
      () =>
        createScan(config, {
          baseDir,
          logger: { warn, info: note },
          // Chunks are stored and counted here, never kept: prepare each into the last one's memory.
          recycle: true,
          ...(values.resume === true ? { resume: true } : {}),
        }),
      {
        live,
        pollMs,
        timeoutS,
        effects,
        onWait: (what) => {
          if (!quiet) effects.stderr(`prepare: waiting for ${what}\n`);
        },
      },
    );
    if (opened === null) return EXIT_INTERRUPTED;
    const scan = opened;
    note(describeSave(saveSettings(scan.info, [])));
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
    if (!silent) effects.stdout(prepareSummary(scan, outcome, progress.elapsed()));
    return outcome.interrupted ? EXIT_INTERRUPTED : 0;
  },
};

/** A source's own bug (a TypeError in a user's load()) still ends as one clear line. */
function asPtyscanError(e: unknown, source: string): unknown {
  if (e instanceof PtyscanError || !(e instanceof Error)) return e;
  return new PtyscanError(`${source} failed: ${e.name}: ${e.message}`, { cause: e });
}
