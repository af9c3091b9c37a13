import { h5ready } from '../../h5/index.js';
import { previewPtyd } from '../../preview/index.js';
import { openPtydReader } from '../../ptyd/index.js';
import { type CliEffects, type Command, parseCommandArgs, UsageError } from '../command.js';
import { singlePositional } from './options.js';

/**
 * `ptyscan preview <file.ptyd> --out <dir>`: the quick-look PNGs of a file
 * (summed pattern, transmission and DPC maps, scan path, histogram) and a few
 * single frames, read chunk by chunk.
 */
export const previewCommand: Command = {
  name: 'preview',
  summary: 'Write quick-look PNGs of a .ptyd file: summed pattern, transmission, DPC, frames',
  usage: [
    'ptyscan preview <file.ptyd> --out <dir> [--frames 0,5,9]',
    '',
    'Writes sum.png (log scale, centre cross, masked pixels in red), transmission.png',
    '(counts inside the mask on the scan positions), dpc_y.png and dpc_x.png (centre-of-mass',
    'shift, differential phase contrast), positions.png (acquisition order), histogram.png',
    '(counts per pixel) and frame_NNNN.png for the chosen frames (default: first, middle,',
    'last). Axes are in physical units when the file has psize and distance. The file is',
    'read a few frames at a time: memory does not grow with the length of the scan.',
  ].join('\n'),
  async run(args: readonly string[], effects: CliEffects): Promise<number> {
    const { values, positionals } = parseCommandArgs('preview', args, {
      out: { type: 'string', short: 'o' },
      frames: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    });
    const file = singlePositional('preview', positionals, '<file.ptyd>');
    if (typeof values.out !== 'string') throw new UsageError('preview', 'missing --out <dir>');
    const frameIndices = typeof values.frames === 'string' ? indexList(values.frames) : undefined;
    await h5ready();
    const reader = openPtydReader(file);
    try {
      const written = previewPtyd(
        reader,
        values.out,
        frameIndices === undefined ? {} : { frameIndices },
      );
      effects.stdout(`${written.join('\n')}\n`);
    } finally {
      reader.close();
    }
    return 0;
  },
};

function indexList(text: string): number[] {
  const items = text.split(',').map((t) => t.trim());
  const bad = items.filter((t) => !/^\d+$/.test(t));
  if (bad.length > 0 || items.length === 0) {
    throw new UsageError('preview', `--frames expects frame indices like 0,5,9, found '${text}'`);
  }
  return items.map(Number);
}
