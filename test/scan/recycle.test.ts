/**
 * `recycle`: a caller that is done with each chunk when it asks for the next
 * gets every chunk prepared into the previous chunk's memory, with the same
 * values as without recycling; without it, chunks never share memory.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quietLogger, runToEos } from '../helpers/index.js';
import { SpotScan } from './spot-scan.js';

/** The data of every chunk, copied when it arrives, and the memory each chunk was in. */
function run(recycle: boolean, rebin: number): { values: number[][]; buffers: ArrayBufferLike[] } {
  const scan = new SpotScan(
    { shape: 16n, orientation: 3n, rebin: BigInt(rebin), center: [6n, 15n] },
    { logger: quietLogger, recycle },
    12,
  );
  const values: number[][] = [];
  const buffers: ArrayBufferLike[] = [];
  runToEos(scan, 4, {
    close: true,
    onData: (pkg) => {
      values.push(Array.from(pkg.chunk.data.data as ArrayLike<number>));
      buffers.push(pkg.chunk.data.data.buffer);
    },
  });
  return { values, buffers };
}

describe('PtyScan recycle', () => {
  for (const rebin of [1, 2]) {
    it(`gives the same chunks with and without it (rebin ${rebin})`, () => {
      const fresh = run(false, rebin);
      const recycled = run(true, rebin);
      assert.equal(fresh.values.length, 3);
      assert.deepEqual(recycled.values, fresh.values);
      // Recycled: one piece of memory for every chunk; fresh: one each.
      assert.equal(new Set(recycled.buffers).size, 1);
      assert.equal(new Set(fresh.buffers).size, 3);
    });
  }
});
