export { NumpyScan } from './numpy-scan.js';
export {
  type PositionLine,
  positionsArray,
  readGeometry,
  readPositionLines,
} from './tutorial-files.js';
