import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { MissingDataError, ParameterError, StateError } from '../errors.js';
import { acquireLock, type FileLock } from '../h5/index.js';
import { isNdArray, type PyDict, PyTuple, type PyValue } from '../py/value.js';
import type { Chunk, Logger, Meta, ScanProgress, ScanSink } from '../scan/types.js';
import { formatChunkName } from './chunk-name.js';
import { concatChunks } from './concat.js';
import { writeDurably } from './durable-write.js';
import { type ExternalLinkSpec, type H5rwCompression, h5append, h5read, h5write } from './h5rw.js';
import { findResumePoint } from './resume-point.js';
import { WRITER_ATTRIBUTES, type WriterState, writeWriterState } from './writer-state.js';

export { formatChunkName } from './chunk-name.js';

/** How a scan is saved: ptypy's `save` parameter. */
export type SaveMode = 'append' | 'link' | 'merge';

/** Settings of a {@link PtydSink}. */
export interface PtydSinkOptions extends H5rwCompression {
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

/** The live master is rewritten for a heartbeat at most this often while the writer waits. */
const HEARTBEAT_MS = 1000;

/**
 * Keeps an existing file as `<file>.old`; an existing `.old` is kept too, as
 * `.old.1`, `.old.2`, ... (ptypy deletes it).
 */
export function keepOld(file: string): string | null {
  if (!existsSync(file)) return null;
  const old = `${file}.old`;
  if (existsSync(old)) {
    let n = 1;
    while (existsSync(`${old}.${n}`)) n++;
    renameSync(old, `${old}.${n}`);
  }
  renameSync(file, old);
  return old;
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

/** Where and how link/merge-mode chunk files are written. */
export interface ChunkFileOptions {
  /** The master `.ptyd` file; chunk files are named after it. */
  dfile: string;
  /** printf-style suffix of chunk files (ptypy's `chunk_format`). */
  chunkFormat: string;
  compression: H5rwCompression;
}

/** The file of chunk `num` in link/merge mode: `dfile + chunk_format % num`. */
export function chunkFilePath(
  options: Pick<ChunkFileOptions, 'dfile' | 'chunkFormat'>,
  num: number,
): string {
  return `${options.dfile}${formatChunkName(options.chunkFormat, num)}`;
}

/**
 * Writes `chunk` as its own complete file `dfile + chunk_format % num`,
 * durably, stamped with the writing run's id (an existing file is kept as
 * `.old`); returns the file. Link and merge modes; the master links it.
 */
export function writeChunkFile(options: ChunkFileOptions, run: string, chunk: Chunk): string {
  const file = chunkFilePath(options, chunk.num);
  keepOld(file);
  writeDurably(file, chunkValue(chunk), options.compression, (out) =>
    out.writeStringAttribute('/', WRITER_ATTRIBUTES.run, run),
  );
  return file;
}

/**
 * Stores a scan in a `.ptyd` file the way ptypy does, chunk by chunk:
 * - `append`: every chunk goes into the master file (`chunks/<n>`), in place;
 * - `link`: every chunk is its own complete file `dfile + chunk_format % n`,
 *   linked from the master by a relative external link; the small master is
 *   replaced atomically after each chunk, so a reader never sees half a file;
 * - `merge`: like `link` while the scan runs, then at the end one chunk with
 *   every frame in index order, and the chunk files are removed.
 *
 * In link and merge modes the master carries the writer state
 * (`ptyscan_state`, `ptyscan_heartbeat`, `ptyscan_run`, see
 * `writer-state.ts`), files are forced to disk before they are renamed into
 * place, and an interrupted scan can be continued with `resume`. Append mode
 * writes into the master in place: a writer killed in the middle of a write
 * can leave the whole file unreadable, so it cannot be resumed.
 *
 * Every chunk is complete on disk when {@link PtydSink.writeChunk} returns.
 */
export class PtydSink implements ScanSink {
  readonly dfile: string;
  readonly mode: SaveMode;
  private readonly compression: H5rwCompression;
  private readonly chunkFormat: string;
  private readonly resume: boolean;
  private readonly logger: Logger | undefined;
  private lock: FileLock | null = null;
  private info: PyDict = {};
  private meta: PyDict = {};
  private chunkFiles: { num: number; file: string }[] = [];
  private run = '';
  /** The file is final (merged, or found complete on resume): nothing more is written. */
  private finished = false;
  private lastMasterWrite = Number.NEGATIVE_INFINITY;

  constructor(options: PtydSinkOptions) {
    this.dfile = options.dfile;
    this.mode = options.mode;
    this.chunkFormat = options.chunkFormat ?? '.chunk%02d';
    this.resume = options.resume === true;
    this.logger = options.logger;
    this.compression = {
      ...(options.compression === undefined ? {} : { compression: options.compression }),
      ...(options.level === undefined ? {} : { level: options.level }),
    };
    formatChunkName(this.chunkFormat, 0);
  }

  begin(info: PyDict): ScanProgress | null {
    // One scan per output file at a time: the lock lives as long as the scan.
    this.lock = acquireLock(`${this.dfile}.scan`);
    this.info = info;
    if (this.resume) {
      if (this.mode === 'append') {
        throw new ParameterError([
          {
            path: 'save',
            expected:
              "'link' or 'merge' to resume a scan (append writes into the master in place; a writer killed mid-write can leave it unreadable)",
            found: "'append'",
          },
        ]);
      }
      if (existsSync(this.dfile)) return this.continueScan();
    } else {
      keepOld(this.dfile);
    }
    this.run = randomUUID();
    if (this.mode === 'append') {
      h5write(this.dfile, { chunks: {}, meta: {}, info }, this.compression);
    } else {
      this.writeMaster('running');
    }
    return null;
  }

  writeMeta(meta: Meta): void {
    this.assertOpen();
    this.meta = { ...meta };
    if (this.mode === 'append') {
      h5append(this.dfile, { meta: this.meta }, this.compression);
    } else {
      // The frozen centre and ROI are on disk before chunk 0 is: a resume needs them.
      this.writeMaster('running');
    }
  }

  writeChunk(chunk: Chunk): void {
    this.assertOpen();
    if (this.mode === 'append') {
      h5append(this.dfile, { [`chunks/${chunk.num}`]: chunkValue(chunk) }, this.compression);
      return;
    }
    const file = writeChunkFile(
      { dfile: this.dfile, chunkFormat: this.chunkFormat, compression: this.compression },
      this.run,
      chunk,
    );
    this.linkChunkFile(chunk.num, file);
  }

  /** The id of this writing run, stamped into every chunk file (`ptyscan_run`). */
  get runId(): string {
    return this.run;
  }

  /**
   * Links a chunk file written elsewhere (by a worker thread, complete on
   * disk and stamped with {@link runId}) and rewrites the master: link and
   * merge modes.
   */
  linkChunkFile(num: number, file: string): void {
    this.assertOpen();
    this.chunkFiles.push({ num, file });
    this.writeMaster('running');
  }

  /** Refreshes the live master's heartbeat (at most about once a second) while the scan waits for frames. */
  heartbeat(): void {
    if (this.mode === 'append' || this.finished || this.lock === null) return;
    if (performance.now() - this.lastMasterWrite < HEARTBEAT_MS) return;
    this.writeMaster('running');
  }

  end(info: PyDict): void {
    if (this.finished) return;
    this.info = info;
    if (this.mode === 'append') {
      h5append(this.dfile, { info }, this.compression);
    } else if (this.mode === 'link') {
      this.writeMaster('complete');
    } else {
      this.merge();
    }
  }

  close(): void {
    this.lock?.release();
    this.lock = null;
  }

  private assertOpen(): void {
    if (!this.finished) return;
    throw new StateError(
      `${this.dfile} is already complete: no more chunks can be written to it.`,
      { file: this.dfile, expected: 'a scan in progress', found: 'a complete file' },
    );
  }

  /** Picks up the interrupted scan in `dfile`: keeps its complete chunks and relinks only them. */
  private continueScan(): ScanProgress | null {
    const point = findResumePoint(this.dfile, this.chunkFormat);
    checkSameScan(this.dfile, point.info, this.info);
    this.run = point.run;
    removeTempFiles(this.dfile);
    for (const reason of point.dropped) this.logger?.warn(`resume: left out ${reason}`);
    if (point.state === 'complete') {
      this.finished = true;
      this.logger?.info(`resume: ${this.dfile} is already complete`);
      return point.progress;
    }
    this.chunkFiles = point.chunks.map(({ num, file }) => ({ num, file }));
    if (point.progress !== null) {
      this.meta = point.meta;
      // The frozen values, as PtyScan restores them: a crash right after this write still resumes.
      this.info.center = point.info.center ?? null;
      this.info.shape = point.info.shape ?? null;
    }
    this.writeMaster('running');
    this.logger?.info(
      `resume: ${this.dfile} continues at frame ${point.progress?.framestart ?? 0} (chunk ${point.chunks.length})`,
    );
    return point.progress;
  }

  /** Rewrites the small link-mode master (info, meta, links, writer state) atomically. */
  private writeMaster(state: WriterState): void {
    const links: ExternalLinkSpec[] = this.chunkFiles.map(({ num, file }) => ({
      path: `chunks/${num}`,
      // Relative to the master's folder, so the folder can be moved.
      targetFile: relative(dirname(this.dfile), file),
      targetPath: '/',
    }));
    writeDurably(
      this.dfile,
      { chunks: {}, meta: this.meta, info: this.info },
      { ...this.compression, links },
      (out) => writeWriterState(out, state, this.run),
    );
    this.lastMasterWrite = performance.now();
  }

  /** Replaces the chunk files by one chunk holding every frame in index order. */
  private merge(): void {
    const parts = this.chunkFiles.map(({ file: path }) => {
      if (!existsSync(path)) {
        throw new MissingDataError(`${path}: chunk file missing while merging ${this.dfile}.`, {
          file: path,
          expected: 'every chunk file written during the scan',
          found: 'no such file',
        });
      }
      return h5read(path);
    });
    const chunks: PyDict =
      parts.length === 0 ? {} : { '0': concatChunks(parts, this.dfile) as PyValue };
    writeDurably(
      this.dfile,
      { chunks, meta: this.meta, info: this.info },
      this.compression,
      (out) => writeWriterState(out, 'complete', this.run),
    );
    for (const { file } of this.chunkFiles) rmSync(file, { force: true });
    this.finished = true;
  }
}

/**
 * Removes the temp files a killed writer left next to `dfile` (its master's
 * and chunk files' `.tmp-<pid>-...`). Only called under the scan lock, so no
 * live writer owns them.
 */
function removeTempFiles(dfile: string): void {
  const folder = dirname(dfile);
  const prefix = basename(dfile);
  for (const name of readdirSync(folder)) {
    if (name.startsWith(prefix) && name.includes('.tmp-'))
      rmSync(join(folder, name), { force: true });
  }
}

/** Parameters whose stored value differs from this run's (the frozen centre and ROI excepted). */
function checkSameScan(dfile: string, stored: PyDict, current: PyDict): void {
  const problems = [];
  for (const [key, value] of Object.entries(current)) {
    if (key === 'center' || key === 'shape' || !(key in stored) || value === undefined) continue;
    const was = comparable(stored[key]!);
    const now = comparable(value);
    if (was !== null && now !== null && was !== now) {
      problems.push({ path: key, expected: `${was} (as in the interrupted run)`, found: now });
    }
  }
  if (problems.length > 0) {
    throw new ParameterError(problems, { file: dfile });
  }
}

/**
 * A text that is equal for equal parameter values as written and as read back
 * (bools come back as ints, tuples as lists); null for values not compared.
 */
function comparable(value: PyValue): string | null {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (isNdArray(value))
    return `[${Array.from(value.data as ArrayLike<number | bigint>, String).join(', ')}]`;
  const items = Array.isArray(value) ? value : value instanceof PyTuple ? value.items : null;
  if (items === null) return null;
  const parts = items.map(comparable);
  return parts.some((p) => p === null) ? null : `[${parts.join(', ')}]`;
}
