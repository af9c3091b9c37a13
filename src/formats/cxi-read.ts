/**
 * Reading a CXI or NXcxi_ptycho file's layout: where its frames are, its
 * positions (as ptyscan keeps them: `[y, x]` in metres), the geometry and
 * the mask. Files from PyNX (positions as (3, N)), ptychodus, ptyscan and
 * NeXus writers are read. A NeXus file (`definition` NXcxi_ptycho) must
 * give every unit; a plain CXI file's default units are SI.
 */
import { FileFormatError } from '../errors.js';
import { formatShape, type NdArray, ndarray } from '../frames/ndarray.js';
import type { H5File } from '../h5/index.js';
import { CXI_PATHS, NXCXI_DEFINITION, NXCXI_PATHS } from './cxi-paths.js';
import { numberAt, numbersAt } from './read-values.js';
import { unitFactor } from './units.js';

/** What a CXI file holds, as a source needs it. */
export interface CxiLayout {
  /** The frames dataset, (N, H, W). */
  dataPath: string;
  frames: number;
  frameShape: [number, number];
  /** `[N, 2]`: y, x in metres. */
  positions: NdArray<'float64'>;
  /** Where the positions were read. */
  positionsPath: string;
  /** keV, or null when the file has none. */
  energy: number | null;
  /** Metres, or null. */
  distance: number | null;
  /** `[y, x]` metres, or null. */
  psize: [number, number] | null;
  /** `[y, x]` pixels on the frames, or null. */
  center: [number, number] | null;
  /** `[H, W]`: 1 where a pixel may be used (the file's mask is 0), or null without a mask. */
  weights: NdArray<'bool'> | null;
}

/** Frames, first found first. */
const DATA_PATHS = [CXI_PATHS.data, NXCXI_PATHS.detectorData];
/** Position tables ((N, 3) or (N, 2) x, y[, z]; PyNX's (3, N)), first found first. */
const TRANSLATION_PATHS = [
  CXI_PATHS.translation,
  CXI_PATHS.sampleTranslation,
  NXCXI_PATHS.detectorTranslation,
];
/** Photon energy, first found first. */
const ENERGY_PATHS = [CXI_PATHS.energy, NXCXI_PATHS.beamEnergy, NXCXI_PATHS.incidentBeamEnergy];

/** Reads the layout of the open CXI file `h5` (named `file` in errors). */
export function readCxiLayout(h5: H5File, file: string): CxiLayout {
  const nexus = isNexus(h5);
  const dataPath = DATA_PATHS.find((p) => h5.has(p));
  if (dataPath === undefined) {
    throw new FileFormatError(`${file}: no frames at ${DATA_PATHS.join(' or ')}.`, {
      file,
      dataset: CXI_PATHS.data,
      expected: 'a CXI file with its frames (N, H, W)',
      found: 'no such dataset',
    });
  }
  const data = h5.resolve(dataPath);
  if (data.kind !== 'dataset' || data.shape.length !== 3) {
    throw new FileFormatError(`${file}:${dataPath} is not a stack of frames (N, H, W).`, {
      file,
      dataset: dataPath,
      expected: 'a 3-D dataset (N, H, W)',
      found: data.kind === 'dataset' ? `shape ${formatShape(data.shape)}` : data.kind,
    });
  }
  const [frames = 0, h = 0, w = 0] = data.shape;
  const { positions, path: positionsPath } = readPositions(h5, file, frames, nexus);
  const psize = readPair(h5, file, CXI_PATHS.yPixelSize, CXI_PATHS.xPixelSize, nexus);
  return {
    dataPath,
    frames,
    frameShape: [h, w],
    positions,
    positionsPath,
    energy: readEnergy(h5, file, nexus),
    distance: readLength(h5, file, CXI_PATHS.distance, nexus),
    psize,
    center: readCenter(h5, file, psize),
    weights: readWeights(h5, file, [h, w]),
  };
}

/** A NeXus NXcxi_ptycho file (its units are required). */
function isNexus(h5: H5File): boolean {
  if (!h5.has(NXCXI_PATHS.definition)) return false;
  const value = h5.readDataset(NXCXI_PATHS.definition);
  return value.dtype === 'string' && value.data[0] === NXCXI_DEFINITION;
}

/** A length in metres (null when absent): SI by default in CXI, units required in NeXus. */
function readLength(h5: H5File, file: string, path: string, nexus: boolean): number | null {
  if (!h5.has(path)) return null;
  const factor = unitFactor('length', h5.readStringAttribute(path, 'units'), nexus ? null : 'm', {
    file,
    dataset: path,
  });
  return numberAt(h5, file, path) * factor;
}

