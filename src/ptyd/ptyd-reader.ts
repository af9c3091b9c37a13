/**
 * Lazy, frame-by-frame access to a `.ptyd` file for PtydScan: list the chunks
 * (dead links to chunk files not written yet are reported, not fatal), read
 * one dataset or rows `[j, j+n)` of it, decode small groups such as `meta`.
 */
import { statSync } from 'node:fs';
import { FileFormatError, MissingDataError, PtyscanError } from '../errors.js';
import { itemSize } from '../frames/dtype.js';
import { formatShape, type NdArray } from '../frames/ndarray.js';
import { type H5Entry, H5File, type H5Slice } from '../h5/index.js';
import type { PyValue } from '../py/value.js';
import { type DecodeOptions, decodeValue } from './h5rw-read.js';

/** One member of `chunks/` in a `.ptyd` file. */
export interface PtydChunkInfo {
  /** The member name, e.g. `"3"`. */
  key: string;
  /** The key as an integer (chunks are ordered by it, as in ptypy). */
  index: number;
  /** Path in the file, e.g. `/chunks/3`. */
  path: string;
  /**
   * True when the chunk cannot be read now: a link whose target is missing
   * or broken, a group without `data`, an object that cannot be opened
   * ({@link problem} says which).
   */
  dead: boolean;
  /** Why a dead chunk cannot be read (names the file and path). */
  problem?: string;
  /**
   * For a dead chunk: true when it may simply not be written yet (its file
   * or its `data` missing), false when what is there is damaged.
   */
  notYet?: boolean;
  /** Link target, for link-mode files. */
  link?: { file: string; path: string };
  /** Names of the datasets in the chunk (empty when dead). */
  datasets: string[];
  /** Rows of `data` (0 when dead). */
  frames: number;
}

/** An open `.ptyd` file; {@link PtydReader.close} it when done. */
export interface PtydReader {
  readonly file: string;
  /** The chunk keys, sorted by integer value (a key that is not an integer is a FileFormatError). */
  chunkKeys(): string[];
  /** One chunk, opened to see whether it can be read. */
  chunk(key: string): PtydChunkInfo;
  /** Every chunk, sorted by integer key. */
  listChunks(): PtydChunkInfo[];
  /** What is at `path` (external links reported as such). */
  entry(path: string): H5Entry;
  /** Reads a numeric dataset, or `count` rows of its first axis from `start`. */
  readDataset(path: string, slice?: H5Slice): NdArray;
  /** Decodes the h5rw value at `path` (e.g. `meta`). */
  readValue(path: string, options?: DecodeOptions): PyValue;
  close(): void;
}

/** Options of {@link openPtydReader}. */
export interface PtydReaderOptions {
  /** Refuse chunk links to files outside the master's folder (they read as dead chunks). */
  confineLinks?: boolean;
}

/**
 * Compressed data this many times smaller than its declared size is not
 * believed (gzip, the strongest filter our files use, stays near 1030:1).
 */
const MAX_COMPRESSION_RATIO = 1100;

class Reader implements PtydReader {
  readonly file: string;
  private readonly h5: H5File;

  constructor(file: string, options: PtydReaderOptions) {
    this.file = file;
    this.h5 = H5File.open(file, 'r', { confineLinks: options.confineLinks === true });
  }

  chunkKeys(): string[] {
    const root = this.h5.resolve('/chunks');
    if (root.kind !== 'group') {
      throw new FileFormatError(`${this.file}: no chunks group.`, {
        file: this.file,
        dataset: '/chunks',
        expected: 'a group "chunks"',
        found: root.kind,
      });
    }
    const keys = this.h5.members('/chunks');
    for (const key of keys) {
      if (!/^\d+$/.test(key)) {
        throw new FileFormatError(`${this.file}: chunk key "${key}" is not an integer.`, {
          file: this.file,
          dataset: `/chunks/${key}`,
          expected: 'integer chunk keys',
          found: key,
        });
      }
    }
    return keys.sort((a, b) => Number(a) - Number(b));
  }

