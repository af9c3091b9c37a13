import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { NdArray } from '../../src/frames/ndarray.js';
import { h5ready } from '../../src/h5/index.js';
import { readNpy } from '../../src/npy/npy.js';
import { openPtydReader } from '../../src/ptyd/index.js';
import { rawFrameName, writeRawFolder } from '../../src/sim/raw-folder.js';
import { DEFAULT_SIMULATION } from '../../src/sim/simulate.js';
import { tempDir } from '../helpers/index.js';
import { cli } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../sources/fixtures/', import.meta.url));
const root = tempDir('cli-prepare');

const FRAMES = 20;
const SIDE = 48;
const ROI = 32;
const raw = join(root, 'raw');

before(async () => {
  await h5ready();
  const r = await cli([
    'simulate',
    raw,
    '--frames',
    String(FRAMES),
    '--shape',
    String(SIDE),
    '--photons',
    '1e5',
    '--seed',
    '3',
    '--pattern',
    'spiral',
  ]);
  assert.equal(r.code, 0, r.err);
});

/** Frames and positions of every chunk of a .ptyd, in chunk order. */
function readBack(file: string): { frames: number[][]; positions: number[][]; chunks: number } {
  const reader = openPtydReader(file);
  try {
    const chunks = reader.listChunks();
    const frames: number[][] = [];
    const positions: number[][] = [];
    for (const c of chunks) {
      const data = reader.readDataset(`${c.path}/data`);
      // A source without positions stores a list of None, not a dataset.
      const pos = c.datasets.includes('positions')
        ? reader.readDataset(`${c.path}/positions`)
        : null;
      const [n = 0, h = 0, w = 0] = data.shape;
      for (let k = 0; k < n; k++) {
        frames.push(Array.from(data.data.subarray(k * h * w, (k + 1) * h * w) as Int32Array));
        if (pos) positions.push([Number(pos.data[2 * k]), Number(pos.data[2 * k + 1])]);
      }
    }
    return { frames, positions, chunks: chunks.length };
  } finally {
    reader.close();
  }
}

/** The centred ROI x ROI crop of raw frame `i` (fftshift centre SIDE/2). */
function rawCrop(i: number): number[] {
  const frame = readNpy(join(raw, rawFrameName(i))) as NdArray<'int32'>;
  const start = SIDE / 2 - ROI / 2;
  const out: number[] = [];
  for (let r = start; r < start + ROI; r++) {
    for (let c = start; c < start + ROI; c++) out.push(frame.data[r * SIDE + c]!);
  }
  return out;
}

