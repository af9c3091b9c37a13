/**
 * Reading a chunk's frame files into one stack, alone and with the second
 * reading thread: the same frames either way, the stack's memory reused, and
 * a bad file in the helper's half reported like one in the main half.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileFormatError, FrameError } from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { encodeNpy } from '../../src/npy/npy.js';
import { readNpyStack } from '../../src/npy/npy-stack.js';
import { NpyReadHelper } from '../../src/npy/read-helper.js';

const N = 16;
const H = 384;
const W = 400;

let dir: string;
let files: string[];
const helper = new NpyReadHelper();

function frameValue(k: number, p: number): number {
  return (k * 7919 + p * 31) % 65521;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ptyscan-stack-'));
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
after(() => {
  helper.close();
  rmSync(dir, { recursive: true, force: true });
});

function assertFrames(stack: ReturnType<typeof readNpyStack>): void {
  assert.deepEqual(stack.shape, [N, H, W]);
  for (let k = 0; k < N; k++) {
    for (const p of [0, 1, W, H * W - 1]) {
      assert.equal(stack.data[k * H * W + p], frameValue(k, p), `frame ${k} pixel ${p}`);
    }
  }
}

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

  it('reports a truncated file in the helper half by file and frame', () => {
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
      const stack = readNpyStack(files, undefined, null, broken);
      assertFrames(stack);
      assert.equal(broken.available, false, 'the helper is not used again');
      assertFrames(readNpyStack(files, undefined, stack, broken));
    } finally {
      broken.close();
    }
  });

  it('reports a frame of another shape in the helper half like in the main half', () => {
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
