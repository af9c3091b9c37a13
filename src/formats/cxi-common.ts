/**
 * What the CXI and NXcxi_ptycho writers share: the meta data as CXI fields
 * (energy in joules, lengths in metres, the beam centre in pixels), the
 * positions as translations, the mask, and the frame count so far.
 */
import { type NdArray, ndarray } from '../frames/ndarray.js';
import type { H5Attributes, H5Compression, H5Member } from '../h5/index.js';
import type { Chunk, Logger, Meta } from '../sink/types.js';
import { CXI_PATHS, CXI_PIXEL_IS_INVALID, CXI_VERSION } from './cxi-paths.js';
import {
  appended,
  chunkPositions,
  type ExchangeOptions,
  fixed,
  growable,
  member,
  metaNumber,
  metaPair,
  scalar,
  text,
} from './exchange.js';
import { MaskAccumulator } from './mask.js';
import { keVToJoules } from './units.js';

/** Rows of a translation dataset per HDF5 chunk. */
const TRANSLATION_CHUNK = 1024;

/** What opens every CXI-like file: the version, the program, the instrument's name (PyNX needs one). */
export function cxiHeader(): H5Member[] {
  return [
    member(CXI_PATHS.version, {
      kind: 'array',
      value: ndarray('int64', [], BigInt64Array.of(BigInt(CXI_VERSION))),
      storage: { layout: 'contiguous' },
    }),
    member('/entry_1/program_name', text('ptyscan')),
    member(CXI_PATHS.instrumentName, text('unknown')),
  ];
}

/** The state of one CXI-like output: frames written, the mask so far. */
export class CxiProgress {
  readonly file: string;
  readonly compression: H5Compression;
  readonly logger: Logger | undefined;
  readonly mask = new MaskAccumulator();
  /** Frames written so far. */
  frames = 0;

  constructor(options: ExchangeOptions) {
    this.file = options.file;
    this.compression = options.compression;
    this.logger = options.logger;
  }

  /** The chunk's frames: created growable (first chunk) or appended. */
  frameMember(path: string, chunk: Chunk, attributes: H5Attributes): H5Member {
    const [, h = 1, w = 1] = chunk.data.shape;
    return member(
      path,
      this.frames === 0
        ? growable(chunk.data, 0, [1, h, w], this.compression, attributes)
        : appended(chunk.data, 0, this.frames),
    );
  }

  /** The chunk's positions as CXI translations `[n, 3]`: x, y, z (0) in metres. */
  translations(chunk: Chunk, format: string): NdArray<'float64'> {
    const yx = chunkPositions(chunk, this.file, format);
    const n = yx.shape[0] ?? 0;
    const out = ndarray('float64', [n, 3]);
    for (let i = 0; i < n; i++) {
      out.data[3 * i] = yx.data[2 * i + 1]!;
      out.data[3 * i + 1] = yx.data[2 * i]!;
    }
    return out;
  }

  /** A growable `[n, ...]` array member in metres: created (first chunk) or appended. */
  rowsMember(path: string, value: NdArray, attributes: H5Attributes = {}): H5Member {
    const chunks = value.shape.map((d, i) => (i === 0 ? TRANSLATION_CHUNK : d));
    return member(
      path,
      this.frames === 0
        ? growable(value, 0, chunks, { kind: 'none' }, { units: 'm', ...attributes })
        : appended(value, 0, this.frames),
    );
  }

  /** The translations as PyNX reads them, `[3, n]` (x, y, z rows), growing along the frames. */
  columnsMember(path: string, translations: NdArray<'float64'>): H5Member {
    const n = translations.shape[0] ?? 0;
    const columns = ndarray('float64', [3, n]);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) columns.data[c * n + i] = translations.data[3 * i + c]!;
    }
    return member(
      path,
      this.frames === 0
        ? growable(columns, 1, [3, TRANSLATION_CHUNK], { kind: 'none' }, { units: 'm' })
        : appended(columns, 1, this.frames),
    );
  }

  /** Counts a chunk's frames once its members are made, and folds in its weights. */
  done(chunk: Chunk): void {
    this.mask.add(chunk.weights, this.file);
    this.frames += chunk.indices.length;
  }

  /** The meta data as CXI fields; a value the meta lacks is left out, with a warning. */
  metaMembers(meta: Meta, energyPaths: readonly string[]): H5Member[] {
    const out: H5Member[] = [];
    const energy = metaNumber(meta, 'energy');
    const distance = metaNumber(meta, 'distance');
    const psize = metaPair(meta, 'psize');
    const center = metaPair(meta, 'center');
    if (energy === null) this.missing('energy', energyPaths[0] ?? CXI_PATHS.energy);
    else for (const path of energyPaths) out.push(member(path, scalar(keVToJoules(energy), 'J')));
    if (distance === null) this.missing('distance', CXI_PATHS.distance);
    else out.push(member(CXI_PATHS.distance, scalar(distance, 'm')));
    if (psize === null) this.missing('psize', CXI_PATHS.xPixelSize);
    else {
      out.push(member(CXI_PATHS.xPixelSize, scalar(psize[1], 'm')));
      out.push(member(CXI_PATHS.yPixelSize, scalar(psize[0], 'm')));
    }
    if (center !== null) {
      out.push(member(CXI_PATHS.beamCenterX, scalar(center[1], 'pixel')));
      out.push(member(CXI_PATHS.beamCenterY, scalar(center[0], 'pixel')));
    }
    return out;
  }

  /** The mask (uint32, CXI_PIXEL_IS_INVALID where any frame's weight is 0), and the warnings for what it loses. */
  maskMember(format: string): H5Member[] {
    for (const loss of this.mask.losses(format)) this.logger?.warn(`${this.file}: ${loss}`);
    const pixels = this.mask.maskedPixels();
    const shape = this.mask.shape();
    if (pixels === null || shape === null) return [];
    const mask = ndarray('uint32', shape);
    for (let i = 0; i < pixels.length; i++)
      if (pixels[i] === 1) mask.data[i] = CXI_PIXEL_IS_INVALID;
    return [
      member(
        CXI_PATHS.mask,
        fixed(mask, { note: 'bit 0 (CXI_PIXEL_IS_INVALID): a pixel whose weight is 0' }),
      ),
    ];
  }

  private missing(what: string, path: string): void {
    this.logger?.warn(`${this.file}: the scan's meta has no ${what}, so ${path} is not written`);
  }
}
