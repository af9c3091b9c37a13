import { resolve } from 'node:path';
import {
  FOLD_SLICE_PATHS,
  type FoldSliceLayout,
  foldSlicePositionsFile,
  readFoldSliceLayout,
} from '../formats/index.js';
import { defineParams } from '../params/index.js';
import type { PyDict } from '../py/value.js';
import type { PtyScanOptions, ScanParams } from '../scan/pty-scan.js';
import {
  fileParam,
  recordedParams,
  StackFileScan,
  type StackLayout,
  unset,
} from './stack-file-scan.js';

const FOLD_SLICE_SCAN_TEXT = `
[name]
default = 'FoldSliceScan'

[file]
type = file
default = None
help = The fold_slice frames file, data_roi<label>_dp.hdf5 (frames at /dp)
userlevel = 0

[positions_file]
type = file, None
default = None
help = The positions file (/ppX, /ppY in metres); None: the _para.hdf5 beside file
userlevel = 1

[shape]
default = None

[auto_center]
default = False
`;

function files(info: PyDict): { data: string; positions: string } {
  const data = fileParam(info, 'file');
  const given = info.positions_file;
  return {
    data,
    positions:
      typeof given === 'string' && given !== '' ? given : resolve(foldSlicePositionsFile(data)),
  };
}

function readLayout(info: PyDict): FoldSliceLayout & { positionsFile: string; file: string } {
  const { data, positions } = files(info);
  return { ...readFoldSliceLayout(data, positions), positionsFile: positions, file: data };
}

function stackLayout(info: PyDict): StackLayout {
  const layout = readLayout(info);
  return {
    dataFile: layout.file,
    dataPath: FOLD_SLICE_PATHS.data,
    frames: layout.frames,
    frameShape: layout.frameShape,
    positions: layout.positions,
    weights: layout.weights,
    recorded: recordedParams(layout),
    recordedFrom: layout.positionsFile,
  };
}

/**
 * Reads PtychoShelves / fold_slice prepared data: the frames `/dp` of
 * `data_roi<label>_dp.hdf5` and the positions `/ppX`, `/ppY` of the
 * `_para.hdf5` beside it (see docs/formats.md), so they can be prepared
 * again and saved as `.ptyd`. Frames written by MATLAB appear transposed to
 * every C-order reader: give `orientation: 4` to turn them back.
 *
 * @example
 * ```ts
 * const scan = new FoldSliceScan({ file: 'pty/1/data_roi0_dp.hdf5', save: 'append', dfile: 'scan.ptyd' });
 * ```
 */
export class FoldSliceScan extends StackFileScan {
  static override params = defineParams(FOLD_SLICE_SCAN_TEXT, {
    name: 'FoldSliceScan',
    parent: StackFileScan.params,
    description: 'reads PtychoShelves/fold_slice data: data_roi*_dp.hdf5 and its _para.hdf5',
  });

  constructor(pars: ScanParams = {}, options: PtyScanOptions = {}) {
    super(pars, options, stackLayout);
  }

  /** What ptyscan recorded beside the positions (energy, distance, pixel size) fills what the user left unset. */
  static override paramsFromFiles(info: PyDict, pars: ScanParams): ScanParams {
    return unset(pars, recordedParams(readLayout(info)));
  }
}
