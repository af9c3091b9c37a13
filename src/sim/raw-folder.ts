/**
 * Writes a simulated scan as raw files in the layout of ptypy's PtyScan
 * tutorial: `geometry.txt`, `positions.txt` and `ccd/diffraction_%04d.npy`.
 * Every file appears complete (temp file, then rename), and a frame is listed
 * in `positions.txt` only once its file exists, so a reader polling the folder
 * during a slow "acquisition" never sees half a frame.
 */

import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileFormatError } from '../errors.js';
import { ndarray } from '../frames/ndarray.js';
import { encodeNpy } from '../npy/npy.js';
import {
  describeSimulation,
  type SimulatedFrame,
  type SimulatedScan,
  type SimulationMeta,
  type SimulationOptions,
  simulateFrames,
} from './simulate.js';

/** How {@link writeRawFolder} paces its output. */
export interface RawFolderOptions {
  /** Wait this long before each frame after the first, imitating acquisition. */
  delayMs?: number;
  /** Stops writing between frames; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each frame is complete on disk (file and position line), for progress. */
  onFrame?: (index: number, file: string) => void;
}

/** What {@link writeRawFolder} wrote. */
export interface RawFolderSummary {
  dir: string;
  /** Number of frame files written. */
  frames: number;
  /** Frame files relative to `dir`, in index order. */
  files: string[];
}

/** The name of frame `index` relative to the folder, e.g. `ccd/diffraction_0007.npy`. */
export function rawFrameName(index: number): string {
  return `ccd/diffraction_${String(index).padStart(4, '0')}.npy`;
}

async function writeAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const temp = `${path}.part`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (cause) {
    throw new FileFormatError(`${path}: cannot write the file (${(cause as Error).message}).`, {
      file: path,
      cause,
    });
  }
}

function geometryText(meta: SimulationMeta): string {
  return [
    `distance ${meta.distance}`,
    `energy ${meta.energy}`,
    `psize ${meta.psize}`,
    `shape ${meta.shape}`,
    '',
  ].join('\n');
}

function* framesOf(scan: SimulatedScan): Generator<SimulatedFrame, void, undefined> {
  const [count = 0, h = 0, w = 0] = scan.frames.shape;
  for (let index = 0; index < count; index++) {
    yield {
      index,
      data: ndarray('int32', [h, w], scan.frames.data.subarray(index * h * w, (index + 1) * h * w)),
      position: [scan.positions.data[2 * index]!, scan.positions.data[2 * index + 1]!],
    };
  }
}

function isScan(source: SimulatedScan | SimulationOptions): source is SimulatedScan {
  return typeof source.frames === 'object';
}

/**
 * Writes `source` into `dir` (created if needed): either a scan already
 * simulated, or simulation options, in which case frames are simulated as
 * they are written. Positions are written in metres with full precision.
 *
 * @example
 * await writeRawFolder('/tmp/raw', { ...DEFAULT_SIMULATION, frames: 20 }, { delayMs: 200 });
 */
export async function writeRawFolder(
  dir: string,
  source: SimulatedScan | SimulationOptions,
  options: RawFolderOptions = {},
): Promise<RawFolderSummary> {
  const meta = isScan(source) ? source.meta : describeSimulation(source).meta;
  const frames = isScan(source) ? framesOf(source) : simulateFrames(source);
  try {
    await mkdir(join(dir, 'ccd'), { recursive: true });
  } catch (cause) {
    throw new FileFormatError(
      `${dir}: cannot create the raw folder (${(cause as Error).message}).`,
      {
        file: dir,
        cause,
      },
    );
  }
  await writeAtomic(join(dir, 'geometry.txt'), geometryText(meta));
  const positionsFile = join(dir, 'positions.txt');
  await writeAtomic(positionsFile, '');
  const files: string[] = [];
  for (const frame of frames) {
    options.signal?.throwIfAborted();
    if (frame.index > 0 && options.delayMs !== undefined && options.delayMs > 0) {
      await sleep(options.delayMs, undefined, options.signal ? { signal: options.signal } : {});
    }
    const name = rawFrameName(frame.index);
    await writeAtomic(join(dir, name), encodeNpy(frame.data));
    // One small append per line; a careful reader still ignores a last line without '\n'.
    await appendFile(positionsFile, `${name} ${frame.position[0]} ${frame.position[1]}\n`);
    files.push(name);
    options.onFrame?.(frame.index, name);
  }
  return { dir, frames: files.length, files };
}
