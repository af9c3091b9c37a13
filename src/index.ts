/**
 * ptyscan: ptychography data preparation and ptypy-compatible `.ptyd` storage.
 *
 * The public face of the package. Everything else under `src/` is internal
 * and may change without notice; `test/public-api.test.ts` guards this list.
 *
 * @packageDocumentation
 */

// Errors
export {
  AccessError,
  CenterError,
  type ErrorContext,
  FileFormatError,
  FrameError,
  H5Error,
  LockError,
  MissingDataError,
  ParallelError,
  ParameterError,
  type ParameterProblem,
  PtyscanError,
  RebinError,
  StateError,
} from './errors.js';
// Frames and their kernels
export {
  addPoissonNoise,
  type CenterName,
  cropOrient,
  cropPad,
  type DType,
  type FrameStack,
  formatShape,
  massCenter,
  meanMassCenter,
  type NdArray,
  ndarray,
  type Orientation,
  orient,
  rebinData,
  rebinWeights,
  roundHalfEven,
  sameShape,
  seededRandom,
  sizeOf,
  type TypedArrayFor,
  translateToPix,
  zeros,
} from './frames/index.js';
// HDF5
export { type H5Compression, H5File, h5ready, nativeHdf5Status } from './h5/index.js';
// NPY files
export { decodeNpy, encodeNpy, readNpy } from './npy/index.js';
// Processes
export {
  type Communicator,
  getCommunicator,
  LoadManager,
  MpiCommunicator,
  SingleProcess,
} from './parallel/index.js';
// Parameters
export {
  defineParams,
  formatPyLiteral,
  normalizeParams,
  type ParamDescriptor,
  ParamTree,
  parseParams,
  parsePyLiteral,
} from './params/index.js';
// Pictures and simulation
export * as preview from './preview/index.js';
// .ptyd files
export {
  createExternalLink,
  formatInfoTree,
  h5append,
  h5read,
  h5readValue,
  h5write,
  openPtydReader,
  type PtydReader,
  PtydSink,
  type PtydSinkOptions,
  readWriterStatus,
  type SaveMode,
  WRITER_ATTRIBUTES,
  type WriterStatus,
} from './ptyd/index.js';
// Python values
export { parsePyJson } from './py/json.js';
export { isNdArray, isPyDict, type PyDict, PyTuple, type PyValue, pyTypeName } from './py/value.js';
// Quick-look maps
export {
  type FrameBlock,
  ptydQuickLook,
  QuickLook,
  type QuickLookGeometry,
  type QuickLookMaps,
} from './quicklook/index.js';
// Scans
export {
  type AutoResult,
  type CheckResult,
  type Chunk,
  type CommonData,
  type DataPackage,
  EOS,
  type EosMessage,
  type FrameRecord,
  type LoadResult,
  type Logger,
  type Meta,
  PTYSCAN_PARAMS,
  PtyScan,
  type PtyScanOptions,
  type RowWindow,
  type ScanParams,
  type ScanProgress,
  type ScanSink,
  WAIT,
  type WaitMessage,
} from './scan/index.js';
export * as sim from './sim/index.js';
// Sources
export {
  CxiScan,
  createScan,
  createSourceRegistry,
  FoldSliceScan,
  getParams,
  getSource,
  HDF5_LOADER_PARAMS,
  Hdf5Loader,
  Hdf5LoaderFast,
  listParams,
  listSources,
  MoonFlowerScan,
  NumpyScan,
  PtydScan,
  type PtydScanOptions,
  readScanConfig,
  registerParams,
  registerSource,
  resolveScanConfig,
  SourceRegistry,
  SwmrLoader,
} from './sources/index.js';
// The browser viewer
export {
  type ScanState,
  type ScanStatus,
  startViewServer,
  type ViewServer,
  type ViewServerOptions,
} from './view/index.js';
