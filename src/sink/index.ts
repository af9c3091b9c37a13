/**
 * Where prepared chunks go: the contract between a scan and its storage
 * (`types.ts`), and the runners that decide where a save strategy's writing
 * happens: this thread (compressing on every core), MPI ranks.
 */

export { gatherChunk } from './gather.js';
export { GatherToMaster, NO_STORAGE } from './gather-runner.js';
export { InlineRunner } from './inline-runner.js';
export { RankRounds } from './rank-runner.js';
export type {
  Chunk,
  Logger,
  Meta,
  SaveStrategy,
  ScanProgress,
  ScanSink,
  ScanStorage,
  StoredChunk,
} from './types.js';
