/**
 * The normalisation (monitor, I0) of an {@link Hdf5Loader}: one value per
 * scan point, and numpy's mean and population standard deviation of the
 * whole dataset, computed in numpy's summation order so that the sigma test
 * and the scaled frames match ptypy to the last bit.
 */
import { FrameError } from '../errors.js';
import type { DType } from '../frames/dtype.js';
import { formatShape, type NdArray, sameShape } from '../frames/ndarray.js';
import { bufferedPairwiseSum, pairwiseSum, pairwiseSumFloat32 } from '../frames/pairwise-sum.js';
import type { MonitorStats, MonitorValue } from './hdf5-corrections.js';
import { type AxisArray, pointIndexer, type ScanMapping, type ScanPoint } from './hdf5-mapping.js';

/** A normalisation ready to use: the value of any scan point, and the statistics. */
export interface Monitor {
  readonly stats: MonitorStats;
  valueAt(point: ScanPoint): MonitorValue;
}

/** numpy's `a.mean()` and `a.std()` of the whole array. */
export function monitorStats(array: NdArray, sigma: number): MonitorStats {
  const n = array.data.length;
  const values = Float64Array.from(array.data as ArrayLike<number | bigint>, Number);
  if (array.dtype === 'float32') {
    const fr = Math.fround;
    const mean = fr(pairwiseSumFloat32(values, 0, n) / n);
    const squares = values.map((v) => fr(fr(v - mean) * fr(v - mean)));
    const std = fr(Math.sqrt(fr(pairwiseSumFloat32(squares, 0, n) / n)));
    return { mean, std, dtype: 'float32', sigma };
  }
  // Integers are summed as float64 through numpy's conversion buffer; float64 data in place.
  const total =
    array.dtype === 'float64' ? pairwiseSum(values, 0, n) : bufferedPairwiseSum(values, n);
  const mean = total / n;
  const squares = values.map((v) => (v - mean) * (v - mean));
  const std = Math.sqrt(pairwiseSum(squares, 0, n) / n);
  return { mean, std, dtype: 'float64', sigma };
}

/**
 * The monitor of a scan from the normalisation dataset `array`: laid out like
 * the positions (ptypy's rule for grid and per-frame positions; any further
 * axes of length 1), or, for the layouts ptypy cannot normalise (unmapped
 * rasters and meshed 1-D axes), like the position grid or the frames'
 * leading axes.
 *
 * @throws FrameError when the dataset fits none of them.
 */
export function scanMonitor(
  array: NdArray & { readonly name: string },
  mapping: ScanMapping,
  slow: AxisArray,
  fast: AxisArray,
  sigma: number,
): Monitor {
  if (array.data.length === 0) {
    throw new FrameError(`${array.name} is empty: no monitor values to normalise with.`, {
      parameter: 'normalisation.key',
      expected: 'one value per scan point',
      found: formatShape(array.shape),
    });
  }
  const ptypyLayout = mapping.layout === 1 || mapping.layout === 2;
  if (ptypyLayout) {
    const like = (shape: readonly number[]) =>
      sameShape(shape, fast.shape) && sameShape(fast.shape, slow.shape);
    if (!like(array.shape) && !like(array.shape.slice(0, 2))) {
      throw new FrameError(
        `${array.name} has shape ${formatShape(array.shape)}; a normalisation must be laid out like the positions (${formatShape(slow.shape)}).`,
        {
          parameter: 'normalisation.key',
          expected: formatShape(slow.shape),
          found: formatShape(array.shape),
        },
      );
    }
  }
  const stats = monitorStats(array, sigma);
  if (ptypyLayout && !sameShape(array.shape, slow.shape)) {
    // More axes than the positions: ptypy indexes it like the frames (with the load
    // window) and fails at the first chunk; so does this, with the reason.
    return {
      stats,
      valueAt: () => {
        throw new FrameError(
          `${array.name} has shape ${formatShape(array.shape)}: a normalisation needs one value per scan point, laid out like the positions ${formatShape(slow.shape)}.`,
          {
            parameter: 'normalisation.key',
            expected: formatShape(slow.shape),
            found: formatShape(array.shape),
          },
        );
      },
    };
  }
  const at = pointIndexer(array, mapping, 'normalisation');
  const values = array.data as ArrayLike<number | bigint>;
  const dtype: DType = array.dtype;
  // Indexing leaves an array (not a scalar) when the dataset has more axes than the index.
  const asArray = array.shape.length > mapping.gridShape.length;
  return {
    stats,
    valueAt: (point) => {
      const k = at(point);
      if (k < 0) {
        throw new FrameError(
          `${array.name} has no value for scan point ${formatShape(point.grid)}.`,
          {
            parameter: 'normalisation.key',
            expected: `a value at ${formatShape(point.grid)}`,
            found: formatShape(array.shape),
          },
        );
      }
      return { value: Number(values[k]), dtype, array: asArray };
    },
  };
}
