/** Copying HDF5 objects between files: how a file loses objects when they cannot be deleted in place. */
import { H5Error } from '../errors.js';
import type { H5File } from './file.js';
import type { H5Compression, H5Entry } from './types.js';

function compressionOf(entry: Extract<H5Entry, { kind: 'dataset' }>): H5Compression {
  const filter = entry.filters[0];
  if (!filter) return { kind: 'none' };
  if (filter.id === 1) return { kind: 'gzip', level: filter.cdValues[0] ?? 4 };
  if (filter.id === 32000) return { kind: 'lzf' };
  if (filter.id === 3) return { kind: 'none' };
  // Filters we cannot write (shuffle, szip, plugins): gzip keeps the data readable everywhere.
  return { kind: 'gzip', level: 4 };
}

function copyAttributes(source: H5File, target: H5File, path: string): void {
  for (const name of source.attributeNames(path)) {
    const value = source.readAttribute(path, name);
    if (value.dtype === 'string') {
      if (value.data.length !== 1 || value.shape.length > 1) {
        throw new H5Error(
          `${source.file}:${path}: the string-array attribute ${name} cannot be copied.`,
          {
            file: source.file,
            dataset: path,
          },
        );
      }
      target.writeStringAttribute(path, name, value.data[0] ?? '');
    } else {
      target.writeArrayAttribute(path, name, value);
    }
  }
}

/**
 * Copies the object at `path` (recursively, links kept as links, not
 * followed) from `source` into `target`, leaving out every path in `skip`.
 */
export function copyTree(
  source: H5File,
  target: H5File,
  path: string,
  skip: ReadonlySet<string>,
): void {
  if (skip.has(path)) return;
  const entry = source.entry(path);
  const base = path === '/' ? '' : path;
  switch (entry.kind) {
    case 'group':
      target.createGroup(path);
      copyAttributes(source, target, path);
      for (const name of source.members(path)) copyTree(source, target, `${base}/${name}`, skip);
      return;
    case 'dataset': {
      const data = source.readDataset(path);
      if (data.dtype === 'string') {
        if (data.shape.length !== 0) {
          throw new H5Error(`${source.file}:${path}: string arrays cannot be copied.`, {
            file: source.file,
            dataset: path,
          });
        }
        target.writeString(path, data.data[0] ?? '');
      } else if (entry.chunks === null || data.shape.length === 0) {
        target.writeArray(path, data, { layout: 'contiguous' });
      } else {
        target.writeArray(path, data, { compression: compressionOf(entry), chunks: entry.chunks });
      }
      copyAttributes(source, target, path);
      return;
    }
    case 'external-link':
      target.createExternalLink(path, entry.targetFile, entry.targetPath);
      return;
    default:
      throw new H5Error(`${source.file}:${path}: a ${entry.kind} cannot be copied.`, {
        file: source.file,
        dataset: path,
        expected: 'a group, dataset or external link',
        found: entry.kind,
      });
  }
}
