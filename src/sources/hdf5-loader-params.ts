import { defineParams, type ParamTree } from '../params/index.js';
import { PtyScan } from '../scan/pty-scan.js';

/** A `<name>.file` / `<name>.key` pair: both must be given for the dataset to be used. */
function datasetBlock(name: string, what: string, doc: string, userlevel = 1): string {
  return `
[${name}]
type = Param
default = {}
help = ${what}
doc = ${doc}
userlevel = ${userlevel}

[${name}.file]
type = file, None
default = None
help = HDF5 file holding the ${name} dataset
userlevel = ${userlevel}

[${name}.key]
type = str, None
default = None
help = Path of the ${name} dataset in that file
doc = Used only together with ${name}.file (as in ptypy, a key without a file
    is ignored, with a warning).
userlevel = ${userlevel}
`;
}

function recordedBlock(name: string, what: string, unit: string, offset: boolean): string {
  const offsetBlock = offset
    ? `
[recorded_${name}.offset]
type = float
default = 0.0
help = Added to the recorded ${what} after the multiplier (in ${unit})
userlevel = 2
`
    : '';
  return `${datasetBlock(
    `recorded_${name}`,
    `The ${what} as recorded in a file`,
    `A dataset with a single value (scalar, (1,), (1, 1), ...), read as a float,
    times the multiplier${offset ? ', plus the offset' : ''}, in ${unit}.`,
    2,
  )}
[recorded_${name}.multiplier]
type = float
default = 1.0
help = Factor turning the recorded ${what} into ${unit}
userlevel = 2
${offsetBlock}`;
}

const HDF5_LOADER_TEXT = `
[name]
default = 'Hdf5Loader'

[shape]
type = int, tuple
default = None
help = Region of interest read from every frame; None: the whole frame
doc = With a shape (and auto_center not True) only the window of that shape
    around 'center' is read from the file, and the prepared frames are
    centred on shape // 2. None reads whole frames.

[intensities]
type = Param
default = {}
help = Where the diffraction frames are
userlevel = 0

[intensities.file]
type = file, None
default = None
help = HDF5 file holding the frames (required)
doc = External links, virtual datasets (an Eiger master's /entry/data/data),
    gzip, LZF and bitshuffle-LZ4 compression are read transparently.
userlevel = 0

[intensities.key]
type = str, None
default = None
help = Path of the frames in that file (required)
doc = (N, H, W) frames with per-frame positions or (C, D) position grids, or
    (A, B, H, W) frames with (A, B) grids or 1-D slow (A,) and fast (B,) axes.
    A group whose members are 3-D stacks (an Eiger master's /entry/data with
    data_000001, ... links) is read as their concatenation in name order.
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
help = Path of the slow-axis (row, y) positions (required)
userlevel = 0

[positions.slow_multiplier]
type = float
default = 1.0
help = Factor turning slow positions into metres
userlevel = 0

[positions.slow_index]
type = int, None
default = None
help = Column of an (N, k) table holding the slow positions
userlevel = 1

[positions.fast_key]
type = str, None
default = None
help = Path of the fast-axis (column, x) positions (required)
userlevel = 0

[positions.fast_multiplier]
type = float
default = 1.0
help = Factor turning fast positions into metres
userlevel = 0

[positions.fast_index]
type = int, None
default = None
help = Column of an (N, k) table holding the fast positions
userlevel = 1

[positions.bounding_box]
type = Param
default = {}
help = Only the scan points inside these index ranges are used
userlevel = 1

[positions.bounding_box.fast_axis_bounds]
type = None, int, tuple, list
default = None
help = Range of fast-axis indices: an int is the lower bound, a pair (lo, hi) the half-open range
userlevel = 1

[positions.bounding_box.slow_axis_bounds]
type = None, int, tuple, list
default = None
help = Range of slow-axis indices, as fast_axis_bounds (not used for per-frame positions)
userlevel = 1

[positions.skip]
type = int
default = 1
help = Use every skip-th scan point along each axis
userlevel = 1
${datasetBlock(
  'mask',
  'The detector mask: it becomes the weights of every frame',
  `(H, W), or laid out like the frames. The values are the weights as stored
    (their dtype kept); a pixel is masked where its weight is 0 or less.`,
  0,
)}
[mask.invert]
type = bool
default = False
help = The mask marks bad pixels: a bool or float mask becomes 1 - mask, an integer mask 1 where it is 0 (any flag set is bad)
userlevel = 0
${datasetBlock(
  'darkfield',
  'Dark frame subtracted from every frame',
  `(H, W), (1, H, W) or laid out like the frames. Pixels below the dark become
    0; the result has numpy's common dtype of frames and dark.`,
)}${datasetBlock(
  'flatfield',
  'Flat field every frame is divided by',
  `(H, W) or laid out like the frames. The quotient is written back into the
    frame's dtype (integer frames are truncated).`,
)}${datasetBlock(
  'normalisation',
  'Per-point monitor (incident intensity)',
  `One value per scan point, laid out like the positions. A frame whose value v
    is within sigma standard deviations of the mean of the whole dataset
    becomes frame / v * mean; other frames are kept as they are.`,
)}
[normalisation.sigma]
type = int, float
default = 3
help = Frames whose monitor is further than this many standard deviations from the mean are not normalised
userlevel = 2
${datasetBlock(
  'framefilter',
  'Which scan points are used',
  `Laid out like the positions (or the position grid): points whose value is
    above 0 are used.`,
)}${recordedBlock('energy', 'photon energy', 'keV', true)}${recordedBlock(
  'distance',
  'sample-detector distance',
  'metres',
  false,
)}${recordedBlock('psize', 'detector pixel size', 'metres', false)}
[outer_index]
type = int, None
default = None
help = Index along the outer axis of a spectro scan (default 0 when the recorded energy has several values)
userlevel = 2

[padding]
type = int, tuple, list, None
default = None
help = Zero padding (top, bottom, left, right) added to every frame and its weights
userlevel = 2

[electron_data]
type = bool
default = False
help = The energy is the electrons' energy in keV; meta energy becomes the photon energy of the same wavelength
userlevel = 2

[live]
type = bool
default = False
help = The acquisition is still running: frames whose data files are not there yet are waited for
doc = For a master written at the start of a scan whose data files (an Eiger's
    data_000001.h5, ...) appear one by one, named by its virtual dataset or its
    external links: the scan gives WAIT until the next data file is complete and
    EOS once the last one is read; prepare --timeout gives up on a writer that
    stopped. A data file counts once it is complete: its superblock ends where
    the file ends and no writer has it open (with the native HDF5 addon also:
    no process holds HDF5's lock on it and every chunk is written; without the
    addon, its size has not changed for a second). Not a ptypy parameter.
userlevel = 1

[frameorder]
type = Param
default = {}
help = Reorders the selected scan points
userlevel = 2

[frameorder.indices]
type = list, array, None
default = None
help = New order: the selected points are replaced by selected[indices] (repeats and subsets allowed)
userlevel = 2
`;

/** The parameter tree of {@link Hdf5Loader}: PtyScan's plus ptypy's Hdf5Loader parameters. */
export const HDF5_LOADER_PARAMS: ParamTree = defineParams(HDF5_LOADER_TEXT, {
  name: 'Hdf5Loader',
  parent: PtyScan.params,
  description: 'reads frames, positions and corrections from beamline HDF5 files',
});
