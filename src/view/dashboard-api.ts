/**
 * The dashboard's endpoints: `/api/scan` (status and quick-look maps of a
 * `.ptyd` file), `/api/frame` (one frame and its mask) and `/api/events`
 * (server-sent `status` events on every change, ending after the scan ends).
 * One timer polls every watched file that is still being written.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessError, MissingDataError } from '../errors.js';
import { readPtydFrame } from '../preview/index.js';
import { openPtydReader } from '../ptyd/index.js';
import { ScanWatch } from './scan-watch.js';
import type { ServedFolder } from './served-folder.js';

/** Settings of the dashboard. */
export interface DashboardOptions {
  pollMs: number;
  staleAfter: number;
}

/** The dashboard's request handler and its shutdown. */
export interface DashboardRoutes {
  handle(route: string, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

/** Watched files at most (each keeps one frame of sums). */
const MAX_WATCHES = 16;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

/** Rounds to 6 significant digits for JSON (NaN as null). */
function compact(values: ArrayLike<number>): (number | null)[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null));
}

/** Builds the dashboard endpoints over `folder`. */
export function dashboardRoutes(folder: ServedFolder, options: DashboardOptions): DashboardRoutes {
  const watches = new Map<string, ScanWatch>();
  const clients = new Map<string, Set<ServerResponse>>();
  let timer: NodeJS.Timeout | null = null;

  const send = (res: ServerResponse, watch: ScanWatch): void => {
    res.write(`event: status\ndata: ${JSON.stringify(watch.current())}\n\n`);
  };

  const tick = (): void => {
    for (const [real, watch] of watches) {
      if (watch.done) continue;
      if (watch.poll()) for (const res of clients.get(real) ?? []) send(res, watch);
      if (watch.done) for (const res of clients.get(real) ?? []) res.end();
    }
    if ([...watches.values()].every((w) => w.done) && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };

  const watchOf = (name: string): ScanWatch => {
    const real = folder.resolve(name, true);
    let watch = watches.get(real);
    if (!watch) {
      if (watches.size >= MAX_WATCHES) {
        throw new AccessError(`${name}: the viewer follows at most ${MAX_WATCHES} files at once.`, {
          file: name,
          expected: `at most ${MAX_WATCHES} files`,
          found: `${watches.size + 1}`,
        });
      }
      watch = new ScanWatch(real, name, {
        staleAfter: options.staleAfter,
        // A file that was still to come is checked again once it exists.
        guard: () => void folder.resolve(name, true),
      });
      watch.poll();
      watches.set(real, watch);
    }
    if (!watch.done && timer === null) timer = setInterval(tick, options.pollMs);
    return watch;
  };

  const scan = (res: ServerResponse, name: string) => {
    const watch = watchOf(name);
    const maps = watch.maps();
    const status = watch.current();
    if (maps === null) return json(res, 200, { status, maps: null });
    const m = maps.quickLook.result();
    json(res, 200, {
      status,
      maps: {
        height: m.height,
        width: m.width,
        center: m.center,
        geometry: maps.geometry,
        frames: m.frames,
        sum: compact(m.sum),
        masked: Array.from(m.masked),
        transmission: compact(m.transmission),
        dpcY: compact(m.dpcY),
        dpcX: compact(m.dpcX),
        positions: compact(m.positions),
        histogram: Array.from(m.histogram),
      },
    });
  };

  const frame = (res: ServerResponse, name: string, indexText: string | null) => {
    const index = Number(indexText);
    if (indexText === null || !Number.isSafeInteger(index) || index < 0) {
      throw new AccessError(`index '${indexText}': expected a frame index (an integer >= 0).`, {
        parameter: 'index',
        expected: 'an integer >= 0',
        found: String(indexText),
      });
    }
    const watch = watchOf(name);
    if (index >= watch.current().frames) {
      throw new MissingDataError(
        `${name}: frame ${index} has not been read yet (${watch.current().frames} frames).`,
        {
          file: name,
          frame: index,
          expected: `an index below ${watch.current().frames}`,
          found: String(index),
        },
      );
    }
    // Frames the watch has counted lie in chunks that are complete on disk.
    const reader = openPtydReader(watch.file, { confineLinks: true });
    try {
      const f = readPtydFrame(reader, index);
      if (f === null)
        throw new MissingDataError(`${name}: no frame ${index}.`, { file: name, frame: index });
      json(res, 200, {
        ...f,
        values: compact(f.values),
        masked: f.masked ? Array.from(f.masked) : null,
      });
    } finally {
      reader.close();
    }
  };

  const events = (req: IncomingMessage, res: ServerResponse, name: string): void => {
    const watch = watchOf(name);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    send(res, watch);
    if (watch.done) {
      res.end();
      return;
    }
    const set = clients.get(watch.file) ?? new Set<ServerResponse>();
    clients.set(watch.file, set);
    set.add(res);
    req.on('close', () => set.delete(res));
  };

  return {
    handle(route, query, req, res) {
      const name = query.get('file') ?? '';
      switch (route) {
        case '/api/scan':
          return scan(res, name);
        case '/api/frame':
          return frame(res, name, query.get('index'));
        case '/api/events':
          return events(req, res, name);
        default:
          return json(res, 404, { message: `${route}: not found.` });
      }
    },
    close() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      for (const set of clients.values()) for (const res of set) res.end();
      clients.clear();
    },
  };
}
