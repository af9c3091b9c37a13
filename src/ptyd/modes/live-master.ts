/**
 * What link and merge modes share: every chunk is a complete file of its own
 * (`dfile + chunk_format % n`), linked from a small master by a relative
 * external link; the master is replaced atomically (so a reader following the
 * scan never sees half a file) to link the chunks committed: before the
 * writer waits for more frames, and while it is busy as often as its share
 * of the time allows (see {@link MASTER_SHARE}). The master carries the
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
import { findResumePoint, frozenInInfo } from '../resume-point.js';
import {
  type FrozenValues,
  frozenText,
  WRITER_ATTRIBUTES,
  type WriterState,
  writerStateAttributes,
} from '../writer-state.js';
import { checkSameScan, removeTempFiles } from './continue-scan.js';
import { chunkValue, compressionOf, type SaveModeOptions } from './options.js';

/** The live master is rewritten for a heartbeat at most this often while the writer waits. */
const HEARTBEAT_MS = 1000;

/**
 * While the writer is busy (chunk after chunk, a backlog or a finished
 * acquisition), committed chunks are linked once MASTER_SHARE times the last
 * master rewrite's duration has passed since it: the master names every
 * chunk, so its rewrite grows with the scan, and rewriting it after every
 * chunk made long scans of small chunks quadratic. So rewriting takes at
 * most 1 / (MASTER_SHARE + 1) of a busy writer's time and the scan stays
 * linear. A writer that waits for frames links every committed chunk first
 * (its time is free then), as does one that ends or stops. Chunks written
 * but not linked yet when a writer dies are picked up by a resume (same run id).
 */
export const MASTER_SHARE = 4;

/** What the master rewrites of a scan cost (see {@link LiveMaster.masterStats}). */
export interface MasterStats {
  /** Rewrites of the master. */
  writes: number;
  /** Chunk links written, summed over the rewrites. */
  links: number;
  /** Time spent rewriting the master (ms). */
  ms: number;
  /** The longest single rewrite (ms). */
  maxMs: number;
  /** The longest time a committed chunk waited to be linked (ms). */
  maxDelayMs: number;
}

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
  /** What `/info` holds: the parameters as at initialize until the scan ends (as ptypy). */
  private info: PyDict = {};
  /** The scan's own `info`: its frozen centre and ROI go into `ptyscan_frozen`. */
  private live: PyDict = {};
  /** `ptyscan_frozen` of a resumed scan, until this run freezes them again. */
  private resumedFrozen: FrozenValues | null = null;
  private meta: PyDict = {};
  /** The chunk files committed so far, in chunk order. */
  chunkFiles: StoredChunk[] = [];
  private run = '';
  /** The file is final (merged, or found complete on resume): nothing more is written. */
  private finished = false;
  private lastMasterWrite = Number.NEGATIVE_INFINITY;
  /** How long the last master rewrite took (ms). */
  private lastMasterCost = 0;
  /** Chunks in {@link chunkFiles} that the master on disk links. */
  private linked = 0;
  /** When the oldest chunk not yet linked was committed. */
  private pendingSince = 0;
  private readonly stats: MasterStats = { writes: 0, links: 0, ms: 0, maxMs: 0, maxDelayMs: 0 };

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
    this.live = info;
    this.info = { ...info };
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

  /** Adds a complete chunk file to the scan; the master links it now or soon (see {@link MASTER_SHARE}). */
  commit(stored: StoredChunk): void {
    this.assertOpen();
    if (this.chunkFiles.length === this.linked) this.pendingSince = performance.now();
    this.chunkFiles.push(stored);
    if (this.sinceMasterWrite() >= MASTER_SHARE * this.lastMasterCost) this.writeMaster('running');
  }

  /**
   * While the scan waits for frames: links the chunks not linked yet, and
   * refreshes the heartbeat at least about once a second.
   */
  heartbeat(): void {
    if (this.finished || this.lock === null) return;
    if (this.chunkFiles.length > this.linked) this.publish();
    else if (this.sinceMasterWrite() >= HEARTBEAT_MS) this.writeMaster('running');
  }

  /** Links every committed chunk now. */
  publish(): void {
    if (this.finished || this.lock === null || this.chunkFiles.length === this.linked) return;
    this.writeMaster('running');
  }

  end(info: PyDict): void {
    if (this.finished) return;
    this.info = info;
    this.live = info;
    this.ending(this, info);
  }

  /** Links the chunks not linked yet (a stopped scan keeps every committed chunk), then releases the lock. */
  close(): void {
    try {
      this.publish();
    } catch (error) {
      // The chunk files stay, and a resume adopts them (same run id).
      this.logger?.warn(`${this.dfile}: the last chunks could not be linked: ${String(error)}`);
    } finally {
      this.lock?.release();
      this.lock = null;
    }
  }

  /** What the master rewrites of this scan cost so far. */
  masterStats(): MasterStats {
    return { ...this.stats };
  }

  /** Rewrites the master (info, meta, links, writer state) atomically and durably, holding `chunks`. */
  writeMaster(state: WriterState, chunks: PyDict = {}, links = this.links()): void {
    const start = performance.now();
    applyWrite(this.masterWrite(state, chunks, links));
    const end = performance.now();
    const count = this.chunkFiles.length;
    if (count > this.linked) {
      this.stats.maxDelayMs = Math.max(this.stats.maxDelayMs, end - this.pendingSince);
    }
    this.linked = count;
    this.lastMasterCost = end - start;
    this.lastMasterWrite = end;
    this.stats.writes += 1;
    this.stats.links += links.length;
    this.stats.ms += end - start;
    this.stats.maxMs = Math.max(this.stats.maxMs, end - start);
  }

  private sinceMasterWrite(): number {
    return performance.now() - this.lastMasterWrite;
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
        // A complete master's info holds the frozen values itself.
        attributes: {
          ...writerStateAttributes(state, this.run),
          ...(state === 'running' ? this.frozenAttribute() : {}),
        },
      },
    );
  }

  /** `ptyscan_frozen` once the centre and ROI are frozen (none before the first chunk). */
  private frozenAttribute(): Record<string, string> {
    const frozen = frozenInInfo(this.live) ?? this.resumedFrozen;
    return frozen === null ? {} : { [WRITER_ATTRIBUTES.frozen]: frozenText(frozen) };
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
      this.resumedFrozen = point.frozen;
    }
    this.writeMaster('running');
    this.logger?.info(
      `resume: ${this.dfile} continues at frame ${point.progress?.framestart ?? 0} (chunk ${point.chunks.length})`,
    );
    return point.progress;
  }
}
