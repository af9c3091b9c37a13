export { checkBeforeFrames } from './precheck.js';
export {
  checkCenterInside,
  checkGeometry,
  checkRebin,
  checkRoiFits,
  MAX_SHAPE_FACTOR,
  needsProcessing,
  prepareFrames,
  squareRoi,
} from './prepare.js';
export { PtyScan, type PtyScanOptions, type ScanParams } from './pty-scan.js';
export { PTYSCAN_PARAMS } from './pty-scan-params.js';
export * from './types.js';
