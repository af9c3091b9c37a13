/**
 * How values travel between ranks: a JSON header describing the value, with
 * every typed array moved out of the JSON into an 8-byte aligned binary block
 * after it, so frames are copied once and decoded as views without parsing.
 *
 * Layout: `u32 headerBytes | u32 0 | header JSON | pad | block | pad | block ...`,
 * total length a multiple of 8 so that encoded values can be concatenated
 * (gatherv) and still decode as aligned views.
 */
import { ParallelError } from '../errors.js';
import { type AnyTypedArray, TYPED_ARRAY } from '../frames/dtype.js';
import { PyTuple, type PyValue } from '../py/value.js';

/** Constructor of one of the typed arrays ptyscan moves between ranks. */
export type TypedArrayConstructor = (typeof TYPED_ARRAY)[keyof typeof TYPED_ARRAY];

const ARRAY_TYPES: ReadonlyMap<string, TypedArrayConstructor> = new Map(
  Object.values(TYPED_ARRAY).map((ctor) => [ctor.name, ctor]),
);

/** The typed array names in a fixed order, so a type travels as a small number. */
export const ARRAY_TYPE_NAMES: readonly string[] = [...ARRAY_TYPES.keys()];

/** Tag key of JSON nodes that stand for something JSON cannot say. */
const TAG = '$wire';

type Node = null | boolean | number | string | Node[] | { [key: string]: Node };

/** Name of the standard typed array class behind `value` (Buffer counts as Uint8Array). */
function typedArrayName(value: unknown): string | null {
  if (!ArrayBuffer.isView(value)) return null;
  for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && ARRAY_TYPES.has(name)) return name;
  }
  return null;
}

/** {@link typedArrayName}, throwing ParallelError for anything that is not a supported typed array. */
export function requireTypedArrayName(value: unknown, what: string): string {
  const name = typedArrayName(value);
  if (name === null) {
    throw new ParallelError(`${what} must be a typed array, found ${describe(value)}.`, {
      expected: ARRAY_TYPE_NAMES.join(', '),
      found: describe(value),
    });
  }
  return name;
}

/** The constructor for a typed array name from {@link typedArrayName}. */
export function typedArrayConstructor(name: string): TypedArrayConstructor {
  const ctor = ARRAY_TYPES.get(name);
  if (ctor === undefined) {
    throw new ParallelError(`Unknown typed array type '${name}' in a message from another rank.`, {
      expected: ARRAY_TYPE_NAMES.join(', '),
      found: name,
    });
  }
  return ctor;
}

