/**
 * Values an {@link Hdf5Loader} reads from the files instead of the
 * parameters: photon energy (with multiplier and offset), detector distance
 * and pixel size (with multipliers), the outer index of a spectro scan (a
 * recorded energy with several values), and the photon energy equivalent of
 * an electron energy.
 */
import { MissingDataError } from '../errors.js';
import { formatShape } from '../frames/ndarray.js';
import { numericDataset, readFloat64, readScalar, refName, withFile } from './hdf5-datasets.js';
import type { LoaderSettings, RecordedValue } from './hdf5-settings.js';

/** The recorded values (null where not recorded) and the spectro-scan choice. */
export interface Recorded {
  readonly energy: number | null;
  readonly distance: number | null;
  readonly psize: number | null;
  /** The outer index in use: a spectro scan's (default 0), else null. */
  readonly outerIndex: number | null;
}

/** One value of a dataset with a single element (ptypy's `.item()`). */
function single(value: RecordedValue): number {
  return withFile(value.ref, (h5) => readScalar(h5, value.ref));
}

/** True when the recorded energy has more than one entry along a first axis: a spectro scan. */
function isSpectro(energy: RecordedValue | null): boolean {
  if (energy === null) return false;
  const shape = withFile(energy.ref, (h5) => numericDataset(h5, energy.ref).shape);
  return shape.length > 0 && shape[0]! > 1;
}

/** The energy of a spectro scan at `outer` (one value per entry of the first axis). */
function spectroEnergy(energy: RecordedValue, outer: number): number {
  const { ref } = energy;
  const array = withFile(ref, (h5) => readFloat64(h5, ref));
  const n = array.shape[0]!;
  // float(stored[outer]) takes any entry of one element.
  const size = array.data.length / n;
  if (size !== 1 || outer < 0 || outer >= n) {
    throw new MissingDataError(
      `${refName(ref)} has shape ${formatShape(array.shape)}: no single energy at outer_index ${outer}.`,
      {
        file: ref.file,
        dataset: ref.key,
        parameter: 'outer_index',
        expected: `an index 0..${n - 1}, each entry one value`,
        found: String(outer),
      },
    );
  }
  return array.data[outer * size]!;
}

/**
 * Reads the recorded values: energy `value * multiplier + offset` (keV),
 * distance and pixel size `value * multiplier`, each as float64 products
 * exactly as ptypy computes them.
 */
export function readRecorded(settings: LoaderSettings): Recorded {
  const spectro = isSpectro(settings.energy);
  const outerIndex = spectro ? (settings.outerIndex ?? 0) : null;
  const { energy, distance, psize } = settings;
  const stored =
    energy === null
      ? null
      : outerIndex === null
        ? single(energy)
        : spectroEnergy(energy, outerIndex);
  return {
    energy: energy === null || stored === null ? null : stored * energy.multiplier + energy.offset,
    distance: distance === null ? null : single(distance) * distance.multiplier,
    psize: psize === null ? null : single(psize) * psize.multiplier,
    outerIndex,
  };
}

/**
 * The photon energy (keV) whose wavelength equals that of electrons of
 * `keV` kinetic energy, evaluated in ptypy's order (`m2keV(electron_wavelength(E))`).
 */
export function electronToPhotonEnergy(keV: number): number {
  const wavelength = (12.398 / Math.sqrt(keV * (2 * 511 + keV))) * 1e-10;
  return ((1 / (1 * 1000)) * 4.1356e-7 * 2.9998) / wavelength;
}
