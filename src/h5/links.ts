/**
 * What sits at a path, and external links: reading a link, telling a dead
 * one from a live one, and finding the file a link points to (relative
 * targets resolve against the linking file's folder).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { MissingDataError } from '../errors.js';
import type { H5Handle } from './handle.js';
import { datasetMeta } from './read.js';
import { h5call, h5probe } from './runtime.js';
import { elementType, type H5Entry } from './types.js';

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
  const type = h5probe('Looking up a path', ctx, () => m.get_type(h.id, abs));
  if (type === m.H5G_GROUP) return { kind: 'group', path: abs };
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
  if (type === m.H5G_UDLINK || type < 0) return { kind: 'missing', path: abs };
  return { kind: 'other', path: abs };
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
