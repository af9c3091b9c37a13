import { PtydScan } from './ptyd-scan.js';
import { registerSource } from './registry.js';

export { Hdf5Loader } from './hdf5-loader.js';
export { HDF5_LOADER_PARAMS } from './hdf5-loader-params.js';
/**
 * Scan sources: the built-in PtyScan subclasses (each registers itself by
 * name on import), the tutorial raw-folder helpers, and the name registry.
 */
export { MoonFlowerScan } from './moon-flower-scan.js';
export { NumpyScan } from './numpy-scan.js';
export { DEFAULT_STALE_AFTER, PtydScan, type PtydScanOptions } from './ptyd-scan.js';
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

registerSource('PtydScan', PtydScan, { replace: true });
