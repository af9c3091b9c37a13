/**
 * Reading a chunk's frame files into one stack, alone and with the second
 * reading thread: the same frames either way, the stack's memory reused, and
 * a bad file in the helper's half reported like one in the main half.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileFormatError, FrameError } from '../../src/errors.js';
import { type FrameStack, ndarray } from '../../src/frames/ndarray.js';
import { encodeNpy, parseNpyHeader } from '../../src/npy/npy.js';
import { readNpyStack } from '../../src/npy/npy-stack.js';
import { NpyReadHelper } from '../../src/npy/read-helper.js';
import { tempDir } from '../helpers/index.js';

const N = 16;
const H = 384;
const W = 400;

const dir = tempDir('stack');
let files: string[];
const helper = new NpyReadHelper();

function frameValue(k: number, p: number): number {
  return (k * 7919 + p * 31) % 65521;
}

before(() => {
  mkdirSync(join(dir, 'ok'));
  // 16 frames of 384x400 int32: 9.4 MiB, above the helper's threshold.
  files = Array.from({ length: N }, (_, k) => {
    const frame = ndarray('int32', [H, W]);
    for (let p = 0; p < H * W; p++) frame.data[p] = frameValue(k, p);
    const file = join(dir, 'ok', `f${k}.npy`);
    writeFileSync(file, encodeNpy(frame));
    return file;
  });
});
after(() => helper.close());

function assertFrames(stack: ReturnType<typeof readNpyStack>): void {
  assert.deepEqual(stack.shape, [N, H, W]);
  for (let k = 0; k < N; k++) {
    for (const p of [0, 1, W, H * W - 1]) {
      assert.equal(stack.data[k * H * W + p], frameValue(k, p), `frame ${k} pixel ${p}`);
    }
  }
}

/** The frames of `list` for the helper alone to take: this thread takes none. */
function helperRange(list: readonly string[]) {
  const head = readFileSync(list[0]!);
  const first = parseNpyHeader(
    new Uint8Array(head.buffer, head.byteOffset, head.byteLength),
    list[0]!,
  );
  const bytes = new Uint8Array(new SharedArrayBuffer(list.length * H * W * 4));
  const claims = new Int32Array(new SharedArrayBuffer(4 * (list.length + 1)));
  return {
    files: list,
    indices: list.map((_, k) => 100 + k),
    first,
    bytes,
    from: 0,
    to: list.length,
    claims,
  };
}

describe('NpyReadHelper', () => {
  it('reads every frame it takes into the shared stack and marks each done', () => {
    if (!helper.available) return;
    const range = helperRange(files);
    helper.readInBackground(range);
    assert.equal(helper.wait(true), null);
    assert.deepEqual(
      [...range.claims.subarray(1)],
      files.map(() => 1),
    );
    assertFrames(ndarray('int32', [N, H, W], new Int32Array(range.bytes.buffer)));
  });

  it('returns the error of a frame it could not read, naming file and frame', () => {
    if (!helper.available) return;
    const bad = join(dir, 'helper-truncated.npy');
    writeFileSync(bad, encodeNpy(ndarray('int32', [H, W])));
    truncateSync(bad, 5000);
    const range = helperRange(files.map((f, k) => (k === 3 ? bad : f)));
    helper.readInBackground(range);
    const error = helper.wait(true);
    assert.ok(error instanceof FileFormatError, String(error));
    assert.equal(error.file, bad);
    assert.equal(error.frame, 103);
    assert.equal(range.claims[1 + 3], 0, 'the bad frame is not marked done');
  });
});

describe('readNpyStack', () => {
  it('reads the same frames with and without the helper thread', () => {
    assert.ok(helper.worthIt(N, N * H * W * 4) || !helper.available);
    const alone = readNpyStack(files, undefined, null, null);
    const shared = readNpyStack(files, undefined, null, helper);
    assertFrames(alone);
    assertFrames(shared);
    if (helper.available) assert.ok(shared.data.buffer instanceof SharedArrayBuffer);
    assert.deepEqual(Buffer.from(shared.data.buffer), Buffer.from(alone.data.buffer));
  });

  it('reads into the memory it is offered when dtype and shape fit', () => {
    const first = readNpyStack(files, undefined, null, helper);
    const second = readNpyStack(files, undefined, first, helper);
    assert.equal(second.data.buffer, first.data.buffer);
    assertFrames(second);
  });

  it('reports a truncated file by file and frame, with or without the helper', () => {
    const bad = join(dir, 'truncated.npy');
    writeFileSync(bad, encodeNpy(ndarray('int32', [H, W])));
    truncateSync(bad, 5000);
    const list = files.map((f, k) => (k === N - 2 ? bad : f));
    const indices = list.map((_, k) => 100 + k);
    for (const reader of [null, helper]) {
      assert.throws(
        () => readNpyStack(list, indices, null, reader),
        (e: unknown) =>
          e instanceof FileFormatError &&
          e.file === bad &&
          e.frame === 100 + N - 2 &&
          /truncated/.test(e.message),
      );
    }
  });

  it('reads everything itself when the helper thread cannot start', () => {
    const broken = new NpyReadHelper(new URL('./no-such-worker.js', import.meta.url));
    try {
      if (!broken.available) return;
      // Frames are taken one by one: this thread may read them all before the
      // failed start is reported, which a later call then sees.
      const pause = new Int32Array(new SharedArrayBuffer(4));
      const deadline = Date.now() + 20_000;
      let stack: FrameStack | null = null;
      while (broken.available && Date.now() < deadline) {
        stack = readNpyStack(files, undefined, stack, broken);
        assertFrames(stack);
        Atomics.wait(pause, 0, 0, 20);
      }
      assert.equal(broken.available, false, 'the helper is not used again');
      assertFrames(readNpyStack(files, undefined, stack, broken));
    } finally {
      broken.close();
    }
  });

  it('reports a frame of another shape the same way with or without the helper', () => {
    const other = join(dir, 'other.npy');
    writeFileSync(other, encodeNpy(ndarray('int32', [H, W + 1])));
    const list = files.map((f, k) => (k === N - 1 ? other : f));
    for (const reader of [null, helper]) {
      assert.throws(
        () => readNpyStack(list, undefined, null, reader),
        (e: unknown) =>
          e instanceof FrameError && e.file === other && /first frame/.test(e.message),
      );
    }
  });
});
