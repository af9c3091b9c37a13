/**
 * The backup of an output a new run replaces. One backup is kept, as ptypy
 * does: `<file>.old`; an earlier backup is deleted, and the logger says so.
 * A master whose chunks are external links (link mode, a running merge) is
 * backed up with its chunk files: `scan.ptyd.old` links to
 * `scan.ptyd.old.chunk00`, ..., so the backup reads on its own and holds
 * exactly the earlier run, whatever the new run writes.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { PtyscanError } from '../errors.js';
import { applyWrite, H5File } from '../h5/index.js';
import type { PyDict } from '../py/value.js';
import type { Logger } from '../sink/types.js';
import { type ExternalLinkSpec, h5rwCreate } from './h5rw.js';
import { decodeValue } from './h5rw-read.js';

/** A chunk of a master stored as an external link: its key and the file it names. */
interface LinkedChunk {
  key: string;
  /** The linked file, resolved next to the master. */
  file: string;
}

/** The chunks of `master` that are external links, or null when it is not a readable HDF5 file. */
function linkedChunks(master: string): LinkedChunk[] | null {
  let h5: H5File;
  try {
    h5 = H5File.open(master, 'r');
  } catch (error) {
    if (error instanceof PtyscanError) return null;
    throw error;
  }
  try {
    if (h5.entry('/chunks').kind !== 'group') return [];
    const out: LinkedChunk[] = [];
    for (const key of h5.members('/chunks')) {
      const at = h5.entry(`/chunks/${key}`);
      if (at.kind !== 'external-link') continue;
      out.push({ key, file: resolve(dirname(master), at.targetFile) });
    }
    return out;
  } catch (error) {
    if (error instanceof PtyscanError) return null;
    throw error;
  } finally {
    h5.close();
  }
}

/** Deletes the backup `old` and the chunk files it links to. */
function dropBackup(old: string, logger: Logger | undefined): void {
  if (!existsSync(old)) return;
  for (const chunk of linkedChunks(old) ?? []) {
    if (basename(chunk.file).startsWith(basename(old))) rmSync(chunk.file, { force: true });
  }
  rmSync(old, { force: true, recursive: true });
  logger?.warn(`replacing the earlier backup ${old} (one backup is kept)`);
}

/**
 * Keeps an existing `file` as `<file>.old` (one backup: an earlier `.old`
 * is deleted, and `logger` says so). Returns the backup's name, or null
 * when there was nothing to keep.
 */
export function keepOld(file: string, logger?: Logger): string | null {
  if (!existsSync(file)) return null;
  const old = `${file}.old`;
  dropBackup(old, logger);
  renameSync(file, old);
  return old;
}

/**
 * Keeps an existing `.ptyd` output and the chunk files its master links
 * to as one consistent backup: `<dfile>.old`, linking to
 * `<dfile>.old.chunkNN` (see the module comment). A file without linked
 * chunks is kept as {@link keepOld} does.
 */
export function keepOldScan(dfile: string, logger?: Logger): string | null {
  if (!existsSync(dfile)) return null;
  const chunks = linkedChunks(dfile);
  if (chunks === null || chunks.length === 0) return keepOld(dfile, logger);
  const old = `${dfile}.old`;
  dropBackup(old, logger);
  const links: ExternalLinkSpec[] = [];
  const stem = basename(dfile);
  for (const chunk of chunks) {
    const name = basename(chunk.file);
    const kept = join(
      dirname(old),
      name.startsWith(stem)
        ? `${basename(old)}${name.slice(stem.length)}`
        : `${basename(old)}.${name}`,
    );
    if (existsSync(chunk.file)) renameSync(chunk.file, kept);
    links.push({
      path: `chunks/${chunk.key}`,
      targetFile: relative(dirname(old), kept),
      targetPath: '/',
    });
  }
  applyWrite(h5rwCreate(old, masterValues(dfile), { links, attributes: rootStrings(dfile) }));
  rmSync(dfile);
  return old;
}

/** The master's `meta` and `info` (its chunks are links, relinked by the caller). */
function masterValues(master: string): PyDict {
  const h5 = H5File.open(master, 'r');
  try {
    const value: PyDict = { chunks: {} };
    for (const key of ['meta', 'info']) {
      if (h5.entry(`/${key}`).kind === 'group') value[key] = decodeValue(h5, `/${key}`);
    }
    return value;
  } finally {
    h5.close();
  }
}

/** The writer-state attributes of a master's root (`ptyscan_*`), as strings. */
function rootStrings(master: string): Record<string, string> {
  const h5 = H5File.open(master, 'r');
  try {
    const out: Record<string, string> = {};
    for (const name of h5.attributeNames('/')) {
      if (!name.startsWith('ptyscan_')) continue;
      const text = h5.readStringAttribute('/', name);
      if (text !== undefined) out[name] = text;
    }
    return out;
  } finally {
    h5.close();
  }
}
