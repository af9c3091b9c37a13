import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FileFormatError, MissingDataError, ParameterError } from '../errors.js';
import type { FrameStack, NdArray } from '../frames/ndarray.js';
import { npyFrameShape, readNpyRows } from '../npy/npy-stack.js';
import { NpyReadHelper } from '../npy/read-helper.js';
import { defineParams, normalizeParams } from '../params/index.js';
import type { PyDict, PyValue } from '../py/value.js';
import { PtyScan, type PtyScanOptions, type ScanParams } from '../scan/pty-scan.js';
import type { AutoResult, CheckResult, LoadResult, RowWindow } from '../scan/types.js';
import { toOptionalInt } from '../scan/values.js';
import type { ParamOrigins, WaitReason } from './source-info.js';
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
 * With `num_frames` given the scan is live: a folder, `positions.txt` or
 * frame that is not there yet makes `auto()` WAIT instead of failing, and a
 * `geometry.txt` that appears with the first positions is still applied.
 * Without `num_frames` a missing `base_path` or `positions.txt` is an error.
 *
 * @example
 * ```ts
 * const scan = new NumpyScan({ base_path: 'raw/', shape: 128, save: 'append', dfile: 'out.ptyd' });
 * ```
 */
export class NumpyScan extends PtyScan implements ParamOrigins, WaitReason {
  static override params = defineParams(NUMPY_SCAN_TEXT, {
    name: 'NumpyScan',
    parent: PtyScan.params,
    description:
      'reads the tutorial raw folder: ccd/diffraction_%04d.npy, positions.txt, geometry.txt',
  });
  static override usesHdf5 = false;

  private readonly basePath: string;
  /** `num_frames` was given: files that are not there yet are waited for. */
  private readonly live: boolean;
  /** The parameters the user set: geometry.txt fills only the others. */
  private readonly given: ScanParams;
  /** Parameters filled from geometry.txt, and the file. */
  private readonly filled: Record<string, string> = {};
  /** A live scan whose geometry.txt was not there at construction: looked for again until the first positions. */
  private geometryPending = false;
  private livePositions = false;
  /** The last request check() could not fill (`start:available`), to tell a gap from a late frame. */
  private lastShort: string | null = null;
  /** What the last check() found missing first. */
  private awaited: string | null = null;
  /** The last chunk's raw stack, filled again by the next load() (see `LoadResult.scratch`). */
  private stack: FrameStack | null = null;
  /** A second thread reading each chunk's files with this one. */
  private readonly reader = new NpyReadHelper();

  constructor(pars: ScanParams = {}, options: PtyScanOptions = {}) {
    super(pars, options);
    this.basePath = resolve(String(this.info.base_path));
    const pattern = String(this.info.frame_pattern);
    if ((pattern.match(/%0?\d*d/g) ?? []).length !== 1) {
      // Without it every frame would be the same file, waited for without end.
      throw new ParameterError([
        {
          path: 'frame_pattern',
          expected: "a path with one %d for the frame number, e.g. 'ccd/diffraction_%04d.npy'",
          found: JSON.stringify(pattern),
        },
      ]);
    }
    this.live = isLive(this.info);
    this.given = { ...pars };
    const geometryFile = join(this.basePath, 'geometry.txt');
    if (existsSync(geometryFile)) {
      for (const key of Object.keys(readGeometry(geometryFile))) {
        if (pars[key] === undefined) this.filled[key] = geometryFile;
      }
    }
    this.geometryPending = this.live && !existsSync(geometryFile);
  }

  /**
   * `geometry.txt` fills the geometry parameters the user left unset. A
   * missing `base_path` is an error unless the scan is live (`num_frames`
   * given), which waits for it.
   */
  static override paramsFromFiles(info: PyDict, pars: ScanParams): ScanParams {
    const base = String(info.base_path);
    if (!isLive(info) && !existsSync(base)) {
      throw new MissingDataError(
        `${resolve(base)}: base_path does not exist. Give the folder of the raw data, or num_frames for a live scan that waits for it.`,
        {
          file: resolve(base),
          parameter: 'base_path',
          expected: 'an existing folder',
          found: 'no such folder',
        },
      );
    }
    const file = join(base, 'geometry.txt');
    return existsSync(file) ? unsetFrom(pars, readGeometry(file), {}) : {};
  }

  /** Where parameters that the user left unset came from: geometry.txt. */
  paramOrigins(): Readonly<Record<string, string>> {
    return { ...this.filled };
  }

  /** What the scan waited for at the last check (a folder, positions.txt, a frame file), or null. */
  waitingFor(): string | null {
    return this.awaited;
  }

  override auto(frames: number): AutoResult {
    if (this.geometryPending) this.lateGeometry();
    return super.auto(frames);
  }

