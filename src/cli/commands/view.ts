import { once } from 'node:events';
import { h5ready } from '../../h5/index.js';
import { DEFAULT_STALE_AFTER } from '../../ptyd/index.js';
import { startViewServer } from '../../view/index.js';
import { type CliEffects, type Command, parseCommandArgs, UsageError } from '../command.js';
import { positiveInt, positiveNumber, singlePositional } from './options.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * `ptyscan view <file.ptyd | file.h5 | folder>`: a read-only local web
 * server with h5web's HDF5 browser and a live scan dashboard. Prints the URL
 * (with its access token) as the first line and serves until Ctrl-C.
 */
export const viewCommand: Command = {
  name: 'view',
  summary: 'Serve a browser viewer: HDF5 browser (h5web) and a live scan dashboard',
  usage: [
    'ptyscan view <file.ptyd | file.h5 | folder> [--port N] [--host H] [--poll MS] [--stale-after S]',
    '',
    'Starts a read-only web server and prints its URL (with a random access token) as the',
    'first line; open it in a browser. The page has a scan dashboard (state, frames and',
    'chunks so far, summed pattern, frame browser, positions coloured by transmission, the',
    'two DPC maps, a histogram of counts), updated live while the file is written, and',
    "h5web's browser for the whole file, with link-mode chunk files resolved on the server.",
    'Only files under the folder (of the file) can be read. Ctrl-C stops it.',
    '',
    'Options:',
    '  --port N           port (default: a free one)',
    '  --host H           interface (default 127.0.0.1; anything else is reachable by others)',
    '  --poll MS          wait between checks of a file being written (default 500)',
    `  --stale-after S    call the writer dead when its heartbeat stands still S seconds (default ${DEFAULT_STALE_AFTER})`,
  ].join('\n'),
  async run(args: readonly string[], effects: CliEffects): Promise<number> {
    const { values, positionals } = parseCommandArgs('view', args, {
      port: { type: 'string' },
      host: { type: 'string' },
      poll: { type: 'string' },
      'stale-after': { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    });
    const target = singlePositional('view', positionals, '<file.ptyd | file.h5 | folder>');
    const port = values.port === '0' ? 0 : (positiveInt('view', '--port', values.port) ?? 0);
    if (port > 65535) throw new UsageError('view', `--port expects 0..65535, found ${port}`);
    const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
    const pollMs = positiveNumber('view', '--poll', values.poll) ?? 500;
    const staleAfter =
      positiveNumber('view', '--stale-after', values['stale-after']) ?? DEFAULT_STALE_AFTER;
    await h5ready();
    const server = await startViewServer({ target, host, port, pollMs, staleAfter });
    effects.stdout(`${server.url}\n`);
    if (!LOOPBACK.test(host)) {
      effects.stderr(
        `ptyscan view: listening on ${host}: anyone who can reach it and has the URL can read ${server.root}\n`,
      );
    }
    effects.stderr(`serving ${server.root} (read-only); Ctrl-C stops\n`);
    try {
      if (effects.signal) {
        if (!effects.signal.aborted) await once(effects.signal, 'abort');
      } else {
        await new Promise<never>(() => {});
      }
    } finally {
      await server.close();
    }
    return 0;
  },
};
