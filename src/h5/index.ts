/**
 * The HDF5 layer: the only part of ptyscan that talks to h5wasm. Call
 * `await h5ready()` once, then use {@link H5File} synchronously.
 */
export { guessChunks } from './chunks.js';
export {
  type H5ArrayOptions,
  H5File,
  type H5Mode,
  type H5OpenOptions,
  type H5Slice,
  MAX_IO_BYTES,
} from './file.js';
export { acquireLock, type FileLock, type LockHolder } from './lock.js';
export {
  canDefer,
  canDeleteLinks,
  type DeferredArray,
  deleteLinks,
  nativeHdf5Status,
  writeDeferred,
} from './native.js';
export { h5ready } from './runtime.js';
export {
  describeElementType,
  type H5Compression,
  type H5Data,
  type H5ElementType,
  type H5Entry,
  type H5Filter,
  type StringArray,
} from './types.js';
export { type VirtualSource, virtualSources } from './virtual.js';
