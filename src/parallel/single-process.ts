import { ParallelError } from '../errors.js';
import type { AnyTypedArray } from '../frames/dtype.js';
import {
  assertPeer,
  assertRank,
  assertTag,
  type Communicator,
  type ReduceOp,
} from './communicator.js';
import {
  arrayFromBytes,
  assertSendable,
  bytesOf,
  requireTypedArrayName,
  type TypedArrayConstructor,
} from './wire.js';

/**
 * The one-rank job: no native code, every collective returns its input.
 * Values are checked as MPI would check them, so code that works here does
 * not first fail when run under mpirun.
 */
export class SingleProcess implements Communicator {
  readonly kind = 'single';
  readonly rank = 0;
  readonly size = 1;
  readonly isMaster = true;

  barrier(): void {}

  bcast<T>(value: T, root = 0): T {
    assertRank(root, this.size, 'root');
    assertSendable(value);
    return value;
  }

  allreduce(value: number, op?: ReduceOp): number;
  allreduce(value: Float64Array, op?: ReduceOp): Float64Array;
  allreduce(value: number | Float64Array, op: ReduceOp = 'sum'): number | Float64Array {
    assertOp(op);
    return typeof value === 'number' ? value : value.slice();
  }

  gather<T extends AnyTypedArray>(data: T, root = 0): T | null {
    assertRank(root, this.size, 'root');
    return copyOf(data);
  }

  gatherv<T extends AnyTypedArray>(data: T, root = 0): T[] | null {
    assertRank(root, this.size, 'root');
    return [copyOf(data)];
  }

  gatherInto(data: AnyTypedArray, out: AnyTypedArray | null, root = 0): void {
    assertRank(root, this.size, 'root');
    if (out === null || out.byteLength !== data.byteLength) {
      throw new ParallelError(
        `gatherInto needs an output of ${data.byteLength} bytes on the root, found ${out === null ? 'none' : `${out.byteLength} bytes`}.`,
        {
          expected: `${data.byteLength} bytes`,
          found: out === null ? 'null' : `${out.byteLength} bytes`,
        },
      );
    }
    bytesOf(out).set(bytesOf(data));
  }

  gatherValues<T>(value: T, root = 0): T[] | null {
    assertRank(root, this.size, 'root');
    assertSendable(value);
    return [value];
  }

  send(_data: AnyTypedArray, dest: number, tag = 0): void {
    assertTag(tag);
    assertPeer(dest, this.rank, this.size, 'dest');
  }

  recv(source: number, tag?: number): AnyTypedArray;
  recv<C extends TypedArrayConstructor>(source: number, tag: number, type: C): InstanceType<C>;
  recv(source: number, tag = 0, _type?: TypedArrayConstructor): AnyTypedArray {
    assertTag(tag);
    assertPeer(source, this.rank, this.size, 'source');
    throw new ParallelError('A one-rank job has no other rank to receive from.');
  }

  abort(code = 1): never {
    process.exit(code);
  }
}

/** Throws ParallelError unless `op` is a {@link ReduceOp}. */
export function assertOp(op: string): asserts op is ReduceOp {
  if (op !== 'sum' && op !== 'max' && op !== 'min') {
    throw new ParallelError(`Unknown reduction '${op}'.`, {
      expected: "'sum', 'max' or 'min'",
      found: `'${op}'`,
    });
  }
}

/** A copy of a typed array of the same type (Buffer.slice would alias). */
function copyOf<T extends AnyTypedArray>(data: T): T {
  return arrayFromBytes(requireTypedArrayName(data, 'data'), bytesOf(data).slice()) as T;
}
