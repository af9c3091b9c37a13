import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { FileFormatError, MissingDataError, ParameterError } from '../errors.js';
import {
  type FrameStack,
  formatShape,
  type NdArray,
  ndarray,
  sameShape,
} from '../frames/ndarray.js';
import { defineParams } from '../params/index.js';
import { type ChunkSurvey, ChunkSurveyor } from '../ptyd/chunk-survey.js';
import { openPtydReader, type PtydChunkInfo, type PtydReader } from '../ptyd/ptyd-reader.js';
import {
  DEFAULT_STALE_AFTER,
  readWriterStatus,
  SilenceWatch,
  type WriterStatus,
  WriterWatch,
} from '../ptyd/writer-state.js';
import { isPyDict, type PyDict } from '../py/value.js';
import { PtyScan, type PtyScanOptions, type ScanParams } from '../scan/pty-scan.js';
import type { CheckResult, LoadResult } from '../scan/types.js';

/** Options of a {@link PtydScan}: those of every scan, plus how long to trust a silent writer. */
export interface PtydScanOptions extends PtyScanOptions {
  /**
   * Seconds without a heartbeat change after which a file still marked
   * `running` counts as abandoned and `check()` throws a StateError instead of
   * waiting for ever (default {@link DEFAULT_STALE_AFTER}; `null`: wait for ever).
   */
  staleAfter?: number | null;
  /**
   * Refuse chunk links to files outside the file's folder (default false:
   * followed, as HDF5 does); such a chunk cannot be read.
   */
  confineLinks?: boolean;
}

const PTYD_SCAN_TEXT = `
[name]
default = 'PtydScan'

[source]
type = str, None
default = 'file'
help = The .ptyd file to read, or 'file' to read dfile itself
doc = With 'file', dfile is read and nothing is saved. With a path, that file is
    read and prepared again, and saved to dfile when 'save' is set (never over
    its own source).
userlevel = 0
`;

/** Meta entries of the file that override the parameters (ptypy's rule). */
const META_KEYS = [
  'shape',
  'center',
  'psize',
  'energy',
  'distance',
  'num_frames',
  'label',
  'version',
];

/** The most bytes of `meta` read back (a small file cannot make a reader allocate more). */
const META_MAX_BYTES = 64 * 1024 * 1024;

/** Where one frame lives in the file. */
interface FrameLocation {
  chunk: PtydChunkInfo;
  row: number;
}

/**
 * Reads prepared data back from a `.ptyd` file (ptypy's `PtydScan`). The
 * file's meta wins over the parameters (shape, centre, geometry, frame count);
 * `orientation` and `rebin` are applied again. Frames are re-chunked by the
 * `auto(n)` sizes, dead links to chunk files not written yet are skipped, and
 * a file that holds fewer frames than its meta announces gives WAIT until more
 * arrive (the file is reopened on every check, so a growing link-mode file is
 * followed). Files written without positions are readable (positions None).
 *
 * @example
 * ```ts
 * const scan = new PtydScan({ dfile: 'scan.ptyd', source: 'file' });
 * scan.initialize();
 * ```
 */
export class PtydScan extends PtyScan {
  static override params = defineParams(PTYD_SCAN_TEXT, {
    name: 'PtydScan',
    parent: PtyScan.params,
    description: 'reads prepared frames back from a .ptyd file (also one still being written)',
  });

  /** The file frames are read from. */
  readonly input: string;
  private frames: FrameLocation[] = [];
  /** The chunks {@link frames} covers, and the last of them. */
  private locatedChunks = 0;
  private lastLocated: PtydChunkInfo | undefined;
  private readonly watch: WriterWatch | null;
  private readonly silence: SilenceWatch | null;
  private readonly surveyor = new ChunkSurveyor();
  /** The last survey of the file, with the file's signature and run id at the time. */
  private last: { survey: ChunkSurvey; signature: string; run: string | null } | null = null;
  private readonly confineLinks: boolean;

  constructor(pars: ScanParams = {}, options: PtydScanOptions = {}) {
    super(pars, options);
    const input = PtydScan.inputFile(this.info);
    this.input = input;
    const staleAfter = options.staleAfter === undefined ? DEFAULT_STALE_AFTER : options.staleAfter;
    this.watch = staleAfter === null ? null : new WriterWatch(input, { staleAfter });
    this.silence = staleAfter === null ? null : new SilenceWatch(input, { staleAfter });
    this.confineLinks = options.confineLinks === true;
  }

