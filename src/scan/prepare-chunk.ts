/**
 * The prepare and package steps of one chunk on one process: Poisson noise
 * (when asked), crop/pad around the centre, orientation, rebinning, then the
 * chunk with its weights and positions; and the meta data the geometry gives.
 */
import { addPoissonNoise } from '../frames/index.js';
import { type FrameStack, type NdArray, ndarray } from '../frames/ndarray.js';
import type { Communicator } from '../parallel/index.js';
import type { ChunkMemory } from './chunk-memory.js';
import { type FrozenCenter, preparedGeometry, preparedShape } from './geometry.js';
import type { LocalFrames } from './load.js';
import { chunkPositions, withCommonWeights } from './package.js';
import { prepareFrames } from './prepare.js';
import type { ScanSettings } from './settings.js';
import type { Chunk, Meta } from './types.js';
import { pair } from './values.js';

/** Where a chunk's frames lie on the raw frames, and what preparing them takes. */
export interface ChunkGeometry {
  rawShape: [number, number];
  center: FrozenCenter;
  roi: [number, number];
  /** ptypy's switch: false when there is nothing to do (frames pass untouched). */
  processing: boolean;
}

/** What the steps of a chunk use from their scan. */
export interface ChunkContext {
  settings: ScanSettings;
  memory: ChunkMemory;
  comm: Communicator;
  /** The chunk's number. */
  num: number;
  /** The positions table for frames `load()` gave none for: the theory, else the scan's. */
  positions: NdArray<'float64'> | null;
  /** True when `positions` is the theory (a frame past it is an error, not None). */
  theory: boolean;
}

/** ptypy's rebinned mask compares with the maximum over the whole chunk: combined over ranks. */
function combineMax(context: ChunkContext): ((localMax: number) => number) | undefined {
  const { settings, comm } = context;
  if (settings.rebin === 1 || comm.size === 1) return undefined;
  return (localMax) => comm.allreduce(localMax, 'max');
}

/** This process's frames of the chunk, prepared and packaged. */
export function prepareLocal(
  context: ChunkContext,
  local: LocalFrames,
  geometry: ChunkGeometry,
): Chunk {
  const { settings, memory } = context;
  const input = settings.addPoissonNoise ? addPoissonNoise(local.data) : local.data;
  let data: FrameStack = input;
  let weights: FrameStack = local.weights;
  if (geometry.processing) {
    const { orientation, rebin } = settings;
    const { start, frameRows } = local.rows;
    const window = { start, frameRows };
    const place = { roi: geometry.roi, center: geometry.center.value, orientation, rebin, window };
    const prepared = prepareFrames(
      input,
      local.weights,
      place,
      combineMax(context),
      memory.forPrepare(),
    );
    memory.keep(prepared, input);
    data = prepared.data;
    weights = prepared.weights;
  }
  const fields = {
    num: context.num,
    indices: [...local.indices],
    data: memory.detach(data, local.scratch),
    positions: chunkPositions(local.indices, local.positions, context.positions, context.theory),
  };
  return withCommonWeights(fields, weights);
}

/** A process without frames of the chunk: an empty part, after the collective steps the others take. */
export function emptyChunk(context: ChunkContext, geometry: ChunkGeometry): Chunk {
  const { settings } = context;
  if (geometry.processing) combineMax(context)?.(Number.NEGATIVE_INFINITY);
  const { roi, rawShape, processing } = geometry;
  const [h, w] = preparedShape(roi, settings.orientation, settings.rebin, processing, rawShape);
  return {
    num: context.num,
    indices: [],
    data: ndarray('float64', [0, h, w]),
    weights: ndarray('bool', [0, h, w]),
    positions: [],
  };
}

/** Puts the prepared frames' shape, centre and pixel size into `meta`. */
export function updateMeta(meta: Meta, settings: ScanSettings, geometry: ChunkGeometry): void {
  const { orientation, rebin, psize, psizeDtype } = settings;
  const { center, roi, processing } = geometry;
  const prepared = preparedGeometry(center.value, roi, orientation, rebin, processing);
  meta.shape = pair('int64', prepared.shape);
  meta.center = pair('float64', prepared.center);
  meta.psize = psize === null ? null : pair(psizeDtype, [psize[0] * rebin, psize[1] * rebin]);
}
