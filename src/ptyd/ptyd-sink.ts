import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MissingDataError, ParameterError } from '../errors.js';
import { acquireLock, type FileLock } from '../h5/index.js';
import { isNdArray, type PyDict, type PyValue } from '../py/value.js';
import type { Chunk, Meta, ScanSink } from '../scan/types.js';
import { concatChunks } from './concat.js';
import { type ExternalLinkSpec, type H5rwCompression, h5append, h5read, h5write } from './h5rw.js';

/** How a scan is saved: ptypy's `save` parameter. */
export type SaveMode = 'append' | 'link' | 'merge';

/** Settings of a {@link PtydSink}. */
export interface PtydSinkOptions extends H5rwCompression {
  mode: SaveMode;
  /** The master `.ptyd` file. */
  dfile: string;
  /** printf-style suffix of chunk files in link/merge mode (ptypy's `chunk_format`, default `.chunk%02d`). */
  chunkFormat?: string;
}

/** `.chunk%02d` % 3 -> `.chunk03`: the `%d` forms of Python's % operator. */
export function formatChunkName(format: string, num: number): string {
  let used = false;
  const out = format.replace(/%(0?)(\d*)d/, (_m, zero: string, width: string) => {
    used = true;
    return String(num).padStart(Number(width || 0), zero === '0' ? '0' : ' ');
  });
  if (!used) {
    throw new ParameterError([
      {
        path: 'chunk_format',
        expected: "a pattern with one %d, e.g. '.chunk%02d'",
        found: JSON.stringify(format),
      },
    ]);
  }
  return out;
}

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

function chunkValue(chunk: Chunk): PyDict {
  return {
    indices: chunk.indices.map((i) => BigInt(i)),
    positions: isNdArray(chunk.positions) ? chunk.positions : chunk.positions.map(() => null),
    data: chunk.data,
    weights: chunk.weights,
  };
}

/**
 * Stores a scan in a `.ptyd` file the way ptypy does, chunk by chunk:
 * - `append`: every chunk goes into the master file (`chunks/<n>`);
 * - `link`: every chunk is its own complete file `dfile + chunk_format % n`,
 *   linked from the master by a relative external link; the small master is
 *   replaced atomically after each chunk, so a reader never sees half a file;
 * - `merge`: like `link` while the scan runs, then at the end one chunk with
 *   every frame in index order, and the chunk files are removed.
 *
 * Every chunk is complete on disk when {@link PtydSink.writeChunk} returns.
 */
export class PtydSink implements ScanSink {
  readonly dfile: string;
  readonly mode: SaveMode;
  private readonly compression: H5rwCompression;
  private readonly chunkFormat: string;
  private lock: FileLock | null = null;
  private info: PyDict = {};
  private meta: PyDict = {};
  private readonly chunkFiles: { num: number; file: string }[] = [];
  private merged = false;

  constructor(options: PtydSinkOptions) {
    this.dfile = options.dfile;
    this.mode = options.mode;
    this.chunkFormat = options.chunkFormat ?? '.chunk%02d';
    this.compression = {
      ...(options.compression === undefined ? {} : { compression: options.compression }),
      ...(options.level === undefined ? {} : { level: options.level }),
    };
    formatChunkName(this.chunkFormat, 0);
  }

  begin(info: PyDict): null {
    // One scan per output file at a time: the lock lives as long as the scan.
    this.lock = acquireLock(`${this.dfile}.scan`);
    keepOld(this.dfile);
    this.info = info;
    if (this.mode === 'append') {
      h5write(this.dfile, { chunks: {}, meta: {}, info }, this.compression);
    } else {
      this.writeMaster();
    }
    return null;
  }

  writeMeta(meta: Meta): void {
    this.meta = { ...meta };
    if (this.mode === 'append') h5append(this.dfile, { meta: this.meta }, this.compression);
  }

  writeChunk(chunk: Chunk): void {
    const value = chunkValue(chunk);
    if (this.mode === 'append') {
      h5append(this.dfile, { [`chunks/${chunk.num}`]: value }, this.compression);
      return;
    }
    const file = `${this.dfile}${formatChunkName(this.chunkFormat, chunk.num)}`;
    keepOld(file);
    h5write(file, value, this.compression);
    this.chunkFiles.push({ num: chunk.num, file });
    this.writeMaster();
  }

  end(info: PyDict): void {
    this.info = info;
    if (this.mode === 'append') {
      h5append(this.dfile, { info }, this.compression);
    } else if (this.mode === 'link' || this.merged) {
      this.writeMaster();
    } else {
      this.merge();
    }
  }

  close(): void {
    this.lock?.release();
    this.lock = null;
  }

  /** Rewrites the small link-mode master (info, meta, links) atomically. */
  private writeMaster(): void {
    const links: ExternalLinkSpec[] = this.chunkFiles.map(({ num, file }) => ({
      path: `chunks/${num}`,
      // Relative to the master's folder, so the folder can be moved.
      targetFile: basename(file),
      targetPath: '/',
    }));
    h5write(
      this.dfile,
      { chunks: {}, meta: this.meta, info: this.info },
      { ...this.compression, links },
    );
  }

  /** Replaces the chunk files by one chunk holding every frame in index order. */
  private merge(): void {
    const folder = dirname(this.dfile);
    const parts = this.chunkFiles.map(({ file }) => {
      const path = join(folder, basename(file));
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
    h5write(this.dfile, { chunks, meta: this.meta, info: this.info }, this.compression);
    for (const { file } of this.chunkFiles) rmSync(file, { force: true });
    this.merged = true;
  }
}
