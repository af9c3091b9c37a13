import { resolve } from 'node:path';
import {
  DEFAULT_SIMULATION,
  describeSimulation,
  SCAN_PATTERNS,
  type ScanPattern,
  type SimulationOptions,
  writeRawFolder,
} from '../../sim/index.js';
import { type CliEffects, type Command, parseCommandArgs, UsageError } from '../command.js';
import { formatDuration, Progress } from '../progress.js';
import { nonNegativeInt, positiveInt, positiveNumber, singlePositional } from './options.js';
import { EXIT_INTERRUPTED } from './prepare.js';

/**
 * `ptyscan simulate <dir>`: writes a simulated scan as a tutorial-style raw
 * folder (`geometry.txt`, `positions.txt`, `ccd/diffraction_%04d.npy`),
 * optionally slowly, to imitate an acquisition in progress, and its ground
 * truth (`truth/object.npy`, `truth/probe.npy`, `truth/truth.json`).
 */
export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Write a simulated scan as a raw folder (npy frames, positions, geometry, ground truth)',
  usage: [
    'ptyscan simulate <dir> --frames N --shape S [options]',
    '',
    "Writes <dir>/geometry.txt, positions.txt and ccd/diffraction_NNNN.npy (ptypy's",
    'tutorial layout), and the ground truth to check a reconstruction against:',
    'truth/object.npy and truth/probe.npy (complex128, sample-plane pixels) and',
    'truth/truth.json (pixel size, which object pixels each frame sees, the rest).',
    '',
    'Options:',
    '  --frames N       number of frames (scan points)',
    '  --shape S        frame side in pixels (frames are S x S)',
    `  --photons P      photons per frame (default ${DEFAULT_SIMULATION.photons})`,
    `  --pattern P      ${SCAN_PATTERNS.join(' | ')} (default ${DEFAULT_SIMULATION.pattern})`,
    `  --seed K         random seed (default ${DEFAULT_SIMULATION.seed}); equal seeds, equal scans`,
    '  --blur SIGMA     detector blur in pixels (default none)',
    '  --step M         distance between scan points in metres (default: a tenth of the field of view)',
    '  --delay MS       wait MS milliseconds before each frame, imitating an acquisition',
    `  --energy KEV     photon energy (default ${DEFAULT_SIMULATION.energy})`,
    `  --distance M     sample-detector distance (default ${DEFAULT_SIMULATION.distance})`,
    `  --psize M        detector pixel size (default ${DEFAULT_SIMULATION.psize})`,
    '  --quiet          print nothing but errors',
  ].join('\n'),
  async run(args: readonly string[], effects: CliEffects): Promise<number> {
    const { values, positionals } = parseCommandArgs('simulate', args, {
      frames: { type: 'string' },
      shape: { type: 'string' },
      photons: { type: 'string' },
      pattern: { type: 'string' },
      seed: { type: 'string' },
      blur: { type: 'string' },
      step: { type: 'string' },
      delay: { type: 'string' },
      energy: { type: 'string' },
      distance: { type: 'string' },
      psize: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      verbose: { type: 'boolean', short: 'v' },
    });
    const dir = singlePositional('simulate', positionals, '<dir>');
    const frames = positiveInt('simulate', '--frames', values.frames);
    const shape = positiveInt('simulate', '--shape', values.shape);
    if (frames === undefined) throw new UsageError('simulate', 'missing --frames N');
    if (shape === undefined) throw new UsageError('simulate', 'missing --shape S');
    const pattern = values.pattern ?? DEFAULT_SIMULATION.pattern;
    if (typeof pattern !== 'string' || !(SCAN_PATTERNS as readonly string[]).includes(pattern)) {
      throw new UsageError(
        'simulate',
        `--pattern expects ${SCAN_PATTERNS.join(', ')}, found '${pattern}'`,
      );
    }
    const blur = nonNegativeNumber('--blur', values.blur);
    const step = positiveNumber('simulate', '--step', values.step);
    const options: SimulationOptions = {
      frames,
      shape,
      pattern: pattern as ScanPattern,
      photons:
        positiveNumber('simulate', '--photons', values.photons) ?? DEFAULT_SIMULATION.photons,
      seed: nonNegativeInt('simulate', '--seed', values.seed) ?? DEFAULT_SIMULATION.seed,
      energy: positiveNumber('simulate', '--energy', values.energy) ?? DEFAULT_SIMULATION.energy,
      distance:
        positiveNumber('simulate', '--distance', values.distance) ?? DEFAULT_SIMULATION.distance,
      psize: positiveNumber('simulate', '--psize', values.psize) ?? DEFAULT_SIMULATION.psize,
      ...(blur === undefined ? {} : { blur }),
      ...(step === undefined ? {} : { step }),
    };
    const delayMs = nonNegativeInt('simulate', '--delay', values.delay) ?? 0;
    const { meta } = describeSimulation(options);
    const quiet = values.quiet === true;
    const progress = new Progress({
      mode: quiet ? 'quiet' : effects.isTTY ? 'bar' : 'lines',
      write: effects.stderr,
      label: 'simulate',
      ...(effects.columns === undefined ? {} : { columns: effects.columns }),
    });
    const target = resolve(dir);
    if (!quiet) {
      effects.stdout(
        `Simulating ${frames} frames of ${shape}x${shape} px (${pattern} scan, step ${(meta.step * 1e6).toPrecision(3)} um, ${options.photons.toExponential(1)} photons/frame) into ${target}\n`,
      );
    }
    progress.start(frames);
    // One line per frame is too many in a log: report about ten times.
    const every = effects.isTTY ? 1 : Math.max(1, Math.ceil(frames / 10));
    let written = 0;
    try {
      await writeRawFolder(target, options, {
        delayMs,
        truth: true,
        ...(effects.signal === undefined ? {} : { signal: effects.signal }),
        onFrame: (index: number) => {
          written = index + 1;
          if (written % every === 0 || written === frames) progress.update(written, frames);
        },
      });
    } catch (e) {
      progress.finish();
      if (effects.signal?.aborted) {
        effects.stdout(`Interrupted: ${written} of ${frames} frames written to ${target}\n`);
        return EXIT_INTERRUPTED;
      }
      throw e;
    }
    progress.finish();
    if (!quiet) {
      effects.stdout(
        `Wrote ${written} frames, positions.txt, geometry.txt and the ground truth (truth/object.npy, truth/probe.npy, truth/truth.json) to ${target} in ${formatDuration(progress.elapsed())}\n`,
      );
    }
    return 0;
  },
};

function nonNegativeNumber(
  option: string,
  value: string | boolean | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!(Number.isFinite(n) && n >= 0)) {
    throw new UsageError('simulate', `${option} expects a number >= 0, found '${value}'`);
  }
  return n;
}
