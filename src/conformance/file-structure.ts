import { H5File } from '../h5/index.js';
import type { Plain } from './describe.js';

/** One object of an HDF5 file as the corpus's structure listings describe it. */
export interface StructureEntry {
  path: string;
  kind: 'group' | 'dataset' | 'external_link';
  dtype?: string;
  shape?: number[];
  /** The h5rw `type` attribute. */
  type?: string;
  /** A dataset's filter pipeline in order, e.g. `shuffle + gzip 1` (`none` without filters). */
  filters?: string;
}

/** A pipeline of filter words in order (`none` for none). */
function pipelineText(words: readonly string[]): string {
  return words.length === 0 ? 'none' : words.join(' + ');
}

/** Our dataset's filters, in the words the corpus's h5py listing gives. */
function filterWords(filters: readonly { id: number; cdValues: number[] }[]): string[] {
  return filters.map((f) => {
    if (f.id === 1) return `gzip ${f.cdValues[0] ?? 4}`;
    if (f.id === 2) return 'shuffle';
    if (f.id === 3) return 'fletcher32';
    if (f.id === 32000) return 'lzf';
    return `filter ${f.id}`;
  });
}

/** Lists every object below the root, following external links (their targets' members are listed under the link path). */
export function listStructure(file: string): StructureEntry[] {
  const h5 = H5File.open(file, 'r');
  const out: StructureEntry[] = [];
  const walk = (path: string): void => {
    for (const name of h5.members(path)) {
      const child = path === '/' ? `/${name}` : `${path}/${name}`;
      const at = h5.entry(child);
      if (at.kind === 'external-link') {
        out.push({ path: child, kind: 'external_link' });
        if (!at.dead) walk(child);
        continue;
      }
      const resolved = h5.resolve(child);
      const type = h5.readStringAttribute(child, 'type');
      if (resolved.kind === 'group') {
        out.push({ path: child, kind: 'group', ...(type === undefined ? {} : { type }) });
        walk(child);
      } else if (resolved.kind === 'dataset') {
        out.push({
          path: child,
          kind: 'dataset',
          dtype: typeof resolved.dtype === 'string' ? resolved.dtype : 'unsupported',
          shape: resolved.shape,
          filters: pipelineText(filterWords(resolved.filters)),
          ...(type === undefined ? {} : { type }),
        });
      }
    }
  };
  try {
    walk('/');
  } finally {
    h5.close();
  }
  return out;
}

/** The entries of a corpus `out.ptyd.structure.json`, in the same form. */
export function expectedStructure(json: Record<string, Plain>): StructureEntry[] {
  const entries = (json.entries ?? []) as Record<string, Plain>[];
  const known = new Set(['group', 'dataset', 'external_link']);
  // 'group(target root)' rows describe a linked file's root: its members are listed anyway.
  return entries
    .filter((e) => known.has(String(e.kind)))
    .map((e) => {
      const attrs = (e.attrs ?? {}) as Record<string, Record<string, Plain>>;
      const type = attrs.type?.value;
      const kind =
        e.kind === 'group' ? 'group' : e.kind === 'dataset' ? 'dataset' : 'external_link';
      // h5py applies the shuffle before the compression, the checksum last.
      const words = [
        ...(e.shuffle === true ? ['shuffle'] : []),
        ...(e.compression === 'gzip' ? [`gzip ${e.compression_opts}`] : []),
        ...(e.compression === 'lzf' ? ['lzf'] : []),
        ...(e.fletcher32 === true ? ['fletcher32'] : []),
      ];
      return {
        path: String(e.path),
        kind,
        ...(kind === 'dataset'
          ? {
              dtype: String(e.numpy_dtype),
              shape: (e.shape as number[]) ?? [],
              filters: pipelineText(words),
            }
          : {}),
        ...(typeof type === 'string' ? { type } : {}),
      };
    });
}
