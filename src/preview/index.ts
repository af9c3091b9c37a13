/** PNG figures of scans: detector images, quick-look maps on the scan positions, histograms. */
export { diverging, type Rgb, viridis } from './colormap.js';
export {
  type ColorBar,
  type ColorScale,
  type Context2D,
  colorBarLeft,
  drawHistogramFigure,
  drawImageFigure,
  drawScatterFigure,
  FIGURE_COLORS,
  type ImageFigure,
  plotBox,
  type ScatterFigure,
  type Surface,
} from './figure.js';
export { renderPng, savePng } from './png-surface.js';
export { type PtydFrame, previewPtyd, readPtydFrame } from './ptyd-preview.js';
export {
  dpcUnit,
  FIGURE_SIZE,
  type FigureGeometry,
  framePreviewName,
  writeImagePng,
  writeQuickLookPngs,
} from './quick-look-pngs.js';
export { type PreviewInput, type PreviewOptions, renderPreviews } from './render.js';
