/**
 * The storage a scan gets when it is given none: built from its `save`,
 * `dfile`, `chunk_format`, `compression`, `compression_level` and `workers`
 * parameters. Over MPI ranks, a mode whose chunks are files of their own is
 * written by every rank; any other sink runs on the master with the chunks
 * gathered there.
 */
import { ParameterError, type ParameterProblem } from '../errors.js';
import type { Communicator } from '../parallel/index.js';
import type { PyDict } from '../py/value.js';
import {
  GatherToMaster,
  type Logger,
  NO_STORAGE,
  RankRounds,
  type ScanSink,
  type ScanStorage,
} from '../sink/index.js';
import { DEFAULT_CHUNK_FORMAT, formatChunkName } from './chunk-files.js';
import { createSaveStrategy, SAVE_MODES, type SaveMode } from './modes/index.js';
import { type PtydSinkOptions, runnerFor } from './ptyd-sink.js';

/** The `.ptyd` settings of a scan's parameters (null: `save` is None). */
export type SaveSettings = Omit<PtydSinkOptions, 'resume' | 'logger'> & { workers: number };

function isSaveMode(value: unknown): value is SaveMode {
  return typeof value === 'string' && Object.hasOwn(SAVE_MODES, value);
}

/** Reads the save settings out of `info`, adding what is wrong to `problems`. */
export function saveSettings(info: PyDict, problems: ParameterProblem[]): SaveSettings | null {
  const save = info.save;
  if (save === null || save === undefined) return null;
  if (!isSaveMode(save)) {
    problems.push({
      path: 'save',
      expected: `None, ${Object.keys(SAVE_MODES)
        .map((m) => `'${m}'`)
        .join(', ')}`,
      found: String(save),
    });
    return null;
  }
  if (typeof info.dfile !== 'string' || info.dfile === '') {
    problems.push({
      path: 'dfile',
      expected: `an output file for save '${save}'`,
      found: String(info.dfile),
    });
    return null;
  }
  const compression = info.compression;
  const level = info.compression_level;
  const workers = info.workers;
  const chunkFormat =
    typeof info.chunk_format === 'string' ? info.chunk_format : DEFAULT_CHUNK_FORMAT;
  try {
    formatChunkName(chunkFormat, 0);
  } catch (error) {
    if (!(error instanceof ParameterError)) throw error;
    problems.push(...error.problems);
  }
  return {
    mode: save,
    dfile: info.dfile,
    chunkFormat,
    compression: compression === 'lzf' || compression === 'none' ? compression : 'gzip',
    level: typeof level === 'bigint' || typeof level === 'number' ? Number(level) : 4,
    workers: typeof workers === 'bigint' || typeof workers === 'number' ? Number(workers) : 1,
  };
}

/** The save settings of `info`; a {@link ParameterError} when they are wrong. */
export function requireSaveSettings(info: PyDict): SaveSettings | null {
  const problems: ParameterProblem[] = [];
  const settings = saveSettings(info, problems);
  if (problems.length > 0) throw new ParameterError(problems);
  return settings;
}

/** What a scan hands its storage besides the settings. */
export interface StorageContext {
  comm: Communicator;
  logger: Logger;
  /** Continue an interrupted file. */
  resume: boolean;
}

/**
 * The storage of a scan: `sink` when given (a caller's own, run on the
 * master; null stores nothing), else the `.ptyd` writer `save` asks for.
 */
export function scanStorage(
  sink: ScanSink | null | undefined,
  save: SaveSettings | null,
  context: StorageContext,
): ScanStorage {
  const { comm } = context;
  if (sink !== undefined) return new GatherToMaster(comm, comm.isMaster ? sink : null);
  if (save === null) return NO_STORAGE;
  const { workers, ...mode } = save;
  const strategy = createSaveStrategy({ ...mode, resume: context.resume, logger: context.logger });
  if (comm.size > 1 && strategy.separateFiles) return new RankRounds(comm, strategy);
  return new GatherToMaster(comm, comm.isMaster ? runnerFor(strategy, workers) : null);
}
