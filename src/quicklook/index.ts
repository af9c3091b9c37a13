/** Quick-look maps (summed pattern, transmission, differential phase contrast), accumulated chunk by chunk. */
export {
  addPtydChunk,
  chunkFrameShape,
  type PtydGeometry,
  ptydQuickLook,
  readableChunks,
  readPtydGeometry,
} from './ptyd-quick-look.js';
export {
  type FrameBlock,
  HISTOGRAM_BINS,
  histogramBin,
  QuickLook,
  type QuickLookGeometry,
  type QuickLookMaps,
} from './quick-look.js';
