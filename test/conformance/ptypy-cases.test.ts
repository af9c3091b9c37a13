import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { formatResult, listCases, readCase, runCase } from '../../src/conformance/index.js';
import { h5ready } from '../../src/h5/index.js';
import { CASES, noCorpus } from '../helpers/corpus.js';

// Every case of the shared ptypy corpus, one test each, so the output lists which pass.
describe('ptypy conformance corpus', { skip: noCorpus }, () => {
  before(() => h5ready());
  for (const name of listCases(CASES)) {
    it(name, (t) => {
      const result = runCase(readCase(`${CASES}${name}`, name));
      if (result.status === 'skip') {
        t.skip(result.reason);
        return;
      }
      t.diagnostic(formatResult(result));
      assert.equal(result.status, 'pass', formatResult(result));
    });
  }
});
