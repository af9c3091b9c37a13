/**
 * Whether an HDF5 file another process may still be writing is complete, as
 * far as the file itself can tell: its superblock records where the file
 * ends (written when the file is closed or flushed) and, in the HDF5 1.10
 * format, whether a writer has it open. A file that is growing past its
 * recorded end, or still marked open, is not complete. Reads no more than
 * the first superblock; needs no HDF5 engine.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

/** What the superblock of a file says about its writer. */
export type WriteState =
  | { readonly kind: 'complete' }
  | { readonly kind: 'missing' }
  /** The file is being written (or its writer died): `why` says what shows it. */
  | { readonly kind: 'writing'; readonly why: string }
  | { readonly kind: 'not-hdf5' };

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function littleEndian(bytes: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + (bytes[at + i] ?? 0);
  return v;
}

/**
 * The write state of `file`: `complete` when its superblock's end of file
 * is where the file ends and no writer has it marked open (HDF5 1.10
 * format: the write and SWMR-write flags).
 */
export function writeState(file: string): WriteState {
  if (!existsSync(file)) return { kind: 'missing' };
  if (!statSync(file).isFile()) return { kind: 'not-hdf5' };
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(128);
    // The superblock is at 0, 512, 1024, ... (after a user block).
    for (let at = 0; at + 48 <= size; at = at === 0 ? 512 : at * 2) {
      const n = readSync(fd, head, 0, head.length, at);
      if (n < 48 || !SIGNATURE.every((b, i) => head[i] === b)) continue;
      const version = head[8] ?? 0;
      const offsets = version <= 1 ? (head[13] ?? 8) : (head[9] ?? 8);
      let base: number;
      let end: number;
      if (version <= 1) {
        const first = 24 + (version === 1 ? 4 : 0);
        base = littleEndian(head, first, offsets);
        end = littleEndian(head, first + 2 * offsets, offsets);
      } else {
        const flags = head[11] ?? 0;
        // Version 3: bit 0 open for writing, bit 2 open for SWMR writing.
        if (version >= 3 && (flags & 0b101) !== 0) {
          return {
            kind: 'writing',
            why: (flags & 0b100) !== 0 ? 'a SWMR writer has it open' : 'a writer has it open',
          };
        }
        base = littleEndian(head, 12, offsets);
        end = littleEndian(head, 12 + 2 * offsets, offsets);
      }
      if (base + end !== size) {
        return {
          kind: 'writing',
          why: `its superblock ends it at byte ${base + end}, but it holds ${size} bytes`,
        };
      }
      return { kind: 'complete' };
    }
    return { kind: 'not-hdf5' };
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether a process holds HDF5's lock on `file` (HDF5 1.10 and newer lock a
 * file for as long as a writer has it open, with flock): asked of util-linux's
 * `flock`, so it needs no HDF5 engine. Null when that cannot be asked.
 */
export function lockedByWriter(file: string): boolean | null {
  const probe = spawnSync('flock', ['--nonblock', '--shared', file, 'true'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status === null) return null;
  return probe.status !== 0;
}
