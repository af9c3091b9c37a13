/** PNG previews of frames, masks and scan positions. */
export { Canvas } from './canvas.js';
export { type Rgb, viridis } from './colormap.js';
export { MASK_COLOR, type RenderedImage, renderLogImage } from './log-image.js';
export { PLOT_COLORS, plotPositions } from './positions-plot.js';
export {
  CENTER_COLOR,
  CENTER_OUTLINE,
  framePreviewName,
  type PreviewInput,
  type PreviewOptions,
  renderPreviews,
} from './render.js';
