/**
 * Quick-look PNGs of a `.ptyd` file, streamed: the maps are accumulated chunk
 * by chunk, a few frames at a time, and single frames are read one by one,
 * so memory does not grow with the length of the scan.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ParameterError } from '../errors.js';
import type { PtydReader } from '../ptyd/index.js';
import { ptydQuickLook, readableChunks, readPtydGeometry } from '../quicklook/index.js';
import { framePreviewName, writeImagePng, writeQuickLookPngs } from './quick-look-pngs.js';

/** One frame of a `.ptyd` file and its mask (1 = masked), read on its own. */
export interface PtydFrame {
  index: number;
  height: number;
  width: number;
  values: Float64Array;
  masked: Uint8Array | null;
}

/** Reads frame `index` (counted over the readable chunks in order), or null past the end. */
export function readPtydFrame(reader: PtydReader, index: number): PtydFrame | null {
  let first = 0;
  for (const chunk of readableChunks(reader)) {
    if (index < first + chunk.frames) {
      const slice = { start: index - first, count: 1 };
      const data = reader.readDataset(`${chunk.path}/data`, slice);
      const [, height = 0, width = 0] = data.shape;
      const values = Float64Array.from(data.data as ArrayLike<number | bigint>, Number);
      let masked: Uint8Array | null = null;
      if (chunk.datasets.includes('weights')) {
        const entry = reader.entry(`${chunk.path}/weights`);
        const perFrame = entry.kind === 'dataset' && entry.shape.length === 3;
        const weights = reader.readDataset(`${chunk.path}/weights`, perFrame ? slice : undefined);
        const w = weights.data as ArrayLike<number | bigint>;
        masked = Uint8Array.from({ length: height * width }, (_, i) => (Number(w[i]) > 0 ? 0 : 1));
      }
      return { index, height, width, values, masked };
    }
    first += chunk.frames;
  }
  return null;
}

/**
 * Writes the quick-look PNGs of an open `.ptyd` file into `outDir` and the
 * single frames `frameIndices` (default first, middle, last). Returns the paths.
 *
 * @example
 * const reader = openPtydReader('scan.ptyd');
 * try { previewPtyd(reader, 'preview'); } finally { reader.close(); }
 */
export function previewPtyd(
  reader: PtydReader,
  outDir: string,
  options: { frameIndices?: readonly number[] } = {},
): string[] {
  const quickLook = ptydQuickLook(reader);
  const maps = quickLook.result();
  const count = maps.frames;
  const indices = options.frameIndices ?? [0, Math.floor(count / 2), count - 1];
  const bad = indices.filter((k) => !Number.isSafeInteger(k) || k < 0 || k >= count);
  if (bad.length > 0) {
    throw new ParameterError([
      { path: '--frames', expected: `frame indices in [0, ${count - 1}]`, found: bad.join(', ') },
    ]);
  }
  const geometry = readPtydGeometry(reader);
  mkdirSync(outDir, { recursive: true });
  const hasPositions = maps.positions.some((v) => Number.isFinite(v));
  const written = writeQuickLookPngs(maps, geometry, outDir, {
    center: geometry.center,
    hasPositions,
  });
  for (const k of [...new Set(indices)]) {
    const frame = readPtydFrame(reader, k);
    if (frame === null) continue;
    written.push(
      writeImagePng(join(outDir, framePreviewName(k)), {
        title: `frame ${k}`,
        values: frame.values,
        height: frame.height,
        width: frame.width,
        masked: frame.masked,
        center: geometry.center,
        psize: geometry.psize,
      }),
    );
  }
  return written;
}
