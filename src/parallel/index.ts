export { type Communicator, MAX_TAG, type ReduceOp } from './communicator.js';
export { createCommunicator, getCommunicator } from './get-communicator.js';
export { LoadManager } from './load-manager.js';
export { ADDON_ENV, loadMpiAddon, type MpiAddon, mpiLaunch } from './mpi-addon.js';
export { MpiCommunicator, type MpiOptions } from './mpi-communicator.js';
export { SingleProcess } from './single-process.js';
export type { TypedArrayConstructor } from './wire.js';
