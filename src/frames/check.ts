/**
 * Input guards shared by the frame kernels. Each turns a malformed argument
 * into a typed error that says what was expected and what was found.
 */
import { CenterError, FrameError, ParameterError } from '../errors.js';
import type { DType } from './dtype.js';
import { type FrameStack, formatShape } from './ndarray.js';

/** `[n, h, w]` of a frame stack, after checking it really is one. */
export function frameDims(stack: FrameStack<DType>, what = 'frames'): [number, number, number] {
  const { shape, data } = stack;
  if (shape.length !== 3) {
    throw new FrameError(
      `${what} must be a stack of frames (n, h, w), found shape ${formatShape(shape)}.`,
      {
        expected: '3 dimensions (n, h, w)',
        found: formatShape(shape),
      },
    );
  }
  const [n, h, w] = shape as [number, number, number];
  if (data.length !== n * h * w) {
    throw new FrameError(
      `${what} of shape ${formatShape(shape)} need ${n * h * w} elements, found ${data.length}.`,
      { expected: `${n * h * w} elements`, found: `${data.length}` },
    );
  }
  return [n, h, w];
}

/** A 2-element centre of finite numbers. */
export function checkCenter(center: readonly number[], what = 'center'): [number, number] {
  const [c0, c1] = center;
  if (center.length !== 2 || c0 === undefined || c1 === undefined) {
    throw new CenterError(`${what} must have 2 entries (row, column), found ${center.length}.`, {
      expected: '2 entries',
      found: `${center.length}`,
    });
  }
  if (!Number.isFinite(c0) || !Number.isFinite(c1)) {
    throw new CenterError(`${what} must be finite, found (${c0}, ${c1}).`, {
      expected: 'finite numbers',
      found: `(${c0}, ${c1})`,
    });
  }
  return [c0, c1];
}

/** A 2-element frame shape of positive integers. */
export function checkShape2(shape: readonly number[], parameter = 'shape'): [number, number] {
  const [a, b] = shape;
  const ok =
    shape.length === 2 &&
    a !== undefined &&
    b !== undefined &&
    Number.isInteger(a) &&
    Number.isInteger(b) &&
    a > 0 &&
    b > 0;
  if (!ok) {
    throw new ParameterError([
      {
        path: parameter,
        expected: 'two positive integers (rows, columns)',
        found: `[${shape.join(', ')}]`,
      },
    ]);
  }
  return [a as number, b as number];
}
