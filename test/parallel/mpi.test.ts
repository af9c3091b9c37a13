// Runs small programs under a real mpirun. Skipped (with the reason) when Open
// MPI is not installed; failing when it is installed but the addon was not built.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertAddonBuilt, noMpi, noMpirun, type Run, mpirun as runUnderMpi } from '../mpi-run.js';

const here = dirname(fileURLToPath(import.meta.url));
const _root = join(here, '..', '..');
const fixtures = join(here, 'fixtures');

function mpirun(
  ranks: number,
  fixture: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Run {
  return runUnderMpi(ranks, join(fixtures, fixture), args, env);
}

function range<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

function checkCollectives(size: number): void {
  assertAddonBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'ptyscan-mpi-'));
  try {
    const run = mpirun(size, 'collectives.ts', [dir]);
    assert.equal(run.status, 0, run.stderr);
    const files = readdirSync(dir).sort();
    assert.deepEqual(
      files,
      range(size, (i) => `rank-${i}.json`),
    );
    for (const file of files) {
      checkRank(size, JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function checkRank(size: number, r: Record<string, unknown>): void {
  const last = size - 1;
  const rank = Number(r.rank);
  assert.deepEqual([r.size, r.kind, r.isMaster], [size, 'mpi', rank === 0]);
  assert.deepEqual(r.meta, {
    name: 'scan',
    energy: 7.2,
    frames: '9n',
    list: [1, null, true, 'x'],
    nanIsNaN: true,
    tuple: ['1', '2.5'],
    wireKey: 'user key',
  });
  assert.deepEqual(r.frame, {
    dtype: 'int32',
    shape: [2, 3],
    isInt32: true,
    data: [1, -2, 3, -4, 5, 2 ** 31 - 1],
  });
  assert.equal(r.sum, (size * (size + 1)) / 2);
  assert.deepEqual(r.vectorSum, [
    (size * last) / 2,
    -(size * last) / 2,
    range(size, (i) => i * i).reduce((a, b) => a + b),
  ]);
  assert.deepEqual(r.vectorMax, [last, 0, last * last]);
  assert.deepEqual(r.vectorMin, [0, -last, 0]);
  assert.deepEqual(r.ring, {
    isUint16: true,
    data: [(rank + size - 1) % size, 1000 + ((rank + size - 1) % size)],
  });
  assert.deepEqual(r.tinyBcast, { length: 1000, first: 0, last: 249.75, sum: 124875 });
  const factor = (size * (size + 1)) / 2;
  assert.deepEqual(
    r.tinyAllreduce,
    range(100, (i) => i * factor),
  );
  if (rank === 0) {
    assert.deepEqual(r.gather, {
      isInt32: true,
      data: range(size, (i) => i).flatMap((i) => [i, i * 10]),
    });
    assert.deepEqual(
      r.gatherv,
      range(size, (i) => i).map((i) => range(i + 1, () => i + 0.5)),
    );
    assert.deepEqual(
      r.tinyGatherv,
      range(size, (i) => i).map((i) => range(100 * (i + 1), (k) => (k + i) % 256)),
    );
    const joined = range(size, (i) => i).flatMap((i) => range(300 * (i + 1), () => i - 7));
    assert.deepEqual(r.gatherInto, joined);
    assert.deepEqual(r.tinyGatherInto, joined);
  } else {
    assert.deepEqual(
      [r.gather, r.gatherv, r.tinyGatherv, r.gatherInto, r.tinyGatherInto],
      [null, null, null, null, null],
    );
  }
  if (rank === last) {
    assert.deepEqual(
      r.gatherValues,
      range(size, (i) => i).map((i) => ({ rank: i, ids: [2 * i, 2 * i + 1] })),
    );
    assert.deepEqual(
      r.tinyRecv,
      range(1000, (i) => i / 4),
    );
    assert.match(
      String(r.wrongType),
      /^ParallelError: Rank 0 sent a Int8Array with tag 5 where a Float64Array/,
    );
  } else {
    assert.equal(r.gatherValues, null);
  }
}

describe('MPI communicator under mpirun', () => {
  it('bcast, allreduce, gather, gatherv, send/recv on 2 ranks', { skip: noMpi }, () => {
    checkCollectives(2);
  });

  it('bcast, allreduce, gather, gatherv, send/recv on 4 ranks', { skip: noMpi }, () => {
    checkCollectives(4);
  });

  for (const [mode, message] of [
    ['throw', 'rank 1 fails on purpose'],
    ['reject', 'rank 1 rejects on purpose'],
    ['exit', 'exits with code 3'],
  ] as const) {
    it(`ends the whole job when one rank fails (${mode})`, { skip: noMpi }, () => {
      assertAddonBuilt();
      const run = mpirun(2, 'fail.ts', [mode]);
      assert.notEqual(run.status, 0);
      assert.notEqual(run.status, null, 'mpirun was killed by the test, not ended by MPI_Abort');
      assert.match(run.stderr, /ptyscan: rank 1 of 2/);
      assert.match(run.stderr, new RegExp(message));
      assert.doesNotMatch(run.stdout, /UNREACHABLE/);
      assert.doesNotMatch(run.stderr + run.stdout, /time limit/i);
    });
  }

  it('refuses to run once per rank when the addon is missing', { skip: noMpirun }, () => {
    const run = mpirun(2, 'hello.ts', [], { PTYSCAN_MPI_ADDON: '/nonexistent/ptyscan_mpi.node' });
    assert.notEqual(run.status, 0);
    assert.doesNotMatch(run.stdout, /HELLO/);
    assert.match(
      run.stderr,
      /ParallelError: ptyscan runs under an MPI launcher \(OMPI_COMM_WORLD_SIZE=2\)/,
    );
    assert.match(run.stderr, /\/nonexistent\/ptyscan_mpi\.node/);
    assert.match(run.stderr, /npx ptyscan doctor --build/);
  });
});
