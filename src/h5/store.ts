/**
 * Carrying out a described write (see `tree.ts`): the one place that decides
 * which engine does what. h5wasm writes the structure and the small objects;
 * the native addon writes large gzip arrays (compressed outside HDF5, on
 * several threads) once h5wasm has closed the file, and deletes objects an
 * `add` replaces; without the addon, h5wasm writes everything and a file that
 * loses objects is copied without them. New files are written at a temp name
 * and renamed into place.
 *
 * A write can also be done in two parts, for a caller that hands the large
 * arrays to another thread: {@link stageWrite} here, {@link writeBulk} there.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { abandonBulk, type BulkWrite, finishBulk } from './bulk.js';
import { copyTree } from './copy.js';
import { fsyncPath, tempName } from './durable.js';
import { H5File } from './file.js';
import { acquireLock, type FileLock } from './lock.js';
import {
  type BulkArray,
  canDeleteLinks,
  deleteLinks,
  isBulk,
  nativeWrites,
  writeNativeArrays,
} from './native.js';
import { absolute } from './paths.js';
import type { H5AddWrite, H5Content, H5CreateWrite, H5Write } from './tree.js';
import { type Leave, writeArrayNode, writeContent } from './write-tree.js';

/** How a write runs here. */
export interface WriteOptions {
  /** Threads compressing the native addon's arrays (default 1). */
  threads?: number;
}

/** The first part of a write, done: its large arrays are still to be written by {@link writeBulk}. */
export interface StagedWrite {
  readonly bulk: BulkWrite;
  /** Gives back the file's lock: once the bulk is written, or failed. */
  release(): void;
}

/** Writes `write` completely, here. */
export function applyWrite(write: H5Write, options: WriteOptions = {}): void {
  const threads = options.threads ?? 1;
  if (write.kind === 'create') {
    createFile(write, write, threads);
    return;
  }
  if (!existsSync(write.file)) {
    createFile({ file: write.file, lock: true, durable: false }, write, threads);
    return;
  }
  const lock = acquireLock(write.file);
  try {
    const done = addInPlace(write, nativeWrites);
    if (done.kind === 'written') writeNativeArrays(write.file, done.left, threads);
    else rewriteWithout(write, done.replaced, threads);
  } finally {
    lock.release();
  }
}

/**
 * Writes everything of `write` but its large arrays, and keeps the file's
 * lock for them; null, with nothing written, when the write must be done in
 * one go ({@link applyWrite}): an `add` to a file that does not exist yet,
 * or one that replaces objects without the native addon.
 */
export function stageWrite(write: H5Write): StagedWrite | null {
  if (write.kind === 'create') return stageCreate(write);
  if (!existsSync(write.file)) return null;
  const lock = acquireLock(write.file);
  try {
    const done = addInPlace(write, isBulk);
    if (done.kind === 'written') {
      const bulk: BulkWrite = {
        file: write.file,
        arrays: done.left,
        finish: { sync: false, renameTo: null },
      };
      return { bulk, release: () => lock.release() };
    }
  } catch (error) {
    lock.release();
    throw error;
  }
  lock.release();
  return null;
}

/** Writes the large arrays of a staged write (in any thread): the addon's natively, the rest through h5wasm. */
export function writeBulk(bulk: BulkWrite, options: WriteOptions = {}): void {
  try {
    const rest = bulk.arrays.filter((a) => !nativeWrites(a.node));
    if (rest.length > 0) {
      const out = H5File.open(bulk.file, 'a', { lock: false });
      try {
        for (const { path, node } of rest) writeArrayNode(out, path, node);
      } finally {
        out.close();
      }
    }
    writeNativeArrays(
      bulk.file,
      bulk.arrays.filter((a) => nativeWrites(a.node)),
      options.threads ?? 1,
    );
    finishBulk(bulk);
  } catch (error) {
    abandonBulk(bulk);
    throw error;
  }
}

/** Writes the h5wasm part of a new file at `temp`; returns the arrays left out. */
function writeNew(temp: string, content: H5Content, leave: Leave): BulkArray[] {
  const out = H5File.open(temp, 'w', { lock: false });
  try {
    return writeContent(out, content, leave);
  } finally {
    out.close();
  }
}

/** Where a new file goes and how: its name, whether it is locked meanwhile, whether it is forced to disk. */
type NewFile = Pick<H5CreateWrite, 'file' | 'lock' | 'durable'>;

/** Writes a new file with `content` (a create's root, or an add's members) and renames it into place. */
function createFile(target: NewFile, content: H5Content, threads: number): void {
  const lock: FileLock | null = target.lock ? acquireLock(target.file) : null;
  const temp = tempName(target.file);
  try {
    const left = writeNew(temp, content, nativeWrites);
    writeNativeArrays(temp, left, threads);
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

function stageCreate(write: H5CreateWrite): StagedWrite {
  const lock: FileLock | null = write.lock ? acquireLock(write.file) : null;
  const temp = tempName(write.file);
  try {
    const left = writeNew(temp, write, isBulk);
    const bulk: BulkWrite = {
      file: temp,
      arrays: left,
      finish: { sync: write.durable, renameTo: write.file },
    };
    return { bulk, release: () => lock?.release() };
  } catch (error) {
    rmSync(temp, { force: true });
    lock?.release();
    throw error;
  }
}

/** What {@link addInPlace} did. */
type InPlace =
  /** Written, but for the arrays left out. */
  | { kind: 'written'; left: BulkArray[] }
  /** Nothing written: these objects must be replaced and cannot be deleted in place. */
  | { kind: 'copy'; replaced: string[] };

/** Adds the members in place (the caller holds the lock), deleting those they replace when it can. */
function addInPlace(write: H5AddWrite, leave: Leave): InPlace {
  const writeInto = (out: H5File): BulkArray[] => writeContent(out, write, leave);
  const out = H5File.open(write.file, 'a', { lock: false });
  let replaced: string[];
  let left: BulkArray[] = [];
  try {
    // A slab writes into what is there; anything else at a member's path is replaced.
    replaced = write.members
      .filter((m) => m.node.kind !== 'slab')
      .map((m) => absolute(m.name))
      .filter((p) => out.entry(p).kind !== 'missing');
    if (replaced.length === 0) left = writeInto(out);
  } finally {
    out.close();
  }
  if (replaced.length === 0) return { kind: 'written', left };
  if (!canDeleteLinks()) return { kind: 'copy', replaced };
  // As h5py's del does: unlink the old objects (their space is not reclaimed), then write.
  deleteLinks(write.file, replaced);
  const again = H5File.open(write.file, 'a', { lock: false });
  try {
    return { kind: 'written', left: writeInto(again) };
  } finally {
    again.close();
  }
}

/** h5wasm cannot delete objects: the file is copied without the replaced ones, then written. */
function rewriteWithout(write: H5AddWrite, replaced: readonly string[], threads: number): void {
  const temp = tempName(write.file);
  const source = H5File.open(write.file, 'r', { lock: false });
  try {
    const out = H5File.open(temp, 'w', { lock: false });
    let left: BulkArray[];
    try {
      copyTree(source, out, '/', new Set(replaced));
      left = writeContent(out, write, nativeWrites);
    } finally {
      out.close();
    }
    writeNativeArrays(temp, left, threads);
    renameSync(temp, write.file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  } finally {
    source.close();
  }
}
