/** Temp names next to a file, and forcing files and folders to disk (no HDF5 here). */
import { closeSync, fsyncSync, openSync } from 'node:fs';

let tempCounter = 0;

/** A fresh name next to `file` for writing it before the rename (`<file>.tmp-<pid>-<n>`). */
export function tempName(file: string): string {
  tempCounter += 1;
  return `${file}.tmp-${process.pid}-${tempCounter}`;
}

/** Forces a file (or a folder's entries) to disk. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
