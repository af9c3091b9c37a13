import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { plotBox } from '../../src/preview/index.js';
import { tempDir } from '../helpers/index.js';
import { PROJECT_ROOT } from '../mpi-run.js';
import { cli } from './helpers.js';

const root = tempDir('cli-inspect');
const dfile = join(root, 'scan.ptyd');
const config = join(root, 'scan.json');

before(async () => {
  const sim = await cli([
    'simulate',
    join(root, 'raw'),
    '--frames',
    '9',
    '--shape',
    '40',
    '--photons',
    '1e5',
    '--quiet',
  ]);
  assert.equal(sim.code, 0, sim.err);
  writeFileSync(
    config,
    '{"name": "NumpyScan", "base_path": "raw", "shape": 32, "save": "append", "dfile": "scan.ptyd"}',
  );
  const prep = await cli(['prepare', config, '--chunk', '4', '--quiet']);
  assert.equal(prep.code, 0, prep.err);
});

describe('ptyscan validate', () => {
  it('prints OK and the resolved parameters, marking defaults', async () => {
    const r = await cli(['validate', config]);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      new RegExp(`^OK: ${config} is a valid NumpyScan config \\(class NumpyScan\\)\n`),
    );
    assert.match(r.out, new RegExp(`^ {2}base_path +=  ?'${join(root, 'raw')}'$`, 'm'));
    assert.match(r.out, /^ {2}shape += {1,2}32$/m);
    assert.match(r.out, /^ {2}rebin += {1,2}None {2}\(default\)$/m);
  });

  it('shows the values prepare will use and where each came from (geometry.txt, default, prepare)', async () => {
    const dir = join(root, 'geometry');
    const sim = await cli([
      'simulate',
      join(dir, 'raw'),
      '--frames',
      '2',
      '--shape',
      '16',
      '--quiet',
    ]);
    assert.equal(sim.code, 0, sim.err);
    writeFileSync(join(dir, 'raw', 'geometry.txt'), 'distance 5\nenergy 9.1\n');
    const file = join(dir, 'scan.json');
    writeFileSync(file, '{"name": "NumpyScan", "base_path": "raw", "shape": 16, "energy": 7.0}');
    const r = await cli(['validate', file]);
    assert.equal(r.code, 0, r.err);
    const geometry = join(dir, 'raw', 'geometry.txt');
    assert.match(r.out, new RegExp(`^ {2}distance += 5 {2}\\(from ${geometry}\\)$`, 'm'));
    // Given in the config: geometry.txt does not override it, and no origin is shown.
    assert.match(r.out, /^ {2}energy += 7\.0$/m);
    assert.match(r.out, /^ {2}psize += 0\.000172 {2}\(default\)$/m);
    assert.match(r.out, /^ {2}min_frames += 100 {2}\(prepare: its --chunk, 100 unless given\)$/m);
  });

  it('a base_path that does not exist is an error naming it; in a live scan, a note', async () => {
    const missing = join(root, 'missing.json');
    writeFileSync(missing, '{"name": "NumpyScan", "base_path": "no-such-folder"}');
    const r = await cli(['validate', missing]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(
      r.err,
      new RegExp(`^ptyscan: error: ${join(root, 'no-such-folder')}: base_path does not exist\\.`),
    );
    const live = join(root, 'missing-live.json');
    writeFileSync(live, '{"name": "NumpyScan", "base_path": "no-such-folder", "num_frames": 5}');
    const l = await cli(['validate', live]);
    assert.equal(l.code, 0, l.err);
    assert.match(
      l.out,
      /^note: base_path .*no-such-folder does not exist yet; prepare waits for it \(a live scan: num_frames is set\)$/m,
    );
  });

  it('lists every problem and exits 1', async () => {
    const bad = join(root, 'bad.yaml');
    writeFileSync(bad, 'name: NumpyScan\nrebin: 0\norientation: 9\nbase_pth: raw\n');
    const r = await cli(['validate', bad]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /^ptyscan: error: 3 invalid parameters:\n/);
    assert.match(r.err, /scandata\.NumpyScan\.base_pth: .*did you mean 'base_path'/);
    assert.match(r.err, /scandata\.NumpyScan\.orientation: /);
    assert.match(r.err, /scandata\.NumpyScan\.rebin: /);
  });

  it('an unknown source name exits 1 naming the known sources', async () => {
    const bad = join(root, 'unknown.json');
    writeFileSync(bad, '{"name": "NumbyScan"}');
    const r = await cli(['validate', bad]);
    assert.equal(r.code, 1);
    assert.match(r.err, /name: expected a registered source \(.*NumpyScan.*\).*found 'NumbyScan'/);
  });
});