function readPair(
  h5: H5File,
  file: string,
  yPath: string,
  xPath: string,
  nexus: boolean,
): [number, number] | null {
  const y = readLength(h5, file, yPath, nexus);
  const x = readLength(h5, file, xPath, nexus);
  if (y === null && x === null) return null;
  // A square pixel is often given once.
  return [y ?? x!, x ?? y!];
}

function readEnergy(h5: H5File, file: string, nexus: boolean): number | null {
  const path = ENERGY_PATHS.find((p) => h5.has(p));
  if (path === undefined) return null;
  const units = h5.readStringAttribute(path, 'units');
  const where = { file, dataset: path };
  // CXI's energy is in joules unless its units say otherwise.
  return numberAt(h5, file, path) * unitFactor('energy', units, nexus ? null : 'J', where);
}

/** The beam centre in pixels: `pixel` units as they are, a length divided by the pixel size. */
function readCenter(
  h5: H5File,
  file: string,
  psize: [number, number] | null,
): [number, number] | null {
  const one = (path: string, pixel: number | undefined): number | null => {
    if (!h5.has(path)) return null;
    const units = h5.readStringAttribute(path, 'units') ?? 'pixel';
    const value = numberAt(h5, file, path);
    if (units === 'pixel' || units === 'pixels') return value;
    if (pixel === undefined) return null;
    return (value * unitFactor('length', units, null, { file, dataset: path })) / pixel;
  };
  const y = one(CXI_PATHS.beamCenterY, psize?.[0]);
  const x = one(CXI_PATHS.beamCenterX, psize?.[1]);
  return y === null || x === null ? null : [y, x];
}

/** `[N, 2]` y, x in metres from the first position table found; its count must be the frames'. */
function readPositions(
  h5: H5File,
  file: string,
  frames: number,
  nexus: boolean,
): { positions: NdArray<'float64'>; path: string } {
  const path = TRANSLATION_PATHS.find((p) => h5.has(p));
  if (path === undefined) {
    throw new FileFormatError(`${file}: no positions at ${TRANSLATION_PATHS.join(' or ')}.`, {
      file,
      dataset: CXI_PATHS.translation,
      expected: 'the scan positions (N, 3): x, y, z in metres',
      found: 'no such dataset',
    });
  }
  const entry = h5.resolve(path);
  const shape = entry.kind === 'dataset' ? entry.shape : [];
  const [a = 0, b = 0] = shape;
  // (N, 3) as CXI says; (3, N) as PyNX writes it (N = 3 reads as CXI's).
  const rows = shape.length === 2 && a === frames && (b === 2 || b === 3);
  const columns = !rows && shape.length === 2 && b === frames && (a === 2 || a === 3);
  if (!rows && !columns) {
    throw new FileFormatError(
      `${file}:${path} holds ${formatShape(shape)} positions for ${frames} frames.`,
      {
        file,
        dataset: path,
        expected: `(${frames}, 3) positions: one x, y, z row per frame`,
        found: formatShape(shape),
      },
    );
  }
  const factor = unitFactor('length', h5.readStringAttribute(path, 'units'), nexus ? null : 'm', {
    file,
    dataset: path,
  });
  const values = numbersAt(h5, file, path);
  const out = ndarray('float64', [frames, 2]);
  const width = rows ? b : 1;
  const step = rows ? 1 : frames;
  for (let i = 0; i < frames; i++) {
    const at = rows ? i * width : i;
    out.data[2 * i] = values[at + step]! * factor;
    out.data[2 * i + 1] = values[at]! * factor;
  }
  return { positions: out, path };
}

/** The weights of the file's mask (a pixel with any bit set is not used, as PyNX reads it). */
function readWeights(h5: H5File, file: string, frame: [number, number]): NdArray<'bool'> | null {
  const path = CXI_PATHS.mask;
  if (!h5.has(path)) return null;
  const entry = h5.resolve(path);
  const shape = entry.kind === 'dataset' ? entry.shape : [];
  if (shape.length !== 2 || shape[0] !== frame[0] || shape[1] !== frame[1]) {
    throw new FileFormatError(
      `${file}:${path} is ${formatShape(shape)}, the frames are ${formatShape(frame)}.`,
      {
        file,
        dataset: path,
        expected: `a mask of one frame's shape ${formatShape(frame)}`,
        found: formatShape(shape),
      },
    );
  }
  const values = numbersAt(h5, file, path);
  return ndarray(
    'bool',
    frame,
    Uint8Array.from(values, (v) => (v === 0 ? 1 : 0)),
  );
}
