import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileFormatError } from '../errors.js';
import { type NdArray, ndarray } from '../frames/ndarray.js';
import { readNpy } from '../npy/npy.js';
import { parsePyJson } from '../py/json.js';
import { isPyDict, type PyDict, PyTuple, type PyValue } from '../py/value.js';
import { toPositions } from '../scan/values.js';
import type { Plain } from './describe.js';

/**
 * How the case's loader behaves (`params.json` → `harness`). `class` is
 * `PtyScan` (the base corpus's own loader), `PtydScan`, or the name of a
 * registered source such as `Hdf5Loader` (the Hdf5Loader corpus).
 */
export interface Harness {
  class: string;
  weight2d: 'raw' | 'roi' | 'none';
  perFrameWeights: boolean;
  positions: 'load_positions' | 'load' | 'none';
}

/** One conformance case folder, read. */
export interface ConformanceCase {
  name: string;
  dir: string;
  /** PtyScan parameters (Python-typed). */
  params: PyDict;
  calls: number[];
  reveal: number[] | null;
  harness: Harness;
  frames: NdArray | null;
  positions: NdArray<'float64'> | null;
  weight2d: NdArray | null;
  weights: NdArray | null;
  expected: Expected;
}

/** The `expected/` folder of a case. */
export interface Expected {
  init: Record<string, Plain>;
  calls: Record<string, Plain>[];
  final: Record<string, Plain> | null;
  /** Reads `call_<i>_<kind>.npy`. */
  array(call: number, kind: 'data' | 'mask' | 'weights'): NdArray;
  dir: string;
}

/** Parameters (dotted paths) that ptypy receives as tuples when the JSON holds a list. */
const TUPLE_KEYS = new Set([
  'shape',
  'center',
  'orientation',
  'psize',
  'padding',
  'positions.bounding_box.slow_axis_bounds',
  'positions.bounding_box.fast_axis_bounds',
]);

/** Parameters ptypy receives as an int64 ndarray (as ptypy's own Hdf5Loader test passes them). */
const INT_ARRAY_KEYS = new Set(['frameorder.indices']);

/** A parameter value converted the way each corpus README says ptypy received it. */
function pythonValue(path: string, value: PyValue): PyValue {
  if (path === 'positions_theory' && value !== null) return toPositions(value, path);
  if (TUPLE_KEYS.has(path) && Array.isArray(value)) return new PyTuple(value);
  if (
    INT_ARRAY_KEYS.has(path) &&
    Array.isArray(value) &&
    value.every((v) => typeof v === 'bigint')
  ) {
    return ndarray('int64', [value.length], BigInt64Array.from(value as bigint[]));
  }
  if (isPyDict(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, pythonValue(`${path}.${k}`, v)]),
    );
  }
  return value;
}

function readJson(file: string): Record<string, Plain> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, Plain>;
}

function optionalNpy(file: string): NdArray | null {
  return existsSync(file) ? readNpy(file) : null;
}

/** True when `dir` looks like a case folder (params.json and expected/). */
export function isCaseDir(dir: string): boolean {
  return existsSync(join(dir, 'params.json')) && existsSync(join(dir, 'expected'));
}

/** Lists the case folders below `root`, sorted by name. */
export function listCases(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isCaseDir(join(root, d.name)))
    .map((d) => d.name)
    .sort();
}

function asNumbers(value: PyValue | undefined, file: string, key: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'bigint')) {
    throw new FileFormatError(`${file}: '${key}' must be a list of integers.`, {
      file,
      parameter: key,
      expected: 'a list of integers',
      found: typeof value,
    });
  }
  return value.map(Number);
}

/** Reads a case folder: parameters converted the way the corpus README says, raw inputs, expectations. */
export function readCase(dir: string, name: string): ConformanceCase {
  const file = join(dir, 'params.json');
  const raw = parsePyJson(readFileSync(file, 'utf8'), file);
  if (!isPyDict(raw)) {
    throw new FileFormatError(`${file}: expected a JSON object.`, {
      file,
      expected: 'an object',
      found: typeof raw,
    });
  }
  const params: PyDict = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'calls' || key === 'reveal' || key === 'harness') continue;
    params[key] = pythonValue(key, value);
  }
  const h = isPyDict(raw.harness) ? raw.harness : {};
  const harness: Harness = {
    class: typeof h.class === 'string' ? h.class : 'PtyScan',
    weight2d: h.weight2d === 'roi' ? 'roi' : h.weight2d === 'none' ? 'none' : 'raw',
    perFrameWeights: h.per_frame_weights === true,
    positions: h.positions === 'load' ? 'load' : h.positions === 'none' ? 'none' : 'load_positions',
  };
  const exp = join(dir, 'expected');
  const calls: Record<string, Plain>[] = [];
  for (let i = 0; existsSync(join(exp, `call_${i}.json`)); i++) {
    calls.push(readJson(join(exp, `call_${i}.json`)));
  }
  const positions = optionalNpy(join(dir, 'raw/positions.npy'));
  return {
    name,
    dir,
    params,
    calls: asNumbers(raw.calls, file, 'calls'),
    reveal:
      raw.reveal === undefined || raw.reveal === null
        ? null
        : asNumbers(raw.reveal, file, 'reveal'),
    harness,
    frames: optionalNpy(join(dir, 'raw/frames.npy')),
    positions: positions === null ? null : toPositions(positions, 'raw/positions.npy'),
    weight2d: optionalNpy(join(dir, 'raw/weight2d.npy')),
    weights: optionalNpy(join(dir, 'raw/weights.npy')),
    expected: {
      dir: exp,
      init: readJson(join(exp, 'init.json')),
      calls,
      final: existsSync(join(exp, 'final.json')) ? readJson(join(exp, 'final.json')) : null,
      array: (call, kind) => readNpy(join(exp, `call_${call}_${kind}.npy`)),
    },
  };
}

/** Frame `i` of an (N, H, W) stack as a 2-D array (a view). */
export function frameOf(stack: NdArray, i: number): NdArray {
  const [, h, w] = stack.shape as [number, number, number];
  const size = h * w;
  return ndarray(stack.dtype, [h, w], stack.data.subarray(i * size, (i + 1) * size));
}
