/**
 * ptyscan: ptychography data preparation and ptypy-compatible `.ptyd` storage.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './frames/index.js';
export * from './h5/index.js';
export * from './npy/index.js';
export * from './parallel/index.js';
export * from './params/index.js';
export * as preview from './preview/index.js';
export * from './ptyd/index.js';
export { parsePyJson } from './py/json.js';
export { isNdArray, isPyDict, type PyDict, PyTuple, type PyValue, pyTypeName } from './py/value.js';
export * from './scan/index.js';
export * as sim from './sim/index.js';
export * from './sources/index.js';
