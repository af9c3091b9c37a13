import { limitText } from './check.js';
import { type ParamDescriptor, type ParamField, USERLEVEL_NAMES } from './descriptor.js';
import { formatPyLiteral } from './literal.js';
import { writeParamBlock } from './text.js';
import type { ParamTree } from './tree.js';

/** Text output of parameter trees: the ptypy block form, the defaults, and help. */

/** Every field of every entry, in the ptypy block form (parseable again). */
export function formatParamText(tree: ParamTree): string {
  const blocks = [...tree.entries.values()].map((d) => {
    const fields: [ParamField, string][] = [
      ['type', d.type.join(', ')],
      ['default', formatPyLiteral(d.default, `${tree.path}.${d.name}.default`)],
      ['help', d.help],
    ];
    if (d.doc !== '') fields.push(['doc', d.doc]);
    if (d.userlevel !== null) fields.push(['userlevel', String(d.userlevel)]);
    if (d.choices !== null) fields.push(['choices', formatPyLiteral([...d.choices])]);
    if (d.lowlim !== null) fields.push(['lowlim', formatPyLiteral(d.lowlim)]);
    if (d.uplim !== null) fields.push(['uplim', formatPyLiteral(d.uplim)]);
    return writeParamBlock(d.name, fields);
  });
  return `${blocks.join('\n\n')}\n`;
}

/** `type` and `default` of every entry, in the block form. */
export function formatParamDefaults(tree: ParamTree): string {
  const blocks = [...tree.entries.values()].map((d) =>
    writeParamBlock(d.name, [
      ['type', d.type.join(', ')],
      ['default', formatPyLiteral(d.default, `${tree.path}.${d.name}.default`)],
    ]),
  );
  return `${blocks.join('\n\n')}\n`;
}

/**
 * Help for people: one section per parameter with its full path, type,
 * default, limits, choices, user level, help line and doc text.
 */
export function formatParamHelp(tree: ParamTree, names?: readonly string[]): string {
  const wanted = names === undefined || names.length === 0 ? undefined : new Set(names);
  const sections: string[] = [];
  for (const d of tree.entries.values()) {
    if (wanted && !wanted.has(d.name)) continue;
    sections.push(helpSection(tree.path, d));
  }
  const head = `${tree.path}${tree.description ? `: ${tree.description}` : ''}`;
  return `${[head, ...sections].join('\n\n')}\n`;
}

function helpSection(root: string, d: ParamDescriptor): string {
  const rows: [string, string][] = [
    ['type', d.type.join(', ')],
    ['default', formatPyLiteral(d.default)],
  ];
  if (d.lowlim !== null || d.uplim !== null) rows.push(['limits', limitText(d, d.name)]);
  if (d.choices !== null)
    rows.push(['choices', d.choices.map((c) => formatPyLiteral(c)).join(', ')]);
  if (d.userlevel !== null)
    rows.push(['level', USERLEVEL_NAMES[d.userlevel] ?? String(d.userlevel)]);
  const lines = [`${root}.${d.name}`];
  if (d.help !== '') lines.push(`  ${d.help}`);
  for (const [key, value] of rows) lines.push(`  ${`${key}:`.padEnd(9)}${value}`);
  if (d.doc !== '') lines.push(...d.doc.split('\n').map((l) => (l === '' ? '' : `  ${l}`)));
  return lines.join('\n');
}
