import { FileFormatError } from '../../errors.js';
import type { DType } from '../../frames/dtype.js';
import { type FrameStack, type NdArray, ndarray, sizeOf } from '../../frames/ndarray.js';
import { h5ready } from '../../h5/index.js';
import { renderPreviews } from '../../preview/index.js';
import { openPtydReader, type PtydReader } from '../../ptyd/index.js';
import { isNdArray, isPyDict } from '../../py/value.js';
import { type CliEffects, type Command, parseCommandArgs, UsageError } from '../command.js';
import { singlePositional } from './options.js';

/** What `preview` takes from a `.ptyd` file. */
interface PtydContent {
  frames: FrameStack;
  masks: FrameStack<'bool'> | null;
  positions: NdArray<'float64'> | null;
  center: [number, number] | null;
}

/**
 * `ptyscan preview <file.ptyd> --out <dir>`: PNGs of the summed frames (log
 * scale, centre and masked pixels marked), a few single frames, and the scan
 * positions.
 */
export const previewCommand: Command = {
  name: 'preview',
  summary: 'Write PNG previews of a .ptyd file: summed pattern, single frames, scan positions',
  usage: [
    'ptyscan preview <file.ptyd> --out <dir> [--frames 0,5,9]',
    '',
    'Writes sum.png (log scale, centre cross, masked pixels in red), frame_NNNN.png',
    'for the chosen frames (default: first, middle, last) and positions.png.',
  ].join('\n'),
  async run(args: readonly string[], effects: CliEffects): Promise<number> {
    const { values, positionals } = parseCommandArgs('preview', args, {
      out: { type: 'string', short: 'o' },
      frames: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    });
    const file = singlePositional('preview', positionals, '<file.ptyd>');
    if (typeof values.out !== 'string') throw new UsageError('preview', 'missing --out <dir>');
    const frameIndices = typeof values.frames === 'string' ? indexList(values.frames) : undefined;
    await h5ready();
    const reader = openPtydReader(file);
    let content: PtydContent;
    try {
      content = readContent(reader);
    } finally {
      reader.close();
    }
    const count = content.frames.shape[0] ?? 0;
    const outside = (frameIndices ?? []).filter((i) => i >= count);
    if (outside.length > 0) {
      throw new UsageError(
        'preview',
        `--frames ${String(values.frames)}: ${file} has ${count} frame${count === 1 ? '' : 's'} (0-${count - 1}), so ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not in it`,
      );
    }
    const written = renderPreviews(
      {
        frames: content.frames,
        ...(content.masks ? { masks: content.masks } : {}),
        positions: content.positions,
        ...(content.center ? { center: content.center } : {}),
      },
      values.out,
      frameIndices === undefined ? {} : { frameIndices },
    );
    effects.stdout(`${written.join('\n')}\n`);
    return 0;
  },
};

function indexList(text: string): number[] {
  const items = text.split(',').map((t) => t.trim());
  const bad = items.filter((t) => !/^\d+$/.test(t));
  if (bad.length > 0 || items.length === 0) {
    throw new UsageError('preview', `--frames expects frame indices like 0,5,9, found '${text}'`);
  }
  return items.map(Number);
}

/** Every complete chunk's frames, masks (weights > 0) and positions, in chunk order. */
function readContent(reader: PtydReader): PtydContent {
  const chunks = reader.listChunks().filter((c) => !c.dead && c.datasets.includes('data'));
  if (chunks.length === 0) {
    throw new FileFormatError(`${reader.file}: no chunk with data to preview.`, {
      file: reader.file,
      dataset: '/chunks',
      expected: 'at least one chunk with a data dataset',
      found: 'none',
    });
  }
  const data = chunks.map((c) => reader.readDataset(`${c.path}/data`));
  const frames = concat(data, reader.file);
  const [, h = 0, w = 0] = frames.shape;
  const weights = chunks.every((c) => c.datasets.includes('weights'))
    ? chunks.map((c) => reader.readDataset(`${c.path}/weights`))
    : null;
  let masks: FrameStack<'bool'> | null = null;
  if (weights !== null) {
    const all = concat(weights, reader.file);
    const mask = new Uint8Array(sizeOf(all.shape));
    const values = all.data as ArrayLike<number | bigint>;
    for (let i = 0; i < mask.length; i++) mask[i] = Number(values[i]) > 0 ? 1 : 0;
    masks = ndarray('bool', [all.shape[0] ?? 0, h, w], mask);
  }
  const positions = chunks.every((c) => c.datasets.includes('positions'))
    ? chunks.map((c) => reader.readDataset(`${c.path}/positions`))
    : null;
  return {
    frames,
    masks,
    positions: positions?.every((p) => p.shape.length === 2 && p.shape[1] === 2)
      ? (toFloat64(concat(positions, reader.file)) as NdArray<'float64'>)
      : null,
    center: metaCenter(reader),
  };
}

/** Stacks arrays along their first axis; they must agree in the other axes. */
function concat(parts: readonly NdArray[], file: string): NdArray {
  const first = parts[0]!;
  const tail = first.shape.slice(1);
  const rows = parts.reduce((n, p) => n + (p.shape[0] ?? 0), 0);
  const dtype: DType = parts.every((p) => p.dtype === first.dtype) ? first.dtype : 'float64';
  const out = ndarray(dtype, [rows, ...tail]);
  const target = out.data as { set(src: ArrayLike<number | bigint>, offset: number): void };
  let offset = 0;
  for (const p of parts) {
    if (p.shape.slice(1).join() !== tail.join()) {
      throw new FileFormatError(`${file}: chunks hold frames of different shapes.`, {
        file,
        expected: `(n, ${tail.join(', ')})`,
        found: `(${p.shape.join(', ')})`,
      });
    }
    const source = p.data as ArrayLike<number | bigint>;
    target.set(dtype === p.dtype ? source : Array.from(source, Number), offset);
    offset += source.length;
  }
  return out;
}

function toFloat64(array: NdArray): NdArray {
  if (array.dtype === 'float64') return array;
  return ndarray(
    'float64',
    array.shape,
    Float64Array.from(array.data as ArrayLike<number>, Number),
  );
}

/** `meta.center` when the file has one: the centre on the prepared frames. */
function metaCenter(reader: PtydReader): [number, number] | null {
  if (reader.entry('/meta').kind === 'missing') return null;
  const meta = reader.readValue('/meta');
  const center = isPyDict(meta) ? meta.center : undefined;
  if (!isNdArray(center) || sizeOf(center.shape) !== 2) return null;
  const [y, x] = Array.from(center.data as ArrayLike<number | bigint>, Number);
  return [y!, x!];
}
