/**
 * What sits at a path, and external links: reading a link, telling a dead
 * one from a live one, and finding the file a link points to (relative
 * targets resolve against the linking file's folder).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FileFormatError, H5Error, MissingDataError } from '../errors.js';
import type { H5Handle } from './handle.js';
import { counters } from './open.js';
import { datasetMeta } from './read.js';
import { diagMark, diagSince, diagText, h5call, h5probe } from './runtime.js';
import { elementType, type H5Entry, type LinkProblem } from './types.js';

/** External links followed one after the other before a path is refused as nested too deep. */
export const MAX_LINK_DEPTH = 16;

/** The words `info` shows for each kind of broken link. */
export const LINK_PROBLEM_TEXT: Readonly<Record<LinkProblem['kind'], string>> = {
  'no-file': 'no such file',
  'not-file': 'not a regular file',
  'not-hdf5': 'not an HDF5 file',
  'no-object': 'no such object',
  loop: 'links in a loop',
  'too-deep': 'links nested too deep',
  outside: 'outside the folder',
};

/** Throws when the link at `linkPath` of `file` leads (to `found`) out of `folder`. */
export function checkConfined(
  file: string,
  linkPath: string,
  target: string,
  found: string,
  folder: string,
): void {
  if (relative(folder, resolve(found)).split(sep)[0] !== '..') return;
  throw new H5Error(
    `${file}:${linkPath} links to ${target}, outside ${folder}: not followed (links are confined to the folder).`,
    {
      file,
      dataset: linkPath,
      expected: `a target inside ${folder}`,
      found: 'a link out of the folder',
    },
  );
}

/** The problem of a link whose target file holds no object at the target path. */
export function noObject(
  file: string,
  link: { path: string; targetFile: string; targetPath: string },
): LinkProblem {
  const message = `${file}:${link.path} links to ${link.targetFile}:${link.targetPath}, which holds no such object.`;
  return { kind: 'no-object', message };
}

/** The error for following a link that closes a loop (`trail`: the targets followed so far). */
export function linkLoopError(file: string, linkPath: string, trail: readonly string[]): H5Error {
  return new H5Error(
    `${file}:${linkPath}: external links lead in a loop (${trail.join(' -> ')}).`,
    { file, dataset: linkPath, expected: 'links that end at an object', found: 'a loop' },
  );
}

/** The error for a path behind more than {@link MAX_LINK_DEPTH} external links. */
export function linkDepthError(file: string, linkPath: string): H5Error {
  return new H5Error(
    `${file}:${linkPath}: external links nested more than ${MAX_LINK_DEPTH} deep.`,
    {
      file,
      dataset: linkPath,
      expected: `at most ${MAX_LINK_DEPTH} links in a row`,
      found: 'links nested deeper',
    },
  );
}

/** One external link followed on a path: how it is shown, and the file and path it reaches. */
export interface LinkStep {
  shown: string;
  at: string;
}

/**
 * The trail after following `link` (at `linkPath` of `file`, into the file
 * `child`); a step back to a place already on the trail is a loop error.
 */
export function linkStep(
  file: string,
  linkPath: string,
  trail: readonly LinkStep[],
  link: { targetFile: string; targetPath: string },
  child: string,
): LinkStep[] {
  const target = link.targetPath.startsWith('/') ? link.targetPath : `/${link.targetPath}`;
  const at = `${child}:${target}`;
  const path = [...trail, { shown: `${link.targetFile}:${link.targetPath}`, at }];
  if (trail.some((t) => t.at === at)) {
    throw linkLoopError(
      file,
      linkPath,
      path.map((t) => t.shown),
    );
  }
  return path;
}

/**
 * Why the external link `link` of `file` cannot be followed, or null when
 * it can: `follow` follows it and tells whether the target object exists.
 */
export function followProblem(
  file: string,
  link: { path: string; targetFile: string; targetPath: string },
  follow: () => boolean,
): LinkProblem | null {
  try {
    return follow() ? null : noObject(file, link);
  } catch (error) {
    const problem = linkProblemOf(error);
    if (problem === null) throw error;
    return problem;
  }
}

/** What kind of broken link an error from following it means, or null for other errors. */
export function linkProblemOf(error: unknown): LinkProblem | null {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof MissingDataError && error.found === 'a dead external link')
    return { kind: 'no-file', message };
  if (error instanceof FileFormatError) {
    if (error.found === 'a directory or device') return { kind: 'not-file', message };
    if (error.found === 'nothing') return { kind: 'no-file', message };
    return { kind: 'not-hdf5', message };
  }
  if (error instanceof H5Error && error.found === 'a loop') return { kind: 'loop', message };
  if (error instanceof H5Error && error.found === 'links nested deeper')
    return { kind: 'too-deep', message };
  if (error instanceof H5Error && error.found === 'a link out of the folder')
    return { kind: 'outside', message };
  return null;
}

