/**
 * `save: 'merge'`: written as in link mode while the scan runs (see
 * `live-master.ts`); at the end the master holds one chunk with every frame
 * in index order, and the chunk files are removed. The merged master is
 * written at a temp name a chunk file at a time (its frame stacks are
 * created at their final length and filled slab by slab) and then renamed
 * into place: memory does not grow with the length of the scan, and a
 * reader sees the live master or the merged one.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileFormatError, MissingDataError } from '../../errors.js';
import { formatShape, type NdArray } from '../../frames/ndarray.js';
import { applyWrite, fsyncPath, type H5Member, type H5Node, tempName } from '../../h5/index.js';
import { isNdArray, type PyDict, type PyValue } from '../../py/value.js';
import type { SaveStrategy } from '../../sink/types.js';
import { concatChunks } from '../concat.js';
import { openPtydReader, type PtydReader } from '../ptyd-reader.js';
import { LiveMaster } from './live-master.js';
import type { SaveModeOptions } from './options.js';

/** The keys of a chunk file that hold frames: streamed. */
const STACKS = ['data', 'weights'] as const;
/** Its other keys (see `chunkValue`): a few numbers a frame, joined whole. */
const SMALL = ['indices', 'positions'] as const;

function withReader<T>(file: string, f: (reader: PtydReader) => T): T {
  const reader = openPtydReader(file);
  try {
    return f(reader);
  } finally {
    reader.close();
  }
}

/** A frame stack of a chunk file, checked to join the first chunk's (as `concatChunks` checks). */
function readStack(
  reader: PtydReader,
  key: string,
  first: NdArray | undefined,
  dfile: string,
): NdArray {
  const value = reader.readValue(`/${key}`);
  if (!isNdArray(value)) {
    throw new FileFormatError(
      `${dfile}: cannot merge chunks: '${key}' of ${reader.file} is not an array.`,
      {
        file: reader.file,
        dataset: `/${key}`,
        expected: 'an array',
        found: typeof value,
      },
    );
  }
  const tail = formatShape(value.shape.slice(1));
  if (
    first !== undefined &&
    (first.dtype !== value.dtype || formatShape(first.shape.slice(1)) !== tail)
  ) {
    throw new FileFormatError(`${dfile}: cannot merge chunks: '${key}' differs between chunks.`, {
      file: reader.file,
      dataset: `/${key}`,
      expected: `${first.dtype} (n, ${first.shape.slice(1).join(', ')})`,
      found: `${value.dtype} ${formatShape(value.shape)}`,
    });
  }
  return value;
}

/** Rows of a stack in a chunk file, from its header (no data is read). */
function stackRows(reader: PtydReader, key: string): number {
  const entry = reader.entry(`/${key}`);
  return entry.kind === 'dataset' ? (entry.shape[0] ?? 0) : 0;
}

/** `node` with the arrays at the paths of `totals` created at their final length. */
function sized(node: H5Node, path: string, totals: ReadonlyMap<string, number>): H5Node {
  if (node.kind === 'group') {
    const members = node.members.map(
      (m): H5Member => ({ name: m.name, node: sized(m.node, `${path}/${m.name}`, totals) }),
    );
    return { ...node, members };
  }
  const fullRows = totals.get(path);
  if (node.kind !== 'array' || fullRows === undefined) return node;
  return { ...node, storage: { ...node.storage, fullRows } };
}

/** Replaces the chunk files by one chunk holding every frame in index order. */
function mergeChunkFiles(master: LiveMaster): void {
  const files = master.chunkFiles.map(({ file }) => {
    if (!existsSync(file)) {
      throw new MissingDataError(`${file}: chunk file missing while merging ${master.dfile}.`, {
        file,
        expected: 'every chunk file written during the scan',
        found: 'no such file',
      });
    }
    return file;
  });
  if (files.length === 0) master.writeMaster('complete', {}, []);
  else writeMerged(master, files);
  // The merged master is in place: nothing may write the live one again.
  master.finish();
  for (const file of files) rmSync(file, { force: true });
}

/** Writes the merged master at a temp name, a chunk file at a time, and renames it over the live one. */
function writeMerged(master: LiveMaster, files: readonly string[]): void {
  const { dfile } = master;
  const small: PyDict[] = [];
  const totals = new Map<string, number>();
  for (const file of files) {
    withReader(file, (reader) => {
      small.push(Object.fromEntries(SMALL.map((k) => [k, reader.readValue(`/${k}`)])));
      for (const key of STACKS) {
        const path = `/chunks/0/${key}`;
        totals.set(path, (totals.get(path) ?? 0) + stackRows(reader, key));
      }
    });
  }
  const joined = concatChunks(small, dfile);
  const tmp = tempName(dfile);
  const firsts = new Map<string, NdArray>();
  const offsets = new Map<string, number>();
  try {
    for (const [n, file] of files.entries()) {
      const stacks = withReader(file, (reader) =>
        STACKS.map((key) => [key, readStack(reader, key, firsts.get(key), dfile)] as const),
      );
      if (n === 0) {
        for (const [key, value] of stacks) firsts.set(key, value);
        const chunk: PyDict = { ...joined, ...Object.fromEntries(stacks) };
        const write = master.masterWrite('complete', { '0': chunk as PyValue }, []);
        const members = write.members.map(
          (m): H5Member => ({ name: m.name, node: sized(m.node, `/${m.name}`, totals) }),
        );
        applyWrite({ ...write, members, file: tmp, durable: false, lock: false });
      } else {
        const members = stacks.map(([key, value]): H5Member => {
          const offset = value.shape.map((_, i) => (i === 0 ? (offsets.get(key) ?? 0) : 0));
          return { name: `chunks/0/${key}`, node: { kind: 'slab', value, offset } };
        });
        applyWrite({ kind: 'add', file: tmp, members, parents: {}, attributes: {} });
      }
      for (const [key, value] of stacks) {
        offsets.set(key, (offsets.get(key) ?? 0) + (value.shape[0] ?? 0));
      }
    }
    fsyncPath(tmp);
    renameSync(tmp, dfile);
    fsyncPath(dirname(dfile));
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw cause;
  }
}

/** The merge save mode. */
export function mergeMode(options: SaveModeOptions): SaveStrategy {
  return new LiveMaster(options, mergeChunkFiles, true);
}