  /** The file's meta wins over the parameters (ptypy's rule). */
  static override paramsFromFiles(info: PyDict): ScanParams {
    return PtydScan.readMeta(PtydScan.inputFile(info));
  }

  private static inputFile(pars: ScanParams): string {
    const source = pars.source ?? 'file';
    const dfile = pars.dfile;
    if (source === 'file' || source === null) {
      if (typeof dfile !== 'string') {
        throw new ParameterError([
          {
            path: 'dfile',
            expected: "the .ptyd file to read (source 'file')",
            found: String(dfile),
          },
        ]);
      }
      if (pars.save !== null && pars.save !== undefined) {
        throw new ParameterError([
          {
            path: 'save',
            expected: "None when source is 'file' (the file would be overwritten while it is read)",
            found: String(pars.save),
          },
        ]);
      }
      return dfile;
    }
    if (typeof source !== 'string') {
      throw new ParameterError([
        { path: 'source', expected: "'file' or a path", found: typeof source },
      ]);
    }
    if (typeof dfile === 'string' && resolve(dfile) === resolve(source)) {
      throw new ParameterError([
        { path: 'dfile', expected: 'a file other than the source', found: dfile },
      ]);
    }
    return source;
  }

  private static readMeta(file: string): ScanParams {
    if (!existsSync(file)) {
      throw new FileFormatError(`${file}: no such .ptyd file.`, {
        file,
        expected: 'a .ptyd file',
        found: 'nothing',
      });
    }
    const reader = openPtydReader(file);
    try {
      const chunks = reader.chunkKeys();
      if (!chunks.includes('0')) {
        throw new MissingDataError(
          `${file}: the file holds no chunk 0, so there is nothing to read yet.`,
          {
            file,
            dataset: '/chunks/0',
            expected: 'at least one chunk',
            found: `${chunks.length} chunks`,
          },
        );
      }
      const meta = reader.readValue('/meta', { maxBytes: META_MAX_BYTES });
      if (!isPyDict(meta)) {
        throw new FileFormatError(`${file}: /meta is not a group.`, {
          file,
          dataset: '/meta',
          expected: 'a dict',
          found: typeof meta,
        });
      }
      const out: ScanParams = {};
      // Kept as stored (ptypy hands the file's arrays on as they are).
      for (const key of META_KEYS) if (key in meta) out[key] = meta[key]!;
      return out;
    } finally {
      reader.close();
    }
  }

  override loadWeight(): NdArray | null {
    return null;
  }

  override loadPositions(): NdArray | null {
    return null;
  }

  /**
   * Counts the frames present now (the file may be growing). A live file
   * marked `complete` ends the scan with its last frame; one still marked
   * `running` whose writer died gives a StateError.
   */
  override check(frames: number, start: number): CheckResult {
    // The signature, then the state: a master replaced in between only adds frames, never hides one.
    const signature = fileSignature(this.input);
    const status = readWriterStatus(this.input);
    this.watch?.observe(status);
    const survey = this.surveyFor(start + frames, signature, status);
    this.locateFrames(survey.readable);
    const accessible = Math.max(0, Math.min(frames, this.frames.length - start));
    // A request that cannot be filled now: a chunk that must be readable and is not ends the scan.
    const short = start + frames > this.frames.length;
    if (short && survey.blocked !== null) throw survey.blocked;
    const complete =
      survey.blocked === null &&
      status?.state === 'complete' &&
      start + accessible >= this.frames.length;
    const ended = complete || (this.numFrames !== null && start + accessible >= this.numFrames);
    if (!short || ended) this.silence?.reset();
    else if (status === null) {
      // No writer state to tell a live writer from a dead one: a file that stays the same is dead.
      const pending = survey.pending === null ? '' : ` (${survey.pending})`;
      const holds = `${this.frames.length} of ${this.numFrames ?? '?'} frames${pending}`;
      this.silence?.observe(`${holds} ${fileSignature(this.input)}`, holds);
    }
    return [accessible, complete ? true : null];
  }

  /**
   * The chunks a read of frames up to `wanted` may take. Listing the chunks
   * costs O(n) in a master of n chunks, so the last survey is kept while it
   * still answers: the frames wanted are among those it found (and the
   * file is still the same scan), or the file has not changed since and
   * nothing was pending. Reading n chunks one by one then costs O(n).
   */
  private surveyFor(wanted: number, signature: string, status: WriterStatus | null): ChunkSurvey {
    const run = status?.run ?? null;
    const last = this.last;
    if (last !== null && last.run === run) {
      const { survey } = last;
      if (wanted < survey.frames) return survey;
      const settled = survey.pending === null && survey.blocked === null;
      if (settled && signature === last.signature) return survey;
    }
    const reader = openPtydReader(this.input, { confineLinks: this.confineLinks });
    try {
      const survey = this.surveyor.survey(reader, status);
      this.last = { survey, signature, run };
      return survey;
    } finally {
      reader.close();
    }
  }