/** The bytes of a typed array, without copying. */
export function bytesOf(array: AnyTypedArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** A typed array of type `name` over `bytes`: a view when aligned, else a copy. */
export function arrayFromBytes(name: string, bytes: Uint8Array): AnyTypedArray {
  const ctor = typedArrayConstructor(name);
  const width = ctor.BYTES_PER_ELEMENT;
  if (bytes.byteLength % width !== 0) {
    throw new ParallelError(
      `Received ${bytes.byteLength} bytes, not a whole number of ${name} elements.`,
      { expected: `a multiple of ${width} bytes`, found: `${bytes.byteLength} bytes` },
    );
  }
  const aligned = bytes.byteOffset % width === 0 ? bytes : bytes.slice();
  return new ctor(aligned.buffer, aligned.byteOffset, aligned.byteLength / width);
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    return `an object of class ${value.constructor?.name ?? 'unknown'}`;
  }
  return `a ${typeof value}`;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

class Encoder {
  readonly blocks: AnyTypedArray[] = [];

  node(value: unknown, path: string): Node {
    if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
    if (typeof value === 'number') {
      return Number.isFinite(value) && !Object.is(value, -0)
        ? value
        : { [TAG]: 'number', value: String(value === 0 ? '-0' : value) };
    }
    if (typeof value === 'bigint') return { [TAG]: 'bigint', value: value.toString() };
    if (value === undefined) return { [TAG]: 'undefined' };
    if (typeof value === 'object') {
      const name = typedArrayName(value);
      if (name !== null) {
        this.blocks.push(value as AnyTypedArray);
        return { [TAG]: 'array', type: name, block: this.blocks.length - 1 };
      }
      if (Array.isArray(value)) return value.map((item, i) => this.node(item, `${path}[${i}]`));
      if (value instanceof PyTuple) {
        return { [TAG]: 'tuple', items: value.items.map((v, i) => this.node(v, `${path}[${i}]`)) };
      }
      if (isPlainObject(value)) {
        const entries: { [key: string]: Node } = Object.fromEntries(
          Object.entries(value).map(([key, item]) => [key, this.node(item, `${path}.${key}`)]),
        );
        return Object.hasOwn(entries, TAG) ? { [TAG]: 'object', entries } : entries;
      }
    }
    throw new ParallelError(`Cannot send ${describe(value)} at ${path} to other ranks.`, {
      expected:
        'null, boolean, number, bigint, string, typed array, NdArray, PyTuple, array or plain object',
      found: describe(value),
    });
  }
}

const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

/**
 * Encodes a value for another rank. Throws {@link ParallelError} naming the
 * path (e.g. `value.meta.when`) of anything that cannot be sent.
 */
export function encodeValue(value: unknown): Uint8Array {
  const encoder = new Encoder();
  const tree = encoder.node(value, 'value');
  const placed: [number, number][] = [];
  // Block offsets depend on the header length, which contains them: place the
  // blocks relative to the header's end first, then shift once.
  let relative = 0;
  for (const block of encoder.blocks) {
    placed.push([relative, block.byteLength]);
    relative = pad8(relative + block.byteLength);
  }
  const header = new TextEncoder().encode(JSON.stringify({ value: tree, blocks: placed }));
  const start = pad8(8 + header.byteLength);
  const out = new Uint8Array(start + relative);
  new DataView(out.buffer).setUint32(0, header.byteLength, true);
  out.set(header, 8);
  encoder.blocks.forEach((block, i) => {
    out.set(bytesOf(block), start + placed[i]![0]);
  });
  return out;
}

function decodeEntries(
  entries: { [key: string]: Node },
  blocks: readonly Uint8Array[],
): Record<string, unknown> {
  // fromEntries defines own properties, so a key named __proto__ stays data.
  return Object.fromEntries(
    Object.entries(entries).map(([key, item]) => [key, decodeNode(item, blocks)]),
  );
}

function decodeNode(node: Node, blocks: readonly Uint8Array[]): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((item) => decodeNode(item, blocks));
  const tag = node[TAG];
  if (tag === undefined) return decodeEntries(node, blocks);
  switch (tag) {
    case 'number':
      return node.value === '-0' ? -0 : Number(node.value);
    case 'bigint':
      return BigInt(String(node.value));
    case 'undefined':
      return undefined;
    case 'array': {
      const block = blocks[Number(node.block)];
      if (block === undefined) break;
      return arrayFromBytes(String(node.type), block);
    }
    case 'tuple':
      return new PyTuple(decodeNode(node.items ?? [], blocks) as PyValue[]);
    case 'object': {
      const entries = node.entries;
      if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) break;
      return decodeEntries(entries, blocks);
    }
  }
  throw new ParallelError('A message from another rank is corrupt.', {
    expected: 'a ptyscan wire message',
    found: `node ${JSON.stringify(node).slice(0, 80)}`,
  });
}

/** Decodes {@link encodeValue}'s bytes; typed arrays are views into `bytes` when aligned. */
export function decodeValue(bytes: Uint8Array): unknown {
  const corrupt = (found: string) =>
    new ParallelError('A message from another rank is corrupt.', {
      expected: 'a ptyscan wire message',
      found,
    });
  if (bytes.byteLength < 8) throw corrupt(`${bytes.byteLength} bytes`);
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(0, true);
  const start = pad8(8 + headerBytes);
  if (start > bytes.byteLength) throw corrupt(`a header of ${headerBytes} bytes`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerBytes))) as {
    value: Node;
    blocks: [number, number][];
  };
  const blocks = header.blocks.map(([offset, length]) => {
    if (start + offset + length > bytes.byteLength) throw corrupt('a block past its end');
    return bytes.subarray(start + offset, start + offset + length);
  });
  return decodeNode(header.value, blocks);
}

/** Throws like {@link encodeValue} would, without copying anything. */
export function assertSendable(value: unknown): void {
  new Encoder().node(value, 'value');
}
