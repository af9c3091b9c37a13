import type { ParameterProblem } from '../errors.js';
import { PARAM_FIELDS, type ParamField } from './descriptor.js';

/**
 * The ptypy text form of a parameter block, read and written as plain text:
 *
 * ```
 * [rebin]
 * type = int, None
 * default = None
 * help = Rebinning factor
 * doc = A longer text; further lines are
 *     indented, like ConfigParser continuation lines.
 * lowlim = 1
 * ```
 *
 * Lines starting with `#` or `;` (not indented) are comments. Continuation
 * lines lose their leading white space; a blank line between two continuation
 * lines is kept as a paragraph break. Field values are trimmed.
 */

/** One `[name]` block with its raw (unparsed) field texts. */
export interface ParamBlock {
  /** Dotted parameter name from the header line. */
  readonly name: string;
  /** 1-based line number of the header, for error messages. */
  readonly line: number;
  /** Raw field texts, only for the fields present in the block. */
  readonly fields: Partial<Record<ParamField, string>>;
}

const HEADER = /^\[\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\]\s*$/;
const FIELD = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;

/**
 * Splits parameter text into blocks. Problems (a field outside a block, an
 * unknown field, a repeated field or block, a malformed line) are collected
 * into `problems` with paths under `prefix`, so a caller reports them all at once.
 */
export function readParamBlocks(
  text: string,
  prefix: string,
  problems: ParameterProblem[],
): ParamBlock[] {
  const blocks: { name: string; line: number; fields: Partial<Record<ParamField, string>> }[] = [];
  const seen = new Set<string>();
  let current: (typeof blocks)[number] | undefined;
  let field: ParamField | undefined;
  let pendingBlank = 0;
  const lines = text.split(/\r?\n/);

  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const where = (name?: string): string => (name ? `${prefix}.${name}` : prefix);
    if (raw.trim() === '') {
      if (field !== undefined) pendingBlank++;
      return;
    }
    if (/^\s/.test(raw)) {
      if (current === undefined || field === undefined) {
        problems.push({
          path: where(current?.name),
          expected: 'a continuation line only after a field',
          found: `'${raw.trim()}' on line ${lineNo}`,
        });
        return;
      }
      const before = current.fields[field] ?? '';
      const gap = before === '' ? '' : '\n'.repeat(pendingBlank + 1);
      current.fields[field] = before + gap + raw.trim();
      pendingBlank = 0;
      return;
    }
    pendingBlank = 0;
    field = undefined;
    if (/^[#;]/.test(raw)) return;
    const header = HEADER.exec(raw);
    if (header) {
      const name = header[1] ?? '';
      if (seen.has(name)) {
        problems.push({
          path: where(name),
          expected: 'each [name] block once',
          found: `a second [${name}] on line ${lineNo}`,
        });
      }
      seen.add(name);
      current = { name, line: lineNo, fields: {} };
      blocks.push(current);
      return;
    }
    const match = FIELD.exec(raw);
    if (!match) {
      problems.push({
        path: where(current?.name),
        expected: "'[name]' or 'field = value'",
        found: `'${raw.trim()}' on line ${lineNo}`,
      });
      return;
    }
    const key = match[1] ?? '';
    if (current === undefined) {
      problems.push({
        path: prefix,
        expected: 'a [name] line before the first field',
        found: `'${key}' on line ${lineNo}`,
      });
      return;
    }
    if (!isField(key)) {
      problems.push({
        path: `${where(current.name)}.${key}`,
        expected: `one of the fields ${PARAM_FIELDS.join(', ')}`,
        found: `'${key}' on line ${lineNo}`,
      });
      return;
    }
    if (current.fields[key] !== undefined) {
      problems.push({
        path: `${where(current.name)}.${key}`,
        expected: 'each field once per block',
        found: `a second '${key}' on line ${lineNo}`,
      });
    }
    current.fields[key] = (match[2] ?? '').trim();
    field = key;
  });
  return blocks;
}

function isField(key: string): key is ParamField {
  return (PARAM_FIELDS as readonly string[]).includes(key);
}

/** Writes one block; multi-line values go on indented continuation lines. */
export function writeParamBlock(
  name: string,
  fields: readonly (readonly [ParamField, string])[],
): string {
  const lines = [`[${name}]`];
  for (const [key, value] of fields) {
    const [first = '', ...rest] = value.split('\n');
    lines.push(first === '' ? `${key} =` : `${key} = ${first}`);
    for (const line of rest) lines.push(line === '' ? '' : `    ${line}`);
  }
  return lines.join('\n');
}
