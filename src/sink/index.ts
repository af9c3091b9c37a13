/**
 * Where prepared chunks go: the contract between a scan and its storage
 * (`types.ts`), and the runners that decide where a save strategy's writing
 * happens: this thread, a pool of worker threads, MPI ranks.
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
export { WorkerRunner } from './worker-runner.js';
