/**
 * `save: 'link'`: every chunk is its own complete file `dfile + chunk_format
 * % n`, linked from the master (see `live-master.ts`); at the end the
 * master is marked complete.
 */
import type { SaveStrategy } from '../../sink/types.js';
import { LiveMaster } from './live-master.js';
import type { SaveModeOptions } from './options.js';

/** The link save mode. */
export function linkMode(options: SaveModeOptions): SaveStrategy {
  return new LiveMaster(options, (master) => master.writeMaster('complete'));
}
