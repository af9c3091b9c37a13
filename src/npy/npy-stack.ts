import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FileFormatError, FrameError } from '../errors.js';
import { type AnyTypedArray, type DType, itemSize, TYPED_ARRAY } from '../frames/dtype.js';
import { type FrameStack, formatShape, ndarray, sameShape, sizeOf } from '../frames/ndarray.js';
import { adviseLargeMemory } from '../native/memory.js';
import { type NpyHeader, parseNpyHeader, readNpy } from './npy.js';

/** Enough for any header numpy writes for a 2-D array (they are padded to 64 or 128 bytes). */
const HEADER_PROBE = 4096;

function openFrame(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (cause) {
    throw new FileFormatError(`${file}: cannot read the NPY file (${(cause as Error).message}).`, {
      file,
      cause,
    });
  }
  // A directory opens on Linux, and only the read fails, with a bare "EISDIR".
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new FileFormatError(
      `${file}: not a regular file (a directory or device), not an NPY frame.`,
      {
        file,
        expected: 'an NPY file',
        found: 'a directory or device',
      },
    );
  }
  return fd;
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

/** Rows `[start, end)` of each frame. */
export interface FrameRows {
  start: number;
  end: number;
}

/**
 * Reads rows `rows` of the frame in `file` into `bytes` at frame slot
 * `slot`, checking it against `first` (the header of the stack's first frame).
 */
function readFrameInto(
  file: string,
  frame: number | undefined,
  first: NpyHeader,
  bytes: Uint8Array,
  slot: number,
  rows: FrameRows,
  probe: Uint8Array = new Uint8Array(HEADER_PROBE),
): void {
  const rowBytes = first.shape[1]! * itemSize(first.dtype);
  const frameBytes = (rows.end - rows.start) * rowBytes;
  const fd = openFrame(file);
  try {
    const got = readSync(fd, probe, 0, probe.byteLength, 0);
    const header = parseNpyHeader(probe.subarray(0, got), file);
    checkFrame(file, frame, header, first);
    if (header.bigEndian || header.fortranOrder) {
      const data = readNpy(file).data;
      const all = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      bytes.set(all.subarray(rows.start * rowBytes, rows.end * rowBytes), slot * frameBytes);
    } else if (
      !readFully(
        fd,
        bytes,
        slot * frameBytes,
        frameBytes,
        header.dataOffset + rows.start * rowBytes,
      )
    ) {
      const announced = first.shape[0]! * rowBytes;
      throw new FileFormatError(
        `${file}: NPY data is truncated: the header announces ${announced} bytes of data.`,
        { file, frame, expected: `${announced} data bytes`, found: 'fewer' },
      );
    }
  } finally {
    closeSync(fd);
  }
}

/** The header of one NPY frame file, checked to hold a 2-D frame. */
function readFrameHeader(file: string, frame: number | undefined): NpyHeader {
  const probe = new Uint8Array(HEADER_PROBE);
  const fd = openFrame(file);
  try {
    const got = readSync(fd, probe, 0, HEADER_PROBE, 0);
    const header = parseNpyHeader(probe.subarray(0, got), file);
    checkFrame(file, frame, header, null);
    return header;
  } finally {
    closeSync(fd);
  }
}

/**
 * The shape of the 2-D frame in an NPY file, from its header alone; null
 * when the file is missing, unreadable or not a 2-D frame (reading it will
 * say what is wrong).
 */
export function npyFrameShape(file: string): [number, number] | null {
  try {
    const { shape } = readFrameHeader(file, undefined);
    return [shape[0]!, shape[1]!];
  } catch {
    return null;
  }
}

/** Frames `from..to` of a stack's `files`, to be read into `bytes` (the whole stack's memory). */
export interface FrameRange {
  files: readonly string[];
  /** Frame index of each file, for errors. */
  indices: readonly number[] | undefined;
  /** Header of the stack's first frame. */
  first: NpyHeader;
  /** The rows of each frame read (default: all). */
  rows?: FrameRows;
  bytes: Uint8Array;
  from: number;
  to: number;
  /**
   * Shared by the threads reading one stack: `[next, done...]`. Each thread
   * takes the next unread frame (`from + next`, counted up atomically), so a
   * thread that starts late or runs on a busy core simply reads fewer; the
   * frame's `done` flag is set once it is in memory.
   */
  claims?: Int32Array;
}

/** Reads the frames of `range` (with claims: those this thread takes); returns how many it read. */
export function readFramesInto(range: FrameRange): number {
  const { files, indices, first, bytes, from, to, claims } = range;
  const rows = range.rows ?? { start: 0, end: first.shape[0]! };
  const probe = new Uint8Array(HEADER_PROBE);
  let sequential = from;
  const next = () => (claims === undefined ? sequential++ : from + Atomics.add(claims, 0, 1));
  let read = 0;
  for (let k = next(); k < to; k = next()) {
    readFrameInto(files[k]!, indices?.[k], first, bytes, k, rows, probe);
    if (claims !== undefined) Atomics.store(claims, 1 + k - from, 1);
    read++;
  }
  return read;
}

