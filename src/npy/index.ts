export { decodeNpy, encodeNpy, type NpyHeader, parseNpyHeader, readNpy } from './npy.js';
