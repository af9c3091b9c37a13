import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { H5File } from '../h5/index.js';
import type { PyDict } from '../py/value.js';
import { type H5WriteOptions, h5write } from './h5rw.js';

let tempCounter = 0;

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `value` as a complete h5rw file next to `file`, lets `stamp` add
 * root attributes, forces it to disk, then renames it over `file` (and
 * syncs the folder). A reader sees the old file or the new one; after a
 * crash, a file at its final name is complete. Relative link targets resolve
 * the same from the temp name, which lives in the same folder.
 */
export function writeDurably(
  file: string,
  value: PyDict,
  options: H5WriteOptions,
  stamp: (out: H5File) => void,
): void {
  tempCounter += 1;
  const temp = `${file}.tmp-${process.pid}-w${tempCounter}`;
  try {
    h5write(temp, value, options);
    const out = H5File.open(temp, 'a', { lock: false });
    try {
      stamp(out);
    } finally {
      out.close();
    }
    fsyncPath(temp);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncPath(dirname(file));
}
