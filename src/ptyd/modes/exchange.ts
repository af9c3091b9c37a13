/**
 * `save: 'cxi' | 'nxcxi' | 'fold-slice'`: a scan written in a format other
 * reconstruction codes read (see `formats/`). The files are written under
 * working names next to `dfile`, chunk by chunk (the frames dataset grows;
 * memory stays flat in the scan length), and take their names only when the
 * scan ends: an existing output is then kept as `.old`. A scan that fails or
 * is closed before its end leaves no partial output, and an existing file
 * untouched. Such a file cannot be resumed.
 */
import { rmSync } from 'node:fs';
import { MissingDataError, ParameterError, StateError } from '../../errors.js';
import {
  EXCHANGE_FORMATS,
  type ExchangeFormat,
  type ExchangeFormatName,
  type ExchangeWriter,
} from '../../formats/index.js';
import { acquireLock, applyWrite, type FileLock, type H5Write, tempName } from '../../h5/index.js';
import type { PyDict } from '../../py/value.js';
import type { Chunk, Meta, SaveStrategy, ScanProgress } from '../../sink/types.js';
import { toCompression } from '../compression.js';
import { replaceOutput } from '../replace-output.js';
import type { SaveModeOptions } from './options.js';

class ExchangeMode implements SaveStrategy {
  readonly separateFiles = false;
  /** Its slabs and hard links are written by h5wasm (see `growsInPlace`). */
  readonly readsBack = true;
  private readonly dfile: string;
  private readonly format: ExchangeFormat;
  private readonly writer: ExchangeWriter;
  private readonly resume: boolean;
  private lock: FileLock | null = null;
  /** The main file's working name (null before `begin`). */
  private working: string | null = null;
  /** Every working file made so far, and its final name. */
  private readonly pending = new Map<string, string>();
  private frames = 0;
  private finished = false;

  constructor(options: SaveModeOptions, format: ExchangeFormat) {
    this.dfile = options.dfile;
    this.format = format;
    this.resume = options.resume === true;
    // Checks the output's name (fold_slice: data_roi<label>_dp.hdf5) before anything runs.
    format.otherFiles(options.dfile);
    this.writer = format.create({
      file: options.dfile,
      compression: toCompression(options),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  begin(info: PyDict): ScanProgress | null {
    if (this.resume) {
      throw new ParameterError([
        {
          path: 'save',
          expected: `'link' or 'merge' to resume a scan ('${this.format.name}' files take their names only when complete)`,
          found: `'${this.format.name}'`,
        },
      ]);
    }
    this.lock = acquireLock(`${this.dfile}.scan`);
    this.working = this.workingName(this.dfile);
    applyWrite({
      kind: 'create',
      file: this.working,
      durable: false,
      lock: true,
      ...this.writer.start(info),
    });
    return null;
  }

  handover(): string {
    return '';
  }

  takeOver(): void {}

  writeMeta(meta: Meta): void {
    applyWrite(this.add(this.writer.meta(meta)));
  }

  chunkFile(): string {
    return this.main();
  }

  chunkWrite(chunk: Chunk): H5Write {
    const members = this.writer.chunk(chunk);
    this.frames += chunk.indices.length;
    return this.add(members);
  }

  commit(): void {}

  heartbeat(): void {}

  publish(): void {}

  end(): void {
    if (this.finished || this.working === null) return;
    if (this.frames === 0) {
      throw new MissingDataError(`${this.dfile}: the scan has no frames, so nothing is written.`, {
        file: this.dfile,
        expected: 'at least one frame',
        found: 'none',
      });
    }
    const { main, others } = this.writer.finish();
    if (main.length > 0) applyWrite(this.add(main));
    for (const [file, content] of others) {
      const working = this.workingName(file);
      applyWrite({ kind: 'create', file: working, durable: false, lock: true, ...content });
    }
    for (const [working, output] of this.pending) replaceOutput(working, output);
    this.pending.clear();
    this.finished = true;
  }

  close(): void {
    // An output that never ended is no output: its working files go.
    for (const working of this.pending.keys()) rmSync(working, { force: true });
    this.pending.clear();
    this.lock?.release();
    this.lock = null;
  }

  private main(): string {
    if (this.working === null) throw new StateError(`${this.dfile}: written before begin().`);
    return this.working;
  }

  private workingName(output: string): string {
    const working = tempName(output);
    this.pending.set(working, output);
    return working;
  }

  private add(members: H5Write['members']): H5Write {
    return { kind: 'add', file: this.main(), members, parents: {}, attributes: {} };
  }
}

/** The save mode writing `format`. */
export function exchangeMode(name: ExchangeFormatName): (options: SaveModeOptions) => SaveStrategy {
  return (options) => new ExchangeMode(options, EXCHANGE_FORMATS[name]);
}
