import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ParallelError } from '../../src/errors.js';
import { LoadManager } from '../../src/parallel/load-manager.js';
import { CASES, noCorpus } from '../helpers/corpus.js';

interface AssignCall {
  ids: number[];
  out: number[][];
  load_after: number[];
}
interface AssignVector {
  size: number;
  calls: AssignCall[];
  rank_of: Record<string, number>;
}

const vectors = (
  noCorpus
    ? { 'LoadManager.assign': [] }
    : JSON.parse(readFileSync(join(CASES, '_units/vectors.json'), 'utf8'))
) as {
  'LoadManager.assign': AssignVector[];
};

describe('LoadManager', () => {
  const cases = vectors['LoadManager.assign'];

  it('has the ptypy vectors for sizes 1 to 4', { skip: noCorpus }, () => {
    assert.deepEqual(
      cases.map((c) => c.size),
      [1, 2, 3, 4],
    );
  });

  for (const vector of cases) {
    it(`assigns like ptypy with ${vector.size} rank(s) over ${vector.calls.length} calls`, {
      skip: noCorpus,
    }, () => {
      const manager = new LoadManager(vector.size);
      vector.calls.forEach((call, i) => {
        assert.deepEqual(manager.assign(call.ids), call.out, `call ${i} out`);
        assert.deepEqual(manager.load, call.load_after, `call ${i} load`);
      });
      for (const [id, rank] of Object.entries(vector.rank_of)) {
        assert.equal(manager.rankOf(Number(id)), rank, `rank of id ${id}`);
      }
    });
  }

  it('gives every position exactly once, in rank order', () => {
    const manager = new LoadManager(3);
    for (const n of [0, 1, 2, 5, 11]) {
      const ids = Array.from({ length: n }, (_, i) => 100 + i);
      const out = manager.assign(ids);
      assert.deepEqual(out.flat(), [...ids.keys()]);
    }
    assert.deepEqual(manager.load, [6, 6, 7]);
  });

  it('does not let callers change its load', () => {
    const manager = new LoadManager(2);
    manager.assign([1, 2, 3]);
    manager.load[0] = 99;
    assert.deepEqual(manager.load, [1, 2]);
  });

  it('rejects a bad size and unknown ids with ParallelError', () => {
    assert.throws(() => new LoadManager(0), ParallelError);
    assert.throws(() => new LoadManager(1.5), ParallelError);
    assert.throws(() => new LoadManager(2).rankOf(7), /never assigned/);
  });
});