describe('ptyscan info', () => {
  it('prints the tree of the .ptyd file', async () => {
    const r = await cli(['info', dfile]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.equal(lines[0], dfile);
    assert.ok(lines.includes('* chunks [dict 3]:'), r.out);
    assert.ok(lines.includes('    * data [4x32x32 int32 array]'), r.out);
    assert.ok(lines.includes('    * data [1x32x32 int32 array]'), r.out);
    assert.ok(
      lines.some((l) => /^ {2}\* num_frames \[scalar = 9\]$/.test(l)),
      r.out,
    );
  });

  it('shows the root attributes, link targets, lists as lists, and a summary', async () => {
    const dir = join(root, 'linked');
    const file = join(dir, 'scan.json');
    mkdirSync(dir);
    writeFileSync(
      file,
      `{"name": "NumpyScan", "base_path": "${join(root, 'raw')}", "shape": 32, "save": "link", "dfile": "scan.ptyd"}`,
    );
    assert.equal((await cli(['prepare', file, '--chunk', '4', '--quiet'])).code, 0);
    const r = await cli(['info', join(dir, 'scan.ptyd')]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.ok(lines.includes('@ ptyscan_state = "complete"'), r.out);
    assert.ok(
      lines.some((l) => /^@ ptyscan_heartbeat = "\S+ pid \d+ host .+"$/.test(l)),
      r.out,
    );
    assert.ok(lines.includes('  * 0 [link -> scan.ptyd.chunk00:/] [dict 4]:'), r.out);
    assert.ok(lines.includes('    * indices [4 int64 list = [0, 1, 2, 3]]'), r.out);
    const summary = lines.slice(lines.indexOf('summary:'));
    assert.match(summary[1]!, /^ {2}state +complete \(heartbeat .+\)$/);
    assert.equal(summary[2], '  frames    9 of 9 in 3 chunks');
    assert.equal(summary[3], '  chunks    0-1: 4 frames each, 2: 1 frame');
    assert.equal(
      summary[5],
      '  links     3 external (scan.ptyd.chunk00 .. scan.ptyd.chunk02), all present',
    );
    const only = await cli(['info', join(dir, 'scan.ptyd'), '--summary']);
    assert.deepEqual(only.out.split('\n').slice(1), summary);
  });

  it("the README's listing is what info prints for the scan it describes", async () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const at = readme.indexOf('`ptyscan info scan.ptyd` lists any HDF5 file');
    const shown = /```\n(scan\.ptyd\n[\s\S]*?)```/.exec(readme.slice(at))?.[1];
    assert.ok(shown !== undefined, 'no info listing in the README');
    // The README's scan: 40 frames of 64 px, shape 32, link mode, chunks of 10.
    const dir = join(root, 'readme');
    assert.equal(
      (await cli(['simulate', join(dir, 'raw'), '--frames', '40', '--shape', '64', '--quiet']))
        .code,
      0,
    );
    writeFileSync(
      join(dir, 'c.json'),
      '{"name": "NumpyScan", "base_path": "raw", "shape": 32, "save": "link", "dfile": "scan.ptyd"}',
    );
    assert.equal((await cli(['prepare', join(dir, 'c.json'), '--chunk', '10', '--quiet'])).code, 0);
    const r = await cli(['info', join(dir, 'scan.ptyd')]);
    // Times, pids, hosts, run ids and sizes differ from run to run.
    const same = (text: string): string =>
      text
        .replace(/"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}"/g, '<time>')
        .replace(/\S+Z pid \d+ host [^)"]+/g, '<heartbeat>')
        .replace(/"[0-9a-f-]{36}"/g, '<run>')
        .replace(/[\d.]+ kB on disk/g, '<size> on disk');
    const printed = same(r.out).split('\n');
    // The first line is the file as given on the command line.
    for (const line of same(shown).split('\n').slice(1)) {
      if (line.trim() === '...' || line === '') continue;
      assert.ok(printed.includes(line), `README line not printed: '${line}'\n${r.out}`);
    }
  });

  it('--depth 1 lists only the top level', async () => {
    const r = await cli(['info', dfile, '--depth', '1']);
    assert.equal(r.code, 0, r.err);
    // The tree alone: not the root attributes before it nor the summary after it.
    const lines = r.out.split('\n');
    const body = lines.slice(1, lines.indexOf('summary:')).filter((l) => !l.startsWith('@'));
    assert.ok(body.length >= 3);
    assert.ok(
      body.every((l) => l.startsWith('* ')),
      r.out,
    );
  });

  it('a missing file exits 1 with one error line', async () => {
    const r = await cli(['info', join(root, 'nope.ptyd')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^ptyscan: error: .*nope\.ptyd/);
  });
});

describe('ptyscan preview', () => {
  it('writes sum, frames and positions PNGs and prints their paths', async () => {
    const out = join(root, 'preview');
    const r = await cli(['preview', dfile, '--out', out, '--frames', '0,8']);
    assert.equal(r.code, 0, r.err);
    const files = [
      'sum.png',
      'transmission.png',
      'dpc_y.png',
      'dpc_x.png',
      'positions.png',
      'histogram.png',
      'frame_0000.png',
      'frame_0008.png',
    ].map((f) => join(out, f));
    assert.equal(r.out, `${files.join('\n')}\n`);
    for (const file of files) {
      const png = PNG.sync.read(readFileSync(file));
      assert.ok(png.width >= 32 && png.height >= 32, file);
    }
  });

  it('the sum image marks the centre from the file (a white cross in the middle)', async () => {
    const out = join(root, 'preview-centre');
    assert.equal((await cli(['preview', dfile, '--out', out])).code, 0);
    const png = PNG.sync.read(readFileSync(join(out, 'sum.png')));
    const at = (x: number, y: number): number[] =>
      Array.from(png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 3));
    // The 32 px frames fill the plot box; meta.center (16, 16) is the middle of pixel 16.
    const box = plotBox(png, 1);
    const cx = Math.floor(box.left + (16.5 * box.w) / 32);
    const cy = Math.floor(box.top + (16.5 * box.h) / 32);
    const white = [-4, -3, 3, 4].filter((d) => at(cx + d, cy).every((v) => v > 240));
    assert.equal(white.length, 4, `white pixels of the cross around (${cx}, ${cy})`);
  });

  for (const [argv, code, pattern] of [
    [['preview', 'x.ptyd'], 2, /^ptyscan preview: missing --out <dir>/],
    [['preview', 'x.ptyd', '--out', 'o', '--frames', '1,a'], 2, /--frames expects frame indices/],
  ] as const) {
    it(`'${argv.join(' ')}' exits ${code}`, async () => {
      const r = await cli([...argv]);
      assert.equal(r.code, code);
      assert.match(r.err, pattern);
    });
  }

  it('a frame index beyond the file exits 1', async () => {
    const r = await cli(['preview', dfile, '--out', join(root, 'p2'), '--frames', '9']);
    assert.equal(r.code, 1);
    assert.match(r.err, /--frames: expected frame indices in \[0, 8\], found 9/);
  });
});
