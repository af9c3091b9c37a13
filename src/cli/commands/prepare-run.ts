/**
 * The loop of `ptyscan prepare`: opening the scan (in a live scan, waiting
 * for a source whose files are not there yet), then auto() until EOS,
 * polling on WAIT, with Ctrl-C and `--timeout` seen between steps.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MissingDataError, PtyscanError } from '../../errors.js';
import { writeState } from '../../h5/index.js';
import { mpiLaunch } from '../../parallel/index.js';
import type { PtyScan } from '../../scan/index.js';
import { hasWaitReason } from '../../sources/index.js';
import type { CliEffects } from '../command.js';
import type { Progress } from '../progress.js';

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** What one `prepare` run did (this run only; a resumed file holds more). */
export interface Outcome {
  frames: number;
  chunks: number;
  /** The first frame this run prepared (above 0 when it resumed a file). */
  firstFrame: number;
  interrupted: boolean;
}

/** How {@link openScan} waits. */
export interface OpenOptions {
  /** `--poll` or `num_frames` given: a file that is not there yet is waited for. */
  live: boolean;
  pollMs: number;
  timeoutS: number | undefined;
  effects: CliEffects;
  /** Called once per thing waited for. */
  onWait(what: string): void;
}

/**
 * The file a failure names when that file does not exist (yet), or is an
 * HDF5 file a writer still has open (a detector's first data file): what a
 * live scan waits for. Anything else is a real error.
 */
function missingFile(error: unknown): string | null {
  if (!(error instanceof PtyscanError) || typeof error.file !== 'string') return null;
  if (!existsSync(error.file)) return error.file;
  return writeState(error.file).kind === 'writing' ? error.file : null;
}

/**
 * Builds and initializes the scan. In a live single-process scan, a source
 * that fails because a file it names is not there yet (a raw folder, a
 * positions or HDF5 file an acquisition has not written) is built again
 * every poll until the file appears, up to `--timeout`. Under MPI the ranks
 * could not agree on retrying, so a missing file fails at once there (a
 * NumpyScan with num_frames waits inside the scan instead). Null when Ctrl-C
 * stopped the wait.
 */
export async function openScan(
  create: () => Promise<PtyScan>,
  options: OpenOptions,
): Promise<PtyScan | null> {
  const { live, pollMs, timeoutS, effects, onWait } = options;
  const retry = live && !mpiLaunch().parallel;
  const started = performance.now();
  let waitingFor: string | null = null;
  for (;;) {
    let scan: PtyScan | null = null;
    try {
      scan = await create();
      const dfile = scan.info.dfile;
      if (typeof scan.info.save === 'string' && typeof dfile === 'string') {
        mkdirSync(dirname(dfile), { recursive: true });
      }
      scan.initialize();
      return scan;
    } catch (error) {
      scan?.close();
      const file = retry ? missingFile(error) : null;
      if (file === null) throw error;
      const waited = (performance.now() - started) / 1000;
      if (timeoutS !== undefined && waited > timeoutS) {
        throw new MissingDataError(
          `${file} did not appear within ${timeoutS} s (--timeout): ${(error as Error).message}`,
          { file, expected: 'the file to appear', found: 'no such file', cause: error },
        );
      }
      if (file !== waitingFor) onWait(file);
      waitingFor = file;
    }
    try {
      await sleep(pollMs, undefined, effects.signal ? { signal: effects.signal } : {});
    } catch {
      return null;
    }
  }
}

/** Settings of {@link runScan}. */
export interface RunOptions {
  chunk: number;
  pollMs: number;
  timeoutS: number | undefined;
  progress: Progress;
  effects: CliEffects;
}

/** What the scan waits for, in words, when the source can say. */
function waitText(scan: PtyScan): string {
  const what = hasWaitReason(scan) ? scan.waitingFor() : null;
  return what === null ? 'more frames' : what;
}

/** Runs an initialized scan to EOS (or Ctrl-C), reporting each chunk. */
export async function runScan(scan: PtyScan, options: RunOptions): Promise<Outcome> {
  const { chunk, pollMs, timeoutS, progress, effects } = options;
  const signal = effects.signal;
  const firstFrame = scan.framestart;
  // Progress counts this run's frames (a resumed file already holds firstFrame of them).
  const total = (): number | null =>
    scan.numFrames === null ? null : Math.max(0, scan.numFrames - firstFrame);
  progress.start(total());
  // Every MPI rank must stop at the same chunk, so an interrupt seen by any rank stops all.
  const interrupted = (): boolean => {
    const local = signal?.aborted === true;
    return scan.comm.size > 1 ? scan.comm.allreduce(local ? 1 : 0, 'max') === 1 : local;
  };
  let frames = 0;
  let chunks = 0;
  let lastNew = progress.elapsed();
  let awaited = '';
  const stop = (): Outcome => ({ frames, chunks, firstFrame, interrupted: true });
  for (;;) {
    // Yield to the event loop so a Ctrl-C is seen between chunks.
    await new Promise((resolve) => setImmediate(resolve));
    if (interrupted()) return stop();
    const msg = scan.auto(chunk);
    if (msg.msg === 'EOS') break;
    if (msg.msg === 'WAIT') {
      const done = scan.framestart;
      const what = waitText(scan);
      // A source that says what it waits for shows progress below a whole chunk too.
      if (what !== awaited) {
        awaited = what;
        lastNew = progress.elapsed();
      }
      progress.waiting(frames, total(), `waiting for ${what}`);
      if (timeoutS !== undefined && progress.elapsed() - lastNew > timeoutS) {
        throw new MissingDataError(
          `no new frame for ${timeoutS} s (--timeout): ${done} of ${scan.numFrames ?? '?'} frames prepared, waiting for ${what}.`,
          {
            expected: `${scan.numFrames ?? 'more'} frames`,
            found: `${done} frames`,
          },
        );
      }
      try {
        await sleep(pollMs, undefined, signal ? { signal } : {});
      } catch {
        return stop();
      }
      continue;
    }
    // The whole chunk's frames (under MPI, msg.chunk holds only this rank's share).
    const first = frames + firstFrame;
    frames = scan.framestart - firstFrame;
    chunks += 1;
    lastNew = progress.elapsed();
    const last = frames + firstFrame - 1;
    progress.update(frames, total(), `chunk ${msg.chunk.num}: frames ${first}-${last}`);
  }
  return { frames, chunks, firstFrame, interrupted: false };
}
