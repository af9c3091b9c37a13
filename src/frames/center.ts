import { ParameterError } from '../errors.js';
import { checkShape2 } from './check.js';

/** ptypy's named centres: where the optical axis sits on the raw detector frame. */
export type CenterName = 'fftshift' | 'geometric' | 'fft';

const CENTER_NAMES: readonly CenterName[] = ['fftshift', 'geometric', 'fft'];

/** True for the strings ptypy accepts as a named centre. */
export function isCenterName(value: unknown): value is CenterName {
  return typeof value === 'string' && (CENTER_NAMES as readonly string[]).includes(value);
}

/**
 * Pixel coordinates (row, column) of a named centre on a raw frame of shape
 * `rawShape`: `'fftshift'` -> `floor(dsh / 2)`, `'geometric'` -> `dsh / 2 - 0.5`,
 * `'fft'` -> `(0, 0)`. ptypy evaluates these on the raw shape, before cropping.
 *
 * @example
 * translateToPix([40, 56], 'geometric'); // [19.5, 27.5]
 */
export function translateToPix(
  rawShape: readonly [number, number],
  center: CenterName,
): [number, number] {
  const [h, w] = checkShape2(rawShape, 'raw frame shape');
  switch (center) {
    case 'fftshift':
      return [Math.floor(h / 2), Math.floor(w / 2)];
    case 'geometric':
      return [h / 2 - 0.5, w / 2 - 0.5];
    case 'fft':
      return [0, 0];
    default:
      throw new ParameterError([
        {
          path: 'center',
          expected: `one of ${CENTER_NAMES.map((c) => `'${c}'`).join(', ')} or a pair of numbers`,
          found: `'${String(center)}'`,
        },
      ]);
  }
}
