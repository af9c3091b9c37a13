/**
 * A sink run on the master only, over any number of ranks: every chunk is
 * gathered from the ranks onto the master, which hands the whole chunk to
 * its sink (the `.ptyd` writer, or a caller's own). With one process nothing
 * is gathered.
 */
import type { AnyTypedArray } from '../frames/dtype.js';
import type { Communicator } from '../parallel/index.js';
import type { PyDict } from '../py/value.js';
import { gatherChunk } from './gather.js';
import type { Chunk, Meta, ScanProgress, ScanSink, ScanStorage } from './types.js';

/** Runs `sink` (given on the master, null on the other ranks) with chunks gathered on rank 0. */
export class GatherToMaster implements ScanStorage {
  private readonly comm: Communicator;
  private sink: ScanSink | null;
  /** The master's memory for gathered chunks: the sink stores or copies a chunk at once, so it is reused. */
  private memory: AnyTypedArray | undefined;

  constructor(comm: Communicator, sink: ScanSink | null) {
    this.comm = comm;
    this.sink = sink;
  }

  begin(info: PyDict): ScanProgress | null {
    return this.comm.bcast(this.sink?.begin(info) ?? null, 0);
  }

  writeMeta(meta: Meta): void {
    this.sink?.writeMeta(meta);
  }

  writeChunk(part: Chunk): void {
    const whole = gatherChunk(this.comm, part, this.memory);
    if (whole === null) return;
    if (whole !== part) this.memory = whole.data.data;
    this.sink?.writeChunk(whole);
  }

  wait(): void {
    this.sink?.heartbeat?.();
  }

  end(info: PyDict): void {
    this.sink?.end(info);
  }

  close(): void {
    this.sink?.close();
    this.sink = null;
  }
}

/** Storage that stores nothing (`save` None): chunks are only returned to the caller. */
export const NO_STORAGE: ScanStorage = {
  begin: () => null,
  writeMeta: () => {},
  writeChunk: () => {},
  wait: () => {},
  end: () => {},
  close: () => {},
};
