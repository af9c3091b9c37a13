/**
 * `save: 'append'`: every chunk goes into the master file (`chunks/<n>`), in
 * place, one after the other. A writer killed in the middle of a write can
 * leave the whole file unreadable, so an append-mode file cannot be resumed.
 */
import { ParameterError } from '../../errors.js';
import { acquireLock, type FileLock, type H5Write } from '../../h5/index.js';
import type { PyDict } from '../../py/value.js';
import type { Chunk, Meta, SaveStrategy, ScanProgress } from '../../sink/types.js';
import { keepOldScan } from '../backup.js';
import { type H5rwCompression, h5append, h5rwAdd, h5write } from '../h5rw.js';
import { chunkValue, compressionOf, type SaveModeOptions } from './options.js';

class AppendMode implements SaveStrategy {
  readonly separateFiles = false;
  readonly readsBack = false;
  private readonly dfile: string;
  private readonly resume: boolean;
  private readonly compression: H5rwCompression;
  private readonly logger: SaveModeOptions['logger'];
  private lock: FileLock | null = null;

  constructor(options: SaveModeOptions) {
    this.dfile = options.dfile;
    this.logger = options.logger;
    this.resume = options.resume === true;
    this.compression = compressionOf(options);
  }

  begin(info: PyDict): ScanProgress | null {
    // One scan per output file at a time: the lock lives as long as the scan.
    this.lock = acquireLock(`${this.dfile}.scan`);
    if (this.resume) {
      throw new ParameterError([
        {
          path: 'save',
          expected:
            "'link' or 'merge' to resume a scan (append writes into the master in place; a writer killed mid-write can leave it unreadable)",
          found: "'append'",
        },
      ]);
    }
    keepOldScan(this.dfile, this.logger);
    h5write(this.dfile, { chunks: {}, meta: {}, info }, this.compression);
    return null;
  }

  handover(): string {
    return '';
  }

  takeOver(): void {}

  writeMeta(meta: Meta): void {
    h5append(this.dfile, { meta: { ...meta } }, this.compression);
  }

  chunkFile(): string {
    return this.dfile;
  }

  chunkWrite(chunk: Chunk): H5Write {
    return h5rwAdd(this.dfile, { [`chunks/${chunk.num}`]: chunkValue(chunk) }, this.compression);
  }

  commit(): void {}

  heartbeat(): void {}

  publish(): void {}

  end(info: PyDict): void {
    h5append(this.dfile, { info }, this.compression);
  }

  close(): void {
    this.lock?.release();
    this.lock = null;
  }
}

/** The append save mode. */
export function appendMode(options: SaveModeOptions): SaveStrategy {
  return new AppendMode(options);
}
