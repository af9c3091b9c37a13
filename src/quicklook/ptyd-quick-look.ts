/**
 * Quick-look maps of a `.ptyd` file read chunk by chunk, a few frames at a
 * time, so memory stays flat however long the scan is. Used by `ptyscan
 * preview` and by the `ptyscan view` server, which calls it again as new
 * chunks appear.
 */
import { FileFormatError } from '../errors.js';
import {
  type PtydChunkInfo,
  type PtydReader,
  readWriterStatus,
  surveyChunks,
} from '../ptyd/index.js';
import { isNdArray, isPyDict } from '../py/value.js';
import { QuickLook } from './quick-look.js';

/** Bytes of frame data read at once. */
const READ_BYTES = 8 * 1024 * 1024;

/** What the file's `meta` says about the geometry (nulls when absent). */
export interface PtydGeometry {
  /** `meta.center` `[row, col]` in pixels. */
  center: [number, number] | null;
  /** Detector pixel size in metres (`meta.psize`, the first value). */
  psize: number | null;
  /** Sample-detector distance in metres (`meta.distance`). */
  distance: number | null;
  /** Photon energy in keV (`meta.energy`). */
  energy: number | null;
}

function numbers(value: unknown): number[] | null {
  if (typeof value === 'number') return [value];
  if (typeof value === 'bigint') return [Number(value)];
  if (isNdArray(value)) return Array.from(value.data as ArrayLike<number | bigint>, Number);
  return null;
}

/** Reads `meta` (centre, pixel size, distance, energy) when the file has one. */
export function readPtydGeometry(reader: PtydReader): PtydGeometry {
  const none: PtydGeometry = { center: null, psize: null, distance: null, energy: null };
  if (reader.entry('/meta').kind === 'missing') return none;
  const meta = reader.readValue('/meta');
  if (!isPyDict(meta)) return none;
  const center = numbers(meta.center);
  const first = (key: string): number | null => {
    const v = numbers(meta[key]);
    return v && v.length > 0 && Number.isFinite(v[0]) ? v[0]! : null;
  };
  return {
    center: center && center.length === 2 ? [center[0]!, center[1]!] : null,
    psize: first('psize'),
    distance: first('distance'),
    energy: first('energy'),
  };
}

/**
 * The chunks a reader may take now, by the rule of every reader
 * (`surveyChunks`): in order, a chunk that may still be written ending them.
 *
 * @throws MissingDataError or FileFormatError naming the chunk's file when a
 *   chunk that must be readable is not (never a gap).
 */
export function readableChunks(reader: PtydReader): PtydChunkInfo[] {
  return [...surveyChunks(reader, readWriterStatus(reader.file)).readable];
}

/** Frame size of a chunk's `data`, checked to be `(n, h, w)`. */
export function chunkFrameShape(reader: PtydReader, chunk: PtydChunkInfo): [number, number] {
  const entry = reader.entry(`${chunk.path}/data`);
  const shape = entry.kind === 'dataset' ? entry.shape : [];
  if (shape.length !== 3 || !shape[1] || !shape[2]) {
    throw new FileFormatError(`${reader.file}:${chunk.path}/data is not a stack of frames.`, {
      file: reader.file,
      dataset: `${chunk.path}/data`,
      expected: '(n, h, w)',
      found: `(${shape.join(', ')})`,
    });
  }
  return [shape[1], shape[2]];
}

/**
 * Adds the frames of `chunk` to `quickLook`, reading `data`, `weights` and
 * `positions` a few frames at a time.
 */
export function addPtydChunk(reader: PtydReader, chunk: PtydChunkInfo, quickLook: QuickLook): void {
  const [h, w] = chunkFrameShape(reader, chunk);
  if (h !== quickLook.height || w !== quickLook.width) {
    throw new FileFormatError(`${reader.file}: chunks hold frames of different shapes.`, {
      file: reader.file,
      dataset: `${chunk.path}/data`,
      expected: `frames of ${quickLook.height} x ${quickLook.width}`,
      found: `${h} x ${w}`,
    });
  }
  const hasWeights = chunk.datasets.includes('weights');
  const weightsShape = hasWeights ? reader.entry(`${chunk.path}/weights`) : null;
  const perFrameWeights = weightsShape?.kind === 'dataset' && weightsShape.shape.length === 3;
  const shared =
    hasWeights && !perFrameWeights ? reader.readDataset(`${chunk.path}/weights`).data : null;
  const positionsEntry = chunk.datasets.includes('positions')
    ? reader.entry(`${chunk.path}/positions`)
    : null;
  const hasPositions =
    positionsEntry?.kind === 'dataset' &&
    positionsEntry.shape.length === 2 &&
    positionsEntry.shape[1] === 2 &&
    positionsEntry.shape[0] === chunk.frames;
  const step = Math.max(1, Math.floor(READ_BYTES / (8 * h * w)));
  for (let start = 0; start < chunk.frames; start += step) {
    const slice = { start, count: Math.min(step, chunk.frames - start) };
    const data = reader.readDataset(`${chunk.path}/data`, slice);
    const weights = perFrameWeights
      ? reader.readDataset(`${chunk.path}/weights`, slice).data
      : shared;
    const positions = hasPositions
      ? Float64Array.from(
          reader.readDataset(`${chunk.path}/positions`, slice).data as ArrayLike<number | bigint>,
          Number,
        )
      : null;
    quickLook.add({
      data: data.data as ArrayLike<number | bigint>,
      count: slice.count,
      weights: weights as ArrayLike<number | bigint> | null,
      positions,
    });
  }
}

/**
 * Quick-look maps of every readable chunk of an open `.ptyd` file.
 *
 * @example
 * const reader = openPtydReader('scan.ptyd');
 * try { const maps = ptydQuickLook(reader).result(); } finally { reader.close(); }
 */
export function ptydQuickLook(reader: PtydReader): QuickLook {
  const chunks = readableChunks(reader);
  const first = chunks[0];
  if (first === undefined) {
    throw new FileFormatError(`${reader.file}: no chunk with data yet.`, {
      file: reader.file,
      dataset: '/chunks',
      expected: 'at least one complete chunk with a data dataset',
      found: 'none',
    });
  }
  const [height, width] = chunkFrameShape(reader, first);
  const center = readPtydGeometry(reader).center;
  const quickLook = new QuickLook({ height, width, ...(center ? { center } : {}) });
  for (const chunk of chunks) addPtydChunk(reader, chunk, quickLook);
  return quickLook;
}
