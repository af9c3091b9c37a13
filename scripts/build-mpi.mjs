#!/usr/bin/env node
// Builds the optional MPI addon (native/mpi) into build/ptyscan_mpi.node.
import { buildAddon } from './native-addon.mjs';

buildAddon({
  name: 'mpi',
  what: 'the MPI addon',
  packages: ['mpi-c'],
  missing:
    'ptyscan: Open MPI not found (pkg-config mpi-c); the MPI addon is skipped, ptyscan runs single-process',
  consequence: 'ptyscan will refuse to run under mpirun, and the MPI tests will fail.',
});
