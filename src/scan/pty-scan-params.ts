import { defineParams, type ParamTree } from '../params/index.js';

/**
 * The parameters of `PtyScan` (ptypy's `scan.data` block) with ptypy's
 * defaults, plus ptyscan's own `compression`, `compression_level`,
 * `shuffle`, `compression_plugins` and `workers`. Units: metres for lengths, keV for energies.
 */
const PTYSCAN_TEXT = `
[name]
type = str
default = 'PtyScan'
help = Name of the scan data class
doc = Selects the data source class; subclasses register their own name.
userlevel = 1

[dfile]
type = file, None
default = None
help = Path of the prepared data file (.ptyd)
doc = Where prepared frames are saved when 'save' is set. An existing file
    of that name is kept as '<dfile>.old' before a new one is written.
userlevel = 0

[chunk_format]
type = str
default = '.chunk%02d'
help = Suffix of the chunk files in 'link' mode
doc = printf-style pattern appended to dfile to name each chunk file,
    with the chunk number as its argument.
userlevel = 2

[save]
type = str, None
default = None
help = How prepared data is saved: None, 'append', 'link', 'merge', 'cxi', 'nxcxi' or 'fold-slice'
doc = None keeps the data in memory only. 'append' writes every chunk into dfile.
    'link' writes each chunk to its own file and links it from dfile, so a
    reader can follow a scan while it is prepared. 'merge' leaves one chunk
    holding every frame in index order at the end of the scan. 'cxi' (CXI 1.6,
    for PyNX and ptychodus), 'nxcxi' (NeXus NXcxi_ptycho) and 'fold-slice'
    (PtychoShelves: dfile data_roi<label>_dp.hdf5 and its _para.hdf5) write
    those formats; their files take their names when the scan ends.
userlevel = 1
choices = [None, 'append', 'link', 'merge', 'cxi', 'nxcxi', 'fold-slice']

[auto_center]
type = bool, None
default = None
help = Find the optical axis from the frames
doc = True always uses the centre of mass of the first chunk (even when
    'center' is given). None uses it only when 'center' is None. False never
    does; with no 'center' the middle of the raw frame is used.
userlevel = 0

[load_parallel]
type = str
default = 'data'
help = What is loaded in parallel over processes
doc = 'data' shares out the frames, 'common' loads the common data on every
    process, 'all' does both, 'none' loads everything on the first process.
userlevel = 1
choices = ['data', 'common', 'all', 'none']

[rebin]
type = int, None
default = None
help = Rebinning factor applied to the cropped frames
doc = Each r x r block of pixels becomes one pixel (the mean of the block).
    The region of interest must be divisible by the factor. None or 1: no rebinning.
userlevel = 1
lowlim = 1
uplim = 32

[orientation]
type = int, tuple, list, None
default = None
help = Flips and transposition of the frames
doc = An int from 0 to 7 whose bits are (transpose, flip up-down, flip left-right):
    4 transposes, 2 flips rows, 1 flips columns, in that order.
    A 3-tuple of booleans gives the same three choices directly.
userlevel = 1
lowlim = 0
uplim = 7

[min_frames]
type = int
default = 1
help = Fewest frames a chunk is prepared with
doc = While fewer frames are available and the scan is not finished,
    the scan answers WAIT instead of a short chunk.
userlevel = 2
lowlim = 1

[positions_theory]
type = array, None
default = None
help = Planned scan positions in metres, shape (N, 2)
doc = When given, these positions are used instead of the measured ones and
    their number sets the number of frames.
userlevel = 2

[num_frames]
type = int, None
default = None
help = Number of frames of the scan
doc = None takes the number of positions. A number larger than the number
    of positions is cut down to it.
userlevel = 1
lowlim = 0

[label]
type = str, None
default = None
help = Free text label of the scan
userlevel = 2

[experimentID]
type = str, None
default = None
help = Name of the experiment the scan belongs to
userlevel = 2

[version]
type = float
default = 0.1
help = Version of the data format written into the meta data
userlevel = 2

[shape]
type = int, tuple, array, None
default = 256
help = Size of the square region of interest in pixels
doc = An int s gives s x s pixels. A pair (a, b) with a != b gives
    min(a, b) x min(a, b), since frames are kept square. None uses the raw
    frame size (its shorter side).
userlevel = 1

[center]
type = str, tuple, list, array, None
default = 'fftshift'
help = Position of the optical axis on the raw frames, in pixels (row, column)
doc = A pair of pixel coordinates, or a rule on the raw frame shape:
    'fftshift' the pixel shape // 2, 'geometric' the geometric middle
    (shape / 2 - 0.5), 'fft' the corner (0, 0). None finds the centre from
    the frames (see auto_center).
userlevel = 1
choices = ['fftshift', 'geometric', 'fft']

[psize]
type = float, tuple, array, None
default = 0.000172
help = Detector pixel size in metres, one value or (row, column)
doc = Multiplied by the rebinning factor in the prepared meta data.
userlevel = 0

[distance]
type = float
default = 7.19
help = Distance from the sample to the detector in metres
userlevel = 0

[energy]
type = float
default = 7.2
help = Photon energy in keV
userlevel = 0

[add_poisson_noise]
type = bool
default = False
help = Add Poisson noise to the frames (for simulated data)
userlevel = 2

[compression]
type = str
default = 'gzip'
help = Compression of the arrays in saved files
doc = 'gzip' (HDF5's deflate, with compression_level and shuffle) is read by every
    HDF5 reader; 'lzf' is faster and read by h5py (and so ptypy); 'none' writes
    uncompressed data. 'bitshuffle-lz4', 'lz4' and 'zstd' are HDF5 plugin filters
    that stock h5py and ptypy cannot read: they need compression_plugins True.
userlevel = 1
choices = ['gzip', 'lzf', 'none', 'bitshuffle-lz4', 'lz4', 'zstd']

[compression_level]
type = int, None
default = None
help = gzip level, from 0 (fastest) to 9 (smallest)
doc = None: 1 with the native HDF5 addon (after the byte shuffle, the files are
    smaller than ptypy's gzip 4 and written several times faster), else 4 (also
    for save 'cxi', 'nxcxi' and 'fold-slice', which h5wasm writes). ptypy's own
    pipeline is compression_level 4 with shuffle False.
userlevel = 2
lowlim = 0
uplim = 9

[shuffle]
type = bool, None
default = None
help = HDF5's byte shuffle before gzip
doc = A core HDF5 filter: every reader decodes it. It puts the bytes of equal
    significance together, so gzip compresses diffraction counts smaller and
    faster. None: on with the native HDF5 addon, off without it and for save
    'cxi', 'nxcxi' and 'fold-slice' (h5wasm writes one filter per dataset, so
    True needs the addon and a .ptyd save mode).
userlevel = 2

[compression_plugins]
type = bool
default = False
help = Allow a compression that stock h5py and ptypy cannot read
doc = The plugin filters of compression ('bitshuffle-lz4', 'lz4', 'zstd') are
    refused unless this is True: a reader then needs the filter plugin
    (hdf5plugin, or Debian's bitshuffle).
userlevel = 2

[workers]
type = int, None
default = None
help = Threads that compress and write saved chunks
doc = None: every core of the machine (os.availableParallelism(); under MPI, the
    cores shared out over the ranks). Each chunk is compressed on this many
    threads, in every save mode; 1 compresses on the calling thread alone. A
    number above the cores of the machine is cut down to them (with a warning).
userlevel = 1
lowlim = 1
`;

/**
 * The parameter tree of `PtyScan`, listed as `scandata.PtyScan`.
 *
 * @example
 * PTYSCAN_PARAMS.defaults().shape; // 256n
 */
export const PTYSCAN_PARAMS: ParamTree = defineParams(PTYSCAN_TEXT, {
  name: 'PtyScan',
  description: 'prepares raw detector frames into chunks of square, centred frames',
});
