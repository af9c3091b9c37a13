/**
 * Writes a simulated scan as raw files in the layout of ptypy's PtyScan
 * tutorial: `geometry.txt`, `positions.txt` and `ccd/diffraction_%04d.npy`,
 * and on request the ground truth in `truth/` (object and probe as complex
 * `.npy`, their geometry in `truth.json`) to check a reconstruction against.
 * Every file appears complete (temp file, then rename), and a frame is listed
 * in `positions.txt` only once its file exists, so a reader polling the folder
 * during a slow "acquisition" never sees half a frame.
 */

import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileFormatError } from '../errors.js';
import { ndarray } from '../frames/ndarray.js';
import { encodeNpy, encodeNpyBytes } from '../npy/npy.js';
import type { ComplexImage } from './probe.js';
import {
  describeSimulation,
  type SimulatedFrame,
  type SimulatedScan,
  type SimulationMeta,
  type SimulationOptions,
  simulateFrames,
  simulationTruth,
} from './simulate.js';

/** How {@link writeRawFolder} paces its output. */
export interface RawFolderOptions {
  /** Wait this long before each frame after the first, imitating acquisition. */
  delayMs?: number;
  /** Stops writing between frames; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each frame is complete on disk (file and position line), for progress. */
  onFrame?: (index: number, file: string) => void;
  /**
   * Also write `truth/object.npy`, `truth/probe.npy` (complex128) and
   * `truth/truth.json` (pixel size, centre, how a frame is made); only for
   * simulation options, not for a scan simulated already.
   */
  truth?: boolean;
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

/** A complex image as a complex128 `.npy` (real and imaginary parts interleaved). */
function complexNpy(image: ComplexImage): Uint8Array {
  const values = new Float64Array(2 * image.re.length);
  for (let i = 0; i < image.re.length; i++) {
    values[2 * i] = image.re[i]!;
    values[2 * i + 1] = image.im[i]!;
  }
  return encodeNpyBytes('<c16', [image.height, image.width], values);
}

/** The ground truth of a simulation: object, probe and how they make each frame. */
async function writeTruth(dir: string, options: SimulationOptions): Promise<void> {
  const truth = simulationTruth(options);
  const { meta } = truth;
  const half = meta.shape >> 1;
  const description = {
    object: 'object.npy',
    probe: 'probe.npy',
    dtype: 'complex128',
    object_shape: [truth.object.height, truth.object.width],
    probe_shape: [truth.probe.height, truth.probe.width],
    pixel_size: meta.resolution,
    object_centre: truth.centre,
    frame: `frame k = fftshift(|FFT2(probe * object[r:r+${meta.shape}, c:c+${meta.shape}])|^2) with r = ${truth.centre[0] - half} + round(y_k / pixel_size), c = ${truth.centre[1] - half} + round(x_k / pixel_size), (y_k, x_k) from ../positions.txt in metres; scaled to photons counts per frame, blurred by blur pixels, with Poisson noise when noise is true`,
    energy: meta.energy,
    wavelength: meta.wavelength,
    distance: meta.distance,
    psize: meta.psize,
    shape: meta.shape,
    step: meta.step,
    photons: options.photons,
    pattern: options.pattern,
    seed: options.seed,
    blur: options.blur ?? 0,
    noise: options.noise !== false,
  };
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new FileFormatError(`${dir}: cannot create the folder (${(cause as Error).message}).`, {
      file: dir,
      cause,
    });
  }
  await writeAtomic(join(dir, 'object.npy'), complexNpy(truth.object));
  await writeAtomic(join(dir, 'probe.npy'), complexNpy(truth.probe));
  await writeAtomic(join(dir, 'truth.json'), `${JSON.stringify(description, null, 2)}\n`);
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
  if (options.truth === true && !isScan(source)) await writeTruth(join(dir, 'truth'), source);
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
