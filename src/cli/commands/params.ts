import { PARAM_ROOT, type ParamRegistry } from '../../params/index.js';
import { defaultSourceRegistry } from '../../sources/index.js';
import { type CliEffects, type Command, parseCommandArgs, UsageError } from '../command.js';

/**
 * `ptyscan params`: lists the registered parameter classes, or describes the
 * parameters of one class, or prints its defaults in the ptypy block form.
 */
export const paramsCommand: Command = {
  name: 'params',
  summary: 'List parameter classes, or describe the parameters of one class',
  usage: [
    'ptyscan params                      list the registered classes',
    'ptyscan params <class> [name...]    help for every parameter (or the named ones)',
    'ptyscan params <class> --defaults   the defaults as ptypy [name] blocks',
    '',
    '<class> is e.g. PtyScan or scandata.PtyScan.',
  ].join('\n'),
  run(args: readonly string[], effects: CliEffects): number {
    const { values, positionals } = parseCommandArgs('params', args, {
      defaults: { type: 'boolean' },
    });
    const [className, ...names] = positionals;
    if (className === undefined) {
      if (values.defaults) throw new UsageError('params', '--defaults needs a class name');
      effects.stdout(classList(defaultSourceRegistry().params));
      return 0;
    }
    const registry = defaultSourceRegistry().params;
    if (!registry.has(className)) {
      const known = registry.list().map((t) => t.name);
      throw new UsageError('params', `unknown class '${className}' (known: ${known.join(', ')})`);
    }
    const tree = registry.get(className);
    const unknown = names.filter((n) => tree.get(n) === undefined);
    if (unknown.length > 0) {
      throw new UsageError('params', `${tree.name} has no parameter '${unknown.join("', '")}'`);
    }
    if (values.defaults) {
      if (names.length > 0) throw new UsageError('params', '--defaults takes no parameter names');
      effects.stdout(tree.defaultsText());
    } else {
      effects.stdout(tree.help(names));
    }
    return 0;
  },
};

function classList(registry: ParamRegistry): string {
  const trees = registry.list();
  const width = Math.max(0, ...trees.map((t) => t.path.length));
  const lines = trees.map((t) => {
    const parent = t.parent ? ` (extends ${PARAM_ROOT}.${t.parent.name})` : '';
    const text = `${t.description}${parent}`.trim();
    return text === '' ? t.path : `${t.path.padEnd(width)}  ${text}`;
  });
  return `${lines.join('\n')}\n`;
}
