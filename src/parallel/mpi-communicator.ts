import { writeSync } from 'node:fs';
import { inspect } from 'node:util';
import { ParallelError } from '../errors.js';
import type { AnyTypedArray } from '../frames/dtype.js';
import {
  assertPeer,
  assertRank,
  assertReceivedType,
  assertTag,
  type Communicator,
  type ReduceOp,
} from './communicator.js';
import type { MpiAddon } from './mpi-addon.js';
import { assertOp } from './single-process.js';
import {
  ARRAY_TYPE_NAMES,
  arrayFromBytes,
  bytesOf,
  decodeValue,
  encodeValue,
  requireTypedArrayName,
  type TypedArrayConstructor,
  typedArrayConstructor,
} from './wire.js';

/** Options of {@link MpiCommunicator}. */
export interface MpiOptions {
  /**
   * Largest single MPI transfer in bytes; bigger ones are split. MPI counts
   * are 32-bit, so the default is 1 GiB. Tests set it small to exercise splitting.
   */
  maxMessageBytes?: number;
}

const GIB = 2 ** 30;

// The process-wide hooks may only be installed once per addon, however many
// communicators are made over it.
const hooked = new WeakSet<MpiAddon>();

/**
 * Ends the whole job when one rank fails: an uncaught error or rejected
 * promise is printed and MPI_Abort kills every rank at once, instead of the
 * others waiting forever in their next collective. A normal exit finalizes MPI;
 * a non-zero exit aborts, since the other ranks may be waiting for this one.
 */
function installProcessHooks(addon: MpiAddon, rank: number, size: number): void {
  if (hooked.has(addon)) return;
  hooked.add(addon);
  const fail = (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? String(error)) : inspect(error);
    // Synchronous write: MPI_Abort does not return, so buffered output would be lost.
    writeSync(2, `ptyscan: rank ${rank} of ${size} failed, aborting the MPI job:\n${text}\n`);
    addon.abort(1);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  process.on('exit', (code) => {
    if (code === 0) {
      addon.finalize();
      return;
    }
    writeSync(
      2,
      `ptyscan: rank ${rank} of ${size} exits with code ${code}, aborting the MPI job\n`,
    );
    addon.abort(code);
  });
}

/**
 * A {@link Communicator} over MPI_COMM_WORLD through the native addon.
 * Constructing it calls MPI_Init (once per process) and installs the hooks
 * that abort the job when a rank fails and finalize MPI at exit. Use
 * `getCommunicator()` rather than constructing it.
 */
export class MpiCommunicator implements Communicator {
  readonly kind = 'mpi';
  readonly rank: number;
  readonly size: number;
  readonly isMaster: boolean;
  private readonly addon: MpiAddon;
  private readonly maxMessageBytes: number;

  constructor(addon: MpiAddon, options: MpiOptions = {}) {
    const max = options.maxMessageBytes ?? GIB;
    if (!Number.isInteger(max) || max < 8 || max > GIB) {
      throw new ParallelError(`maxMessageBytes must be an integer in 8..${GIB}, found ${max}.`, {
        parameter: 'maxMessageBytes',
        expected: `8..${GIB}`,
        found: String(max),
      });
    }
    this.addon = addon;
    this.maxMessageBytes = max;
    addon.init();
    this.rank = addon.rank();
    this.size = addon.size();
    this.isMaster = this.rank === 0;
    installProcessHooks(addon, this.rank, this.size);
  }

  barrier(): void {
    this.addon.barrier();
  }

  bcast<T>(value: T, root = 0): T {
    assertRank(root, this.size, 'root');
    const isRoot = this.rank === root;
    const encoded = isRoot ? encodeValue(value) : null;
    const length = new Float64Array([encoded?.byteLength ?? 0]);
    this.addon.bcast(length, root);
    const bytes = encoded ?? new Uint8Array(length[0]!);
    this.bcastBytes(bytes, root);
    return isRoot ? value : (decodeValue(bytes) as T);
  }

  allreduce(value: number, op?: ReduceOp): number;
  allreduce(value: Float64Array, op?: ReduceOp): Float64Array;
  allreduce(value: number | Float64Array, op: ReduceOp = 'sum'): number | Float64Array {
    assertOp(op);
    const values = typeof value === 'number' ? new Float64Array([value]) : value.slice();
    const step = Math.floor(this.maxMessageBytes / 8);
    for (let start = 0; start < values.length; start += step) {
      this.addon.allreduce(values.subarray(start, start + step), op);
    }
    return typeof value === 'number' ? values[0]! : values;
  }

  gather<T extends AnyTypedArray>(data: T, root = 0): T | null {
    const name = requireTypedArrayName(data, 'gather data');
    const gathered = this.gatherBytes(bytesOf(data), root);
    if (gathered === null) return null;
    const unequal = gathered.counts.findIndex((n) => n !== data.byteLength);
    if (unequal >= 0) {
      throw new ParallelError(
        `gather needs equally long arrays, but rank ${unequal} sent ${gathered.counts[unequal]} ` +
          `bytes and the root ${data.byteLength}; use gatherv for arrays of different lengths.`,
        { expected: `${data.byteLength} bytes`, found: `${gathered.counts[unequal]} bytes` },
      );
    }
    return arrayFromBytes(name, gathered.bytes) as T;
  }

  gatherv<T extends AnyTypedArray>(data: T, root = 0): T[] | null {
    const name = requireTypedArrayName(data, 'gatherv data');
    const gathered = this.gatherBytes(bytesOf(data), root);
    if (gathered === null) return null;
    return gathered.parts.map((part) => arrayFromBytes(name, part) as T);
  }

