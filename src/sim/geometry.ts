/**
 * Far-field geometry: how photon energy, detector distance and detector pixel
 * size fix the pixel size in the sample plane.
 */

/** h*c in keV*metres: the wavelength of a 1 keV photon. */
const HC_KEV_METRES = 1.23984193e-9;

/** Wavelength in metres of photons of `energyKeV` keV. */
export function wavelength(energyKeV: number): number {
  return HC_KEV_METRES / energyKeV;
}

/**
 * Sample-plane pixel size in metres for a far-field frame of `n` detector
 * pixels of `psize` metres at `distance` metres: lambda * distance / (n * psize).
 */
export function samplePixelSize(
  energyKeV: number,
  distance: number,
  n: number,
  psize: number,
): number {
  return (wavelength(energyKeV) * distance) / (n * psize);
}
