import { defineParams, type ParamTree } from '../params/index.js';
import { PtyScan } from '../scan/pty-scan.js';

/** A `<name>.file` / `<name>.key` pair; the file defaults to the frames' file. */
function datasetBlock(name: string, what: string, doc: string, userlevel = 1): string {
  return `
[${name}]
type = Param
default = {}
help = ${what}
userlevel = ${userlevel}

[${name}.file]
type = file, None
default = None
help = HDF5 file holding the ${name} dataset; None: intensities.file
userlevel = ${userlevel}

[${name}.key]
type = str, None
default = None
help = Path of the ${name} dataset in its file; None: no ${name}
doc = ${doc}
userlevel = ${userlevel}
`;
}

function recordedBlock(name: string, what: string, unit: string): string {
  return `${datasetBlock(
    `recorded_${name}`,
    `The ${what} as recorded in a file`,
    `A dataset holding one value (scalar or one element). Times the multiplier it
    must give ${unit}; when set it replaces the '${name}' parameter.`,
    2,
  )}
[recorded_${name}.multiplier]
type = float
default = 1.0
help = Factor turning the recorded ${what} into ${unit}
userlevel = 2
`;
}

const HDF5_LOADER_TEXT = `
[name]
default = 'Hdf5Loader'

[auto_center]
default = False

[intensities]
type = Param
default = {}
help = Where the diffraction frames are
userlevel = 0

[intensities.file]
type = file, None
default = None
help = HDF5 file holding the frames (required)
doc = A relative path is taken as given (the command line resolves it against
    the config file's folder). Datasets may be gzip, LZF or bitshuffle-LZ4
    compressed, and may live in files an external link points to.
userlevel = 0

[intensities.key]
type = str, None
default = None
help = Path of the frames in that file (required)
doc = A 3-D (N, H, W) dataset, a 4-D (A, B, H, W) dataset whose frames are
    taken in C order (frame a*B + b), or a group whose datasets are 3-D stacks
    concatenated in name order (an Eiger master file's '/entry/data'). Frames
    are read chunk by chunk; the dataset must be complete (a file still being
    written is not followed).
userlevel = 0

[positions]
type = Param
default = {}
help = Scan positions: slow and fast axis datasets
userlevel = 0

[positions.file]
type = file, None
default = None
help = HDF5 file holding the position datasets; None: intensities.file
userlevel = 0

[positions.slow_key]
type = str, None
default = None
help = Path of the slow-axis (row, y) positions
doc = One value per frame, in any shape of N values (e.g. (N,) or (A, B)).
    For 4-D frames a 1-D slow axis of A values with a 1-D fast axis of B
    values is spread over the A x B grid. Give both keys or neither.
userlevel = 0

[positions.slow_multiplier]
type = float
default = 1.0
help = Factor turning slow positions into metres
userlevel = 0

[positions.fast_key]
type = str, None
default = None
help = Path of the fast-axis (column, x) positions
userlevel = 0

[positions.fast_multiplier]
type = float
default = 1.0
help = Factor turning fast positions into metres
userlevel = 0
${datasetBlock(
  'mask',
  'A 2-D mask of the detector',
  `A (H, W) dataset: nonzero marks good pixels (with mask.invert, bad ones).`,
  0,
)}
[mask.invert]
type = bool
default = False
help = Nonzero mask pixels are bad ones
userlevel = 0
${datasetBlock(
  'darkfield',
  'Dark frame subtracted from every frame',
  `A (H, W) frame, or a (n, H, W) stack whose mean is used. Frames become
    float64: (data - dark) / flat, with negative values set to 0.`,
)}${datasetBlock(
  'flatfield',
  'Flat field every frame is divided by',
  `A (H, W) frame, or a (n, H, W) stack whose mean is used, divided by as
    stored. Pixels where it is 0 or not finite become 0 and are masked.`,
)}${datasetBlock(
  'normalisation',
  'Per-frame monitor (incident intensity)',
  `One value per frame (N values, any shape). Each frame is divided by its
    monitor value relative to the mean over the frames used:
    data * mean(I0) / I0, so counts keep their scale. Every value used must be
    positive.`,
)}${datasetBlock(
  'framefilter',
  'Which frames are used',
  `One value per frame (N values, any shape): frames with a nonzero value
    are used, the others skipped, with their positions and monitor values.`,
)}${recordedBlock('energy', 'photon energy', 'keV')}${recordedBlock(
  'distance',
  'sample-detector distance',
  'metres',
)}${recordedBlock('psize', 'detector pixel size', 'metres')}`;

/** The parameter tree of {@link Hdf5Loader}: PtyScan's plus the dataset blocks. */
export const HDF5_LOADER_PARAMS: ParamTree = defineParams(HDF5_LOADER_TEXT, {
  name: 'Hdf5Loader',
  parent: PtyScan.params,
  description: 'reads frames, positions and corrections from beamline HDF5 files',
});
