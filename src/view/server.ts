/**
 * The `ptyscan view` server: read-only HTTP on 127.0.0.1 (by default) with a
 * random token every request must carry (query `token` or header
 * `x-ptyscan-token`). It serves the built page, the h5grove API for h5web,
 * the scan dashboard's JSON and its live updates as server-sent events.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname } from 'node:path';
import { AccessError, MissingDataError, PtyscanError } from '../errors.js';
import { DEFAULT_STALE_AFTER } from '../ptyd/index.js';
import { indexHtml, loadAssets } from './assets.js';
import { type DashboardRoutes, dashboardRoutes } from './dashboard-api.js';
import { type GroveResponse, groveAttr, groveData, groveMeta, grovePaths } from './h5grove.js';
import { MAX_SELECTION_BYTES, SelectionSizeError } from './selection.js';
import { ServedFolder } from './served-folder.js';

/** Options of {@link startViewServer}. */
export interface ViewServerOptions {
  /** A file (its folder is served) or a folder. */
  target: string;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: a free one). */
  port?: number;
  /** Access token (default: 24 random bytes, hex). */
  token?: string;
  /** Milliseconds between checks of a file being written (default 500). */
  pollMs?: number;
  /** Seconds without a heartbeat change before a running writer counts as dead. */
  staleAfter?: number;
  /** Largest `/h5grove/data` response in bytes (default {@link MAX_SELECTION_BYTES}). */
  maxSelectionBytes?: number;
}

/** A running server; {@link ViewServer.close} stops it. */
export interface ViewServer {
  /** The page's URL, token included. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The served folder and the file the page opens first (null for a folder). */
  readonly root: string;
  readonly file: string | null;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown) {
  if (error instanceof SelectionSizeError) return sendJson(res, 413, { message: error.message });
  if (error instanceof AccessError) return sendJson(res, 403, { message: error.message });
  if (error instanceof MissingDataError) return sendJson(res, 404, { message: error.message });
  if (error instanceof PtyscanError) return sendJson(res, 400, { message: error.message });
  sendJson(res, 500, { message: `internal error: ${(error as Error).message}` });
}

function tokenOf(req: IncomingMessage, url: URL): string | null {
  const header = req.headers['x-ptyscan-token'];
  if (typeof header === 'string') return header;
  return url.searchParams.get('token');
}

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendGrove(res: ServerResponse, out: GroveResponse) {
  if (out.kind === 'json') return sendJson(res, 200, out.body);
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': out.body.byteLength,
    'cache-control': 'no-store',
  });
  res.end(out.body);
}

/**
 * Starts the viewer on `options.target` and resolves once it listens.
 *
 * @example
 * const server = await startViewServer({ target: 'scan.ptyd' });
 * console.log(server.url); // http://127.0.0.1:40123/?token=...
 */
export async function startViewServer(options: ViewServerOptions): Promise<ViewServer> {
  const isFolder = statSync(options.target, { throwIfNoEntry: false })?.isDirectory() ?? false;
  const folder = new ServedFolder(isFolder ? options.target : dirname(options.target));
  const file = isFolder ? null : basename(options.target);
  if (file !== null) folder.resolve(file, true);
  const token = options.token ?? randomBytes(24).toString('hex');
  const assets = loadAssets();
  const dashboard: DashboardRoutes = dashboardRoutes(folder, {
    pollMs: options.pollMs ?? 500,
    staleAfter: options.staleAfter ?? DEFAULT_STALE_AFTER,
  });
  const title = file ?? basename(folder.root);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!sameToken(tokenOf(req, url), token)) {
      return sendJson(res, 403, {
        message:
          'missing or wrong access token: open the URL ptyscan view printed (it ends in ?token=...).',
      });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, { message: `${req.method}: the viewer is read-only (GET only).` });
    }
    const q = url.searchParams;
    const route = url.pathname.replace(/\/+$/, '') || '/';
    try {
      if (route === '/') {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
        });
        res.end(indexHtml(token, title));
        return;
      }
      if (route.startsWith('/assets/')) {
        const asset = assets.get(route.slice('/assets/'.length));
        if (!asset) return sendJson(res, 404, { message: `${route}: no such asset.` });
        res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
        res.end(asset.body);
        return;
      }
      if (route === '/api/session') {
        return sendJson(res, 200, { folder: basename(folder.root), file, files: folder.list() });
      }
      if (route.startsWith('/api/')) return dashboard.handle(route, q, req, res);
      if (route.startsWith('/h5grove/')) {
        const name = q.get('file') ?? '';
        const path = q.get('path') ?? '/';
        const walk = folder.open(name);
        try {
          switch (route) {
            case '/h5grove/meta':
              return sendGrove(res, groveMeta(walk, path));
            case '/h5grove/attr':
              return sendGrove(res, groveAttr(walk, path, q.getAll('attr_keys')));
            case '/h5grove/data':
              return sendGrove(
                res,
                groveData(walk, path, {
                  selection: q.get('selection'),
                  format: q.get('format'),
                  flatten: q.get('flatten') === 'true',
                  maxBytes: options.maxSelectionBytes ?? MAX_SELECTION_BYTES,
                }),
              );
            case '/h5grove/paths':
              return sendGrove(res, grovePaths(walk, path));
            default:
              return sendJson(res, 404, { message: `${route}: no such h5grove endpoint.` });
          }
        } finally {
          walk.close();
        }
      }
      sendJson(res, 404, { message: `${route}: not found.` });
    } catch (error) {
      sendError(res, error);
    }
  };

  const server: Server = createServer(handle);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    root: folder.root,
    file,
    close: async () => {
      dashboard.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