  /**
   * A live scan's geometry.txt, written by the acquisition before its first
   * positions: applied to the parameters the user left unset, before the
   * first chunk freezes the ROI and writes the meta. Once positions.txt
   * exists without it, there is none. Over MPI ranks the master decides.
   */
  private lateGeometry(): void {
    const file = join(this.basePath, 'geometry.txt');
    const decided = this.comm.bcast(
      this.comm.isMaster
        ? existsSync(file)
          ? readGeometry(file)
          : existsSync(join(this.basePath, 'positions.txt'))
            ? {}
            : null
        : null,
      0,
    ) as Record<string, PyValue> | null;
    if (decided === null) return;
    this.geometryPending = false;
    const unset = unsetFrom(this.given, decided, this.given);
    const info = normalizeParams((this.constructor as typeof NumpyScan).params, unset);
    for (const key of Object.keys(decided)) {
      if (this.given[key] !== undefined) continue;
      this.info[key] = info[key] ?? null;
      if (key === 'energy' || key === 'distance') this.meta[key] = info[key] ?? null;
      this.filled[key] = file;
    }
    this.settingsChanged();
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
      frames = readPositionLines(positions, this.live).length;
    } catch {
      // A bad positions file is reported by loadPositions(), in its turn.
      return;
    }
    if (this.reader.worthIt(frames, frames * statSync(first).size)) this.reader.start();
  }

  override loadPositions(): NdArray | null {
    const file = join(this.basePath, 'positions.txt');
    if (!existsSync(file) && this.live) {
      // Not written yet: the positions come with the frames.
      this.livePositions = true;
      return null;
    }
    if (!existsSync(file)) {
      throw new FileFormatError(`${file}: positions file not found.`, {
        file,
        expected: 'positions.txt in base_path',
        found: 'no such file',
      });
    }
    const lines = readPositionLines(file, this.live);
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
    // Frames before a gap are handed out first; the gap is an error once it is next, or when
    // the same short request comes twice (a scan waiting for more frames than the gap lets through).
    if (available === 0 && frames > 0) this.checkNoGap(start);
    else if (available < frames) {
      const short = `${start}:${available}`;
      if (this.lastShort === short) this.checkNoGap(start + available);
      this.lastShort = short;
    }
    let awaited = `frame file ${this.framePath(start + available)}`;
    if (this.livePositions) {
      const file = join(this.basePath, 'positions.txt');
      if (!existsSync(file)) {
        available = 0;
        awaited = file;
      } else {
        const lines = readPositionLines(file, this.live).length;
        if (lines - start < available) {
          available = Math.max(0, lines - start);
          awaited = `line ${start + available + 1} of ${file}`;
        }
      }
    }
    if (!existsSync(this.basePath)) awaited = `the folder ${this.basePath}`;
    this.awaited = awaited;
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
    const later = this.laterFrame(missingIndex);
    if (later === null) return;
    const file = this.framePath(missingIndex);
    throw new MissingDataError(
      `${file}: frame file missing, but the later frame ${this.framePath(later)} exists.`,
      { file, frame: missingIndex, expected: 'frame files without gaps', found: 'no such file' },
    );
  }

  /** The first frame index after `index` whose file exists (one listing of the frame folder), or null. */
  private laterFrame(index: number): number | null {
    const probe = this.framePath(987654321);
    const folder = dirname(probe);
    const name = basename(probe);
    const cut = name.indexOf('987654321');
    const head = name.slice(0, cut);
    const tail = name.slice(cut + 9);
    let first: number | null = null;
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return null;
    }
    for (const entry of names) {
      if (!entry.startsWith(head) || !entry.endsWith(tail)) continue;
      const digits = entry.slice(head.length, entry.length - tail.length);
      if (!/^\d+$/.test(digits)) continue;
      const n = Number(digits);
      if (
        n > index &&
        (this.numFrames === null || n < this.numFrames) &&
        (first === null || n < first)
      )
        first = n;
    }
    return first;
  }

  override close(): void {
    this.reader.close();
    super.close();
  }

  /** The frame file's header says its shape. */
  override frameShape(index: number): [number, number] | null {
    return npyFrameShape(this.framePath(index));
  }

  /** The frames of `indices`, as one stack; with a `window`, only those rows of each frame are read. */
  override load(indices: readonly number[], window?: RowWindow): LoadResult {
    // One stack read straight from the files: no per-frame buffers to allocate and copy.
    const { stack: data, rows } = readNpyRows(
      indices.map((i) => this.framePath(i)),
      indices,
      this.stack,
      this.reader,
      window,
    );
    this.stack = data;
    const read = rows.end - rows.start < rows.frameRows ? { data, rows } : { data };
    if (!this.livePositions) return { ...read, scratch: true };
    const file = join(this.basePath, 'positions.txt');
    const lines = readPositionLines(file, this.live);
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
    return { ...read, positions, scratch: true };
  }
}

/** `into` with the entries of `extra` whose keys `pars` leaves unset. */
function unsetFrom(
  pars: ScanParams,
  extra: Readonly<Record<string, PyValue>>,
  into: ScanParams,
): ScanParams {
  const out: ScanParams = { ...into };
  for (const [key, value] of Object.entries(extra)) if (pars[key] === undefined) out[key] = value;
  return out;
}

/** `num_frames` is given: files that are not there yet are waited for. */
function isLive(info: PyDict): boolean {
  return info.num_frames !== null && info.num_frames !== undefined;
}
