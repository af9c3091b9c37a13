/**
 * h5grove selections (`"3,:,:"`, `"0:10,5"`, `"::2"`) parsed and read with
 * bounded memory: the selection is read one index of the first axis at a
 * time, and a result larger than the response limit is refused.
 */
import { AccessError, ParameterError } from '../errors.js';
import type { DType } from '../frames/dtype.js';
import { itemSize } from '../frames/dtype.js';
import { type NdArray, ndarray, sizeOf } from '../frames/ndarray.js';
import type { H5File } from '../h5/index.js';

/** Largest response the server sends for one selection, in bytes. */
export const MAX_SELECTION_BYTES = 64 * 1024 * 1024;
/** Bytes read from the file at once. */
const READ_BYTES = 8 * 1024 * 1024;

/** One axis of a selection: an index (the axis is dropped) or a range with a step. */
export type AxisSelection =
  | { kind: 'index'; index: number }
  | { kind: 'range'; start: number; stop: number; step: number };

/** A selection larger than one response may carry. */
export class SelectionSizeError extends AccessError {
  override readonly name = 'SelectionSizeError';
}

function bad(text: string, why: string): ParameterError {
  return new ParameterError([
    {
      path: 'selection',
      expected: "comma-separated indices or ranges like '0,:,:' within the shape",
      found: `'${text}' (${why})`,
    },
  ]);
}

/** Parses `text` against `shape`; missing trailing axes are whole. */
export function parseSelection(text: string | null, shape: readonly number[]): AxisSelection[] {
  const parts = text === null || text === '' ? [] : text.split(',').map((p) => p.trim());
  if (parts.length > shape.length)
    throw bad(text ?? '', `more axes than the shape (${shape.join(' x ')})`);
  return shape.map((dim, axis) => {
    const part = parts[axis] ?? ':';
    if (/^-?\d+$/.test(part)) {
      let index = Number(part);
      if (index < 0) index += dim;
      if (index < 0 || index >= dim)
        throw bad(text ?? '', `index ${part} outside axis ${axis} of ${dim}`);
      return { kind: 'index', index };
    }
    const m = /^(-?\d*):(-?\d*)(?::(\d*))?$/.exec(part);
    if (!m) throw bad(text ?? '', `'${part}' is neither an index nor a range`);
    const clamp = (v: string, fallback: number): number => {
      if (v === '') return fallback;
      const n = Number(v);
      return Math.min(dim, Math.max(0, n < 0 ? n + dim : n));
    };
    const step = m[3] === undefined || m[3] === '' ? 1 : Number(m[3]);
    if (!(step >= 1)) throw bad(text ?? '', `step ${m[3]} is not a positive integer`);
    return { kind: 'range', start: clamp(m[1]!, 0), stop: clamp(m[2]!, dim), step };
  });
}

function axisValues(s: AxisSelection): number[] {
  if (s.kind === 'index') return [s.index];
  const out: number[] = [];
  for (let i = s.start; i < s.stop; i += s.step) out.push(i);
  return out;
}

/** Shape of the selected block (index axes dropped). */
export function selectedShape(selection: readonly AxisSelection[]): number[] {
  return selection.filter((s) => s.kind === 'range').map((s) => axisValues(s).length);
}

/**
 * Reads the selected block of the dataset `path` of `h5` (shape `shape`,
 * element `dtype`), one index of the first axis at a time.
 *
 * @throws AccessError when the result would exceed {@link MAX_SELECTION_BYTES}.
 */
export function readSelection(
  h5: H5File,
  path: string,
  shape: readonly number[],
  dtype: DType,
  selection: readonly AxisSelection[],
  maxBytes: number = MAX_SELECTION_BYTES,
): NdArray {
  const outShape = selectedShape(selection);
  const count = sizeOf(outShape);
  const bytes = count * itemSize(dtype);
  if (bytes > maxBytes) {
    throw new SelectionSizeError(
      `${path}: the selection is ${bytes} bytes, more than the ${maxBytes} one response may carry; select a slice (e.g. selection=0,:,:).`,
      {
        dataset: path,
        parameter: 'selection',
        expected: `at most ${maxBytes} bytes`,
        found: `${bytes} bytes`,
      },
    );
  }
  if (shape.length === 0) return h5.readDataset(path) as NdArray;
  const out = ndarray(dtype, outShape);
  const first = selection[0]!;
  const whole = selection
    .slice(1)
    .every(
      (s, i) => s.kind === 'range' && s.start === 0 && s.stop === shape[i + 1] && s.step === 1,
    );
  if (first.kind === 'range' && first.step === 1 && whole) {
    // Contiguous rows: read them a few MiB at a time.
    const rowElems = sizeOf(shape.slice(1));
    const piece = Math.max(1, Math.floor(READ_BYTES / Math.max(1, rowElems * itemSize(dtype))));
    const sink = out.data as unknown as {
      set(src: ArrayLike<number | bigint>, offset: number): void;
    };
    for (let row = first.start; row < first.stop; row += piece) {
      const n = Math.min(piece, first.stop - row);
      const part = h5.readDataset(path, { start: row, count: n }).data as ArrayLike<
        number | bigint
      >;
      sink.set(part, (row - first.start) * rowElems);
    }
    return out;
  }
  const target = out.data as unknown as { [i: number]: number | bigint };
  const axes = selection.map(axisValues);
  const rest = axes.slice(1);
  const restShape = shape.slice(1);
  const strides = restShape.map((_, i) => sizeOf(restShape.slice(i + 1)));
  let at = 0;
  for (const row of axes[0]!) {
    const block = h5.readBlock(path, [row], [1]).data as ArrayLike<number | bigint>;
    // Walk the remaining axes as an odometer.
    const pos = rest.map(() => 0);
    const total = rest.reduce((n, a) => n * a.length, 1);
    for (let k = 0; k < total; k++) {
      let offset = 0;
      for (let d = 0; d < rest.length; d++) offset += rest[d]![pos[d]!]! * strides[d]!;
      target[at++] = block[offset]!;
      for (let d = rest.length - 1; d >= 0; d--) {
        pos[d] = pos[d]! + 1;
        if (pos[d]! < rest[d]!.length) break;
        pos[d] = 0;
      }
    }
  }
  return out;
}
