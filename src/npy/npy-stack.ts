import { closeSync, openSync, readSync } from 'node:fs';
import { FileFormatError, FrameError } from '../errors.js';
import { itemSize } from '../frames/dtype.js';
import { type FrameStack, formatShape, ndarray, sameShape } from '../frames/ndarray.js';
import { type NpyHeader, parseNpyHeader, readNpy } from './npy.js';

/** Enough for any header numpy writes for a 2-D array (they are padded to 64 or 128 bytes). */
const HEADER_PROBE = 4096;

function openFrame(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (cause) {
    throw new FileFormatError(`${file}: cannot read the NPY file (${(cause as Error).message}).`, {
      file,
      cause,
    });
  }
}

/** Reads exactly `length` bytes at `position` into `target` from `offset`; false when the file is shorter. */
function readFully(
  fd: number,
  target: Uint8Array,
  offset: number,
  length: number,
  position: number,
): boolean {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, target, offset + done, length - done, position + done);
    if (n === 0) return false;
    done += n;
  }
  return true;
}

function checkFrame(
  file: string,
  frame: number | undefined,
  header: NpyHeader,
  first: NpyHeader | null,
): void {
  if (header.shape.length !== 2) {
    throw new FileFormatError(
      `${file}: a frame file must hold one 2-D frame, found shape ${formatShape(header.shape)}.`,
      { file, frame, expected: '(h, w)', found: formatShape(header.shape) },
    );
  }
  if (first !== null && (!sameShape(header.shape, first.shape) || header.dtype !== first.dtype)) {
    throw new FrameError(
      `${file}: frame of shape ${formatShape(header.shape)} ${header.dtype}, but the first frame of the same chunk is ${formatShape(first.shape)} ${first.dtype}.`,
      {
        file,
        frame,
        expected: `${formatShape(first.shape)} ${first.dtype}`,
        found: `${formatShape(header.shape)} ${header.dtype}`,
      },
    );
  }
}

/**
 * Reads one 2-D frame per NPY file into a new `(n, h, w)` stack, in the
 * order of `files`. Little-endian C-order frames (what detectors and numpy
 * write) are read straight into the stack: no per-frame buffer, no copy.
 * Other layouts are decoded by {@link readNpy} and copied in. Every frame
 * must have the first frame's shape and dtype; `indices` (the frame index of
 * each file) only name the frame in errors. When `reuse` has the resulting
 * dtype and shape, the frames are read into it instead of new memory (on
 * some machines first-touching fresh memory costs more than reading the files).
 */
export function readNpyStack(
  files: readonly string[],
  indices?: readonly number[],
  reuse?: FrameStack | null,
): FrameStack {
  if (files.length === 0) {
    throw new FrameError('readNpyStack needs at least one file.', {
      expected: 'one or more frame files',
      found: 'none',
    });
  }
  const probe = new Uint8Array(HEADER_PROBE);
  let first: NpyHeader | null = null;
  let stack: FrameStack | null = null;
  let bytes: Uint8Array | null = null;
  let frameBytes = 0;
  for (const [k, file] of files.entries()) {
    const fd = openFrame(file);
    try {
      const got = readSync(fd, probe, 0, HEADER_PROBE, 0);
      const header = parseNpyHeader(probe.subarray(0, got), file);
      checkFrame(file, indices?.[k], header, first);
      if (stack === null || bytes === null) {
        first = header;
        const shape = [files.length, header.shape[0]!, header.shape[1]!];
        stack =
          reuse && reuse.dtype === header.dtype && sameShape(reuse.shape, shape)
            ? reuse
            : ndarray(header.dtype, shape);
        bytes = new Uint8Array(stack.data.buffer, stack.data.byteOffset, stack.data.byteLength);
        frameBytes = header.shape[0]! * header.shape[1]! * itemSize(header.dtype);
      }
      if (header.bigEndian || header.fortranOrder) {
        const frame = readNpy(file).data;
        bytes.set(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength), k * frameBytes);
      } else if (!readFully(fd, bytes, k * frameBytes, frameBytes, header.dataOffset)) {
        throw new FileFormatError(
          `${file}: NPY data is truncated: the header announces ${frameBytes} bytes of data.`,
          { file, frame: indices?.[k], expected: `${frameBytes} data bytes`, found: 'fewer' },
        );
      }
    } finally {
      closeSync(fd);
    }
  }
  return stack!;
}
