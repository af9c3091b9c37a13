/**
 * A small, independent decoder of bitshuffle-LZ4 chunks (HDF5 filter 32008),
 * written from the format description, so a test can prove that the chunks
 * on disk are the standard format detectors write, not something only the
 * plugin that wrote them can read back.
 *
 * Chunk layout: uint64 BE uncompressed size, uint32 BE block size in bytes,
 * then per block a uint32 BE compressed size and an LZ4 block holding the
 * bit-transposed block: row `j * 8 + k` holds bit `k` of byte `j` of every
 * element, element `i` at bit `i % 8` of byte `i / 8` of the row.
 */

/** Decodes one LZ4 block (no frame header) into `out`; returns the bytes written. */
function lz4Block(src: Uint8Array, out: Uint8Array): number {
  let s = 0;
  let d = 0;
  const length = (start: number): number => {
    let n = start;
    let b = 255;
    while (b === 255) {
      b = src[s++] ?? 0;
      n += b;
    }
    return n;
  };
  while (s < src.length) {
    const token = src[s++] ?? 0;
    let literals = token >> 4;
    if (literals === 15) literals = length(15);
    out.set(src.subarray(s, s + literals), d);
    s += literals;
    d += literals;
    if (s >= src.length) break;
    const offset = (src[s] ?? 0) | ((src[s + 1] ?? 0) << 8);
    s += 2;
    let match = token & 15;
    if (match === 15) match = length(15);
    match += 4;
    for (let i = 0; i < match; i++, d++) out[d] = out[d - offset] ?? 0;
  }
  return d;
}

function unshuffle(bits: Uint8Array, n: number, elemSize: number): Uint8Array {
  const out = new Uint8Array(n * elemSize);
  const row = n / 8;
  for (let j = 0; j < elemSize; j++) {
    for (let k = 0; k < 8; k++) {
      const base = (j * 8 + k) * row;
      for (let i = 0; i < n; i++) {
        if (((bits[base + (i >> 3)] ?? 0) >> (i & 7)) & 1) out[i * elemSize + j]! |= 1 << k;
      }
    }
  }
  return out;
}

/**
 * Finds every chunk of `chunkBytes` uncompressed bytes in a file's bytes (by
 * its header) and decodes it. Chunks whose size is not a whole number of
 * blocks are not handled (the tests use 64 x 64 frames).
 */
export function decodeBitshuffleChunks(
  file: Uint8Array,
  chunkBytes: number,
  elemSize: number,
): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const chunks: Uint8Array[] = [];
  for (let p = 0; p + 12 < file.length; p++) {
    if (view.getBigUint64(p) !== BigInt(chunkBytes)) continue;
    const blockBytes = view.getUint32(p + 8);
    if (blockBytes === 0 || chunkBytes % blockBytes !== 0 || blockBytes % (8 * elemSize) !== 0) {
      continue;
    }
    const chunk = new Uint8Array(chunkBytes);
    let q = p + 12;
    for (let done = 0; done < chunkBytes; done += blockBytes) {
      const compressed = view.getUint32(q);
      q += 4;
      const block = new Uint8Array(blockBytes);
      lz4Block(file.subarray(q, q + compressed), block);
      q += compressed;
      chunk.set(unshuffle(block, blockBytes / elemSize, elemSize), done);
    }
    chunks.push(chunk);
    p = q - 1;
  }
  return chunks;
}
