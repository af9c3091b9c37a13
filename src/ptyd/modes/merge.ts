/**
 * `save: 'merge'`: written as in link mode while the scan runs (see
 * `live-master.ts`); at the end the master holds one chunk with every frame
 * in index order, and the chunk files are removed.
 */
import { existsSync, rmSync } from 'node:fs';
import { MissingDataError } from '../../errors.js';
import type { PyDict, PyValue } from '../../py/value.js';
import type { SaveStrategy } from '../../sink/types.js';
import { concatChunks } from '../concat.js';
import { h5read } from '../h5rw.js';
import { LiveMaster } from './live-master.js';
import type { SaveModeOptions } from './options.js';

/** Replaces the chunk files by one chunk holding every frame in index order. */
function mergeChunkFiles(master: LiveMaster): void {
  const parts = master.chunkFiles.map(({ file }) => {
    if (!existsSync(file)) {
      throw new MissingDataError(`${file}: chunk file missing while merging ${master.dfile}.`, {
        file,
        expected: 'every chunk file written during the scan',
        found: 'no such file',
      });
    }
    return h5read(file);
  });
  const chunks: PyDict =
    parts.length === 0 ? {} : { '0': concatChunks(parts, master.dfile) as PyValue };
  master.writeMaster('complete', chunks, []);
  for (const { file } of master.chunkFiles) rmSync(file, { force: true });
  master.finish();
}

/** The merge save mode. */
export function mergeMode(options: SaveModeOptions): SaveStrategy {
  return new LiveMaster(options, mergeChunkFiles, true);
}