/** The external link stored at `abs`, or null when there is none. */
export function externalLinkAt(
  h: H5Handle,
  abs: string,
): { targetFile: string; targetPath: string } | null {
  const link = h5probe('Reading a link', { file: h.file, dataset: abs }, () =>
    h.module.get_external_link(h.id, abs),
  );
  if (typeof link.filename !== 'string' || typeof link.obj_path !== 'string') return null;
  return { targetFile: link.filename, targetPath: link.obj_path };
}

/**
 * {@link externalLinkAt}, remembered in `memo` when given (a read-only
 * file's links do not change), each lookup counted.
 */
export function rememberedLink(
  h: H5Handle,
  abs: string,
  memo: Map<string, ReturnType<typeof externalLinkAt>> | null,
): ReturnType<typeof externalLinkAt> {
  const known = memo?.get(abs);
  if (known !== undefined) return known;
  counters.linkLookups += 1;
  const link = externalLinkAt(h, abs);
  memo?.set(abs, link);
  return link;
}

/** What is at `abs` in this file itself; an external link at `abs` is reported, not followed. */
export function entryAt(h: H5Handle, abs: string): H5Entry {
  if (abs === '/') return { kind: 'group', path: abs };
  const link = externalLinkAt(h, abs);
  if (link === null) return resolvedAt(h, abs);
  const m = h.module;
  const type = h5probe('Resolving a link', { file: h.file, dataset: abs }, () =>
    m.get_type(h.id, abs),
  );
  return { kind: 'external-link', path: abs, ...link, dead: type === m.H5G_UDLINK };
}

/** What `abs` is in this file, with no external link on the way (a dead link gives `missing`). */
export function resolvedAt(h: H5Handle, abs: string): H5Entry {
  const m = h.module;
  const ctx = { file: h.file, dataset: abs };
  const mark = diagMark();
  const type = h5probe('Looking up a path', ctx, () => m.get_type(h.id, abs));
  if (type === m.H5G_GROUP) {
    // h5wasm reports an object whose header cannot be read as a group: check that it opens.
    if (abs !== '/') openable(h, abs);
    return { kind: 'group', path: abs };
  }
  if (type === m.H5G_DATASET) {
    const meta = datasetMeta(h, abs);
    const filters = h5call('Reading filters', ctx, () => m.get_dataset_filters(h.id, abs));
    return {
      kind: 'dataset',
      path: abs,
      shape: meta.shape ?? [],
      dtype: elementType(m, meta),
      chunks: meta.chunks,
      filters: filters.map((f) => ({ id: f.id, name: f.name, cdValues: [...f.cd_values] })),
    };
  }
  if (type === m.H5G_LINK) {
    const target = h5probe('Reading a soft link', ctx, () => m.get_symbolic_link(h.id, abs));
    return { kind: 'soft-link', path: abs, target: String(target) };
  }
  if (type === m.H5G_UDLINK) return { kind: 'missing', path: abs };
  if (type < 0) return brokenOrMissing(h, abs, mark);
  return { kind: 'other', path: abs };
}

/** Throws when the object at `abs` exists but its header cannot be read. */
function openable(h: H5Handle, abs: string): void {
  const mark = diagMark();
  let failed = false;
  try {
    h.module.get_attribute_names(h.id, abs);
  } catch {
    failed = true;
  }
  if (!failed && !diagSince(mark)) return;
  const reason = diagText(mark) || 'its object header cannot be read';
  throw brokenObject(h, abs, reason);
}

function brokenObject(h: H5Handle, abs: string, reason: string): H5Error {
  return new H5Error(`${h.file}:${abs} exists but cannot be opened (${reason}).`, {
    file: h.file,
    dataset: abs,
    expected: 'a readable object',
    found: reason,
  });
}

/**
 * A path HDF5 cannot tell the type of: absent, or an object whose header
 * cannot be read (a flipped byte, a checksum error). The second is an
 * error, never an absence: its parent group still names it.
 */
function brokenOrMissing(h: H5Handle, abs: string, mark: number): H5Entry {
  const cut = abs.lastIndexOf('/');
  const parent = cut <= 0 ? '/' : abs.slice(0, cut);
  const name = abs.slice(cut + 1);
  const m = h.module;
  const reason = diagText(mark) || 'its object header cannot be read';
  let named = false;
  try {
    named =
      m.get_type(h.id, parent) === m.H5G_GROUP &&
      [...m.get_names(h.id, parent, false)].includes(name);
  } catch {
    named = false;
  }
  if (!named) return { kind: 'missing', path: abs };
  throw brokenObject(h, abs, reason);
}

/**
 * The file an external link at `linkPath` of `file` points to: a relative
 * target next to `file` (or from the working folder), an absolute one as
 * stored (or by its name next to `file`, for a moved scan folder).
 *
 * @throws MissingDataError when none of them exists (a dead link).
 */
export function linkedFilePath(file: string, target: string, linkPath: string): string {
  const here = dirname(resolve(file));
  const candidates = isAbsolute(target)
    ? [target, join(here, basename(target))]
    : [join(here, target), resolve(target)];
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) {
    throw new MissingDataError(`${file}:${linkPath} links to ${target}, which does not exist.`, {
      file,
      dataset: linkPath,
      expected: target,
      found: 'a dead external link',
    });
  }
  return found;
}
