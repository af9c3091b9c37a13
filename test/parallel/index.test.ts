import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as parallel from '../../src/parallel/index.js';

it('parallel/ exports exactly its public API', () => {
  assert.deepEqual(Object.keys(parallel).sort(), [
    'ADDON_ENV',
    'LoadManager',
    'MAX_TAG',
    'MpiCommunicator',
    'SingleProcess',
    'createCommunicator',
    'getCommunicator',
    'loadMpiAddon',
    'mpiLaunch',
  ]);
  // Outside mpirun the process-wide communicator is the one-rank job.
  const comm = parallel.getCommunicator();
  assert.equal(comm.kind, 'single');
  assert.equal(parallel.getCommunicator(), comm);
});
