/**
 * The HDF5 layer: the only part of ptyscan that talks to h5wasm or the
 * native HDF5 addon, and the one that decides which of them does a read, a
 * write, a deletion or a chunk write. Call `await h5ready()` once, then use
 * {@link H5File} to read and write objects, or describe a whole write as a
 * tree ({@link H5Write}) and let {@link applyWrite} carry it out (in two
 * parts with {@link stageWrite} and {@link writeBulk}, the second one in
 * another thread if you like, see {@link packWriteJob}).
 */
export type { BulkWrite } from './bulk.js';
export { guessChunks } from './chunks.js';
export { lockedByWriter, type WriteState, writeState } from './complete.js';
export { fsyncPath, tempName } from './durable.js';
export {
  type H5ArrayOptions,
  H5File,
  type H5Mode,
  type H5OpenOptions,
  type H5Slice,
  MAX_IO_BYTES,
} from './file.js';
export { LINK_PROBLEM_TEXT, MAX_LINK_DEPTH } from './links.js';
export { acquireLock, type FileLock, type LockHolder } from './lock.js';
export { type BulkArray, nativeHdf5Status } from './native.js';
export { type NativeFileState, nativeFileState } from './native-read.js';
export { h5ready } from './runtime.js';
export {
  applyWrite,
  type StagedWrite,
  stageWrite,
  type WriteOptions,
  writeBulk,
} from './store.js';
export type {
  H5AddWrite,
  H5ArrayNode,
  H5Attributes,
  H5Content,
  H5CreateWrite,
  H5GroupNode,
  H5HardLinkNode,
  H5LinkNode,
  H5Member,
  H5Node,
  H5SlabNode,
  H5StringNode,
  H5Write,
} from './tree.js';
export {
  describeElementType,
  type H5Compression,
  type H5Data,
  type H5ElementType,
  type H5Entry,
  type H5Filter,
  type LinkProblem,
  type StringArray,
} from './types.js';
export { type VirtualSource, virtualSources } from './virtual.js';
export {
  type PackedWriteJob,
  packWriteJob,
  type WriteJob,
  writeWorkerScript,
} from './write-job.js';