  listChunks(): PtydChunkInfo[] {
    return this.chunkKeys().map((key) => this.chunk(key));
  }

  chunk(key: string): PtydChunkInfo {
    const path = `/chunks/${key}`;
    const at = this.h5.entry(path);
    const link =
      at.kind === 'external-link' ? { file: at.targetFile, path: at.targetPath } : undefined;
    const base = { key, index: Number(key), path, ...(link ? { link } : {}) };
    const dead = (problem: string, notYet: boolean): PtydChunkInfo => ({
      ...base,
      dead: true,
      problem,
      notYet,
      datasets: [],
      frames: 0,
    });
    if (at.kind === 'external-link' && at.dead) {
      const problem = at.problem ?? { kind: 'no-file', message: `${path}: a dead link` };
      return dead(problem.message, problem.kind === 'no-file' || problem.kind === 'no-object');
    }
    const where = link === undefined ? `${this.file}:${path}` : `${link.file}:${link.path}`;
    try {
      const target = at.kind === 'external-link' ? this.h5.resolve(path) : at;
      if (target.kind !== 'group') return dead(`${where} is a ${target.kind}, not a group`, false);
      const datasets = this.h5
        .members(path)
        .filter((name) => this.h5.resolve(`${path}/${name}`).kind === 'dataset');
      if (!datasets.includes('data')) return dead(`${where} has no 'data' dataset`, true);
      const data = this.h5.resolve(`${path}/data`);
      if (data.kind !== 'dataset') return dead(`${where}/data is not a dataset`, false);
      const claim = this.claimTooLarge(path, data);
      if (claim !== null) return dead(claim, false);
      return { ...base, dead: false, datasets, frames: data.shape[0] ?? 0 };
    } catch (error) {
      if (!(error instanceof PtyscanError)) throw error;
      return dead(error.message, error instanceof MissingDataError);
    }
  }

  /** Why the declared size of a chunk's `data` cannot be believed, or null. */
  private claimTooLarge(path: string, data: Extract<H5Entry, { kind: 'dataset' }>): string | null {
    if (typeof data.dtype !== 'string' || data.dtype === 'string') return null;
    // Only gzip, LZF, shuffle and fletcher32 have a known bound; zstd and others can shrink zeros further.
    if (data.filters.some((f) => ![1, 2, 3, 32000].includes(f.id))) return null;
    const declared = data.shape.reduce((a, b) => a * b, 1) * itemSize(data.dtype);
    const holder = this.h5.locate(`${path}/data`).file;
    const bytes = statSync(holder).size;
    if (declared <= MAX_COMPRESSION_RATIO * bytes + (1 << 20)) return null;
    return `${holder}:${this.h5.locate(`${path}/data`).path} declares shape ${formatShape(data.shape)}, more than its ${bytes}-byte file can hold`;
  }

  entry(path: string): H5Entry {
    return this.h5.entry(path);
  }

  readDataset(path: string, slice?: H5Slice): NdArray {
    const data = this.h5.readDataset(path, slice);
    if (data.dtype === 'string') {
      throw new FileFormatError(`${this.file}:${path} holds strings, not numbers.`, {
        file: this.file,
        dataset: path,
        expected: 'a numeric dataset',
        found: 'strings',
      });
    }
    return data;
  }

  readValue(path: string, options: DecodeOptions = {}): PyValue {
    return decodeValue(this.h5, path, options);
  }

  close(): void {
    this.h5.close();
  }
}

/**
 * Opens a `.ptyd` file for lazy reading (no lock: readers must only open
 * complete files, which is what our writers guarantee by renaming).
 *
 * @example
 * const reader = openPtydReader('scan.ptyd');
 * try {
 *   for (const c of reader.listChunks().filter((c) => !c.dead)) {
 *     const frame = reader.readDataset(`${c.path}/data`, { start: 0, count: 1 });
 *   }
 * } finally {
 *   reader.close();
 * }
 */
export function openPtydReader(file: string, options: PtydReaderOptions = {}): PtydReader {
  return new Reader(file, options);
}
