/**
 * Where an interrupted link/merge-mode scan stands on disk: which chunk files
 * are complete and belong to it, and the frozen centre, ROI and meta a new
 * writer needs to continue it without writing any chunk twice.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FileFormatError, PtyscanError } from '../errors.js';
import { H5File } from '../h5/index.js';
import { isNdArray, isPyDict, type PyDict, type PyValue } from '../py/value.js';
import type { ScanProgress } from '../sink/types.js';
import { chunkFilePath } from './chunk-files.js';
import { decodeValue } from './h5rw-read.js';
import { openPtydReader } from './ptyd-reader.js';
import {
  type FrozenValues,
  parseFrozen,
  readWriterStatus,
  WRITER_ATTRIBUTES,
  type WriterState,
} from './writer-state.js';

/** A complete chunk file of the scan. */
export interface LiveChunk {
  num: number;
  /** Path of the chunk file. */
  file: string;
  frames: number;
}

/** What an interrupted file holds (see {@link findResumePoint}). */
export interface ResumePoint {
  state: WriterState;
  /** The scan's run id (shared by the master and its chunk files). */
  run: string;
  info: PyDict;
  meta: PyDict;
  /** The usable chunk files, 0, 1, ... without a gap. */
  chunks: LiveChunk[];
  /** Chunk files left out, each with the reason. */
  dropped: string[];
  /** The frozen raw centre and ROI (`ptyscan_frozen`, or `info` of an older file), or null before the first chunk. */
  frozen: FrozenValues | null;
  /** How far the scan got, or null when no chunk is usable (start from frame 0). */
  progress: ScanProgress | null;
}

/** A pair stored as a 2-element int64/float64 dataset (the frozen centre, ROI, prepared shape). */
function storedPair(
  value: PyValue | undefined,
): { value: [number, number]; dtype: 'int64' | 'float64' } | null {
  if (!isNdArray(value) || value.data.length !== 2) return null;
  if (value.dtype !== 'int64' && value.dtype !== 'float64') return null;
  const [a, b] = Array.from(value.data as ArrayLike<number | bigint>, Number) as [number, number];
  return { value: [a, b], dtype: value.dtype };
}

/** The frozen centre and ROI an `info` holds (`center`, `shape` as stored pairs), or null before they are frozen. */
export function frozenInInfo(info: PyDict): FrozenValues | null {
  const center = storedPair(info.center);
  const roi = storedPair(info.shape);
  return center === null || roi === null ? null : { center, roi: roi.value };
}

/**
 * Checks one chunk file: readable, `data`/`weights` of `n` frames of the
 * prepared shape, `indices` exactly `start .. start+n-1`, the last rows
 * readable, and (when `run` is given) the run id of this scan. Returns the
 * number of frames, or the reason it is not usable.
 */
function inspectChunk(
  file: string,
  start: number,
  shape: [number, number],
  run: string | null,
): number | string {
  let h5: H5File;
  try {
    h5 = H5File.open(file, 'r');
  } catch (error) {
    return error instanceof PtyscanError ? error.message : String(error);
  }
  try {
    if (run !== null && h5.readStringAttribute('/', WRITER_ATTRIBUTES.run) !== run) {
      return 'written by another scan (run id differs)';
    }
    const data = h5.entry('/data');
    const weights = h5.entry('/weights');
    const indices = h5.entry('/indices');
    if (data.kind !== 'dataset' || weights.kind !== 'dataset' || indices.kind !== 'dataset') {
      return 'data, weights or indices missing';
    }
    const [n = 0, h, w] = data.shape;
    if (data.shape.length !== 3 || h !== shape[0] || w !== shape[1] || n === 0) {
      return `data of shape (${data.shape.join(', ')}), expected (n, ${shape[0]}, ${shape[1]})`;
    }
    if (weights.shape[0] !== n || indices.shape.length !== 1 || indices.shape[0] !== n) {
      return `weights/indices do not have ${n} rows`;
    }
    const stored = h5.readDataset('/indices');
    if (stored.dtype === 'string') return 'indices are strings';
    const values = Array.from(stored.data as ArrayLike<number | bigint>, Number);
    if (values.some((v, k) => v !== start + k)) {
      return `indices ${values[0]}..${values[values.length - 1]}, expected ${start}..${start + n - 1}`;
    }
    // The last rows sit at the end of the file: a cut file fails here.
    h5.readDataset('/data', { start: n - 1, count: 1 });
    h5.readDataset('/weights', { start: weights.shape[0]! - 1, count: 1 });
    return n;
  } catch (error) {
    return error instanceof PtyscanError ? error.message : String(error);
  } finally {
    h5.close();
  }
}

