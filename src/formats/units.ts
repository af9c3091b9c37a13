/**
 * Units of the exchange formats. ptyscan keeps lengths in metres and the
 * photon energy in keV (ptypy's units); CXI stores SI units (energy in
 * joules) and NeXus says each field's unit in a `units` attribute.
 */
import { FileFormatError } from '../errors.js';

/** The elementary charge: joules per electronvolt (exact in the SI since 2019). */
export const JOULES_PER_EV = 1.602176634e-19;

/** Photon energy: keV to joules. */
export function keVToJoules(keV: number): number {
  return keV * 1e3 * JOULES_PER_EV;
}

/** Photon energy: joules to keV. */
export function joulesToKeV(joules: number): number {
  return joules / (1e3 * JOULES_PER_EV);
}

/** What a `units` attribute can mean, and each spelling's factor to the unit ptyscan keeps. */
const UNITS = {
  /** To metres. */
  length: {
    m: 1,
    meter: 1,
    metre: 1,
    meters: 1,
    metres: 1,
    mm: 1e-3,
    um: 1e-6,
    µm: 1e-6,
    micron: 1e-6,
    microns: 1e-6,
    nm: 1e-9,
  },
  /** To keV. */
  energy: { J: 1 / (1e3 * JOULES_PER_EV), eV: 1e-3, keV: 1 },
} as const;

/** A quantity the readers convert. */
export type Quantity = keyof typeof UNITS;

/** Where a value with units was read from (for the error that names it). */
export interface UnitSource {
  file: string;
  dataset: string;
}

/**
 * The factor from `units` to metres (length) or keV (energy); `fallback`
 * when the attribute is absent (null: the format requires it).
 *
 * @throws FileFormatError naming the file and dataset for a missing required unit or an unknown one.
 */
export function unitFactor(
  quantity: Quantity,
  units: string | undefined,
  fallback: string | null,
  where: UnitSource,
): number {
  const table: Readonly<Record<string, number>> = UNITS[quantity];
  const known = Object.keys(table).join(', ');
  if (units === undefined && fallback === null) {
    throw new FileFormatError(
      `${where.file}:${where.dataset} has no units attribute, which this format requires.`,
      { ...where, expected: `a units attribute (${known})`, found: 'none' },
    );
  }
  const name = (units ?? fallback ?? '').trim();
  const factor = table[name];
  if (factor === undefined) {
    throw new FileFormatError(
      `${where.file}:${where.dataset}: units '${name}' are not a ${quantity} unit ptyscan knows.`,
      { ...where, expected: `${quantity} units (${known})`, found: `'${name}'` },
    );
  }
  return factor;
}
