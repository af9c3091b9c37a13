/**
 * Where things are in a CXI file (CXI 1.6, cxidb/CXI `cxi_file_format.tex`)
 * and in NeXus's NXcxi_ptycho application definition
 * (nexusformat/definitions `contributed_definitions/NXcxi_ptycho.nxdl.xml`),
 * as ptyscan writes and reads them. docs/formats.md lists every field.
 */

/** CXI version times 100, as `cxi_version` stores it: 1.6. */
export const CXI_VERSION = 160;

/** The entry every path below lives in (the first and only one ptyscan writes). */
export const CXI_ENTRY = '/entry_1';

/** Paths shared by both layouts. */
export const CXI_PATHS = {
  version: '/cxi_version',
  /** The frames, (N, H, W): read here by PyNX and ptychodus. */
  data: '/entry_1/data_1/data',
  /** Positions (N, 3) x, y, z in metres: read here by ptychodus and ptypy's ALS loader. */
  translation: '/entry_1/data_1/translation',
  /** Positions once more: PyNX reads them here, as (3, N). */
  sampleTranslation: '/entry_1/sample_1/geometry_1/translation',
  instrument: '/entry_1/instrument_1',
  /** Read by PyNX (it fails without it). */
  instrumentName: '/entry_1/instrument_1/name',
  /** The photon energy in joules (CXI's Source class), read by PyNX and ptychodus. */
  energy: '/entry_1/instrument_1/source_1/energy',
  detector: '/entry_1/instrument_1/detector_1',
  distance: '/entry_1/instrument_1/detector_1/distance',
  xPixelSize: '/entry_1/instrument_1/detector_1/x_pixel_size',
  yPixelSize: '/entry_1/instrument_1/detector_1/y_pixel_size',
  /** The beam centre on the frames, in pixels (NXdetector's beam_center_x/y). */
  beamCenterX: '/entry_1/instrument_1/detector_1/beam_center_x',
  beamCenterY: '/entry_1/instrument_1/detector_1/beam_center_y',
  /** CXI's 32-bit pixel mask: bit 0 (CXI_PIXEL_IS_INVALID) marks a pixel not to use. */
  mask: '/entry_1/instrument_1/detector_1/mask',
} as const;

/** Paths of NXcxi_ptycho only: the frames and positions live in the detector, linked from the CXI names. */
export const NXCXI_PATHS = {
  definition: '/entry_1/definition',
  detectorData: '/entry_1/instrument_1/detector_1/data',
  detectorTranslation: '/entry_1/instrument_1/detector_1/translation',
  beam: '/entry_1/instrument_1/beam_1',
  beamEnergy: '/entry_1/instrument_1/beam_1/energy',
  incidentBeamEnergy: '/entry_1/instrument_1/beam_1/incident_beam_energy',
  probe: '/entry_1/instrument_1/source_1/probe',
  /** The NXdata default plot. */
  plot: '/entry_1/data',
  sampleX: '/entry_1/sample_1/transformations/x',
  sampleY: '/entry_1/sample_1/transformations/y',
} as const;

/** The application definition's name, in `definition`. */
export const NXCXI_DEFINITION = 'NXcxi_ptycho';

/** CXI's mask bit for a pixel not to use (CXI_PIXEL_IS_INVALID). */
export const CXI_PIXEL_IS_INVALID = 1;