/** Reads the frames of `range` whose claims are not marked done (a reading thread was lost). */
function readUnfinished(range: FrameRange & { claims: Int32Array }): void {
  const probe = new Uint8Array(HEADER_PROBE);
  const rows = range.rows ?? { start: 0, end: range.first.shape[0]! };
  for (let k = range.from; k < range.to; k++) {
    if (Atomics.load(range.claims, 1 + k - range.from) === 1) continue;
    readFrameInto(range.files[k]!, range.indices?.[k], range.first, range.bytes, k, rows, probe);
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
 * some machines first-touching fresh memory costs more than reading the
 * files). With a `helper`, a second thread reads frames at the same time,
 * taking them one by one with this thread (the stack is then shared memory).
 */
export function readNpyStack(
  files: readonly string[],
  indices?: readonly number[],
  reuse?: FrameStack | null,
  helper?: StackReader | null,
  window?: FrameRows | null,
): FrameStack {
  return readNpyRows(files, indices, reuse, helper, window).stack;
}

/**
 * {@link readNpyStack} of rows `window` of each frame (whole frames when
 * the window is absent or does not fit them): the stack, and which rows of
 * frames how high it holds.
 */
export function readNpyRows(
  files: readonly string[],
  indices?: readonly number[],
  reuse?: FrameStack | null,
  helper?: StackReader | null,
  window?: FrameRows | null,
): { stack: FrameStack; rows: FrameRows & { frameRows: number } } {
  if (files.length === 0) {
    throw new FrameError('readNpyStack needs at least one file.', {
      expected: 'one or more frame files',
      found: 'none',
    });
  }
  const first = readFrameHeader(files[0]!, indices?.[0]);
  const frameRows = first.shape[0]!;
  const fits =
    window !== null &&
    window !== undefined &&
    Number.isInteger(window.start) &&
    Number.isInteger(window.end) &&
    window.start >= 0 &&
    window.end <= frameRows &&
    window.start < window.end;
  const rows = fits ? { start: window.start, end: window.end } : { start: 0, end: frameRows };
  const stack = readRows(files, indices, reuse, helper, first, rows);
  return { stack, rows: { ...rows, frameRows } };
}

function readRows(
  files: readonly string[],
  indices: readonly number[] | undefined,
  reuse: FrameStack | null | undefined,
  helper: StackReader | null | undefined,
  first: NpyHeader,
  rows: FrameRows,
): FrameStack {
  const shape = [files.length, rows.end - rows.start, first.shape[1]!];
  const split = helper?.worthIt(files.length, sizeOf(shape) * itemSize(first.dtype)) === true;
  // The memory of the last stack, when it is large enough (a window of rows needs less).
  const reusable =
    reuse &&
    reuse.dtype === first.dtype &&
    reuse.data.length >= sizeOf(shape) &&
    (!split || reuse.data.buffer instanceof SharedArrayBuffer);
  const stack = reusable
    ? sameShape(reuse.shape, shape)
      ? reuse
      : ndarray(first.dtype, shape, reuse.data.subarray(0, sizeOf(shape)) as never)
    : split
      ? sharedArray(first.dtype, shape)
      : ndarray(first.dtype, shape);
  const bytes = new Uint8Array(stack.data.buffer, stack.data.byteOffset, stack.data.byteLength);
  if (!split || helper === null || helper === undefined) {
    readFramesInto({ files, indices, first, rows, bytes, from: 0, to: files.length });
    return stack;
  }
  const claims = new Int32Array(new SharedArrayBuffer(4 * (files.length + 1)));
  const range = { files, indices, first, rows, bytes, from: 0, to: files.length, claims };
  helper.readInBackground(range);
  let failure: unknown = null;
  let mine = 0;
  try {
    mine = readFramesInto(range);
  } catch (error) {
    failure = error;
  }
  // Frames the helper took are written into memory the next call reuses: wait
  // for them. When this thread read every frame, the helper has none.
  const outcome = helper.wait(mine < files.length);
  if (failure !== null) throw failure;
  if (outcome === 'lost') {
    readUnfinished(range);
  } else if (outcome !== null) {
    throw outcome;
  }
  return stack;
}

/** A second thread reading frames (see read-helper.ts). */
export interface StackReader {
  /** Whether splitting `frames` frames of `bytes` in all is worth a thread hand-off. */
  worthIt(frames: number, bytes: number): boolean;
  /** Starts taking frames of `range` (through its claims) on the other thread. */
  readInBackground(range: FrameRange & { claims: Int32Array }): void;
  /**
   * With `needed`, blocks until the background read is done; without, only
   * collects what has already ended. Returns the error of a frame it could
   * not read, or `'lost'` when its thread failed (the caller then reads the
   * frames not marked done).
   */
  wait(needed: boolean): Error | null | 'lost';
}

function sharedArray(dtype: DType, shape: readonly number[]): FrameStack {
  const length = sizeOf(shape);
  const Ctor = TYPED_ARRAY[dtype] as new (buffer: SharedArrayBuffer) => AnyTypedArray;
  const data = new Ctor(new SharedArrayBuffer(length * itemSize(dtype)));
  adviseLargeMemory(data);
  return ndarray(dtype, shape, data);
}