  /** Where each frame of `readable` is: only the chunks new since the last call are added. */
  private locateFrames(readable: readonly PtydChunkInfo[]): void {
    const known = this.locatedChunks;
    const same = known > 0 && readable.length >= known && readable[known - 1] === this.lastLocated;
    if (!same) this.frames = [];
    for (const chunk of readable.slice(same ? known : 0)) {
      for (let row = 0; row < chunk.frames; row++) this.frames.push({ chunk, row });
    }
    this.locatedChunks = readable.length;
    this.lastLocated = readable[readable.length - 1];
  }

  override load(indices: readonly number[]): LoadResult {
    const reader = openPtydReader(this.input, { confineLinks: this.confineLinks });
    try {
      return this.loadFrom(reader, indices);
    } finally {
      reader.close();
    }
  }

  private loadFrom(reader: PtydReader, indices: readonly number[]): LoadResult {
    const data = new Map<number, NdArray>();
    const weights = new Map<number, NdArray>();
    const positions = new Map<number, Float64Array>();
    // Read each chunk's rows in one go rather than frame by frame.
    let k = 0;
    while (k < indices.length) {
      const first = this.locate(indices[k]!);
      let count = 1;
      while (
        k + count < indices.length &&
        this.locate(indices[k + count]!).chunk === first.chunk &&
        this.locate(indices[k + count]!).row === first.row + count
      ) {
        count++;
      }
      const { chunk } = first;
      const slice = { start: first.row, count };
      for (const key of ['data', 'weights']) {
        if (!chunk.datasets.includes(key)) {
          throw new FileFormatError(`${this.input}: chunk ${chunk.key} has no '${key}' dataset.`, {
            file: this.input,
            dataset: `${chunk.path}/${key}`,
            expected: 'data, weights, indices and positions in every chunk',
            found: chunk.datasets.join(', ') || 'nothing',
          });
        }
      }
      const d = reader.readDataset(`${chunk.path}/data`, slice);
      const w = reader.readDataset(`${chunk.path}/weights`, slice);
      if (!sameShape(d.shape, w.shape)) {
        throw new FileFormatError(
          `${this.input}: chunk ${chunk.key} has data ${formatShape(d.shape)} but weights ${formatShape(w.shape)}.`,
          {
            file: this.input,
            dataset: `${chunk.path}/weights`,
            expected: formatShape(d.shape),
            found: formatShape(w.shape),
          },
        );
      }
      // A chunk written without positions stores a list group: no positions (ptypy fails here).
      const p = chunk.datasets.includes('positions')
        ? reader.readDataset(`${chunk.path}/positions`, slice)
        : null;
      for (let r = 0; r < count; r++) {
        const index = indices[k + r]!;
        data.set(index, rowOf(d, r));
        weights.set(index, rowOf(w, r));
        // Positions of any numeric type (int64 ones come as bigints).
        if (p !== null) positions.set(index, Float64Array.from(rowOf(p, r).data, Number));
      }
      k += count;
    }
    return positions.size > 0 ? { data, weights, positions } : { data, weights };
  }

  private locate(index: number): FrameLocation {
    const at = this.frames[index];
    if (at === undefined) {
      throw new MissingDataError(`${this.input}: frame ${index} is not in the file.`, {
        file: this.input,
        frame: index,
        expected: `a frame index below ${this.frames.length}`,
        found: String(index),
      });
    }
    return at;
  }
}

/** Identity, size and change times of a file: what changes when a writer adds to it or replaces it. */
function fileSignature(file: string): string {
  const stat = statSync(file, { throwIfNoEntry: false, bigint: true });
  if (stat === undefined) return 'gone';
  return `${stat.dev}:${stat.ino} ${stat.size} ${stat.mtimeNs} ${stat.ctimeNs}`;
}

/** Row `r` of an (n, ...) array as an array of the remaining shape (a view). */
function rowOf(array: NdArray, r: number): NdArray {
  const shape = array.shape.slice(1);
  const size = shape.reduce((a, b) => a * b, 1);
  return ndarray(
    array.dtype,
    shape,
    array.data.subarray(r * size, (r + 1) * size) as FrameStack['data'],
  );
}
