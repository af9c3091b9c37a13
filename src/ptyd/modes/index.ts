/**
 * The save modes, one module each, all {@link SaveStrategy}s: what goes
 * where in a `.ptyd` file (append, link, merge), or in a file of another
 * format (`exchange.ts`: CXI, NXcxi_ptycho, fold_slice). A new mode is a
 * module here and a line in {@link SAVE_MODES}.
 */
import type { SaveStrategy } from '../../sink/types.js';
import { DEFAULT_CHUNK_FORMAT, formatChunkName } from '../chunk-files.js';
import { appendMode } from './append.js';
import { exchangeMode } from './exchange.js';
import { linkMode } from './link.js';
import { mergeMode } from './merge.js';
import type { SaveMode, SaveModeOptions } from './options.js';

export { chunkValue, type SaveMode, type SaveModeOptions } from './options.js';

/** Every save mode by its `save` name. */
export const SAVE_MODES: Readonly<Record<SaveMode, (options: SaveModeOptions) => SaveStrategy>> = {
  append: appendMode,
  link: linkMode,
  merge: mergeMode,
  cxi: exchangeMode('cxi'),
  nxcxi: exchangeMode('nxcxi'),
  'fold-slice': exchangeMode('fold-slice'),
};

/**
 * Whether a mode's files grow chunk by chunk (slabs written into growable
 * datasets, hard links: the exchange formats). h5wasm writes those, so
 * they are compressed as h5wasm can: one filter per dataset, ptypy's gzip 4
 * by default.
 */
export function growsInPlace(mode: SaveMode): boolean {
  return mode === 'cxi' || mode === 'nxcxi' || mode === 'fold-slice';
}

/** The strategy of `options.mode`; a bad `chunk_format` is refused here, whatever the mode. */
export function createSaveStrategy(options: SaveModeOptions): SaveStrategy {
  formatChunkName(options.chunkFormat ?? DEFAULT_CHUNK_FORMAT, 0);
  return SAVE_MODES[options.mode](options);
}
