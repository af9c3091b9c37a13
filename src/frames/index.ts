export { type CenterName, isCenterName, translateToPix } from './center.js';
export { cropOrient } from './crop-orient.js';
export { type CropPadPlacement, cropPad, cropPadPlacement } from './crop-pad.js';
export * from './dtype.js';
export { massCenter, meanMassCenter } from './mass-center.js';
export {
  type Allocator,
  type Output,
  type OutputMemory,
  outputArray,
  PLAIN_MEMORY,
} from './memory.js';
export * from './ndarray.js';
export {
  isIdentity,
  type Orientation,
  type OrientationFlags,
  orient,
  orientationFlags,
  orientCenter,
} from './orientation.js';
export { addPoissonNoise, poissonSample, seededRandom } from './poisson.js';
export { rebinData, rebinWeights, rebinWeightsMax } from './rebin.js';
export { roundHalfEven } from './round.js';
