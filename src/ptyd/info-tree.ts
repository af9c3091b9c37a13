/**
 * The tree listing of any HDF5 file, in the style of ptypy's tutorial:
 *
 * ```
 * @ ptyscan_state = "complete"
 * * chunks [dict 3]:
 *   * 0 [link -> scan.ptyd.chunk00:/] [dict 4]:
 *     * data [8x32x32 int32 array]
 *     * indices [8 int64 list]
 * * meta [dict 8]:
 *   * energy [scalar = 7.2]
 * ```
 */
import { resolve } from 'node:path';
import { describeElementType, type H5Entry, H5File, LINK_PROBLEM_TEXT } from '../h5/index.js';

/** Options of {@link formatInfoTree}. */
export interface InfoTreeOptions {
  /** Group levels to list (default: all). */
  depth?: number;
  /** Links to files outside the file's folder are listed as dead, not followed. */
  confineLinks?: boolean;
}

/** Chunk keys "0".."10" in numeric order; other names as stored. */
function byNumberThenName(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Arrays this small are shown with their values (a centre, a shape, a pixel size). */
const SHOW_VALUES_UP_TO = 4;

function valueText(v: unknown, float: boolean, bool: boolean): string {
  if (bool) return v ? 'True' : 'False';
  if (typeof v === 'number' && float) return Number.isInteger(v) ? v.toFixed(1) : String(v);
  return String(v);
}

function scalarText(
  file: H5File,
  path: string,
  entry: Extract<H5Entry, { kind: 'dataset' }>,
): string {
  const data = file.readDataset(path);
  if (data.dtype === 'string') return JSON.stringify(data.data[0] ?? '');
  return valueText(data.data[0], entry.dtype.toString().startsWith('float'), data.dtype === 'bool');
}

function arrayValues(
  file: H5File,
  path: string,
  entry: Extract<H5Entry, { kind: 'dataset' }>,
): string {
  const data = file.readDataset(path);
  if (data.dtype === 'string') return '';
  const float = entry.dtype.toString().startsWith('float');
  const values = Array.from(data.data as ArrayLike<unknown>, (v) =>
    valueText(v, float, data.dtype === 'bool'),
  );
  return ` = [${values.join(', ')}]`;
}

function describeDataset(
  file: H5File,
  path: string,
  entry: Extract<H5Entry, { kind: 'dataset' }>,
  type?: string,
): string {
  const dtype = describeElementType(entry.dtype);
  if (type === 'None') return '[None]';
  const scalar = entry.shape.length === 0;
  if (scalar && typeof entry.dtype === 'string') {
    const kind = type === 'string' || entry.dtype === 'string' ? 'string' : 'scalar';
    return `[${kind} = ${scalarText(file, path, entry)}]`;
  }
  const shape = entry.shape.length === 0 ? 'scalar' : entry.shape.join('x');
  // h5rw stores Python lists and tuples of numbers as arrays; they come back as lists and tuples.
  const kind = type === 'arraylist' ? 'list' : type === 'arraytuple' ? 'tuple' : 'array';
  const small =
    entry.shape.length === 1 &&
    (entry.shape[0] ?? 0) <= SHOW_VALUES_UP_TO &&
    typeof entry.dtype === 'string';
  return `[${shape} ${dtype} ${kind}${small ? arrayValues(file, path, entry) : ''}]`;
}

/** Where `path` really is (file and path once links are followed), as one key. */
function placeOf(file: H5File, path: string): string {
  const at = file.locate(path);
  return `${resolve(at.file)}:${at.path}`;
}

function lines(
  file: H5File,
  path: string,
  name: string,
  indent: string,
  depth: number,
  out: string[],
  above: Map<string, string>,
): void {
  const entry = file.entry(path);
  if (entry.kind === 'external-link' && entry.dead) {
    const why = entry.problem === undefined ? '' : ` (${LINK_PROBLEM_TEXT[entry.problem.kind]})`;
    out.push(`${indent}* ${name} [dead link -> ${entry.targetFile}:${entry.targetPath}]${why}`);
    return;
  }
  let place: string | null = null;
  if (entry.kind === 'external-link') {
    place = placeOf(file, path);
    const back = above.get(place);
    if (back !== undefined) {
      out.push(
        `${indent}* ${name} [link -> ${entry.targetFile}:${entry.targetPath}] [link loop: back to ${back} above]`,
      );
      return;
    }
  }
  const target = entry.kind === 'external-link' ? file.resolve(path) : entry;
  const type = file.readStringAttribute(path, 'type');
  // A followed external link says where its content lives.
  const label =
    entry.kind === 'external-link'
      ? `${name} [link -> ${entry.targetFile}:${entry.targetPath}]`
      : name;
  if (target.kind === 'dataset') {
    out.push(`${indent}* ${label} ${describeDataset(file, path, target, type)}`);
    return;
  }
  if (target.kind !== 'group') {
    out.push(`${indent}* ${label} [${target.kind}]`);
    return;
  }
  const members = file.members(path).sort(byNumberThenName);
  const kind = type === 'list' || type === 'tuple' ? type : 'dict';
  out.push(
    `${indent}* ${label} [${kind} ${members.length}]${members.length > 0 && depth > 0 ? ':' : ''}`,
  );
  if (depth <= 0) return;
  const base = path === '/' ? '' : path;
  // The groups above, by where they really are: a link back to one of them is a loop.
  const key = place ?? placeOf(file, path);
  const known = above.has(key);
  if (!known) above.set(key, path);
  for (const member of members)
    lines(file, `${base}/${member}`, member, `${indent}  `, depth - 1, out, above);
  if (!known) above.delete(key);
}

/** `@ name = value` for each attribute of the root (ptyscan's writer state, for one). */
function rootAttributes(file: H5File, out: string[]): void {
  for (const name of file.attributeNames('/')) {
    const value = file.readAttribute('/', name);
    const text =
      value.dtype === 'string' && value.data.length === 1
        ? JSON.stringify(value.data[0])
        : `[${Array.from(value.data as ArrayLike<unknown>, String).join(', ')}]`;
    out.push(`@ ${name} = ${text}`);
  }
}

/**
 * Lists the tree of `file`, one object per line: root attributes first
 * (`@ name = value`), external links followed and marked with their target,
 * dead ones marked as such with the reason, a link back to a group above
 * shown once as a loop.
 */
export function formatInfoTree(file: string, options: InfoTreeOptions = {}): string {
  const h5 = H5File.open(file, 'r', { confineLinks: options.confineLinks === true });
  try {
    const depth = options.depth ?? Number.POSITIVE_INFINITY;
    const out: string[] = [];
    rootAttributes(h5, out);
    const root = new Map([[placeOf(h5, '/'), '/']]);
    for (const name of h5.members('/')) lines(h5, `/${name}`, name, '', depth - 1, out, root);
    return out.join('\n');
  } finally {
    h5.close();
  }
}
