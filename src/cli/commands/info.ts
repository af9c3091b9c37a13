import { h5ready } from '../../h5/index.js';
import { formatInfoTree } from '../../ptyd/index.js';
import { type CliEffects, type Command, parseCommandArgs } from '../command.js';
import { positiveInt, singlePositional } from './options.js';

/** `ptyscan info <file>`: the tree of groups and datasets of a `.ptyd` (or any HDF5) file. */
export const infoCommand: Command = {
  name: 'info',
  summary: 'List the groups and datasets of a .ptyd (or any HDF5) file',
  usage: [
    'ptyscan info <file> [--depth N]',
    '',
    'Options:',
    '  --depth N        list N levels of groups (default: all)',
  ].join('\n'),
  async run(args: readonly string[], effects: CliEffects): Promise<number> {
    const { values, positionals } = parseCommandArgs('info', args, {
      depth: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    });
    const file = singlePositional('info', positionals, '<file>');
    const depth = positiveInt('info', '--depth', values.depth);
    await h5ready();
    const tree = formatInfoTree(file, depth === undefined ? {} : { depth });
    effects.stdout(`${file}\n${tree}${tree === '' ? '' : '\n'}`);
    return 0;
  },
};
