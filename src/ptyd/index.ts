/**
 * `.ptyd` files: ptypy's h5rw codec, the save modes (one strategy each, in
 * `modes/`), the `.ptyd` writer built from them, lazy chunk reading and the
 * `info` tree listing. Call `await h5ready()` once before using them.
 */

export { keepOld, keepOldScan } from './backup.js';
export { chunkFilePath, formatChunkName } from './chunk-files.js';
export { type ChunkSurvey, ChunkSurveyor, surveyChunks } from './chunk-survey.js';
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
  h5rwAdd,
  h5rwCreate,
  h5write,
} from './h5rw.js';
export { type DecodeOptions, decodeValue } from './h5rw-read.js';
export { formatInfoTree, type InfoTreeOptions } from './info-tree.js';
export {
  chunkValue,
  createSaveStrategy,
  SAVE_MODES,
  type SaveMode,
  type SaveModeOptions,
} from './modes/index.js';
export { openPtydReader, type PtydChunkInfo, type PtydReader } from './ptyd-reader.js';
export { PtydSink, type PtydSinkOptions, runnerFor } from './ptyd-sink.js';
export { FinalNamePtydSink, replaceOutput } from './replace-output.js';
export {
  describeSave,
  type SaveSettings,
  saveNeedsH5wasm,
  saveSettings,
  scanStorage,
} from './storage.js';
export {
  DEFAULT_STALE_AFTER,
  readWriterStatus,
  WRITER_ATTRIBUTES,
  type WriterState,
  type WriterStatus,
} from './writer-state.js';
