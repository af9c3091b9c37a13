/**
 * Carrying out a described write (see `tree.ts`): the one place that decides
 * which engine writes. The native engine (`native-engine.ts`) writes a whole
 * write in one open of the file, with its deflate chunks compressed outside
 * HDF5 on several threads; h5wasm (`h5wasm-engine.ts`) writes what the addon
 * does not (everything without it, LZF, plugin filters). Either way a new
 * file is written at a temp name and renamed into place, and an `add` holds
 * the file's lock.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncPath, tempName } from './durable.js';
import { h5wasmAdd, h5wasmCreate } from './h5wasm-engine.js';
import { acquireLock, type FileLock } from './lock.js';
import { nativeAdd, nativeCreate, nativeWritesAll } from './native-engine.js';
import type { H5AddWrite, H5Content, H5CreateWrite, H5Write, StoredArray } from './tree.js';

/** How a write runs here. */
export interface WriteOptions {
  /** Threads compressing the write's deflate arrays (native engine; default 1). */
  threads?: number;
}

/** Which of the two writes a write: both write the same objects. */
interface WriteEngine {
  /** Writes `content` into the new file `path` (a temp name of `shown`, which errors name). */
  create(path: string, content: H5Content<StoredArray>, threads: number, shown: string): void;
  /** Adds the members of `write` to its existing file, replacing the objects at their paths. */
  add(write: H5AddWrite<StoredArray>, threads: number): void;
}

const NATIVE: WriteEngine = { create: nativeCreate, add: nativeAdd };
const H5WASM: WriteEngine = { create: h5wasmCreate, add: h5wasmAdd };

/** The engine that writes `write`: the native one when the addon is loaded and stores every array. */
function engineFor(write: H5Write<StoredArray>): WriteEngine {
  return nativeWritesAll(write) ? NATIVE : H5WASM;
}

/** Whether `write` needs h5wasm loaded (`await h5ready()`) to be carried out. */
export function writeNeedsH5wasm(write: H5Write<StoredArray>): boolean {
  return engineFor(write) === H5WASM;
}

/** Writes `write` completely, here. */
export function applyWrite(write: H5Write<StoredArray>, options: WriteOptions = {}): void {
  const threads = options.threads ?? 1;
  const engine = engineFor(write);
  if (write.kind === 'create') {
    createFile(engine, write, write, threads);
    return;
  }
  if (!existsSync(write.file)) {
    createFile(engine, { file: write.file, lock: true, durable: false }, write, threads);
    return;
  }
  const lock = acquireLock(write.file);
  try {
    engine.add(write, threads);
  } finally {
    lock.release();
  }
}

/** Where a new file goes and how: its name, whether it is locked meanwhile, whether it is forced to disk. */
type NewFile = Pick<H5CreateWrite, 'file' | 'lock' | 'durable'>;

/** Writes a new file with `content` (a create's root, or an add's members) and renames it into place. */
function createFile(
  engine: WriteEngine,
  target: NewFile,
  content: H5Content<StoredArray>,
  threads: number,
): void {
  const lock: FileLock | null = target.lock ? acquireLock(target.file) : null;
  const temp = tempName(target.file);
  try {
    engine.create(temp, content, threads, target.file);
    if (target.durable) fsyncPath(temp);
    renameSync(temp, target.file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  } finally {
    lock?.release();
  }
  if (target.durable) fsyncPath(dirname(target.file));
}
