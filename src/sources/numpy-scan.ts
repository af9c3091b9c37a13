import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileFormatError, MissingDataError } from '../errors.js';
import type { FrameStack, NdArray } from '../frames/ndarray.js';
import { readNpyStack } from '../npy/npy-stack.js';
import { NpyReadHelper } from '../npy/read-helper.js';
import { defineParams } from '../params/index.js';
import type { PyDict } from '../py/value.js';
import { PtyScan, type PtyScanOptions, type ScanParams } from '../scan/pty-scan.js';
import type { CheckResult, LoadResult } from '../scan/types.js';
import { toOptionalInt } from '../scan/values.js';
import { positionsArray, readGeometry, readPositionLines } from './tutorial-files.js';

const NUMPY_SCAN_TEXT = `
[name]
default = 'NumpyScan'

[base_path]
type = str
default = './'
help = Folder holding geometry.txt, positions.txt and ccd/diffraction_%04d.npy
doc = The layout of ptypy's tutorial: one NPY file per frame, one position line per frame.
userlevel = 0

[frame_pattern]
type = str
default = 'ccd/diffraction_%04d.npy'
help = printf-style path of each frame file, relative to base_path
userlevel = 2

[auto_center]
default = False
`;

/**
 * Reads the raw folder of ptypy's tutorial: `geometry.txt` fills the
 * geometry the user left unset, `positions.txt` gives the positions, and
 * `ccd/diffraction_%04d.npy` the frames. `check()` counts the frame files
 * present, so it also works while an acquisition is still writing them.
 *
 * @example
 * ```ts
 * const scan = new NumpyScan({ base_path: 'raw/', shape: 128, save: 'append', dfile: 'out.ptyd' });
 * ```
 */
export class NumpyScan extends PtyScan {
  static override params = defineParams(NUMPY_SCAN_TEXT, {
    name: 'NumpyScan',
    parent: PtyScan.params,
    description:
      'reads the tutorial raw folder: ccd/diffraction_%04d.npy, positions.txt, geometry.txt',
  });

  private readonly basePath: string;
  private livePositions = false;
  /** The last chunk's raw stack, filled again by the next load() (see `LoadResult.scratch`). */
  private stack: FrameStack | null = null;
  /** A second thread reading each chunk's files with this one. */
  private readonly reader = new NpyReadHelper();

  constructor(pars: ScanParams = {}, options: PtyScanOptions = {}) {
    super(pars, options);
    this.basePath = resolve(String(this.info.base_path));
  }

  /** `geometry.txt` fills the geometry parameters the user left unset. */
  static override paramsFromFiles(info: PyDict, pars: ScanParams): ScanParams {
    const file = join(String(info.base_path), 'geometry.txt');
    const geometry = existsSync(file) ? readGeometry(file) : {};
    return Object.fromEntries(Object.entries(geometry).filter(([key]) => pars[key] === undefined));
  }

  private framePath(index: number): string {
    const pattern = String(this.info.frame_pattern);
    return join(
      this.basePath,
      pattern.replace(/%0?(\d*)d/, (_m, w: string) => String(index).padStart(Number(w || 0), '0')),
    );
  }

  override initialize(): void {
    this.startReaderEarly();
    super.initialize();
  }

  /**
   * Starts the frame reading thread now, while the sink writes its header,
   * instead of at the first chunk, when the scan is large enough to use it.
   */
  private startReaderEarly(): void {
    const positions = join(this.basePath, 'positions.txt');
    const first = this.framePath(0);
    if (!existsSync(positions) || !existsSync(first)) return;
    let frames: number;
    try {
      frames = readPositionLines(positions).length;
    } catch {
      // A bad positions file is reported by loadPositions(), in its turn.
      return;
    }
    if (this.reader.worthIt(frames, frames * statSync(first).size)) this.reader.start();
  }

  override loadPositions(): NdArray | null {
    const file = join(this.basePath, 'positions.txt');
    if (!existsSync(file)) {
      throw new FileFormatError(`${file}: positions file not found.`, {
        file,
        expected: 'positions.txt in base_path',
        found: 'no such file',
      });
    }
    const lines = readPositionLines(file);
    const wanted = toOptionalInt(this.info.num_frames, 'num_frames');
    if (wanted !== null && wanted > lines.length) {
      // Still acquiring: positions arrive with the frames, so load() reads them.
      this.livePositions = true;
      return null;
    }
    if (wanted === null && existsSync(this.framePath(lines.length))) {
      throw new MissingDataError(
        `${file}: ${lines.length} positions, but the frame file ${this.framePath(lines.length)} exists too: fewer positions than frames. Set num_frames to the number of frames of the scan (frames then wait for their positions), or to ${lines.length} to use only the frames with a position.`,
        {
          file,
          expected: `a position line for every frame file`,
          found: `${lines.length} lines`,
        },
      );
    }
    return positionsArray(lines);
  }

  override check(frames: number, start: number): CheckResult {
    let available = 0;
    while (available < frames && existsSync(this.framePath(start + available))) available++;
    // Frames before a gap are handed out first; the gap is reported once it is next.
    if (available === 0 && frames > 0) this.checkNoGap(start);
    if (this.livePositions) {
      const lines = readPositionLines(join(this.basePath, 'positions.txt')).length;
      available = Math.max(0, Math.min(available, lines - start));
    }
    return [
      this.numFrames === null ? available : Math.min(available, this.numFrames - start),
      null,
    ];
  }

  /**
   * Frames arrive in index order, so a missing frame file followed by a
   * present one is lost, not late: waiting for it would wait for ever.
   */
  private checkNoGap(missingIndex: number): void {
    const last = this.numFrames === null ? null : this.numFrames - 1;
    if (last === null || missingIndex >= last) return;
    const later = [missingIndex + 1, last].find((i) => existsSync(this.framePath(i)));
    if (later === undefined) return;
    const file = this.framePath(missingIndex);
    throw new MissingDataError(
      `${file}: frame file missing, but the later frame ${this.framePath(later)} exists.`,
      { file, frame: missingIndex, expected: 'frame files without gaps', found: 'no such file' },
    );
  }

  override close(): void {
    this.reader.close();
    super.close();
  }

  override load(indices: readonly number[]): LoadResult {
    // One stack read straight from the files: no per-frame buffers to allocate and copy.
    const data = readNpyStack(
      indices.map((i) => this.framePath(i)),
      indices,
      this.stack,
      this.reader,
    );
    this.stack = data;
    if (!this.livePositions) return { data, scratch: true };
    const file = join(this.basePath, 'positions.txt');
    const lines = readPositionLines(file);
    const positions = new Map<number, [number, number]>();
    for (const i of indices) {
      const line = lines[i];
      if (line === undefined) {
        throw new MissingDataError(
          `${file}: no position for frame ${i} (the file has ${lines.length} lines).`,
          {
            file,
            frame: i,
            expected: `at least ${i + 1} position lines`,
            found: String(lines.length),
          },
        );
      }
      positions.set(i, [line.y, line.x]);
    }
    return { data, positions, scratch: true };
  }
}
