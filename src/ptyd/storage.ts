/**
 * The storage a scan gets when it is given none: built from its `save`,
 * `dfile`, `chunk_format`, `compression`, `compression_level`, `shuffle`,
 * `compression_plugins` and `workers` parameters (see `compression.ts` for
 * the default pipeline). Over MPI ranks, a mode whose chunks are files of their own is
 * written by every rank; any other sink runs on the master with the chunks
 * gathered there.
 */
import { availableParallelism } from 'node:os';
import { ParameterError, type ParameterProblem } from '../errors.js';
import { nativeDeflateEngines, nativeHdf5Status } from '../h5/index.js';
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
import {
  COMPRESSION_NAMES,
  type CompressionName,
  defaultGzip,
  describeCompression,
  needsPlugin,
  pluginReason,
} from './compression.js';
import { createSaveStrategy, growsInPlace, SAVE_MODES, type SaveMode } from './modes/index.js';
import { type PtydSinkOptions, runnerFor } from './ptyd-sink.js';

/** The `.ptyd` settings of a scan's parameters (null: `save` is None), defaults resolved. */
export type SaveSettings = Omit<PtydSinkOptions, 'resume' | 'logger' | 'workers'> & {
  /** Threads compressing each chunk; null (`workers` None): every core, shared out over the ranks. */
  workers: number | null;
  compression: CompressionName;
};

function isSaveMode(value: unknown): value is SaveMode {
  return typeof value === 'string' && Object.hasOwn(SAVE_MODES, value);
}

function isCompressionName(value: unknown): value is CompressionName {
  return typeof value === 'string' && (COMPRESSION_NAMES as readonly string[]).includes(value);
}

function optionalNumber(value: unknown): number | null {
  return typeof value === 'bigint' || typeof value === 'number' ? Number(value) : null;
}

/**
 * The compression of `info`, with the defaults of the engine that writes;
 * a pipeline a stock reader cannot open, or that the engine cannot write,
 * adds a problem.
 */
function compressionSettings(
  info: PyDict,
  mode: SaveMode,
  problems: ParameterProblem[],
): Pick<SaveSettings, 'compression' | 'level' | 'shuffle'> {
  const name = isCompressionName(info.compression) ? info.compression : 'gzip';
  if (needsPlugin(name) && info.compression_plugins !== true) {
    problems.push({
      path: 'compression',
      expected: `a compression stock h5py and ptypy read (${COMPRESSION_NAMES.filter((n) => !needsPlugin(n)).join(', ')}), or compression_plugins True to write '${name}' anyway`,
      found: `'${name}': ${pluginReason(name)}`,
    });
  }
  const native = nativeHdf5Status();
  const defaults = defaultGzip(native.available && !growsInPlace(mode));
  const shuffle = typeof info.shuffle === 'boolean' ? info.shuffle : defaults.shuffle;
  if (info.shuffle === true && name !== 'gzip') {
    problems.push({
      path: 'shuffle',
      expected: "False or None with compression other than 'gzip' (the shuffle goes before gzip)",
      found: `True with compression '${name}'`,
    });
  } else if (info.shuffle === true && growsInPlace(mode)) {
    problems.push({
      path: 'shuffle',
      expected: `False or None with save '${mode}' (its growing datasets are written by h5wasm, one filter per dataset)`,
      found: 'True',
    });
  } else if (info.shuffle === true && !native.available) {
    problems.push({
      path: 'shuffle',
      expected:
        'False or None without the native HDF5 addon (h5wasm writes one filter per dataset)',
      found: `True, and the native HDF5 addon is ${native.detail}`,
    });
  }
  return {
    compression: name,
    level: optionalNumber(info.compression_level) ?? defaults.level,
    shuffle: name === 'gzip' && shuffle,
  };
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
    ...compressionSettings(info, save, problems),
    workers: optionalNumber(info.workers),
  };
}

/** The save settings of `info`; a {@link ParameterError} when they are wrong. */
export function requireSaveSettings(info: PyDict): SaveSettings | null {
  const problems: ParameterProblem[] = [];
  const settings = saveSettings(info, problems);
  if (problems.length > 0) throw new ParameterError(problems);
  return settings;
}

/**
 * Whether storing with `save` needs h5wasm loaded (`await h5ready()`): to
 * read files back (a resume, the merge at the end), or for writes the native
 * addon does not do (without it; LZF and plugin filters). The rest of a save
 * goes through the addon alone, and a process that never loads h5wasm starts
 * a tenth of a second sooner.
 */
export function saveNeedsH5wasm(save: SaveSettings | null, resume: boolean): boolean {
  if (save === null) return false;
  if (resume || !nativeHdf5Status().available) return true;
  if (save.compression !== 'gzip' && save.compression !== 'none') return true;
  const { workers, ...mode } = save;
  return createSaveStrategy(mode).readsBack;
}

/**
 * The pipeline a scan saves with, in one line (what `prepare --verbose`
 * prints): the filters, what compresses them on how many threads, and which
 * engine writes the file.
 */
export function describeSave(save: SaveSettings | null): string {
  if (save === null) return 'saving nothing (save None)';
  const what = describeCompression(save);
  const native = nativeHdf5Status();
  if (!native.available) {
    return `saving ${what}, compressed and written by h5wasm on one thread (native HDF5 addon: ${native.detail})`;
  }
  if (save.compression !== 'gzip' && save.compression !== 'none') {
    return `saving ${what}, compressed and written by h5wasm on one thread (the native HDF5 addon writes gzip and none only)`;
  }
  if (growsInPlace(save.mode)) {
    return `saving ${what}, compressed and written by h5wasm on one thread (save '${save.mode}' grows its datasets chunk by chunk, which the native HDF5 addon does not write)`;
  }
  const engine =
    save.compression === 'gzip' ? (nativeDeflateEngines()?.levels[save.level ?? 4] ?? '') : '';
  const threads = save.workers ?? availableParallelism();
  const by =
    engine === ''
      ? ''
      : `, compressed by ${engine} on ${threads} thread${threads === 1 ? '' : 's'}`;
  return `saving ${what}${by}, written by the native HDF5 addon (${native.detail})`;
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
  // Every rank compresses its chunks: the master alone would leave the other cores idle.
  if (comm.size > 1) {
    const threads = workers === null ? threadsPerRank() : boundedWorkers(workers, context.logger);
    return new RankRounds(comm, strategy, threads);
  }
  const threads =
    workers === null ? availableParallelism() : boundedWorkers(workers, context.logger);
  return new GatherToMaster(comm, comm.isMaster ? runnerFor(strategy, threads) : null);
}

/** The cores of this machine shared out over the ranks that run on it (Open MPI says how many). */
function threadsPerRank(): number {
  const local = Number(process.env.OMPI_COMM_WORLD_LOCAL_SIZE ?? 1);
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, local)));
}

/**
 * A `workers` given explicitly, bounded by the machine: more threads than
 * cores only take memory (each holds a chunk), so at most
 * {@link availableParallelism} run, and the logger says so when fewer than asked.
 */
export function boundedWorkers(workers: number, logger: Logger): number {
  const cores = availableParallelism();
  if (workers <= cores) return workers;
  logger.warn(
    `workers ${workers}: using ${cores}, the cores of this machine (more threads would only take memory).`,
  );
  return cores;
}
