import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatResult, listCases, readCase, runCase } from '../../src/conformance/index.js';
import { h5ready } from '../../src/h5/index.js';
import { HDF5_CASES, noHdf5Corpus } from '../helpers/corpus.js';

// Every case of the shared Hdf5Loader corpus, one test each, so the output lists which pass
// (and which pass by an intended difference, in the diagnostic line).
describe('ptypy Hdf5Loader conformance corpus', { skip: noHdf5Corpus }, () => {
  before(() => h5ready());
  for (const name of listCases(HDF5_CASES)) {
    it(name, (t) => {
      const result = runCase(readCase(`${HDF5_CASES}${name}`, name));
      t.diagnostic(formatResult(result));
      assert.equal(result.status, 'pass', formatResult(result));
    });
  }
});

// Small cases in the corpus format that the ptypy differential generator found
// (scripts/diff-ptypy: raw files by h5py, expected/ by real ptypy), run the same way.
const FIXTURES = fileURLToPath(new URL('../fixtures/hdf5-loader-cases/', import.meta.url));

describe('Hdf5Loader regression cases recorded from ptypy', () => {
  before(() => h5ready());
  const names = listCases(FIXTURES);
  it('finds the cases', () => assert.ok(names.length >= 7, `${names.length} cases`));
  for (const name of names) {
    it(name, (t) => {
      const result = runCase(readCase(`${FIXTURES}${name}`, name));
      t.diagnostic(formatResult(result));
      assert.equal(result.status, 'pass', formatResult(result));
    });
  }
});
