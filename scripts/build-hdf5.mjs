#!/usr/bin/env node
// Builds the optional native HDF5 addon (native/hdf5) into build/ptyscan_hdf5.node.
import { buildAddon } from './native-addon.mjs';

buildAddon({
  name: 'hdf5',
  what: 'the native HDF5 addon',
  packages: ['hdf5', 'libdeflate'],
  missing:
    'ptyscan: libhdf5 or libdeflate not found (pkg-config hdf5 libdeflate); the native HDF5 addon is skipped, gzip output is written by h5wasm alone',
  consequence:
    'gzip output is written by h5wasm alone (several times slower), and the native HDF5 tests will fail.',
});
