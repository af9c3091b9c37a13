/**
 * PtychoShelves / fold_slice's prepared data (yijiang1/fold_slice:
 * `ptycho/+detector/+prep_data/+matlab_aps/load_data.m` reads `/dp`,
 * `ptycho/+scans/+positions/hdf5_pos.m` reads `/ppX` and `/ppY`; ptychodus's
 * fold_slice readers read the same): `data_roi<label>_dp.hdf5` holds the
 * frames `/dp`, and `data_roi<label>_para.hdf5` beside it the positions
 * `/ppX`, `/ppY` in metres. ptyscan adds to the positions file what
 * fold_slice takes as parameters instead (energy, distance, pixel size) and
 * the mask, so a round trip keeps them.
 */
import { ParameterError } from '../errors.js';
import { ndarray } from '../frames/ndarray.js';
import type { H5Content, H5Member } from '../h5/index.js';
import type { Chunk, Logger, Meta } from '../sink/types.js';
import {
  appended,
  chunkPositions,
  type ExchangeFinish,
  type ExchangeFormat,
  type ExchangeOptions,
  type ExchangeWriter,
  fixed,
  growable,
  member,
  metaNumber,
  metaPair,
  scalar,
} from './exchange.js';
import { MaskAccumulator } from './mask.js';

/** The end of a fold_slice frames file's name, and of its positions file's. */
export const FOLD_SLICE_SUFFIX = { data: '_dp.hdf5', positions: '_para.hdf5' } as const;

/** Paths in the two files. */
export const FOLD_SLICE_PATHS = {
  /** The frames, (N, H, W) as h5py sees them (MATLAB's h5read: (W, H, N)). */
  data: '/dp',
  /** x positions, metres (fold_slice's hdf5_pos: positions_real(:, 2) = -ppX). */
  x: '/ppX',
  /** y positions, metres (positions_real(:, 1) = -ppY). */
  y: '/ppY',
  /** ptyscan's: the photon energy in keV (fold_slice's `energy` parameter). */
  energy: '/energy',
  /** ptyscan's: the detector distance in metres (fold_slice's `detector_dist`). */
  distance: '/detector_dist',
  /** ptyscan's: the pixel size (y, x) in metres. */
  psize: '/psize',
  /** ptyscan's: 1 for a pixel to use, 0 for a masked one (fold_slice's valid-mask convention). */
  mask: '/mask',
} as const;

const FORMAT = 'fold_slice';

/** The positions file of a fold_slice frames file (`data_roi0_dp.hdf5` -> `data_roi0_para.hdf5`). */
export function foldSlicePositionsFile(file: string): string {
  if (!file.endsWith(FOLD_SLICE_SUFFIX.data)) {
    throw new ParameterError(
      [
        {
          path: 'dfile',
          expected: `a fold_slice frames file named data_roi<label>${FOLD_SLICE_SUFFIX.data}`,
          found: file,
        },
      ],
      { file },
    );
  }
  return `${file.slice(0, -FOLD_SLICE_SUFFIX.data.length)}${FOLD_SLICE_SUFFIX.positions}`;
}

class FoldSliceWriter implements ExchangeWriter {
  private readonly file: string;
  private readonly options: ExchangeOptions;
  private readonly logger: Logger | undefined;
  private readonly mask = new MaskAccumulator();
  private metaMembers: H5Member[] = [];
  /** The positions so far, y then x per frame (written at the end: 16 bytes a frame). */
  private positions: Float64Array = new Float64Array(1024);
  private frames = 0;

  constructor(options: ExchangeOptions) {
    this.file = options.file;
    this.options = options;
    this.logger = options.logger;
  }

  start(): H5Content {
    return { members: [], parents: {}, attributes: { creator: 'ptyscan' } };
  }

  meta(meta: Meta): H5Member[] {
    const energy = metaNumber(meta, 'energy');
    const distance = metaNumber(meta, 'distance');
    const psize = metaPair(meta, 'psize');
    this.metaMembers = [
      ...(energy === null ? [] : [member(FOLD_SLICE_PATHS.energy, scalar(energy, 'keV'))]),
      ...(distance === null ? [] : [member(FOLD_SLICE_PATHS.distance, scalar(distance, 'm'))]),
      ...(psize === null
        ? []
        : [
            member(
              FOLD_SLICE_PATHS.psize,
              fixed(ndarray('float64', [2], Float64Array.from(psize)), {
                units: 'm',
                axes: 'y, x',
              }),
            ),
          ]),
    ];
    return [];
  }

  chunk(chunk: Chunk): H5Member[] {
    const yx = chunkPositions(chunk, this.file, FORMAT);
    const n = chunk.indices.length;
    if (this.positions.length < 2 * (this.frames + n)) {
      const grown = new Float64Array(Math.max(2 * (this.frames + n), 2 * this.positions.length));
      grown.set(this.positions.subarray(0, 2 * this.frames));
      this.positions = grown;
    }
    this.positions.set(yx.data.subarray(0, 2 * n), 2 * this.frames);
    const [, h = 1, w = 1] = chunk.data.shape;
    const node =
      this.frames === 0
        ? growable(chunk.data, 0, [1, h, w], this.options.compression)
        : appended(chunk.data, 0, this.frames);
    this.mask.add(chunk.weights, this.file);
    this.frames += n;
    return [member(FOLD_SLICE_PATHS.data, node)];
  }

  finish(): ExchangeFinish {
    for (const loss of this.mask.losses(FORMAT)) this.logger?.warn(`${this.file}: ${loss}`);
    const n = this.frames;
    const x = ndarray('float64', [n]);
    const y = ndarray('float64', [n]);
    for (let i = 0; i < n; i++) {
      y.data[i] = this.positions[2 * i]!;
      x.data[i] = this.positions[2 * i + 1]!;
    }
    const members = [
      member(FOLD_SLICE_PATHS.x, fixed(x, { units: 'm' })),
      member(FOLD_SLICE_PATHS.y, fixed(y, { units: 'm' })),
      ...this.metaMembers,
    ];
    const pixels = this.mask.maskedPixels();
    const shape = this.mask.shape();
    if (pixels !== null && shape !== null) {
      const valid = ndarray(
        'uint8',
        shape,
        pixels.map((m) => 1 - m),
      );
      members.push(
        member(FOLD_SLICE_PATHS.mask, fixed(valid, { note: '1: use the pixel, 0: masked' })),
      );
    }
    const positions: H5Content = { members, parents: {}, attributes: { creator: 'ptyscan' } };
    return { main: [], others: new Map([[foldSlicePositionsFile(this.file), positions]]) };
  }
}

/** PtychoShelves / fold_slice (`save: 'fold-slice'`, `--to fold-slice`). */
export const FOLD_SLICE_FORMAT: ExchangeFormat = {
  name: 'fold-slice',
  otherFiles: (file) => [foldSlicePositionsFile(file)],
  create: (options) => new FoldSliceWriter(options),
};
