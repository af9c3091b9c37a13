/**
 * How the arrays of a saved `.ptyd` are compressed: the `compression`,
 * `compression_level`, `shuffle` and `compression_plugins` parameters, the
 * default pipeline, and what a reader needs to open each one.
 *
 * The default is chosen by measurement (bench/compression.ts): with the
 * native HDF5 addon, gzip level 1 after HDF5's byte shuffle. Both are core
 * HDF5 filters (stock h5py, ptypy, MATLAB and the HDF5 tools read them), the
 * output is smaller than ptypy's gzip 4 on diffraction frames, and it
 * compresses several times faster. h5wasm writes one filter per dataset, so
 * without the addon the default is ptypy's own pipeline, gzip 4.
 */
import type { H5Compression } from '../h5/index.js';

/** The compressions a `.ptyd` can be written with. */
export type CompressionName = 'gzip' | 'lzf' | 'none' | 'bitshuffle-lz4' | 'lz4' | 'zstd';

/** Filters of HDF5 plugins (written through h5wasm-plugins): fast, but stock h5py and ptypy cannot read them. */
const PLUGIN_FILTERS = {
  'bitshuffle-lz4': { id: 32008, cdValues: [0, 2] },
  lz4: { id: 32004, cdValues: [0] },
  zstd: { id: 32015, cdValues: [3] },
} as const;

/** Names of the compressions a reader needs a plugin for. */
export type PluginCompressionName = keyof typeof PLUGIN_FILTERS;

/** Every compression name, in the order the parameter lists them. */
export const COMPRESSION_NAMES: readonly CompressionName[] = [
  'gzip',
  'lzf',
  'none',
  ...(Object.keys(PLUGIN_FILTERS) as PluginCompressionName[]),
];

/** Whether a compression needs an HDF5 plugin on the reader's side (stock h5py and ptypy have none). */
export function needsPlugin(name: CompressionName): name is PluginCompressionName {
  return Object.hasOwn(PLUGIN_FILTERS, name);
}

/** Why a reader without the plugin cannot open data written with `name`. */
export function pluginReason(name: PluginCompressionName): string {
  const { id } = PLUGIN_FILTERS[name];
  return `${name} is HDF5 filter ${id}, which stock h5py and ptypy cannot read without a filter plugin (hdf5plugin, or Debian's bitshuffle for bitshuffle-lz4)`;
}

/** What ptyscan compresses with: a name, and for gzip its level and the byte shuffle. */
export interface CompressionChoice {
  compression?: CompressionName;
  /** gzip level 0..9 (default 4, ptypy's, for the h5rw functions). */
  level?: number;
  /** HDF5's byte shuffle before gzip (needs the native HDF5 addon). */
  shuffle?: boolean;
}

/** The HDF5 compression of a choice (default gzip 4 without the shuffle, ptypy's pipeline). */
export function toCompression(choice: CompressionChoice = {}): H5Compression {
  const kind = choice.compression ?? 'gzip';
  if (kind === 'gzip') {
    return { kind, level: choice.level ?? 4, ...(choice.shuffle ? { shuffle: true } : {}) };
  }
  if (needsPlugin(kind)) return { kind: 'plugin', name: kind, ...PLUGIN_FILTERS[kind] };
  return { kind };
}

/**
 * The gzip level and shuffle a scan saves with when its parameters leave
 * them unset (None): the fastest pipeline whose files are no larger than
 * ptypy's, for the engine that writes.
 */
export function defaultGzip(native: boolean): { level: number; shuffle: boolean } {
  return native ? { level: 1, shuffle: true } : { level: 4, shuffle: false };
}

/** `choice` with an unset gzip level and shuffle filled in by {@link defaultGzip}. */
export function withDefaultGzip(choice: CompressionChoice, native: boolean): CompressionChoice {
  const compression = choice.compression ?? 'gzip';
  if (compression !== 'gzip') return { ...choice, compression };
  const defaults = defaultGzip(native);
  return {
    compression,
    level: choice.level ?? defaults.level,
    shuffle: choice.shuffle ?? defaults.shuffle,
  };
}

/** The pipeline in words, e.g. `gzip level 1 after the byte shuffle`. */
export function describeCompression(choice: CompressionChoice): string {
  const kind = choice.compression ?? 'gzip';
  if (kind === 'none') return 'no compression';
  if (kind === 'lzf') return 'lzf (readable by h5py)';
  if (needsPlugin(kind))
    return `${kind} (HDF5 filter ${PLUGIN_FILTERS[kind].id}: readers need the plugin)`;
  const level = choice.level ?? 4;
  const ptypy = level === 4 && choice.shuffle !== true ? " (ptypy's pipeline)" : '';
  return `gzip level ${level}${choice.shuffle === true ? ' after the byte shuffle' : ''}${ptypy}`;
}
