/**
 * A `dfile` must never take the place of what the scan reads: keeping an
 * existing `dfile` as `.old` would move the input away and write HDF5 in
 * its place. The inputs are found in the parameters: every `file`,
 * `source` and `*_file` entry (at any depth), and for a raw folder
 * (`base_path`) the folder, its `positions.txt` and `geometry.txt`, the
 * folder of the frame files and every name the frame pattern matches.
 */
import { statSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { ParameterError } from '../errors.js';
import { isPyDict, type PyDict } from '../py/value.js';

/** One input: its path, the parameter that names it, and whether nothing may be written inside it. */
interface Input {
  path: string;
  parameter: string;
  folder: boolean;
}

function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** The `file`, `source` and `*_file` entries of `tree`, at any depth. */
function fileEntries(tree: PyDict, prefix: string, out: Input[]): void {
  for (const [key, value] of Object.entries(tree)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (isPyDict(value)) fileEntries(value, name, out);
    else if (
      typeof value === 'string' &&
      value !== '' &&
      (key === 'file' || key.endsWith('_file') || (key === 'source' && value !== 'file'))
    ) {
      const path = resolve(value);
      out.push({ path, parameter: name, folder: isFolder(path) });
    }
  }
}

/** A printf-style frame pattern (`diffraction_%04d.npy`) as a regular expression of file names. */
function patternOf(name: string): RegExp {
  const parts = name.split(/%0?\d*d/);
  const escaped = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('\\d+')}$`);
}

/** Inside `folder` or `folder` itself. */
function within(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

/**
 * Refuses a `dfile` that is, or is inside, an input of the scan.
 *
 * @throws ParameterError naming `dfile` and the parameter of the input.
 */
export function checkOutputNotInput(info: PyDict, dfile: string): void {
  const out = resolve(dfile);
  const inputs: Input[] = [];
  fileEntries(info, '', inputs);
  let frames: RegExp | null = null;
  let frameFolder = '';
  if (typeof info.base_path === 'string') {
    const base = resolve(info.base_path);
    inputs.push({ path: base, parameter: 'base_path', folder: false });
    inputs.push({ path: resolve(base, 'positions.txt'), parameter: 'base_path', folder: false });
    inputs.push({ path: resolve(base, 'geometry.txt'), parameter: 'base_path', folder: false });
    if (typeof info.frame_pattern === 'string') {
      const pattern = resolve(base, info.frame_pattern);
      frameFolder = dirname(pattern);
      frames = patternOf(basename(pattern));
      if (frameFolder !== base)
        inputs.push({ path: frameFolder, parameter: 'frame_pattern', folder: true });
    }
  }
  const hit =
    inputs.find((i) => (i.folder ? within(out, i.path) : out === i.path)) ??
    (frames !== null && dirname(out) === frameFolder && frames.test(basename(out))
      ? { path: out, parameter: 'frame_pattern', folder: false }
      : undefined);
  if (hit === undefined) return;
  throw new ParameterError([
    {
      path: 'dfile',
      expected:
        'an output that is not an input of the scan (it would be moved to .old and replaced)',
      found: `${dfile}, ${out === hit.path ? 'which is' : 'inside'} ${hit.path} (${hit.parameter})`,
    },
  ]);
}
