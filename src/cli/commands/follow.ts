import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameError, MissingDataError, PtyscanError } from '../../errors.js';
import { h5ready } from '../../h5/index.js';
import { ChunkSurveyor } from '../../ptyd/chunk-survey.js';
import { openPtydReader } from '../../ptyd/ptyd-reader.js';
import { DEFAULT_STALE_AFTER, readWriterStatus, WriterWatch } from '../../ptyd/writer-state.js';
import { PtydScan } from '../../sources/ptyd-scan.js';
import { type CliEffects, type Command, parseCommandArgs } from '../command.js';
import { positiveInt, positiveNumber, singlePositional } from './options.js';
import { EXIT_INTERRUPTED } from './prepare.js';

const DEFAULT_CHUNK = 100;
const DEFAULT_POLL_MS = 500;

/**
 * `ptyscan follow <file.ptyd>`: reads a `.ptyd` file while another process
 * is still writing it (link or merge mode), the way a reconstruction would:
 * waits for the master and chunk 0, then takes the frames chunk by chunk in
 * order, waits while the writer waits, and ends with `frames: N` at the end
 * of the scan. A writer that died (stale heartbeat) ends it with an error.
 */
export const followCommand: Command = {
  name: 'follow',
  summary: 'Read a .ptyd file that is still being written, until the end of the scan',
  usage: [
    'ptyscan follow <file.ptyd> [options]',
    '',
    "Waits for the file (a writer such as 'ptyscan prepare' in link mode), then",
    'reads every frame once, in order, printing a line per chunk and WAIT while',
    "the writer waits for frames; the last line is 'frames: N'.",
    '',
    'Options:',
    '  --chunk N          frames per read (default 100)',
    `  --stale-after S    call the writer dead when its heartbeat stands still S seconds (default ${DEFAULT_STALE_AFTER})`,
    '  --poll MS          wait between checks (default 500)',
    '  --timeout S        give up when the file has not appeared, or no new frame came,',
    '                     for S seconds (default: wait for ever)',
    "  --confine-links    refuse chunk links to files outside the file's folder",
    "  --quiet            print only the final 'frames: N' line",
    '  --verbose          the stack of an error',
    '',
    'A writer on this host whose process is gone is noticed at once. When the writer',
    'died (or --timeout ran out) the last line says how many frames were read and how',
    'many the file holds, and the exit code is 1.',
  ].join('\n'),
  async run(args: readonly string[], effects: CliEffects): Promise<number> {
    const { values, positionals } = parseCommandArgs('follow', args, {
      chunk: { type: 'string' },
      'stale-after': { type: 'string' },
      poll: { type: 'string' },
      timeout: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      'confine-links': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
    });
    const file = singlePositional('follow', positionals, '<file.ptyd>');
    const chunk = positiveInt('follow', '--chunk', values.chunk) ?? DEFAULT_CHUNK;
    const staleAfter =
      positiveNumber('follow', '--stale-after', values['stale-after']) ?? DEFAULT_STALE_AFTER;
    const pollMs = positiveNumber('follow', '--poll', values.poll) ?? DEFAULT_POLL_MS;
    const timeoutS = positiveNumber('follow', '--timeout', values.timeout);
    const say = values.quiet === true ? () => {} : effects.stdout;
    const signal = effects.signal;
    const pause = async (): Promise<boolean> => {
      try {
        await sleep(pollMs, undefined, signal ? { signal } : {});
        return true;
      } catch {
        return false;
      }
    };

    await h5ready();
    const watch = new WriterWatch(file, { staleAfter });
    // Time since the last sign of progress (the file appearing, a new chunk): what --timeout bounds.
    let lastNew = performance.now();
    const timedOut = (): boolean =>
      timeoutS !== undefined && (performance.now() - lastNew) / 1000 > timeoutS;
    let frames = 0;
    try {
      let state = firstChunkState(file, watch);
      say(
        state === 'missing'
          ? `waiting for ${file}\n`
          : state === 'no chunk'
            ? `waiting for chunk 0 of ${file}\n`
            : `reading ${file}\n`,
      );
      while (state !== 'ready') {
        if (timedOut()) {
          throw new MissingDataError(
            state === 'missing'
              ? `${file} did not appear within ${timeoutS} s (--timeout).`
              : `${file} has no chunk 0 after ${timeoutS} s (--timeout).`,
            {
              file,
              expected: 'a .ptyd file with a first chunk',
              found: state === 'missing' ? 'no such file' : 'no chunk yet',
            },
          );
        }
        if (!(await pause())) return EXIT_INTERRUPTED;
        const next = firstChunkState(file, watch);
        if (next !== state) lastNew = performance.now();
        state = next;
      }

      const confineLinks = values['confine-links'] === true;
      const scan = new PtydScan({ dfile: file, source: 'file' }, { staleAfter, confineLinks });
      try {
        scan.initialize();
        let waiting = false;
        for (;;) {
          if (signal?.aborted) return EXIT_INTERRUPTED;
          const msg = scan.auto(chunk);
          if (msg.msg === 'EOS') break;
          if (msg.msg === 'WAIT') {
            if (!waiting) say(`WAIT (${frames} of ${scan.numFrames ?? '?'} frames)\n`);
            waiting = true;
            if (timedOut()) {
              throw new MissingDataError(
                `${file}: no new frame for ${timeoutS} s (--timeout) after ${frames} of ${scan.numFrames ?? '?'} frames.`,
                { file, expected: 'more frames', found: `${frames} frames` },
              );
            }
            if (!(await pause())) return EXIT_INTERRUPTED;
            continue;
          }
          waiting = false;
          lastNew = performance.now();
          const { indices } = msg.chunk;
          if (indices[0] !== frames || indices.some((index, k) => index !== frames + k)) {
            throw new FrameError(
              `${file}: frames arrived out of order: expected ${frames}.., found ${indices[0]}..`,
              {
                file,
                frame: indices[0] ?? frames,
                expected: `frame ${frames}`,
                found: String(indices[0]),
              },
            );
          }
          frames += indices.length;
          say(
            `chunk ${msg.chunk.num}: frames ${indices[0]}-${indices[indices.length - 1]} (${frames} of ${scan.numFrames ?? '?'})\n`,
          );
          // Let a Ctrl-C in between chunks be seen.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        scan.close();
      }
    } catch (e) {
      // The writer died or never came, a chunk cannot be read: say what there is before the error line.
      if (e instanceof PtyscanError) {
        effects.stdout(`frames: ${frames} read; ${readableFrames(file)}\n`);
      }
      throw e;
    }
    effects.stdout(`frames: ${frames}\n`);
    return 0;
  },
};

/** How many frames the file holds in readable chunks now, in words. */
function readableFrames(file: string): string {
  if (!existsSync(file)) return `${file} does not exist`;
  try {
    const status = readWriterStatus(file);
    const reader = openPtydReader(file);
    try {
      const { readable, frames: held } = new ChunkSurveyor().survey(reader, status);
      return `the file holds ${held} readable frame${held === 1 ? '' : 's'} in ${readable.length} chunk${readable.length === 1 ? '' : 's'}`;
    } finally {
      reader.close();
    }
  } catch (e) {
    return `the file cannot be read (${e instanceof Error ? e.message : String(e)})`;
  }
}

/**
 * Whether the master exists and links a present chunk 0; meanwhile a
 * writer that already died is reported by the watch.
 */
function firstChunkState(file: string, watch: WriterWatch): 'missing' | 'no chunk' | 'ready' {
  // The writer renames complete masters into place: one that exists is whole.
  if (!existsSync(file)) return 'missing';
  watch.observe(readWriterStatus(file));
  const reader = openPtydReader(file);
  try {
    // A chunk 0 that cannot be read is for PtydScan to judge (wait or error).
    return reader.chunkKeys().includes('0') ? 'ready' : 'no chunk';
  } finally {
    reader.close();
  }
}
