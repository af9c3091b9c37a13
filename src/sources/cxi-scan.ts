import { type CxiLayout, readCxiLayout } from '../formats/index.js';
import { H5File } from '../h5/index.js';
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

const CXI_SCAN_TEXT = `
[name]
default = 'CxiScan'

[file]
type = file
default = None
help = The CXI (1.6) or NeXus NXcxi_ptycho file to read
doc = Frames from entry_1/data_1/data (or the NXcxi detector's data), positions
    from entry_1/data_1/translation (or the sample's geometry_1/translation,
    PyNX's (3, N) too), energy, distance, pixel sizes, beam centre and mask from
    entry_1/instrument_1. Energy, distance, psize and center fill what you left unset.
userlevel = 0

[shape]
default = None

[auto_center]
default = False
`;

function readLayout(file: string): CxiLayout {
  const h5 = H5File.open(file, 'r');
  try {
    return readCxiLayout(h5, file);
  } finally {
    h5.close();
  }
}

function stackLayout(info: PyDict): StackLayout {
  const file = fileParam(info, 'file');
  const cxi = readLayout(file);
  return {
    dataFile: file,
    dataPath: cxi.dataPath,
    frames: cxi.frames,
    frameShape: cxi.frameShape,
    positions: cxi.positions,
    weights: cxi.weights,
    recorded: recordedParams(cxi),
    recordedFrom: file,
  };
}

/**
 * Reads a CXI or NXcxi_ptycho file of prepared (or raw) frames, as ptypy's
 * ALS and Diamond NeXus loaders do, so it can be prepared again (crop,
 * rebin, orientation) and saved as `.ptyd` (see docs/formats.md for the
 * fields and units). By default (`shape` None, `center` from the file's
 * beam centre or the frame's middle) the frames are taken as they are.
 *
 * @example
 * ```ts
 * const scan = new CxiScan({ file: 'scan.cxi', save: 'append', dfile: 'scan.ptyd' });
 * ```
 */
export class CxiScan extends StackFileScan {
  static override params = defineParams(CXI_SCAN_TEXT, {
    name: 'CxiScan',
    parent: StackFileScan.params,
    description: 'reads a CXI 1.6 or NeXus NXcxi_ptycho file (PyNX, ptychodus, ptyscan)',
  });

  constructor(pars: ScanParams = {}, options: PtyScanOptions = {}) {
    super(pars, options, stackLayout);
  }

  /** The file's energy, distance, pixel size and beam centre fill what the user left unset. */
  static override paramsFromFiles(info: PyDict, pars: ScanParams): ScanParams {
    return unset(pars, recordedParams(readLayout(fileParam(info, 'file'))));
  }
}