function rawPositions(): number[][] {
  return readFileSync(join(raw, 'positions.txt'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => line.split(' ').slice(1).map(Number));
}

function writeConfig(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('ptyscan simulate', () => {
  it('wrote a tutorial raw folder with progress lines and a closing line', async () => {
    assert.ok(existsSync(join(raw, 'geometry.txt')));
    assert.equal(rawPositions().length, FRAMES);
    assert.ok(existsSync(join(raw, rawFrameName(FRAMES - 1))));
    const again = await cli(['simulate', join(root, 'raw2'), '--frames', '4', '--shape', '16']);
    assert.equal(again.code, 0);
    assert.match(again.out, /^Simulating 4 frames of 16x16 px \(round scan/);
    assert.match(
      again.out,
      /Wrote 4 frames, positions\.txt, geometry\.txt and the ground truth \(truth\/object\.npy, truth\/probe\.npy, truth\/truth\.json\) to .*raw2/,
    );
    assert.match(again.err, /^simulate: 1\/4 frames, .* frames\/s, ETA /m);
    assert.match(again.err, /^simulate: 4\/4 frames, .* elapsed /m);
    const geometry = readFileSync(join(root, 'raw2', 'geometry.txt'), 'utf8');
    assert.equal(
      geometry,
      `distance ${DEFAULT_SIMULATION.distance}\nenergy ${DEFAULT_SIMULATION.energy}\npsize ${DEFAULT_SIMULATION.psize}\nshape 16\n`,
    );
  });

  for (const [argv, message] of [
    [['simulate', 'x', '--shape', '8'], 'missing --frames N'],
    [
      ['simulate', 'x', '--frames', '0', '--shape', '8'],
      "--frames expects a positive integer, found '0'",
    ],
    [
      ['simulate', 'x', '--frames', '2', '--shape', '8', '--pattern', 'zigzag'],
      '--pattern expects round, raster, spiral',
    ],
    [['simulate', '--frames', '2', '--shape', '8'], 'missing <dir>'],
    [
      ['simulate', 'x', '--frames', '2', '--shape', '8', '--delay', 'soon'],
      "--delay expects an integer >= 0, found 'soon'",
    ],
  ] as const) {
    it(`'${argv.join(' ')}' is a usage error (exit 2)`, async () => {
      const r = await cli([...argv]);
      assert.equal(r.code, 2);
      assert.equal(r.out, '');
      assert.ok(r.err.startsWith(`ptyscan simulate: ${message}`), r.err);
    });
  }
});

describe('ptyscan prepare', () => {
  it('prepares a JSON config (paths relative to its folder) into a .ptyd equal to the raw crop', async () => {
    const config = writeConfig(
      join(root, 'json'),
      'scan.json',
      JSON.stringify({
        name: 'NumpyScan',
        base_path: '../raw',
        shape: ROI,
        save: 'append',
        dfile: 'out/scan.ptyd',
      }),
    );
    const r = await cli(['prepare', config, '--chunk', '7']);
    assert.equal(r.code, 0, r.err);
    const dfile = join(root, 'json', 'out', 'scan.ptyd');
    assert.match(r.out, /^Prepared\.\n/);
    assert.match(r.out, new RegExp(`frames +${FRAMES} of ${FRAMES} in 3 chunks`));
    assert.match(r.out, new RegExp(`output +${dfile} \\(save 'append'\\)`));
    assert.match(r.out, /ROI shape +\(32, 32\)/);
    assert.match(
      r.out,
      /centre +\(16\.0, 16\.0\) on the prepared frames \(raw: \(24\.0, 24\.0\)\)/,
    );
    assert.match(r.out, /rate +[\d.]+ frames\/s/);
    assert.deepEqual(
      r.err
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/, [\d.]+ frames\/s.*/, '')),
      [
        'prepare: 7/20 frames (chunk 0: frames 0-6)',
        'prepare: 14/20 frames (chunk 1: frames 7-13)',
        'prepare: 20/20 frames (chunk 2: frames 14-19)',
      ],
    );
    const back = readBack(dfile);
    assert.equal(back.chunks, 3);
    assert.equal(back.frames.length, FRAMES);
    for (const [i, f] of back.frames.entries()) assert.deepEqual(f, rawCrop(i), `frame ${i}`);
    assert.deepEqual(back.positions, rawPositions());
  });

  it('prepares a YAML config; --out (relative to the working directory) sets dfile and save append', async () => {
    const config = writeConfig(
      join(root, 'yaml'),
      'scan.yaml',
      `name: NumpyScan\nbase_path: ../raw\nshape: ${ROI}\nnum_frames: 10\n`,
    );
    const out = join(root, 'yaml-out.ptyd');
    const r = await cli(['prepare', config, '--out', out, '--chunk', '4']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /frames +10 of 10 in 3 chunks/);
    assert.match(r.out, /save 'append'/);
    const back = readBack(out);
    assert.equal(back.frames.length, 10);
    for (const [i, f] of back.frames.entries()) assert.deepEqual(f, rawCrop(i), `frame ${i}`);
  });

  it('with save None it prepares without writing anything, and says so', async () => {
    const config = writeConfig(
      join(root, 'none'),
      'scan.json',
      `{"name": "NumpyScan", "base_path": "${raw}", "shape": 16}`,
    );
    const r = await cli(['prepare', config]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /output +none \(save is None: nothing written\)/);
    assert.match(r.out, /frames +20 of 20 in 1 chunk\n/);
  });

  it('--quiet prints nothing; on a terminal the bar is redrawn in place on one line', async () => {
    const config = writeConfig(
      join(root, 'quiet'),
      'scan.json',
      `{"name": "NumpyScan", "base_path": "${raw}", "shape": 16}`,
    );
    assert.deepEqual(await cli(['prepare', config, '--quiet', '--chunk', '5']), {
      code: 0,
      out: '',
      err: '',
    });
    const tty = await cli(['prepare', config, '--chunk', '5'], { isTTY: true });
    assert.equal(tty.code, 0);
    assert.ok(tty.err.includes('\r\u001b[K'), JSON.stringify(tty.err));
    assert.equal(tty.err.split('\n').length, 2, 'one line, ended once');
    const redraws = tty.err.split('\r\u001b[K').slice(1);
    assert.match(redraws[0]!, /^\[\.+\] prepare: 0\/20 frames/);
    assert.match(redraws.at(-1)!, /^\[#+\] prepare: 20\/20 frames \(chunk 3: frames 15-19\)/);
  });

  it('a config with bad parameters lists every problem on stderr and exits 1', async () => {
    const config = writeConfig(
      join(root, 'bad'),
      'scan.json',
      '{"name": "NumpyScan", "base_path": "../raw", "shape": "big", "rebinn": 2}',
    );
    const r = await cli(['prepare', config]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    const lines = r.err.split('\n');
    assert.equal(lines.length, 4, r.err);
    assert.equal(lines[0], 'ptyscan: error: 2 invalid parameters:');
    assert.ok(
      lines.includes(
        "  scandata.NumpyScan.rebinn: expected a known parameter (did you mean 'rebin'?), found unknown key",
      ),
      r.err,
    );
    assert.ok(
      lines.some((l) =>
        /^ {2}scandata\.NumpyScan\.shape: expected type int.*, found 'big' \(str\)$/.test(l),
      ),
      r.err,
    );
    const verbose = await cli(['prepare', config, '--verbose']);
    assert.equal(verbose.code, 1);
    assert.match(verbose.err, /^ptyscan: error: 2 invalid parameters:/);
    assert.match(verbose.err, /\n {4}at /, 'the stack follows with --verbose');
  });

  for (const [argv, code, pattern] of [
    [['prepare'], 2, /^ptyscan prepare: missing <config>/],
    [['prepare', 'a.json', 'b.json'], 2, /^ptyscan prepare: unexpected argument 'b\.json'/],
    [
      ['prepare', 'a.json', '--chunk', '0'],
      2,
      /^ptyscan prepare: --chunk expects a positive integer, found '0'/,
    ],
    [
      ['prepare', '/no/such/scan.json'],
      1,
      /^ptyscan: error: \/no\/such\/scan\.json: cannot read the config/,
    ],
  ] as const) {
    it(`'${argv.join(' ')}' exits ${code}`, async () => {
      const r = await cli([...argv]);
      assert.equal(r.code, code);
      assert.match(r.err, pattern);
    });
  }

  it("a source's own bug (a TypeError) still ends as one error line, exit 1", async () => {
    const config = writeConfig(
      join(root, 'broken'),
      'scan.json',
      `{"module": "${join(FIXTURES, 'my-scan.ts')}", "name": "BrokenScan", "shape": 8}`,
    );
    const r = await cli(['prepare', config]);
    assert.equal(r.code, 1);
    assert.equal(
      r.err,
      'ptyscan: error: BrokenScan failed: TypeError: cannot read properties of undefined\n',
    );
  });

  it('runs a user class given by module path in the config', async () => {
    const yaml = writeConfig(
      join(root, 'module'),
      'scan.yaml',
      `module: ${join(FIXTURES, 'my-scan.ts')}\nname: ConstantScan\nshape: 8\nlevel: 2\nsave: append\ndfile: const.ptyd\n`,
    );
    const r = await cli(['prepare', yaml, '--chunk', '4']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /source +ConstantScan/);
    const back = readBack(join(root, 'module', 'const.ptyd'));
    assert.deepEqual(
      back.frames.map((f) => f[0]),
      [2, 3, 4, 5, 6, 7],
    );
  });

  it('Ctrl-C stops after the current chunk: exit 130, the completed chunks stay readable', async () => {
    const config = writeConfig(
      join(root, 'interrupt'),
      'scan.json',
      `{"name": "NumpyScan", "base_path": "${raw}", "shape": ${ROI}, "save": "append", "dfile": "scan.ptyd"}`,
    );
    const interrupt = new AbortController();
    const r = await cli(['prepare', config, '--chunk', '6'], {
      signal: interrupt.signal,
      onStderr: (text) => {
        if (text.includes('chunk 1:')) interrupt.abort();
      },
    });
    assert.equal(r.code, 130);
    assert.match(r.out, /^Interrupted: 2 complete chunks kept\.\n/);
    assert.match(r.out, /frames +12 of 20 in 2 chunks/);
    const back = readBack(join(root, 'interrupt', 'scan.ptyd'));
    assert.equal(back.chunks, 2);
    assert.equal(back.frames.length, 12);
    for (const [i, f] of back.frames.entries()) assert.deepEqual(f, rawCrop(i), `frame ${i}`);
  });

  it('prepares a raw folder while it is still being written (WAIT, poll, go on) to the end', async () => {
    const live = join(root, 'live');
    const config = writeConfig(
      root,
      'live.json',
      `{"name": "NumpyScan", "base_path": "live", "shape": 16, "num_frames": 12, "save": "append", "dfile": "live.ptyd"}`,
    );
    mkdirSync(join(live, 'ccd'), { recursive: true });
    writeFileSync(join(live, 'positions.txt'), '');
    const writing = writeRawFolder(
      live,
      { ...DEFAULT_SIMULATION, frames: 12, shape: 24, photons: 1e4, seed: 5 },
      { delayMs: 40 },
    );
    const r = await cli(['prepare', config, '--chunk', '5', '--poll', '10']);
    await writing;
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /frames +12 of 12/);
    assert.match(r.err, /waiting for frame file .*live\/ccd\/diffraction_\d{4}\.npy/);
    const back = readBack(join(root, 'live.ptyd'));
    assert.equal(back.frames.length, 12);
  });

  it('a live scan started before its raw folder exists waits for it, and every chunk but the last has --chunk frames', async () => {
    const config = writeConfig(
      join(root, 'early'),
      'live.json',
      `{"name": "NumpyScan", "base_path": "raw", "shape": 16, "num_frames": 17, "save": "link", "dfile": "live.ptyd"}`,
    );
    // prepare first; the "acquisition" starts later and writes slower than frames are prepared.
    const preparing = cli(['prepare', config, '--chunk', '5', '--poll', '10']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeRawFolder(
      join(root, 'early', 'raw'),
      { ...DEFAULT_SIMULATION, frames: 17, shape: 24, photons: 1e4, seed: 5 },
      { delayMs: 30 },
    );
    const r = await preparing;
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /waiting for the folder .*early\/raw/);
    assert.match(r.out, /frames +17 of 17 in 4 chunks/);
    const reader = openPtydReader(join(root, 'early', 'live.ptyd'));
    try {
      assert.deepEqual(
        reader.listChunks().map((c) => c.frames),
        [5, 5, 5, 2],
      );
    } finally {
      reader.close();
    }
  });

  it('a live scan whose raw folder never appears gives up at --timeout, naming the folder', async () => {
    const config = writeConfig(
      join(root, 'never'),
      'live.json',
      '{"name": "NumpyScan", "base_path": "raw", "shape": 16, "num_frames": 4}',
    );
    const r = await cli(['prepare', config, '--poll', '10', '--timeout', '0.2']);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /ptyscan: error: no new frame for 0\.2 s \(--timeout\): 0 of 4 frames prepared, waiting for the folder .*never\/raw\.\n$/,
    );
  });

  it('--poll without num_frames waits for a source file that is not there yet', async () => {
    const dir = join(root, 'late-positions');
    const config = writeConfig(
      dir,
      'scan.json',
      '{"name": "NumpyScan", "base_path": "raw", "shape": 16, "save": "append", "dfile": "late.ptyd"}',
    );
    const preparing = cli(['prepare', config, '--poll', '10']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // A finished scan arriving late: positions.txt lists every frame once it exists.
    const staging = join(root, 'late-staging');
    await writeRawFolder(staging, { ...DEFAULT_SIMULATION, frames: 6, shape: 24, photons: 1e4 });
    renameSync(staging, join(dir, 'raw'));
    const r = await preparing;
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /prepare: waiting for .*late-positions\/raw\n/);
    assert.match(r.out, /frames +6 of 6 in 1 chunk\n/);
  });

  it('--timeout gives up when no new frame arrives', async () => {
    const dir = join(root, 'stalled');
    await writeRawFolder(dir, { ...DEFAULT_SIMULATION, frames: 3, shape: 16, photons: 1e3 });
    const config = writeConfig(
      dir,
      'scan.json',
      '{"name": "NumpyScan", "base_path": ".", "shape": 16, "num_frames": 8}',
    );
    const r = await cli(['prepare', config, '--poll', '10', '--timeout', '0.1']);
    assert.equal(r.code, 1);
    // A chunk waits for --chunk frames (min_frames unset): 3 are there, the 4th never comes.
    assert.match(
      r.err,
      /ptyscan: error: no new frame for 0\.1 s \(--timeout\): 0 of 8 frames prepared, waiting for frame file .*stalled\/ccd\/diffraction_0003\.npy\./,
    );
  });
});
