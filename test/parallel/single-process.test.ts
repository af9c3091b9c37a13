import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ParallelError } from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { createCommunicator } from '../../src/parallel/get-communicator.js';
import { addonCandidates, loadMpiAddon, mpiLaunch } from '../../src/parallel/mpi-addon.js';
import { SingleProcess } from '../../src/parallel/single-process.js';
import { assertSendable, decodeValue, encodeValue } from '../../src/parallel/wire.js';
import { PyTuple } from '../../src/py/value.js';

describe('SingleProcess', () => {
  const comm = new SingleProcess();

  it('is rank 0 of 1 and the master', () => {
    assert.deepEqual([comm.kind, comm.rank, comm.size, comm.isMaster], ['single', 0, 1, true]);
    comm.barrier();
  });

  it('returns the broadcast value itself and checks it could be sent', () => {
    const meta = { energy: 7.2, frames: 9n };
    assert.equal(comm.bcast(meta), meta);
    assert.throws(
      () => comm.bcast({ when: new Date(0) }),
      (e: unknown) => e instanceof ParallelError && /value\.when/.test(e.message),
    );
    assert.throws(() => comm.bcast(1, 1), /root must be a rank of this job/);
  });

  it('reduces to a copy of its input', () => {
    assert.equal(comm.allreduce(4.5, 'max'), 4.5);
    const values = Float64Array.from([1, 2]);
    const reduced = comm.allreduce(values);
    assert.deepEqual(Array.from(reduced), [1, 2]);
    reduced[0] = 99;
    assert.equal(values[0], 1);
    assert.throws(() => comm.allreduce(1, 'mean' as 'sum'), /Unknown reduction 'mean'/);
  });

  it('gathers copies of the same typed array type', () => {
    const data = Buffer.from([1, 2, 3]);
    const gathered = comm.gather(data);
    assert.ok(gathered instanceof Uint8Array);
    assert.deepEqual(Array.from(gathered), [1, 2, 3]);
    data[0] = 9;
    assert.equal(gathered[0], 1);
    const parts = comm.gatherv(Int16Array.from([-1, 2]));
    assert.equal(parts?.length, 1);
    assert.ok(parts?.[0] instanceof Int16Array);
    assert.deepEqual(Array.from(parts[0]), [-1, 2]);
    assert.deepEqual(comm.gatherValues({ a: 1 }), [{ a: 1 }]);
    assert.throws(() => comm.gather(new DataView(new ArrayBuffer(4)) as never), ParallelError);
    const into = new Int16Array(2);
    comm.gatherInto(Int16Array.from([-1, 2]), into);
    assert.deepEqual(Array.from(into), [-1, 2]);
    assert.throws(
      () => comm.gatherInto(Int16Array.from([-1, 2]), new Int16Array(3)),
      (e: unknown) => e instanceof ParallelError && e.expected === '4 bytes',
    );
  });

  it('has no other rank to send to or receive from', () => {
    assert.throws(() => comm.send(Int32Array.of(1), 0), /cannot send to itself/);
    assert.throws(() => comm.send(Int32Array.of(1), 1), /dest must be a rank/);
    assert.throws(() => comm.recv(0), /cannot receive from itself/);
    assert.throws(() => comm.send(Int32Array.of(1), 0, 40000), /tag must be an integer/);
  });
});

