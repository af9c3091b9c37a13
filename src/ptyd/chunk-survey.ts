/**
 * Which chunks of a `.ptyd` file a reader may take, by one rule for every
 * reader (`PtydScan`, `follow`, `preview`, the viewer): the chunks 0, 1, ...
 * in order, without a gap. A chunk that cannot be read is never skipped:
 *
 * - in a file with writer state (ptyscan's link and merge masters), every
 *   chunk the master names was complete on disk before it was named, so one
 *   that cannot be read is an error naming its file, whether the scan is
 *   running or complete;
 * - in a file without (ptypy's, append mode), only the last chunk may be
 *   one not written yet (its file missing, its group without `data`, a file
 *   still being written); anything else is an error.
 *
 * {@link ChunkSurveyor} does this incrementally: chunks it has seen are not
 * opened again, so following a scan of n chunks costs O(n), not O(n^2).
 */
import { FileFormatError, MissingDataError, type PtyscanError } from '../errors.js';
import type { PtydChunkInfo, PtydReader } from './ptyd-reader.js';
import type { WriterStatus } from './writer-state.js';

/** The chunks a reader may take now. */
export interface ChunkSurvey {
  /** Chunks 0, 1, ... that can be read, in order. */
  readonly readable: readonly PtydChunkInfo[];
  /** Frames in {@link readable}. */
  readonly frames: number;
  /** Why the next chunk cannot be read yet, when it may still be written; else null. */
  readonly pending: string | null;
  /**
   * The error that ends the readable chunks for good (a chunk that must be
   * readable and is not, a missing chunk key), or null. Frames before it may
   * still be read; {@link surveyChunks} throws it.
   */
  readonly blocked: PtyscanError | null;
}

/** The error for a chunk that must be readable and is not. */
function unreadable(file: string, chunk: PtydChunkInfo, why: string): PtyscanError {
  const where = chunk.link === undefined ? chunk.path : `${chunk.path} (${chunk.link.file})`;
  const problem = (chunk.problem ?? 'unreadable').replace(/\.$/, '');
  const message = `${file}: chunk ${chunk.key} ${where} cannot be read, ${why}: ${problem}.`;
  const context = {
    file: chunk.link?.file ?? file,
    dataset: chunk.path,
    expected: `chunk ${chunk.key} readable`,
    found: chunk.problem ?? 'unreadable',
  };
  return chunk.notYet
    ? new MissingDataError(message, context)
    : new FileFormatError(message, context);
}

/** Why a reader may not wait for `chunk`, or null when it may (the last chunk of a file without writer state). */
function mustBeThere(status: WriterStatus | null, isLast: boolean): string | null {
  if (status?.state === 'complete') return 'but the file is complete';
  if (status !== null)
    return "but the master named it only once it was complete (the writer's state says so)";
  if (!isLast) return 'but later chunks are there: frames would be missing';
  return null;
}

/**
 * Surveys chunks `keys` from position `start` on, after `before` (chunks
 * already known to be readable).
 */
function extend(
  reader: PtydReader,
  status: WriterStatus | null,
  keys: readonly string[],
  before: readonly PtydChunkInfo[],
): ChunkSurvey {
  const readable = [...before];
  let frames = before.reduce((n, c) => n + c.frames, 0);
  for (let k = before.length; k < keys.length; k++) {
    const key = keys[k]!;
    if (Number(key) !== readable.length) {
      const blocked = new MissingDataError(
        `${reader.file}: chunk ${readable.length} is missing, but chunk ${key} is there: frames would be missing.`,
        {
          file: reader.file,
          dataset: `/chunks/${readable.length}`,
          expected: `chunks 0..${key} without a gap`,
          found: `chunk ${readable.length} missing`,
        },
      );
      return { readable, frames, pending: null, blocked };
    }
    const chunk = reader.chunk(key);
    if (!chunk.dead) {
      readable.push(chunk);
      frames += chunk.frames;
      continue;
    }
    const why = mustBeThere(status, k === keys.length - 1);
    if (why !== null) {
      return { readable, frames, pending: null, blocked: unreadable(reader.file, chunk, why) };
    }
    const pending = `chunk ${chunk.key}: ${chunk.problem ?? 'not there yet'}`;
    return { readable, frames, pending, blocked: null };
  }
  return { readable, frames, pending: null, blocked: null };
}

/**
 * The chunks of an open file a reader may take now (see the rules above).
 *
 * @throws MissingDataError or FileFormatError naming the chunk and its file
 *   when a chunk that must be readable is not, or a chunk key is missing.
 */
export function surveyChunks(reader: PtydReader, status: WriterStatus | null): ChunkSurvey {
  const survey = extend(reader, status, reader.chunkKeys(), []);
  if (survey.blocked !== null) throw survey.blocked;
  return survey;
}

/**
 * {@link surveyChunks} over repeated reads of one growing file: chunks found
 * readable once are taken as they were (writers only add chunks), and only
 * new ones are opened. A different scan in the file (another run id, fewer
 * chunks, a chunk replaced) starts the survey over. It does not throw
 * `blocked`: a reader takes the frames before it first.
 */
export class ChunkSurveyor {
  private known: PtydChunkInfo[] = [];
  private run: string | null = null;

  /** The survey of the file now. */
  survey(reader: PtydReader, status: WriterStatus | null): ChunkSurvey {
    const keys = reader.chunkKeys();
    if (!this.stillValid(reader, status, keys)) this.known = [];
    this.run = status?.run ?? null;
    const result = extend(reader, status, keys, this.known);
    this.known = [...result.readable];
    return result;
  }

  /** Whether the chunks known so far are still those of the file (checked on the last one only). */
  private stillValid(
    reader: PtydReader,
    status: WriterStatus | null,
    keys: readonly string[],
  ): boolean {
    const last = this.known[this.known.length - 1];
    if (last === undefined) return true;
    if ((status?.run ?? null) !== this.run || keys.length < this.known.length) return false;
    if (keys[this.known.length - 1] !== last.key) return false;
    const now = reader.chunk(last.key);
    return !now.dead && now.frames === last.frames && now.link?.file === last.link?.file;
  }
}
