/**
 * The viewer's HTTP face against real files: a link-mode .ptyd written by
 * ptyscan, files with external links and symlinks written by h5py, requests
 * sent by fetch. Every refusal has its status and a message naming the problem.
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { h5ready } from '../../src/h5/index.js';
import { startViewServer, type ViewServer } from '../../src/view/index.js';
import { tempDir } from '../helpers/index.js';
import {
  CHUNK,
  FRAMES,
  killChildren,
  prepareReference,
  simulateRaw,
  spawnCli,
  waitFor,
} from '../live/helpers.js';
import { get, python } from './helpers.js';

let served: string;
let server: ViewServer;
let base: string;

// The server and the children stop before their folder goes.
after(async () => {
  killChildren();
  await server?.close();
});
const dir = tempDir('view-http');

before(async () => {
  await h5ready();
  served = join(dir, 'served');
  mkdirSync(join(dir, 'outside'), { recursive: true });
  await simulateRaw(join(dir, 'raw'));
  await prepareReference(join(dir, 'raw'), join(served, 'scan.ptyd'));
  python(`
import h5py, numpy as np
with h5py.File(${JSON.stringify(join(dir, 'outside', 'secret.h5'))}, 'w') as f:
    f['data'] = np.arange(12).reshape(3, 4)
with h5py.File(${JSON.stringify(join(served, 'escape.h5'))}, 'w') as f:
    f['leak'] = h5py.ExternalLink(${JSON.stringify(join(dir, 'outside', 'secret.h5'))}, '/')
    f['up'] = h5py.ExternalLink('../outside/secret.h5', '/data')
    f['inside'] = np.ones((2, 3), dtype='<f4')
    f['inside'].attrs['units'] = 'counts'
`);
  symlinkSync(join(dir, 'outside', 'secret.h5'), join(served, 'link-out.h5'));
  server = await startViewServer({ target: served, maxSelectionBytes: 16 * 1024 });
  base = server.url;
});

const grove = (endpoint: string, params: Record<string, string>): string =>
  `/h5grove/${endpoint}?${new URLSearchParams(params)}`;

describe('access', () => {
  it('listens on 127.0.0.1 on a free port, with a random token in the URL', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
    assert.notEqual(server.port, 0);
  });

  it('refuses requests without the token, or with a wrong one, with 403', async () => {
    for (const token of [null, 'nope', `${server.token}x`]) {
      const r = await get(base, grove('meta', { file: 'scan.ptyd', path: '/' }), token);
      assert.equal(r.status, 403);
      assert.match(
        String((r.json() as { message: string }).message),
        /missing or wrong access token/,
      );
    }
    const page = await get(`${base.split('?')[0]}`, '/', null);
    assert.equal(page.status, 403);
  });

  it('serves the page and its bundled assets with the token', async () => {
    const page = await get(base, `/?token=${server.token}`, null);
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /<meta name="ptyscan-token" content="[0-9a-f]{48}">/);
    const js = await get(base, '/assets/page.js', server.token);
    assert.equal(js.status, 200);
    assert.match(js.type, /javascript/);
    assert.ok(js.body.length > 100_000, 'React and h5web are in the bundle');
    assert.equal((await get(base, '/assets/../../package.json', server.token)).status, 404);
  });

  it('refuses path traversal and absolute names with 403', async () => {
    for (const file of [
      '../outside/secret.h5',
      'sub/../../outside/secret.h5',
      join(dir, 'outside', 'secret.h5'),
    ]) {
      const r = await get(base, grove('meta', { file, path: '/' }), server.token);
      assert.equal(r.status, 403, file);
      assert.match(
        String((r.json() as { message: string }).message),
        /'\.\.' is not allowed|only names relative/,
      );
    }
  });

  it('refuses a symlink that leaves the folder with 403', async () => {
    const r = await get(base, grove('meta', { file: 'link-out.h5', path: '/' }), server.token);
    assert.equal(r.status, 403);
    assert.match(
      String((r.json() as { message: string }).message),
      /'link-out\.h5' leaves the served folder/,
    );
  });

  it('lists external links leaving the folder as links, and refuses to follow them with 403', async () => {
    const root = (
      await get(base, grove('meta', { file: 'escape.h5', path: '/' }), server.token)
    ).json() as {
      children: { name: string; kind: string; target_file?: string }[];
    };
    const byName = new Map(root.children.map((c) => [c.name, c]));
    assert.equal(byName.get('leak')?.kind, 'external_link');
    assert.equal(byName.get('up')?.kind, 'external_link');
    assert.equal(byName.get('inside')?.kind, 'dataset');
    for (const [endpoint, path] of [
      ['meta', '/leak'],
      ['data', '/leak/data'],
      ['data', '/up'],
      ['attr', '/up'],
    ] as const) {
      const r = await get(base, grove(endpoint, { file: 'escape.h5', path }), server.token);
      assert.equal(r.status, 403, `${endpoint} ${path}`);
      assert.match(
        String((r.json() as { message: string }).message),
        /is an external link to .*secret\.h5, outside the served folder: not followed/,
      );
    }
  });

  it('is read-only: other methods get 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await fetch(new URL(grove('meta', { file: 'scan.ptyd', path: '/' }), base), {
        method,
        headers: { 'x-ptyscan-token': server.token },
      });
      assert.equal(r.status, 405);
      assert.match(((await r.json()) as { message: string }).message, /read-only/);
    }
  });
});

describe('h5grove API', () => {
  it('resolves link-mode chunk files on the server: chunks/0 is a group with its datasets', async () => {
    const r = await get(
      base,
      grove('meta', { file: 'scan.ptyd', path: '/chunks/0' }),
      server.token,
    );
    assert.equal(r.status, 200);
    const meta = r.json() as {
      kind: string;
      children: { name: string; kind: string; shape?: number[] }[];
    };
    assert.equal(meta.kind, 'group');
    const data = meta.children.find((c) => c.name === 'data');
    assert.deepEqual(data, { ...data, kind: 'dataset', shape: [CHUNK, 32, 32] });
  });

  it('serves a frame as raw bytes equal to what h5py reads through the link', async () => {
    const r = await get(
      base,
      grove('data', {
        file: 'scan.ptyd',
        path: '/chunks/2/data',
        selection: '3,:,:',
        format: 'bin',
        dtype: 'safe',
      }),
      server.token,
    );
    assert.equal(r.status, 200);
    const theirs = JSON.parse(
      python(`
import h5py, json
with h5py.File(${JSON.stringify(join(served, 'scan.ptyd'))}, 'r') as f:
    d = f['chunks/2/data']
    print(json.dumps([str(d.dtype), d[3].ravel().tolist()]))
`),
    ) as [string, number[]];
    const arrays: Record<string, (b: ArrayBuffer) => ArrayLike<number>> = {
      int32: (b) => new Int32Array(b),
      uint32: (b) => new Uint32Array(b),
      float64: (b) => new Float64Array(b),
      float32: (b) => new Float32Array(b),
    };
    const view = arrays[theirs[0]];
    assert.ok(view, `dtype ${theirs[0]}`);
    const bytes = new Uint8Array(r.body).buffer;
    assert.deepEqual(Array.from(view(bytes)), theirs[1]);
    assert.ok(
      theirs[1].some((v) => v > 0),
      'a frame with counts',
    );
  });

  it('attributes and JSON values, strings included', async () => {
    const attrs = (
      await get(base, grove('attr', { file: 'scan.ptyd', path: '/' }), server.token)
    ).json() as Record<string, unknown>;
    assert.equal(attrs.ptyscan_state, 'complete');
    const values = (
      await get(
        base,
        grove('data', { file: 'escape.h5', path: '/inside', flatten: 'true' }),
        server.token,
      )
    ).json();
    assert.deepEqual(values, [1, 1, 1, 1, 1, 1]);
    const units = (
      await get(base, grove('attr', { file: 'escape.h5', path: '/inside' }), server.token)
    ).json();
    assert.deepEqual(units, { units: 'counts' });
  });

  it('refuses selections larger than the limit with 413, and malformed ones with 400', async () => {
    const whole = await get(
      base,
      grove('data', { file: 'scan.ptyd', path: '/chunks/0/data', format: 'bin' }),
      server.token,
    );
    assert.equal(whole.status, 413);
    assert.match(
      String((whole.json() as { message: string }).message),
      /more than the 16384 one response may carry; select a slice/,
    );
    const bad = await get(
      base,
      grove('data', { file: 'scan.ptyd', path: '/chunks/0/data', selection: 'a,b' }),
      server.token,
    );
    assert.equal(bad.status, 400);
    assert.match(
      String((bad.json() as { message: string }).message),
      /selection: expected comma-separated indices/,
    );
    const missing = await get(
      base,
      grove('meta', { file: 'scan.ptyd', path: '/nothing' }),
      server.token,
    );
    assert.equal(missing.status, 404);
  });
});

describe('dashboard API', () => {
  it('reports a finished scan: complete, every frame and chunk, maps of every frame', async () => {
    const r = (await get(base, `/api/scan?file=scan.ptyd`, server.token)).json() as {
      status: { state: string; frames: number; chunks: number };
      maps: { transmission: number[]; positions: number[]; sum: number[] };
    };
    assert.deepEqual(
      { state: r.status.state, frames: r.status.frames, chunks: r.status.chunks },
      { state: 'complete', frames: FRAMES, chunks: FRAMES / CHUNK },
    );
    assert.equal(r.maps.transmission.length, FRAMES);
    assert.equal(r.maps.positions.length, 2 * FRAMES);
    assert.equal(r.maps.sum.length, 32 * 32);
  });

  it('serves one frame, and refuses an index not read yet with 404', async () => {
    const frame = (await get(base, '/api/frame?file=scan.ptyd&index=17', server.token)).json() as {
      height: number;
      values: number[];
    };
    assert.equal(frame.height, 32);
    assert.equal(frame.values.length, 32 * 32);
    const far = await get(base, '/api/frame?file=scan.ptyd&index=40', server.token);
    assert.equal(far.status, 404);
    assert.match(
      String((far.json() as { message: string }).message),
      /frame 40 has not been read yet \(40 frames\)/,
    );
  });

  it('a file still to come is watched, and refused once it turns out to be a symlink out of the folder', async () => {
    type Scan = { status: { state: string } };
    const before = (await get(base, '/api/scan?file=later.ptyd', server.token)).json() as Scan;
    assert.equal(before.status.state, 'waiting');
    symlinkSync(join(dir, 'outside', 'secret.h5'), join(served, 'later.ptyd'));
    const after = await get(base, '/api/scan?file=later.ptyd', server.token);
    assert.equal(after.status, 403);
    assert.match(
      String((after.json() as { message: string }).message),
      /'later\.ptyd' leaves the served folder/,
    );
    const direct = await get(base, grove('meta', { file: 'later.ptyd', path: '/' }), server.token);
    assert.equal(direct.status, 403);
  });

  it('lists the HDF5 files of the folder', async () => {
    const session = (await get(base, '/api/session', server.token)).json() as { files: string[] };
    assert.ok(session.files.includes('scan.ptyd') && session.files.includes('escape.h5'));
  });
});

describe('ptyscan view (the command, in its own process)', () => {
  it('prints the URL as its first line, serves the page, and stops on Ctrl-C', async () => {
    const child = spawnCli(['view', join(served, 'scan.ptyd'), '--poll', '100']);
    await waitFor('the URL line', () => child.stdout().includes('\n'), 60_000);
    const url = child.stdout().split('\n')[0]!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>ptyscan view: scan\.ptyd<\/title>/);
    assert.equal((await fetch(url.split('?')[0]!)).status, 403);
    child.proc.kill('SIGINT');
    assert.equal(await child.exited, 0, child.stderr());
  });

  it('a folder that does not exist is an error naming it', async () => {
    const child = spawnCli(['view', join(dir, 'no-such-folder', 'scan.ptyd')]);
    assert.equal(await child.exited, 1);
    assert.match(child.stderr(), /no-such-folder: no such folder to serve/);
  });
});