describe('wire encoding between ranks', () => {
  it('round-trips Python-like values, typed arrays and NdArrays', () => {
    const frame = ndarray('uint16', [2, 2], Uint16Array.from([1, 2, 3, 65535]));
    const value = {
      none: null,
      flags: [true, false],
      int: 12345678901234567890n,
      float: -0,
      specials: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
      text: 'ünïcode',
      tuple: new PyTuple([1n, 'a']),
      frame,
      big: BigInt64Array.from([-1n, 2n ** 62n]),
      odd: Uint8Array.from([1, 2, 3]),
      after: Float64Array.from([0.1]),
      $wire: { nested: 'user data with the tag key' },
      ['__proto__']: 'own key',
      missing: undefined,
    };
    const bytes = encodeValue(value);
    assert.equal(bytes.byteLength % 8, 0);
    const back = decodeValue(bytes) as typeof value;
    assert.equal(back.none, null);
    assert.deepEqual(back.flags, [true, false]);
    assert.equal(back.int, 12345678901234567890n);
    assert.ok(Object.is(back.float, -0));
    assert.ok(Number.isNaN(back.specials[0]));
    assert.deepEqual(back.specials.slice(1), [Infinity, -Infinity]);
    assert.equal(back.text, 'ünïcode');
    assert.ok(back.tuple instanceof PyTuple);
    assert.deepEqual(back.tuple.items, [1n, 'a']);
    assert.equal(back.frame.dtype, 'uint16');
    assert.deepEqual(back.frame.shape, [2, 2]);
    assert.ok(back.frame.data instanceof Uint16Array);
    assert.deepEqual(Array.from(back.frame.data), [1, 2, 3, 65535]);
    assert.deepEqual(Array.from(back.big), [-1n, 2n ** 62n]);
    assert.deepEqual(Array.from(back.odd), [1, 2, 3]);
    assert.ok(back.after instanceof Float64Array);
    assert.equal(back.after[0], 0.1);
    assert.deepEqual(back.$wire, { nested: 'user data with the tag key' });
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(back, '__proto__')?.value, 'own key');
    assert.ok('missing' in back && back.missing === undefined);
  });

  it('decodes typed arrays as views into the received bytes', () => {
    const bytes = encodeValue(Float64Array.from([1, 2, 3]));
    const back = decodeValue(bytes) as Float64Array;
    assert.equal(back.buffer, bytes.buffer);
  });

  it('names the path of a value that cannot be sent', () => {
    assert.throws(
      () => assertSendable({ list: [1, new Map()] }),
      (e: unknown) => e instanceof ParallelError && /value\.list\[1\]/.test(e.message),
    );
    assert.throws(() => assertSendable(() => 1), /Cannot send a function/);
  });

  it('rejects corrupt messages', () => {
    assert.throws(() => decodeValue(new Uint8Array(3)), /corrupt/);
    const bytes = encodeValue(Int32Array.of(1, 2));
    assert.throws(() => decodeValue(bytes.subarray(0, bytes.byteLength - 8)), /corrupt/);
  });
});

describe('getCommunicator environment', () => {
  it('tells an MPI launch from a plain start', () => {
    assert.deepEqual(mpiLaunch({}), { parallel: false, evidence: 'no MPI launcher variables' });
    assert.equal(mpiLaunch({ OMPI_COMM_WORLD_SIZE: '4' }).parallel, true);
    assert.equal(mpiLaunch({ OMPI_COMM_WORLD_SIZE: '1', PMIX_RANK: '0' }).parallel, false);
    assert.equal(mpiLaunch({ PMI_SIZE: '2' }).parallel, true);
    assert.equal(mpiLaunch({ PMIX_RANK: '0' }).parallel, true);
  });

  it('runs single-process outside mpirun, even with the addon hidden', () => {
    const comm = createCommunicator({ PTYSCAN_MPI_ADDON: '/nonexistent' });
    assert.ok(comm instanceof SingleProcess);
  });

  it('refuses to run once per rank under mpirun without the addon', () => {
    const env = { OMPI_COMM_WORLD_SIZE: '2', PTYSCAN_MPI_ADDON: '/nonexistent/ptyscan_mpi.node' };
    assert.throws(
      () => createCommunicator(env),
      (e: unknown) =>
        e instanceof ParallelError &&
        /OMPI_COMM_WORLD_SIZE=2/.test(e.message) &&
        /\/nonexistent\/ptyscan_mpi\.node/.test(e.message) &&
        /npx ptyscan doctor --build/.test(e.message),
    );
  });

  it('rejects a file that is not the addon', () => {
    assert.deepEqual(addonCandidates({ PTYSCAN_MPI_ADDON: '/x.node' }), ['/x.node']);
    const dir = mkdtempSync(join(tmpdir(), 'ptyscan-addon-'));
    try {
      const garbage = join(dir, 'garbage.node');
      writeFileSync(garbage, 'not a shared library');
      assert.throws(
        () => loadMpiAddon({ PTYSCAN_MPI_ADDON: garbage }),
        (e: unknown) =>
          e instanceof ParallelError && e.file === garbage && /cannot be loaded/.test(e.message),
      );
      const other = join(dir, 'other.json');
      writeFileSync(other, '{"init": 1}');
      assert.throws(
        () => loadMpiAddon({ PTYSCAN_MPI_ADDON: other }),
        /is not the ptyscan MPI addon: it lacks init, finalize/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
