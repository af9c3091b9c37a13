import { h5ready } from '../../h5/index.js';
import { formatInfoTree } from '../../ptyd/index.js';
import { type CliEffects, type Command, parseCommandArgs } from '../command.js';
import { printable } from '../printable.js';
import { ptydSummary } from './info-summary.js';
import { positiveInt, singlePositional } from './options.js';

/**
 * `ptyscan info <file>`: the tree of groups and datasets of a `.ptyd` (or
 * any HDF5) file, with its root attributes and external links, then for a
 * `.ptyd` a one-screen summary (state, frames, chunk sizes, links, meta).
 */
export const infoCommand: Command = {
  name: 'info',
  summary: 'List the groups and datasets of a .ptyd (or any HDF5) file, and summarise a .ptyd',
  usage: [
    'ptyscan info <file> [--depth N] [--summary] [--confine-links]',
    '',
    'Prints the root attributes (@ name = value), the tree (a chunk stored in',
    'its own file shows [link -> file:path]) and, for a .ptyd file, a summary:',
    "the writer's state, frames and chunks with their sizes, link targets, meta.",
    '',
    'Options:',
    '  --depth N        list N levels of groups (default: all)',
    '  --summary        print only the summary of a .ptyd file',
    "  --confine-links  do not follow external links to files outside the file's folder",
    '                   (listed as dead links); by default they are followed, as HDF5 does',
  ].join('\n'),
  async run(args: readonly string[], effects: CliEffects): Promise<number> {
    const { values, positionals } = parseCommandArgs('info', args, {
      depth: { type: 'string' },
      summary: { type: 'boolean' },
      'confine-links': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
    });
    const file = singlePositional('info', positionals, '<file>');
    const depth = positiveInt('info', '--depth', values.depth);
    const confineLinks = values['confine-links'] === true;
    await h5ready();
    const parts = [file];
    if (values.summary !== true) {
      const tree = formatInfoTree(file, {
        ...(depth === undefined ? {} : { depth }),
        confineLinks,
      });
      if (tree !== '') parts.push(tree);
    }
    // The summary comes last, so it is what stays on the screen under a long tree.
    const summary = ptydSummary(file, confineLinks);
    if (summary !== null) parts.push(summary);
    else if (values.summary === true) parts.push('(not a .ptyd file: no chunks group)');
    // Names and strings come from the file: no terminal control characters.
    effects.stdout(`${printable(parts.join('\n'))}\n`);
    return 0;
  },
};
