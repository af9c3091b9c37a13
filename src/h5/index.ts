/**
 * The HDF5 layer: the only part of ptyscan that talks to h5wasm or the
 * native HDF5 addon, and the one that decides which of them does a read, a
 * write, a deletion or a chunk write. Call `await h5ready()` once to read
 * or write with {@link H5File}, or describe a whole write as a tree
 * ({@link H5Write}) and let {@link applyWrite} carry it out (on another
 * rank, with its chunks compressed here: see {@link encodeWrite}). A write the native addon
 * carries out needs no h5wasm ({@link writeNeedsH5wasm}).
 */
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
export { nativeDeflateEngines, nativeHdf5Status } from './native.js';
export { encodeWrite, nativeWritesAll } from './native-engine.js';
export { type NativeFileState, nativeFileState } from './native-read.js';
export { h5ready } from './runtime.js';
export { applyWrite, type WriteOptions, writeNeedsH5wasm } from './store.js';
export {
  type EncodedArray,
  type H5AddWrite,
  type H5ArrayNode,
  type H5Attributes,
  type H5Content,
  type H5CreateWrite,
  type H5GroupNode,
  type H5HardLinkNode,
  type H5LinkNode,
  type H5Member,
  type H5Node,
  type H5SlabNode,
  type H5StringNode,
  type H5Write,
  isEncoded,
  type StoredArray,
} from './tree.js';
export {
  describeElementType,
  type H5Compression,
  type H5Data,
  type H5ElementType,
  type H5Entry,
  type H5Filter,
  type H5PluginCompression,
  type LinkProblem,
  type StringArray,
} from './types.js';
export { type VirtualSource, virtualSources } from './virtual.js';
