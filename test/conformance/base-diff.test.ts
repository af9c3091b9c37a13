import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatResult, listCases, readCase, runCase } from '../../src/conformance/index.js';
import { h5ready } from '../../src/h5/index.js';

// Cases written by real ptypy (scripts/diff-ptypy/fixtures_base.py) where ptyscan once
// differed from it, judged by the corpus runner exactly as the shared corpus.
const DIR = fileURLToPath(new URL('./fixtures/base-diff/', import.meta.url));

describe('ptypy regression cases (base PtyScan)', () => {
  before(() => h5ready());
  const names = listCases(DIR);
  it('holds every case', () => assert.equal(names.length, 14));
  for (const name of names) {
    it(name, () => {
      const result = runCase(readCase(`${DIR}${name}`, name));
      assert.equal(result.status, 'pass', formatResult(result));
    });
  }
});
