/**
 * What the sources of prepared stacks in other formats share (`CxiScan`,
 * `FoldSliceScan`): the frames are one (N, H, W) dataset of a complete
 * HDF5 file, read a run of consecutive frames at a time; positions and the
 * mask are read once; the geometry the file records fills the parameters
 * the user left unset.
 */
import { FileFormatError, ParameterError } from '../errors.js';
import { concatRows, type FrameStack, type NdArray, ndarray } from '../frames/ndarray.js';
import { H5File } from '../h5/index.js';
import type { PyDict, PyValue } from '../py/value.js';
import { PtyScan, type PtyScanOptions, type ScanParams } from '../scan/pty-scan.js';
import type { LoadResult } from '../scan/types.js';
import type { ParamOrigins } from './source-info.js';

/** What a source of a prepared stack knows about its file. */
export interface StackLayout {
  /** The HDF5 file holding the frames, and their dataset. */
  dataFile: string;
  dataPath: string;
  frames: number;
  /** `[H, W]` of each frame. */
  frameShape: [number, number];
  /** `[N, 2]`: y, x in metres. */
  positions: NdArray<'float64'>;
  weights: NdArray<'bool'> | null;
  /** Parameters the file records (energy, distance, psize, center), filling what the user left unset. */
  recorded: Readonly<Record<string, PyValue>>;
  /** The file each recorded parameter came from. */
  recordedFrom: string;
}

/** The string parameter `key`, which must name a file. */
export function fileParam(info: PyDict | ScanParams, key: string): string {
  const value = info[key];
  if (typeof value !== 'string' || value === '') {
    throw new ParameterError([
      { path: key, expected: 'the path of the file to read', found: String(value) },
    ]);
  }
  return value;
}

/** The recorded parameters of a layout, as parameter values. */
export function recordedParams(geometry: {
  energy: number | null;
  distance: number | null;
  psize: [number, number] | null;
  center?: [number, number] | null;
}): Record<string, PyValue> {
  const out: Record<string, PyValue> = {};
  if (geometry.energy !== null) out.energy = geometry.energy;
  if (geometry.distance !== null) out.distance = geometry.distance;
  if (geometry.psize !== null)
    out.psize = ndarray('float64', [2], Float64Array.from(geometry.psize));
  if (geometry.center !== undefined && geometry.center !== null) {
    out.center = ndarray('float64', [2], Float64Array.from(geometry.center));
  }
  return out;
}

/** The recorded parameters the user did not set. */
export function unset(pars: ScanParams, recorded: Readonly<Record<string, PyValue>>): ScanParams {
  const out: ScanParams = {};
  for (const [key, value] of Object.entries(recorded))
    if (pars[key] === undefined) out[key] = value;
  return out;
}

/** A source reading frames from one (N, H, W) dataset; subclasses say where (see {@link StackLayout}). */
export abstract class StackFileScan extends PtyScan implements ParamOrigins {
  protected readonly layout: StackLayout;
  private readonly filled: Record<string, string> = {};

  constructor(pars: ScanParams, options: PtyScanOptions, layout: (info: PyDict) => StackLayout) {
    super(pars, options);
    this.layout = layout(this.info);
    for (const key of Object.keys(this.layout.recorded)) {
      if (pars[key] === undefined) this.filled[key] = this.layout.recordedFrom;
    }
  }

  /** Where the parameters the user left unset came from. */
  paramOrigins(): Readonly<Record<string, string>> {
    return { ...this.filled };
  }

  override loadPositions(): NdArray {
    return this.layout.positions;
  }

  override loadWeight(): NdArray | null {
    return this.layout.weights;
  }

  /** Every frame has the dataset's frame shape. */
  override frameShape(_index: number): [number, number] {
    return [...this.layout.frameShape];
  }

  /** Frames `indices` (in that order), each run of consecutive frames in one read. */
  override load(indices: readonly number[]): LoadResult {
    const { dataFile, dataPath, frames } = this.layout;
    const h5 = H5File.open(dataFile, 'r');
    try {
      const runs: FrameStack[] = [];
      let k = 0;
      while (k < indices.length) {
        const start = indices[k]!;
        if (!Number.isInteger(start) || start < 0 || start >= frames) {
          throw new FileFormatError(`${dataFile}:${dataPath} has no frame ${start}.`, {
            file: dataFile,
            dataset: dataPath,
            frame: start,
            expected: `a frame index below ${frames}`,
            found: String(start),
          });
        }
        let count = 1;
        while (k + count < indices.length && indices[k + count] === start + count) count++;
        const run = h5.readDataset(dataPath, { start, count });
        if (run.dtype === 'string') {
          throw new FileFormatError(`${dataFile}:${dataPath} holds text, not frames.`, {
            file: dataFile,
            dataset: dataPath,
            expected: 'numeric frames',
            found: 'strings',
          });
        }
        runs.push(run);
        k += count;
      }
      return { data: runs.length === 1 ? runs[0]! : concatRows(runs) };
    } finally {
      h5.close();
    }
  }
}