  gatherInto(data: AnyTypedArray, out: AnyTypedArray | null, root = 0): void {
    const bytes = bytesOf(data);
    if (this.rank === root) {
      if (out === null) throw new ParallelError('gatherInto needs an output array on the root.');
      this.gatherBytes(bytes, root, bytesOf(out));
    } else {
      this.gatherBytes(bytes, root);
    }
  }

  gatherValues<T>(value: T, root = 0): T[] | null {
    const gathered = this.gatherBytes(encodeValue(value), root);
    if (gathered === null) return null;
    return gathered.parts.map((part) => decodeValue(part) as T);
  }

  send(data: AnyTypedArray, dest: number, tag = 0): void {
    assertTag(tag);
    assertPeer(dest, this.rank, this.size, 'dest');
    const type = ARRAY_TYPE_NAMES.indexOf(requireTypedArrayName(data, 'send data'));
    // Header first, so the receiver can allocate; MPI keeps messages between
    // one pair of ranks with one tag in order, so the pieces follow it.
    this.addon.send(new Float64Array([data.byteLength, type]), dest, tag);
    const bytes = bytesOf(data);
    for (let start = 0; start < bytes.byteLength; start += this.maxMessageBytes) {
      this.addon.send(bytes.subarray(start, start + this.maxMessageBytes), dest, tag);
    }
  }

  recv(source: number, tag?: number): AnyTypedArray;
  recv<C extends TypedArrayConstructor>(source: number, tag: number, type: C): InstanceType<C>;
  recv(source: number, tag = 0, type?: TypedArrayConstructor): AnyTypedArray {
    assertTag(tag);
    assertPeer(source, this.rank, this.size, 'source');
    const header = new Float64Array(2);
    this.expectBytes(this.addon.recv(header, source, tag), header.byteLength, source, tag);
    const [byteLength = 0, typeIndex = -1] = header;
    const ctor = typedArrayConstructor(ARRAY_TYPE_NAMES[typeIndex] ?? `#${typeIndex}`);
    const data = new ctor(byteLength / ctor.BYTES_PER_ELEMENT);
    const bytes = bytesOf(data);
    for (let start = 0; start < byteLength; start += this.maxMessageBytes) {
      const piece = bytes.subarray(start, start + this.maxMessageBytes);
      this.expectBytes(this.addon.recv(piece, source, tag), piece.byteLength, source, tag);
    }
    assertReceivedType(data, type, source, tag);
    return data;
  }

  abort(code = 1): never {
    this.addon.abort(code);
    // MPI_Abort does not return; should a broken MPI return, still end this rank.
    process.exit(code);
  }

  private expectBytes(got: number, expected: number, source: number, tag: number): void {
    if (got !== expected) {
      throw new ParallelError(
        `Message from rank ${source} with tag ${tag} had ${got} bytes where ${expected} were due; ` +
          'are two senders using the same tag?',
        { expected: `${expected} bytes`, found: `${got} bytes` },
      );
    }
  }

  private bcastBytes(bytes: Uint8Array, root: number): void {
    for (let start = 0; start < bytes.byteLength; start += this.maxMessageBytes) {
      this.addon.bcast(bytes.subarray(start, start + this.maxMessageBytes), root);
    }
  }

  /**
   * Gathers every rank's bytes on `root`, back to back in rank order. Each
   * round moves at most maxMessageBytes in total, so counts and displacements
   * stay 32-bit; one round (the usual case) receives straight into the result.
   */
  /** Gathers into `into` on the root when given (it must fit exactly), else into new memory. */
  private gatherBytes(
    bytes: Uint8Array,
    root: number,
    into?: Uint8Array,
  ): { bytes: Uint8Array; parts: Uint8Array[]; counts: number[] } | null {
    assertRank(root, this.size, 'root');
    const lengths = new Float64Array(this.size);
    lengths[this.rank] = bytes.byteLength;
    const counts = Array.from(this.allreduce(lengths, 'sum'));
    const perRank = Math.max(1, Math.floor(this.maxMessageBytes / this.size));
    const rounds = Math.max(1, Math.ceil(Math.max(...counts) / perRank));
    const isRoot = this.rank === root;
    const offsets: number[] = [];
    let total = 0;
    for (const n of counts) {
      offsets.push(total);
      total += n;
    }
    if (isRoot && into !== undefined && into.byteLength !== total) {
      // A caller bug; the other ranks wait in the gather, and the failing rank ends the job.
      throw new ParallelError(
        `gatherInto: the root's output holds ${into.byteLength} bytes, the ranks sent ${total}.`,
        { expected: `${total} bytes`, found: `${into.byteLength} bytes` },
      );
    }
    const out = isRoot ? (into ?? new Uint8Array(total)) : null;
    for (let round = 0; round < rounds; round++) {
      const from = round * perRank;
      const mine = bytes.subarray(Math.min(from, bytes.byteLength), from + perRank);
      if (out === null) {
        this.addon.gatherv(mine, null, null, root);
        continue;
      }
      const roundCounts = Int32Array.from(counts, (n) => Math.max(0, Math.min(perRank, n - from)));
      const roundTotal = roundCounts.reduce((a, b) => a + b, 0);
      const target = rounds === 1 ? out : new Uint8Array(roundTotal);
      this.addon.gatherv(mine, target, roundCounts, root);
      if (rounds > 1) {
        let at = 0;
        roundCounts.forEach((n, r) => {
          out.set(target.subarray(at, at + n), offsets[r]! + from);
          at += n;
        });
      }
    }
    if (out === null) return null;
    const parts = counts.map((n, r) => out.subarray(offsets[r]!, offsets[r]! + n));
    return { bytes: out, parts, counts };
  }
}
