import { defineParams } from '../params/index.js';
import { Hdf5Loader } from './hdf5-loader.js';

const SWMR_LOADER_TEXT = `
[name]
default = 'SwmrLoader'

[live]
default = True

[intensities.live_key]
type = str, None
default = None
help = Key to the live keys of the frames in the intensities file (required)
doc = Live keys say how far the acquisition has got: 0 at the start of the
    scan, non-zero once the frame at that position is written. Read as a flat
    array (C order, any shape).
userlevel = 0

[positions.live_slow_key]
type = str, None
default = None
help = Key to the live keys of the slow-axis positions (required)
doc = As intensities.live_key, for the slow positions.
userlevel = 0

[positions.live_fast_key]
type = str, None
default = None
help = Key to the live keys of the fast-axis positions (required)
doc = As intensities.live_key, for the fast positions.
userlevel = 0

[positions.slow_key_with_expected_shape]
type = str, None
default = None
help = Key of a dataset of the slow axis's expected shape (required)
doc = Its shape is the scan's: it sets the mapping of frames to positions and
    the number of frames expected (the datasets being written are still
    shorter).
userlevel = 0

[positions.fast_key_with_expected_shape]
type = str, None
default = None
help = Key of a dataset of the fast axis's expected shape (required)
doc = As positions.slow_key_with_expected_shape, for the fast axis.
userlevel = 0
`;

/**
 * ptypy's `SwmrLoader`: an {@link Hdf5Loader} on a file another process is
 * still writing under SWMR (HDF5's single-writer/multiple-reader mode), with
 * ptypy's parameters. A frame is there once its live keys
 * (`intensities.live_key`, `positions.live_slow_key`,
 * `positions.live_fast_key`) are non-zero: `check()` reports those frames,
 * `auto()` gives WAIT until `min_frames` new ones are there and EOS once the
 * scan's expected frames (the shape of `positions.*_key_with_expected_shape`)
 * are read. Frames and positions are read as they are at each chunk; dark,
 * flat, mask and normalisation once, at construction, as ptypy does.
 * Intensities and positions are in one file; spectro scans are refused.
 *
 * @example
 * ```ts
 * const scan = new SwmrLoader({
 *   intensities: { file: 'scan.h5', key: 'entry/data', live_key: 'entry/keys/frame' },
 *   positions: { file: 'scan.h5', slow_key: 'entry/y', fast_key: 'entry/x',
 *                live_slow_key: 'entry/keys/y', live_fast_key: 'entry/keys/x',
 *                slow_key_with_expected_shape: 'entry/y_demand',
 *                fast_key_with_expected_shape: 'entry/x_demand' },
 *   save: 'link', dfile: 'scan.ptyd',
 * });
 * ```
 */
export class SwmrLoader extends Hdf5Loader {
  static override params = defineParams(SWMR_LOADER_TEXT, {
    name: 'SwmrLoader',
    parent: Hdf5Loader.params,
    description: 'Hdf5Loader on a file still being written under SWMR, following its live keys',
  });
}
