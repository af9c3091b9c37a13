/**
 * ptyscan: ptychography data preparation and ptypy-compatible `.ptyd` storage.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './frames/index.js';
export * from './npy/index.js';
export { isNdArray, isPyDict, type PyDict, PyTuple, type PyValue, pyTypeName } from './py/value.js';
