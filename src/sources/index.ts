/**
 * Scan sources: the built-in PtyScan subclasses (each registers itself by
 * name on import), the tutorial raw-folder helpers, and the name registry.
 */
export { MoonFlowerScan } from './moon-flower-scan.js';
export { NumpyScan } from './numpy-scan.js';
export {
  type CreateScanOptions,
  createScan,
  getSource,
  listSources,
  type ResolvedScanConfig,
  registerSource,
  resolveScanConfig,
  type SourceClass,
} from './registry.js';
export { readScanConfig, type ScanConfigFile } from './scan-config.js';
export {
  type PositionLine,
  positionsArray,
  readGeometry,
  readPositionLines,
} from './tutorial-files.js';
// Registration points of the sources written elsewhere: import their modules
// here once they exist ('PtydScan' from ../ptyd/, 'Hdf5Loader' from ./hdf5-loader.js).
