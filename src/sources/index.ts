/**
 * Scan sources: the built-in PtyScan subclasses (CXI and fold_slice files
 * among them), the registry they are
 * found in by name (built by a function: importing registers nothing), and
 * building a scan from a config.
 */
export {
  type ConfigOptions,
  type CreateScanOptions,
  createScan,
  type ResolvedScanConfig,
  resolveScanConfig,
} from './create-scan.js';
export { CxiScan } from './cxi-scan.js';
export { FoldSliceScan } from './fold-slice-scan.js';
export { Hdf5Loader } from './hdf5-loader.js';
export { Hdf5LoaderFast } from './hdf5-loader-fast.js';
export { HDF5_LOADER_PARAMS } from './hdf5-loader-params.js';
export { MoonFlowerScan } from './moon-flower-scan.js';
export { NumpyScan } from './numpy-scan.js';
export { PtydScan, type PtydScanOptions } from './ptyd-scan.js';
export {
  createSourceRegistry,
  defaultSourceRegistry,
  getParams,
  getSource,
  listParams,
  listSources,
  registerParams,
  registerSource,
  type SourceClass,
  SourceRegistry,
} from './registry.js';
export { readScanConfig, type ScanConfigFile } from './scan-config.js';
export {
  hasParamOrigins,
  hasWaitReason,
  type ParamOrigins,
  type WaitReason,
} from './source-info.js';
export { SwmrLoader } from './swmr-loader.js';
export {
  type PositionLine,
  positionsArray,
  readGeometry,
  readPositionLines,
} from './tutorial-files.js';
