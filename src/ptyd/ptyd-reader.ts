/**
 * Lazy, frame-by-frame access to a `.ptyd` file for PtydScan: list the chunks
 * (dead links to chunk files not written yet are reported, not fatal), read
 * one dataset or rows `[j, j+n)` of it, decode small groups such as `meta`.
 */
import { FileFormatError } from '../errors.js';
import type { NdArray } from '../frames/ndarray.js';
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
  /** True for an external link whose target does not exist (yet). */
  dead: boolean;
  /** Link target, for link-mode files. */
  link?: { file: string; path: string };
  /** Names of the datasets in the chunk (empty when dead). */
  datasets: string[];
  /** Rows of `data` (0 when dead or without data). */
  frames: number;
}

/** An open `.ptyd` file; {@link PtydReader.close} it when done. */
export interface PtydReader {
  readonly file: string;
  /** The chunks, sorted by integer key. */
  listChunks(): PtydChunkInfo[];
  /** What is at `path` (external links reported as such). */
  entry(path: string): H5Entry;
  /** Reads a numeric dataset, or `count` rows of its first axis from `start`. */
  readDataset(path: string, slice?: H5Slice): NdArray;
  /** Decodes the h5rw value at `path` (e.g. `meta`). */
  readValue(path: string, options?: DecodeOptions): PyValue;
  close(): void;
}

class Reader implements PtydReader {
  readonly file: string;
  private readonly h5: H5File;

  constructor(file: string) {
    this.file = file;
    this.h5 = H5File.open(file, 'r');
  }

  listChunks(): PtydChunkInfo[] {
    const root = this.h5.resolve('/chunks');
    if (root.kind !== 'group') {
      throw new FileFormatError(`${this.file}: no chunks group.`, {
        file: this.file,
        dataset: '/chunks',
        expected: 'a group "chunks"',
        found: root.kind,
      });
    }
    const chunks: PtydChunkInfo[] = [];
    for (const key of this.h5.members('/chunks')) {
      if (!/^\d+$/.test(key)) {
        throw new FileFormatError(`${this.file}: chunk key "${key}" is not an integer.`, {
          file: this.file,
          dataset: `/chunks/${key}`,
          expected: 'integer chunk keys',
          found: key,
        });
      }
      const path = `/chunks/${key}`;
      const at = this.h5.entry(path);
      const link =
        at.kind === 'external-link' ? { file: at.targetFile, path: at.targetPath } : undefined;
      if (at.kind === 'external-link' && at.dead) {
        chunks.push({
          key,
          index: Number(key),
          path,
          dead: true,
          link: link!,
          datasets: [],
          frames: 0,
        });
        continue;
      }
      const datasets = this.h5
        .members(path)
        .filter((name) => this.h5.resolve(`${path}/${name}`).kind === 'dataset');
      const data = datasets.includes('data') ? this.h5.resolve(`${path}/data`) : undefined;
      const frames = data?.kind === 'dataset' ? (data.shape[0] ?? 0) : 0;
      chunks.push({
        key,
        index: Number(key),
        path,
        dead: false,
        ...(link ? { link } : {}),
        datasets,
        frames,
      });
    }
    return chunks.sort((a, b) => a.index - b.index);
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
export function openPtydReader(file: string): PtydReader {
  return new Reader(file);
}
