/**
 * `.ptyd` files: ptypy's h5rw codec, lazy chunk reading for PtydScan and the
 * `info` tree listing. Call `await h5ready()` once before using them.
 */

export {
  asctime,
  createExternalLink,
  type DeadLinkPolicy,
  type ExternalLinkSpec,
  type H5ReadOptions,
  H5RW_VERSION,
  type H5rwCompression,
  type H5WriteOptions,
  h5append,
  h5read,
  h5readValue,
  h5write,
} from './h5rw.js';
export { type DecodeOptions, decodeValue } from './h5rw-read.js';
export { formatInfoTree, type InfoTreeOptions } from './info-tree.js';
export { openPtydReader, type PtydChunkInfo, type PtydReader } from './ptyd-reader.js';
export { DEFAULT_STALE_AFTER, PtydScan, type PtydScanOptions } from './ptyd-scan.js';
export {
  formatChunkName,
  keepOld,
  PtydSink,
  type PtydSinkOptions,
  type SaveMode,
} from './ptyd-sink.js';
export {
  readWriterStatus,
  WRITER_ATTRIBUTES,
  type WriterState,
  type WriterStatus,
} from './writer-state.js';
