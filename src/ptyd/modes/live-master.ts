/**
 * What link and merge modes share: every chunk is a complete file of its own
 * (`dfile + chunk_format % n`), linked from a small master by a relative
 * external link; the master is replaced atomically after each chunk, so a
 * reader following the scan never sees half a file. The master carries the
 * writer state (`ptyscan_state`, `ptyscan_heartbeat`, `ptyscan_run`, see
 * `writer-state.ts`), every file is forced to disk before it is renamed into
 * place, and an interrupted scan can be continued (`resume`). How the scan
 * ends is the mode's: see `link.ts` and `merge.ts`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { StateError } from '../../errors.js';
import {
  acquireLock,
  applyWrite,
  type FileLock,
  type H5CreateWrite,
  type H5Write,
} from '../../h5/index.js';
import type { PyDict } from '../../py/value.js';
import type {
  Chunk,
  Logger,
  Meta,
  SaveStrategy,
  ScanProgress,
  StoredChunk,
} from '../../sink/types.js';
import { keepOld, keepOldScan } from '../backup.js';
import { chunkFilePath, DEFAULT_CHUNK_FORMAT } from '../chunk-files.js';
import { type ExternalLinkSpec, type H5rwCompression, h5rwCreate } from '../h5rw.js';
import { findResumePoint } from '../resume-point.js';
import { WRITER_ATTRIBUTES, type WriterState, writerStateAttributes } from '../writer-state.js';
import { checkSameScan, removeTempFiles } from './continue-scan.js';
import { chunkValue, compressionOf, type SaveModeOptions } from './options.js';

/** The live master is rewritten for a heartbeat at most this often while the writer waits. */
const HEARTBEAT_MS = 1000;

/** How a live-master scan ends (the one thing link and merge modes do differently). */
export type Ending = (master: LiveMaster, info: PyDict) => void;

/** A link- or merge-mode scan: a live master and a file per chunk. */
export class LiveMaster implements SaveStrategy {
  readonly separateFiles = true;
  readonly readsBack: boolean;
  readonly dfile: string;
  readonly compression: H5rwCompression;
  private readonly chunkFormat: string;
  private readonly resume: boolean;
  private readonly logger: Logger | undefined;
  private readonly ending: Ending;
  private lock: FileLock | null = null;
  private info: PyDict = {};
  private meta: PyDict = {};
  /** The chunk files committed so far, in chunk order. */
  chunkFiles: StoredChunk[] = [];
  private run = '';
  /** The file is final (merged, or found complete on resume): nothing more is written. */
  private finished = false;
  private lastMasterWrite = Number.NEGATIVE_INFINITY;

  /** `readsBack`: whether `ending` reads the chunk files. */
  constructor(options: SaveModeOptions, ending: Ending, readsBack = false) {
    this.readsBack = readsBack;
    this.dfile = options.dfile;
    this.chunkFormat = options.chunkFormat ?? DEFAULT_CHUNK_FORMAT;
    this.resume = options.resume === true;
    this.logger = options.logger;
    this.compression = compressionOf(options);
    this.ending = ending;
  }

  begin(info: PyDict): ScanProgress | null {
    // One scan per output file at a time: the lock lives as long as the scan.
    this.lock = acquireLock(`${this.dfile}.scan`);
    this.info = info;
    if (this.resume && existsSync(this.dfile)) return this.continueScan();
    // The earlier run is kept whole: its master and chunk files as one backup.
    if (!this.resume) keepOldScan(this.dfile, this.logger);
    this.run = randomUUID();
    this.writeMaster('running');
    return null;
  }

  /** The id of this writing run, stamped into every chunk file (`ptyscan_run`). */
  handover(): string {
    return this.run;
  }

  takeOver(run: string): void {
    this.run = run;
  }

  writeMeta(meta: Meta): void {
    this.assertOpen();
    this.meta = { ...meta };
    // The frozen centre and ROI are on disk before chunk 0 is: a resume needs them.
    this.writeMaster('running');
  }

  chunkFile(num: number): string {
    return chunkFilePath(this.dfile, this.chunkFormat, num);
  }

  /** The chunk as its own complete file, durably, stamped with the run id (an existing file is kept as `.old`). */
  chunkWrite(chunk: Chunk): H5Write {
    this.assertOpen();
    const file = this.chunkFile(chunk.num);
    keepOld(file, this.logger);
    return h5rwCreate(file, chunkValue(chunk), {
      ...this.compression,
      durable: true,
      attributes: { [WRITER_ATTRIBUTES.run]: this.run },
    });
  }

  /** Links a complete chunk file and rewrites the master. */
  commit(stored: StoredChunk): void {
    this.assertOpen();
    this.chunkFiles.push(stored);
    this.writeMaster('running');
  }

  /** Refreshes the live master's heartbeat (at most about once a second) while the scan waits for frames. */
  heartbeat(): void {
    if (this.finished || this.lock === null) return;
    if (performance.now() - this.lastMasterWrite < HEARTBEAT_MS) return;
    this.writeMaster('running');
  }

  end(info: PyDict): void {
    if (this.finished) return;
    this.info = info;
    this.ending(this, info);
  }

  close(): void {
    this.lock?.release();
    this.lock = null;
  }

  /** Rewrites the master (info, meta, links, writer state) atomically and durably, holding `chunks`. */
  writeMaster(state: WriterState, chunks: PyDict = {}, links = this.links()): void {
    applyWrite(this.masterWrite(state, chunks, links));
    this.lastMasterWrite = performance.now();
  }

  /** The write of the master (info, meta, links, writer state) holding `chunks`, not yet carried out. */
  masterWrite(state: WriterState, chunks: PyDict = {}, links = this.links()): H5CreateWrite {
    return h5rwCreate(
      this.dfile,
      { chunks, meta: this.meta, info: this.info },
      {
        ...this.compression,
        links,
        durable: true,
        attributes: writerStateAttributes(state, this.run),
      },
    );
  }

  /** Nothing more is written to the file. */
  finish(): void {
    this.finished = true;
  }

  private links(): ExternalLinkSpec[] {
    return this.chunkFiles.map(({ num, file }) => ({
      path: `chunks/${num}`,
      // Relative to the master's folder, so the folder can be moved.
      targetFile: relative(dirname(this.dfile), file),
      targetPath: '/',
    }));
  }

  private assertOpen(): void {
    if (!this.finished) return;
    throw new StateError(
      `${this.dfile} is already complete: no more chunks can be written to it.`,
      {
        file: this.dfile,
        expected: 'a scan in progress',
        found: 'a complete file',
      },
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
}