/**
 * Reads an interrupted (or finished) link/merge-mode master and its chunk
 * files. Chunk files linked from the master, then unlinked ones of the same
 * run that a writer finished just before it died, are taken in order while
 * each is complete and continues the frame indices; the first unusable one
 * and everything after it are dropped (they will be written again).
 *
 * @throws FileFormatError when the master is unreadable or was not written by
 *   a resumable writer (no `ptyscan_state`).
 */
export function findResumePoint(dfile: string, chunkFormat: string): ResumePoint {
  let master: H5File;
  try {
    master = H5File.open(dfile, 'r');
  } catch (cause) {
    throw new FileFormatError(
      `${dfile}: cannot resume: the master file is not readable (${(cause as Error).message}). Move it away and prepare from the start.`,
      { file: dfile, expected: 'a readable .ptyd master', found: 'an unreadable file', cause },
    );
  }
  let status: ReturnType<typeof readWriterStatus>;
  let info: PyValue;
  let meta: PyValue;
  let frozenAttr: string | undefined;
  const links = new Map<number, string>();
  try {
    status = readWriterStatus(master);
    if (status === null || status.run === null) {
      throw new FileFormatError(
        `${dfile}: cannot resume: the file has no '${WRITER_ATTRIBUTES.state}'/'${WRITER_ATTRIBUTES.run}' attributes, so it was not written by ptyscan's link or merge writer.`,
        {
          file: dfile,
          expected: "a master written with save 'link' or 'merge'",
          found: 'no writer state',
        },
      );
    }
    info = master.has('/info') ? decodeValue(master, '/info') : {};
    meta = master.has('/meta') ? decodeValue(master, '/meta') : {};
    frozenAttr = master.readStringAttribute('/', WRITER_ATTRIBUTES.frozen);
    for (const key of master.has('/chunks') ? master.members('/chunks') : []) {
      const at = master.entry(`/chunks/${key}`);
      if (at.kind === 'external-link' && /^\d+$/.test(key)) links.set(Number(key), at.targetFile);
    }
  } finally {
    master.close();
  }
  if (!isPyDict(info) || !isPyDict(meta)) {
    throw new FileFormatError(`${dfile}: cannot resume: /info or /meta is not a group.`, {
      file: dfile,
      expected: 'info and meta groups',
      found: `${typeof info}, ${typeof meta}`,
    });
  }
  // Files of ptyscan before ptyscan_frozen held the frozen values in info.
  const frozen = parseFrozen(frozenAttr) ?? frozenInInfo(info);
  const point: ResumePoint = {
    state: status.state,
    run: status.run,
    info,
    meta,
    frozen,
    chunks: [],
    dropped: [],
    progress: null,
  };
  const shape = storedPair(meta.shape);
  if (shape === null || frozen === null) return point;
  const { center } = frozen;
  const roi = { value: frozen.roi };
  if (status.state === 'complete') {
    // Finished (merged files hold their chunk in the master): nothing is left to prepare.
    const reader = openPtydReader(dfile);
    try {
      const present = reader.listChunks().filter((c) => !c.dead);
      const frames = present.reduce((sum, c) => sum + c.frames, 0);
      point.progress = {
        framestart: frames,
        chunknum: present.length,
        center,
        roi: roi.value,
        meta,
      };
    } finally {
      reader.close();
    }
    return point;
  }
  const folder = dirname(dfile);
  let framestart = 0;
  for (let num = 0; ; num++) {
    const linked = links.get(num);
    const file =
      linked === undefined ? chunkFilePath(dfile, chunkFormat, num) : join(folder, linked);
    if (!existsSync(file)) {
      if (linked !== undefined) point.dropped.push(`${file}: linked but missing`);
      break;
    }
    // A linked chunk is the scan's by construction; an unlinked one must prove it.
    const frames = inspectChunk(
      file,
      framestart,
      shape.value,
      linked === undefined ? status.run : null,
    );
    if (typeof frames === 'string') {
      point.dropped.push(`${file}: ${frames}`);
      break;
    }
    point.chunks.push({ num, file, frames });
    framestart += frames;
  }
  if (point.chunks.length > 0) {
    point.progress = {
      framestart,
      chunknum: point.chunks.length,
      center,
      roi: roi.value,
      meta,
    };
  }
  return point;
}
