/**
 * The dashboard's view of one `.ptyd` file while it is written, by the rules
 * of `ptyscan follow`: the master is only opened once it exists (writers
 * rename complete masters into place), only chunks linked to complete files
 * are read, in order, and the writer's heartbeat tells running from dead.
 * New chunks are added to the quick-look maps as they appear; the maps start
 * over when the file was replaced by a different one (merge mode's final
 * file, a new scan).
 */
import { existsSync, statSync } from 'node:fs';
import { PtyscanError, StateError } from '../errors.js';
import { openPtydReader, readWriterStatus } from '../ptyd/index.js';
import { WriterWatch } from '../ptyd/writer-state.js';
import {
  addPtydChunk,
  chunkFrameShape,
  type PtydGeometry,
  QuickLook,
  readableChunks,
  readPtydGeometry,
} from '../quicklook/index.js';

/** What the dashboard shows as the scan's state. */
export type ScanState = 'waiting' | 'running' | 'complete' | 'writer dead' | 'error';

/** The scan's state, as sent to the page on every change. */
export interface ScanStatus {
  file: string;
  state: ScanState;
  /** Frames and chunks read so far. */
  frames: number;
  chunks: number;
  /** The writer's heartbeat text, or null. */
  heartbeat: string | null;
  /** Why the state is `writer dead` or `error`. */
  message: string | null;
  /** Bumped whenever the maps change, so the page knows to fetch them again. */
  version: number;
}

/** Options of a {@link ScanWatch}. */
export interface ScanWatchOptions {
  /** Seconds a running writer's heartbeat may stand still before it counts as dead. */
  staleAfter: number;
  /** Called before every read; throws when the file may no longer be read (e.g. it became a symlink out of the served folder). */
  guard?: () => void;
}

/** Follows one `.ptyd` file; call {@link ScanWatch.poll} repeatedly. */
export class ScanWatch {
  readonly file: string;
  readonly name: string;
  private readonly watch: WriterWatch;
  private quickLook: QuickLook | null = null;
  private geometry: PtydGeometry = { center: null, psize: null, distance: null, energy: null };
  /** `key:link target:frames` of every chunk added, to notice a replaced file. */
  private seen: string[] = [];
  private status: ScanStatus;
  private finished = false;
  private readonly guard: () => void;

  constructor(file: string, name: string, options: ScanWatchOptions) {
    this.file = file;
    this.name = name;
    this.watch = new WriterWatch(file, { staleAfter: options.staleAfter });
    this.guard = options.guard ?? (() => {});
    this.status = {
      file: name,
      state: 'waiting',
      frames: 0,
      chunks: 0,
      heartbeat: null,
      message: null,
      version: 0,
    };
  }

  /** The state after the last poll. */
  current(): ScanStatus {
    return this.status;
  }

  /** True once the scan ended (complete, or the writer died): nothing more will change. */
  get done(): boolean {
    return this.finished;
  }

  /** The maps so far, with the geometry from `meta`, or null before the first chunk. */
  maps(): { quickLook: QuickLook; geometry: PtydGeometry } | null {
    return this.quickLook ? { quickLook: this.quickLook, geometry: this.geometry } : null;
  }

  /** Reads what is new; returns true when the status changed. */
  poll(): boolean {
    if (this.finished) return false;
    const before = JSON.stringify(this.status);
    try {
      this.step();
    } catch (error) {
      if (!(error instanceof PtyscanError)) throw error;
      const dead = error instanceof StateError;
      this.status = {
        ...this.status,
        state: dead ? 'writer dead' : 'error',
        message: error.message,
      };
      this.finished = dead;
    }
    return JSON.stringify(this.status) !== before;
  }

  private step(): void {
    this.guard();
    if (!existsSync(this.file) || !statSync(this.file).isFile()) {
      this.status = { ...this.status, state: 'waiting', message: null };
      return;
    }
    const writer = readWriterStatus(this.file);
    this.watch.observe(writer);
    const reader = openPtydReader(this.file, { confineLinks: true });
    try {
      const chunks = readableChunks(reader);
      const keys = chunks.map((c) => `${c.key}:${c.link?.file ?? ''}:${c.frames}`);
      if (keys.length < this.seen.length || this.seen.some((k, i) => keys[i] !== k)) {
        this.quickLook = null;
        this.seen = [];
      }
      let added = false;
      for (const chunk of chunks.slice(this.seen.length)) {
        if (this.quickLook === null) {
          this.geometry = readPtydGeometry(reader);
          const [height, width] = chunkFrameShape(reader, chunk);
          const center = this.geometry.center;
          this.quickLook = new QuickLook({ height, width, ...(center ? { center } : {}) });
        } else if (this.geometry.center === null) {
          this.geometry = readPtydGeometry(reader);
        }
        addPtydChunk(reader, chunk, this.quickLook);
        this.seen.push(keys[this.seen.length]!);
        added = true;
      }
      const complete = writer === null || writer.state === 'complete';
      // A complete file whose chunks are all read ends the watch (EOS).
      const all = reader.listChunks().every((c) => !c.dead);
      this.finished = complete && all;
      this.status = {
        file: this.name,
        state: complete ? 'complete' : 'running',
        frames: this.quickLook?.frames ?? 0,
        chunks: this.seen.length,
        heartbeat: writer?.heartbeat ?? null,
        message: null,
        version: this.status.version + (added ? 1 : 0),
      };
    } finally {
      reader.close();
    }
  }
}
