import { ParameterError } from '../errors.js';

/**
 * Whether a chunk from `start` with `accessible` frames ends the scan: the
 * flag `check()` returned, else `start + accessible >= numFrames`. Without
 * either, the end cannot be told (ptypy fails comparing with None): a
 * {@link ParameterError} naming `num_frames`.
 */
export function endsScan(
  flag: boolean | null,
  numFrames: number | null,
  start: number,
  accessible: number,
): boolean {
  if (flag !== null) return flag;
  if (numFrames === null) {
    throw new ParameterError([
      {
        path: 'num_frames',
        expected:
          'a frame count (num_frames, positions) or a check() that says where the scan ends',
        found: 'None, and check() returned no end-of-scan flag',
      },
    ]);
  }
  return start + accessible >= numFrames;
}
