/// <reference lib="dom" />
/**
 * The page's calls to the viewer server: every request carries the token
 * the server put in the page's meta tag.
 */

/** The token of this page. */
export const TOKEN = decodeURIComponent(
  document.querySelector('meta[name="ptyscan-token"]')?.getAttribute('content') ?? '',
);

/** Headers that authorise a request. */
export const AUTH = { 'x-ptyscan-token': TOKEN } as const;

/** What `/api/session` says. */
export interface Session {
  folder: string;
  file: string | null;
  files: string[];
}

/** The scan's status, as `/api/scan` and the `status` events send it. */
export interface ScanStatus {
  file: string;
  state: 'waiting' | 'running' | 'complete' | 'writer dead' | 'error';
  frames: number;
  chunks: number;
  heartbeat: string | null;
  message: string | null;
  version: number;
}

/** The quick-look maps of `/api/scan` (nulls where a value is not a finite number). */
export interface ScanMaps {
  height: number;
  width: number;
  center: [number, number];
  geometry: { center: [number, number] | null; psize: number | null; distance: number | null };
  frames: number;
  sum: (number | null)[];
  masked: number[];
  transmission: (number | null)[];
  dpcY: (number | null)[];
  dpcX: (number | null)[];
  positions: (number | null)[];
  histogram: number[];
}

/** One frame of `/api/frame`. */
export interface FrameData {
  index: number;
  height: number;
  width: number;
  values: (number | null)[];
  masked: number[] | null;
}

async function get<T>(path: string, params: Record<string, string>): Promise<T> {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${path}?${query}`, { headers: AUTH });
  const body: unknown = await response.json();
  if (!response.ok) {
    const message =
      typeof body === 'object' && body !== null && 'message' in body
        ? String(body.message)
        : response.statusText;
    throw new Error(message);
  }
  return body as T;
}

export const api = {
  session: () => get<Session>('/api/session', {}),
  scan: (file: string) => get<{ status: ScanStatus; maps: ScanMaps | null }>('/api/scan', { file }),
  frame: (file: string, index: number) =>
    get<FrameData>('/api/frame', { file, index: String(index) }),
  /** Server-sent `status` events of `file`. */
  events(file: string, onStatus: (s: ScanStatus) => void): EventSource {
    const source = new EventSource(`/api/events?${new URLSearchParams({ file, token: TOKEN })}`);
    source.addEventListener('status', (e) =>
      onStatus(JSON.parse((e as MessageEvent<string>).data)),
    );
    return source;
  },
};

/** NaN for the nulls JSON carries instead. */
export function numbers(values: (number | null)[]): Float64Array {
  return Float64Array.from(values, (v) => (v === null ? Number.NaN : v));
}
