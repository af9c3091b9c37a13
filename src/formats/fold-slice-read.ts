/**
 * Reading fold_slice's prepared data: the frames `/dp` of a
 * `data_roi<label>_dp.hdf5` and the positions `/ppX`, `/ppY` (metres) of its
 * `_para.hdf5`, with what ptyscan adds there (energy, distance, pixel size,
 * mask) when present.
 */
import { existsSync } from 'node:fs';
import { FileFormatError } from '../errors.js';
import { formatShape, type NdArray, ndarray } from '../frames/ndarray.js';
import { H5File } from '../h5/index.js';
import { FOLD_SLICE_PATHS } from './fold-slice.js';
import { numbersAt } from './read-values.js';
import { type Quantity, unitFactor } from './units.js';

/** What a fold_slice data set holds, as a source needs it. */
export interface FoldSliceLayout {
  frames: number;
  frameShape: [number, number];
  /** `[N, 2]`: y (ppY), x (ppX) in metres. */
  positions: NdArray<'float64'>;
  energy: number | null;
  distance: number | null;
  psize: [number, number] | null;
  weights: NdArray<'bool'> | null;
}

/** The frames' count and shape in `file` (`/dp`, (N, H, W)). */
function readFrames(file: string): { frames: number; frameShape: [number, number] } {
  const h5 = H5File.open(file, 'r');
  try {
    const entry = h5.resolve(FOLD_SLICE_PATHS.data);
    if (entry.kind !== 'dataset' || entry.shape.length !== 3) {
      throw new FileFormatError(
        `${file}:${FOLD_SLICE_PATHS.data}: ${entry.kind === 'missing' ? 'no frames' : 'not a stack of frames (N, H, W)'}.`,
        {
          file,
          dataset: FOLD_SLICE_PATHS.data,
          expected: 'the frames (N, H, W) at /dp',
          found: entry.kind === 'dataset' ? `shape ${formatShape(entry.shape)}` : entry.kind,
        },
      );
    }
    const [frames = 0, h = 0, w = 0] = entry.shape;
    return { frames, frameShape: [h, w] };
  } finally {
    h5.close();
  }
}

/** Reads the frames file `file` and its positions file `positionsFile`. */
export function readFoldSliceLayout(file: string, positionsFile: string): FoldSliceLayout {
  const { frames, frameShape } = readFrames(file);
  if (!existsSync(positionsFile)) {
    throw new FileFormatError(`${positionsFile}: no such positions file for ${file}.`, {
      file: positionsFile,
      expected: 'the _para.hdf5 file with /ppX and /ppY beside the _dp.hdf5 file',
      found: 'nothing',
    });
  }
  const h5 = H5File.open(positionsFile, 'r');
  try {
    const axis = (path: string): number[] => {
      if (!h5.has(path)) {
        throw new FileFormatError(`${positionsFile}: no positions at ${path}.`, {
          file: positionsFile,
          dataset: path,
          expected: `${frames} positions in metres`,
          found: 'no such dataset',
        });
      }
      const values = numbersAt(h5, positionsFile, path);
      if (values.length !== frames) {
        throw new FileFormatError(
          `${positionsFile}:${path} holds ${values.length} positions for the ${frames} frames of ${file}.`,
          {
            file: positionsFile,
            dataset: path,
            expected: `${frames} positions, one per frame`,
            found: `${values.length}`,
          },
        );
      }
      const factor = unitFactor('length', h5.readStringAttribute(path, 'units'), 'm', {
        file: positionsFile,
        dataset: path,
      });
      return values.map((v) => v * factor);
    };
    const x = axis(FOLD_SLICE_PATHS.x);
    const y = axis(FOLD_SLICE_PATHS.y);
    const positions = ndarray('float64', [frames, 2]);
    for (let i = 0; i < frames; i++) {
      positions.data[2 * i] = y[i]!;
      positions.data[2 * i + 1] = x[i]!;
    }
    // ptyscan's additions, in their units (keV, metres).
    const optional = (path: string, quantity?: Quantity, fallback = 'm'): number[] | null => {
      if (!h5.has(path)) return null;
      const values = numbersAt(h5, positionsFile, path);
      if (quantity === undefined) return values;
      const units = h5.readStringAttribute(path, 'units');
      const factor = unitFactor(quantity, units, fallback, { file: positionsFile, dataset: path });
      return values.map((v) => v * factor);
    };
    const energy = optional(FOLD_SLICE_PATHS.energy, 'energy', 'keV');
    const distance = optional(FOLD_SLICE_PATHS.distance, 'length');
    const psize = optional(FOLD_SLICE_PATHS.psize, 'length');
    const mask = optional(FOLD_SLICE_PATHS.mask);
    if (mask !== null && mask.length !== frameShape[0] * frameShape[1]) {
      throw new FileFormatError(
        `${positionsFile}:${FOLD_SLICE_PATHS.mask} does not have the frames' shape ${formatShape(frameShape)}.`,
        {
          file: positionsFile,
          dataset: FOLD_SLICE_PATHS.mask,
          expected: formatShape(frameShape),
          found: `${mask.length} values`,
        },
      );
    }
    return {
      frames,
      frameShape,
      positions,
      energy: energy?.[0] ?? null,
      distance: distance?.[0] ?? null,
      psize: psize === null ? null : [psize[0]!, psize[1] ?? psize[0]!],
      weights:
        mask === null
          ? null
          : ndarray(
              'bool',
              frameShape,
              Uint8Array.from(mask, (v) => (v > 0 ? 1 : 0)),
            ),
    };
  } finally {
    h5.close();
  }
}
