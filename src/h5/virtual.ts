/**
 * Virtual datasets (HDF5 1.10 VDS): where their data lives. HDF5 reads a
 * mapping whose source file is missing as fill values, silently; a reader
 * that must never hand out a silent wrong frame checks the sources first.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { FileFormatError } from '../errors.js';
import { nativeVirtualFrames } from './native-read.js';
import { h5call, h5module } from './runtime.js';

/** One source mapping of a virtual dataset, as stored. */
export interface VirtualSource {
  /** The source file name as stored ('.' is the virtual dataset's own file). */
  readonly file: string;
  readonly dataset: string;
  /** Where the file was found (absolute), or null when it does not exist. */
  readonly found: string | null;
  /** Where it is looked for, in order (the first that exists is `found`). */
  readonly candidates: readonly string[];
  /**
   * The frames (first axis) of the virtual dataset it fills, when known (the
   * native addon reads the mappings; h5wasm gives only the names).
   */
  readonly frames: { readonly start: number; readonly count: number } | null;
}

/**
 * The source mappings of the virtual dataset at `path` of `file`, each with
 * the file it resolves to; an empty list for a dataset that is not virtual.
 * Relative source names are looked up, as HDF5 does, next to the file that
 * holds the virtual dataset, then in the working folder.
 *
 * @throws FileFormatError when `file` cannot be opened.
 */
export function virtualSources(file: string, path: string): VirtualSource[] {
  const m = h5module();
  const id = h5call('Opening the file', { file }, () =>
    m.open(file, m.H5F_ACC_RDONLY, false, -1, -1),
  );
  if (id < 0n) {
    throw new FileFormatError(`${file}: not a readable HDF5 file.`, {
      file,
      expected: 'an HDF5 file',
      found: 'HDF5 could not open it',
    });
  }
  try {
    const meta = h5call('Reading dataset metadata', { file, dataset: path }, () =>
      m.get_dataset_metadata(id, path),
    ) as unknown as { virtual_sources?: { file_name: string; dset_name: string }[] };
    const here = dirname(resolve(file));
    const sources = meta.virtual_sources ?? [];
    const frames = sources.length > 0 ? nativeVirtualFrames(file, path) : null;
    return sources.map(({ file_name, dset_name }, i) => {
      const candidates =
        file_name === '.'
          ? [resolve(file)]
          : isAbsolute(file_name)
            ? [file_name]
            : [join(here, file_name), resolve(file_name)];
      return {
        file: file_name,
        dataset: dset_name,
        found: candidates.find((c) => existsSync(c)) ?? null,
        candidates,
        frames: frames?.length === sources.length ? (frames[i] ?? null) : null,
      };
    });
  } finally {
    m.close_file(id);
  }
}
