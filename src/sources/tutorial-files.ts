import { readFileSync } from 'node:fs';
import { FileFormatError } from '../errors.js';
import { type NdArray, ndarray } from '../frames/ndarray.js';
import type { PyValue } from '../py/value.js';

/** One line of `positions.txt`: the frame file and its `[y, x]` position in metres. */
export interface PositionLine {
  file: string;
  y: number;
  x: number;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new FileFormatError(`${file}: cannot read the ${what} (${(cause as Error).message}).`, {
      file,
      cause,
    });
  }
}

const GEOMETRY_KEYS = new Set(['distance', 'energy', 'psize', 'shape']);

/**
 * Reads the tutorial's `geometry.txt`: lines `distance 7.19`, `energy 7.2`,
 * `psize 0.000172`, `shape 128`. Integer literals stay Python ints.
 */
export function readGeometry(file: string): Record<string, PyValue> {
  const out: Record<string, PyValue> = {};
  readText(file, 'geometry file')
    .split('\n')
    .forEach((line, i) => {
      const text = line.trim();
      if (text === '' || text.startsWith('#')) return;
      const [key, value, ...rest] = text.split(/\s+/);
      const number = Number(value);
      if (key === undefined || value === undefined || rest.length > 0 || !Number.isFinite(number)) {
        throw new FileFormatError(
          `${file}:${i + 1}: expected '<name> <number>', found '${text}'.`,
          {
            file,
            expected: '<name> <number>',
            found: text,
          },
        );
      }
      if (!GEOMETRY_KEYS.has(key)) {
        throw new FileFormatError(`${file}:${i + 1}: unknown geometry entry '${key}'.`, {
          file,
          expected: [...GEOMETRY_KEYS].join(', '),
          found: key,
        });
      }
      out[key] = /^-?\d+$/.test(value) ? BigInt(value) : number;
    });
  return out;
}

/**
 * Reads the tutorial's `positions.txt`: one `ccd/diffraction_0000.npy <y> <x>`
 * line per frame. In a live scan (`live`) a writer may still be appending,
 * so a last line without its newline is left for later; otherwise it counts.
 */
export function readPositionLines(file: string, live = false): PositionLine[] {
  const lines: PositionLine[] = [];
  const text = readText(file, 'positions file');
  const complete = !live || text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  complete.split('\n').forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const parts = t.split(/\s+/);
    const y = Number(parts[1]);
    const x = Number(parts[2]);
    if (parts.length !== 3 || !Number.isFinite(y) || !Number.isFinite(x)) {
      throw new FileFormatError(
        `${file}:${i + 1}: expected '<frame file> <y> <x>', found '${t}'.`,
        {
          file,
          expected: '<frame file> <y> <x>',
          found: t,
        },
      );
    }
    lines.push({ file: parts[0]!, y, x });
  });
  return lines;
}

/** Positions as an (N, 2) float64 array. */
export function positionsArray(lines: readonly PositionLine[]): NdArray<'float64'> {
  const data = new Float64Array(lines.length * 2);
  lines.forEach((p, i) => {
    data[2 * i] = p.y;
    data[2 * i + 1] = p.x;
  });
  return ndarray('float64', [lines.length, 2], data);
}
