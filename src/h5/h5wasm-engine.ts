/**
 * The h5wasm write engine: a described write carried out by h5wasm alone
 * (one thread, its WebAssembly zlib for gzip). It writes what the native
 * engine does not: everything without the addon, LZF and plugin filters.
 * h5wasm cannot delete objects, so an `add` that replaces some deletes them
 * through the addon when it is there, and else copies the file without them.
 */
import { renameSync, rmSync } from 'node:fs';
import { H5Error } from '../errors.js';
import { copyTree } from './copy.js';
import { tempName } from './durable.js';
import { H5File } from './file.js';
import { canDeleteLinks, deleteLinks } from './native.js';
import { absolute } from './paths.js';
import {
  type H5AddWrite,
  type H5Content,
  type H5Member,
  type H5Node,
  isEncoded,
  type StoredArray,
} from './tree.js';
import { writeContent } from './write-tree.js';

function plainNode(node: H5Node<StoredArray>, file: string, path: string): H5Node {
  if (node.kind === 'array' || node.kind === 'slab') {
    const { value } = node;
    if (isEncoded(value)) {
      throw new H5Error(
        `${file}:${path}: chunks compressed elsewhere need the native HDF5 addon.`,
        {
          file,
          dataset: path,
          expected: 'the native HDF5 addon',
          found: 'h5wasm only',
        },
      );
    }
    return { ...node, value };
  }
  if (node.kind === 'group') {
    return { ...node, members: plainMembers(node.members, file, `${path}/`) };
  }
  return node;
}

function plainMembers(
  members: readonly H5Member<StoredArray>[],
  file: string,
  base: string,
): H5Member[] {
  return members.map(({ name, node }) => ({ name, node: plainNode(node, file, `${base}${name}`) }));
}

/** The content with plain arrays only (h5wasm cannot store compressed chunks). */
function plainContent<C extends H5Content<StoredArray>>(content: C, file: string): H5Content {
  return { ...content, members: plainMembers(content.members, file, '/') };
}

/** Writes `content` into the new file `path` (created, or truncated). */
export function h5wasmCreate(path: string, content: H5Content<StoredArray>): void {
  const plain = plainContent(content, path);
  const out = H5File.open(path, 'w', { lock: false });
  try {
    writeContent(out, plain);
  } finally {
    out.close();
  }
}

/** Adds the members of `write` to its existing file, replacing the objects at their paths. */
export function h5wasmAdd(write: H5AddWrite<StoredArray>): void {
  const content = plainContent(write, write.file);
  const out = H5File.open(write.file, 'a', { lock: false });
  let replaced: string[];
  try {
    // A slab writes into what is there; anything else at a member's path is replaced.
    replaced = write.members
      .filter((m) => m.node.kind !== 'slab')
      .map((m) => absolute(m.name))
      .filter((p) => out.entry(p).kind !== 'missing');
    if (replaced.length === 0) writeContent(out, content);
  } finally {
    out.close();
  }
  if (replaced.length === 0) return;
  if (!canDeleteLinks()) {
    rewriteWithout(write.file, content, replaced);
    return;
  }
  // As h5py's del does: unlink the old objects (their space is not reclaimed), then write.
  deleteLinks(write.file, replaced);
  const again = H5File.open(write.file, 'a', { lock: false });
  try {
    writeContent(again, content);
  } finally {
    again.close();
  }
}

/** The file copied without the replaced objects, then written, then renamed over the old one. */
function rewriteWithout(file: string, content: H5Content, replaced: readonly string[]): void {
  const temp = tempName(file);
  const source = H5File.open(file, 'r', { lock: false });
  try {
    const out = H5File.open(temp, 'w', { lock: false });
    try {
      copyTree(source, out, '/', new Set(replaced));
      writeContent(out, content);
    } finally {
      out.close();
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  } finally {
    source.close();
  }
}
