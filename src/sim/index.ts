/** Simulated ptychography scans (MoonFlowerScan-like) and their raw-file layout. */
export { Fft, Fft2, fftshift, ifftshift } from './fft.js';
export { samplePixelSize, wavelength } from './geometry.js';
export { moonFlower } from './moon-flower.js';
export { type ComplexImage, focusedProbe } from './probe.js';
export { logFactorial, Random } from './random.js';
export {
  type RawFolderOptions,
  type RawFolderSummary,
  rawFrameName,
  writeRawFolder,
} from './raw-folder.js';
export { SCAN_PATTERNS, type ScanPattern, scanPositions } from './scan-pattern.js';
export {
  DEFAULT_SIMULATION,
  describeSimulation,
  type SimulatedFrame,
  type SimulatedScan,
  type SimulationMeta,
  type SimulationOptions,
  type SimulationTruth,
  simulateFrames,
  simulateScan,
  simulationTruth,
} from './simulate.js';
