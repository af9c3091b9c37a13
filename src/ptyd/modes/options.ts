/** What every save mode is built from, and the h5rw value of a chunk. */

import { isNdArray, type PyDict } from '../../py/value.js';
import type { Chunk, Logger } from '../../sink/types.js';
import type { H5rwCompression } from '../h5rw-encode.js';

/**
 * How a scan is saved: ptypy's `save` parameter (`.ptyd` modes), or one of
 * the formats other reconstruction codes read (see `formats/`).
 */
export type SaveMode = 'append' | 'link' | 'merge' | 'cxi' | 'nxcxi' | 'fold-slice';

/** Settings of a save mode. */
export interface SaveModeOptions extends H5rwCompression {
  mode: SaveMode;
  /** The master `.ptyd` file. */
  dfile: string;
  /** printf-style suffix of chunk files in link/merge mode (ptypy's `chunk_format`, default `.chunk%02d`). */
  chunkFormat?: string;
  /**
   * Continue the interrupted scan in `dfile` (link and merge modes): complete
   * chunk files are kept and the scan goes on after them. Without a file,
   * the scan starts from the beginning.
   */
  resume?: boolean;
  /** Receives notes on what a resume kept and dropped. */
  logger?: Logger;
}

/** The h5rw value of a chunk as ptypy stores it (`indices`, `positions`, `data`, `weights`). */
export function chunkValue(chunk: Chunk): PyDict {
  return {
    indices: chunk.indices.map((i) => BigInt(i)),
    positions: isNdArray(chunk.positions) ? chunk.positions : chunk.positions.map(() => null),
    data: chunk.data,
    weights: chunk.weights,
  };
}

/** Only the compression settings of `options` (for the h5rw writes). */
export function compressionOf(options: H5rwCompression): H5rwCompression {
  return {
    ...(options.compression === undefined ? {} : { compression: options.compression }),
    ...(options.level === undefined ? {} : { level: options.level }),
    ...(options.shuffle === undefined ? {} : { shuffle: options.shuffle }),
  };
}
