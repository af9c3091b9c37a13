/**
 * The formats other reconstruction codes read: CXI 1.6 (PyNX, ptychodus),
 * NeXus NXcxi_ptycho, and PtychoShelves / fold_slice. Here are their paths,
 * units and writers (trees for `src/h5/`); the save modes that write them
 * are in `ptyd/modes/exchange.ts`, the sources that read them in
 * `sources/cxi-scan.ts` and `sources/fold-slice-scan.ts`.
 */
import { CXI_FORMAT } from './cxi-writer.js';
import type { ExchangeFormat, ExchangeFormatName } from './exchange.js';
import { FOLD_SLICE_FORMAT } from './fold-slice.js';
import { NXCXI_FORMAT } from './nxcxi-writer.js';

export {
  CXI_ENTRY,
  CXI_PATHS,
  CXI_PIXEL_IS_INVALID,
  CXI_VERSION,
  NXCXI_DEFINITION,
  NXCXI_PATHS,
} from './cxi-paths.js';
export { type CxiLayout, readCxiLayout } from './cxi-read.js';
export type {
  ExchangeFinish,
  ExchangeFormat,
  ExchangeFormatName,
  ExchangeOptions,
  ExchangeWriter,
} from './exchange.js';
export {
  FOLD_SLICE_PATHS,
  FOLD_SLICE_SUFFIX,
  foldSlicePositionsFile,
} from './fold-slice.js';
export { type FoldSliceLayout, readFoldSliceLayout } from './fold-slice-read.js';
export { JOULES_PER_EV, joulesToKeV, keVToJoules, type Quantity, unitFactor } from './units.js';

/** Every exchange format by its name. */
export const EXCHANGE_FORMATS: Readonly<Record<ExchangeFormatName, ExchangeFormat>> = {
  cxi: CXI_FORMAT,
  nxcxi: NXCXI_FORMAT,
  'fold-slice': FOLD_SLICE_FORMAT,
};
