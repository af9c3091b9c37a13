export * from './dtype.js';
export * from './ndarray.js';
