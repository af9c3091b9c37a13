/** Chunk shapes for new datasets. */

const TARGET_CHUNK_BYTES = 1024 * 1024;

/**
 * A chunk shape of about 1 MiB that keeps whole trailing rows (whole frames
 * for `[n, h, w]` stacks when a frame fits), so reading one frame touches
 * as few chunks as possible. Chunk shapes do not matter to ptypy's reader.
 */
export function guessChunks(shape: readonly number[], itemBytes: number): number[] {
  const chunks = shape.map((d) => Math.max(1, d));
  let bytes = chunks.reduce((a, b) => a * b, itemBytes);
  for (let axis = 0; axis < chunks.length && bytes > TARGET_CHUNK_BYTES; axis++) {
    const dim = chunks[axis] ?? 1;
    const rest = bytes / dim;
    const fit = Math.max(1, Math.floor(TARGET_CHUNK_BYTES / rest));
    chunks[axis] = Math.min(dim, fit);
    bytes = rest * (chunks[axis] ?? 1);
  }
  return chunks;
}
