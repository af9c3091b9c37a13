/**
 * Live HDF5 acquisitions in separate OS processes: a writer (h5py from
 * Debian's python3-h5py) adds frames over time, `ptyscan prepare` in link
 * mode prepares them as they come, and `ptyscan follow` reads the growing
 * file. Both kinds: one file written under SWMR with live keys (SwmrLoader),
 * and an Eiger-style master whose data files appear one by one (`live:
 * true`, through its virtual dataset and through its links), each read by
 * the native addon and by h5wasm alone. Every frame is read once and in
 * order, and the file equals a run on the finished files. A writer that
 * stops is a typed error after prepare's --timeout, naming what it waited for.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { h5ready, nativeHdf5Status } from '../../src/h5/index.js';
import type { PyValue } from '../../src/py/value.js';
import { createScan, SwmrLoader } from '../../src/sources/index.js';
import { PYTHON, runToEos, tempDir } from '../helpers/index.js';
import {
  assertSameContent,
  type Child,
  killChildren,
  linkedChunks,
  ROOT,
  spawnCli,
  spawnProcess,
  waitFor,
} from './helpers.js';

const WRITER = join(ROOT, 'test/live/fixtures/hdf5-writers.py');
const FRAMES = 30;
const PER_FILE = 8;
const CHUNK = 6;
const native = nativeHdf5Status().available;
const engines = [
  {
    name: 'the native addon',
    env: process.env,
    skip: native ? false : 'the native addon is not built',
  },
  { name: 'h5wasm alone', env: { ...process.env, PTYSCAN_NATIVE_HDF5: '0' }, skip: false },
] as const;

after(() => killChildren());
const dir = tempDir('hdf5-live');
before(async () => {
  await h5ready();
});

function writer(kind: 'swmr' | 'eiger', path: string, extra: readonly string[] = []): Child {
  return spawnProcess(PYTHON, [
    WRITER,
    kind,
    path,
    '--frames',
    String(FRAMES),
    '--per-file',
    String(PER_FILE),
    '--delay',
    '40',
    ...extra,
  ]);
}

/** The SwmrLoader config of a SWMR file (positions in micrometres, the mask of the file). */
function swmrConfig(file: string, dfile: string): Record<string, PyValue> {
  return {
    name: 'SwmrLoader',
    intensities: { file, key: 'entry/data', live_key: 'entry/keys/frame' },
    positions: {
      file,
      slow_key: 'entry/sample/y',
      fast_key: 'entry/sample/x',
      slow_multiplier: 1e-6,
      fast_multiplier: 1e-6,
      live_slow_key: 'entry/keys/y',
      live_fast_key: 'entry/keys/x',
      slow_key_with_expected_shape: 'entry/sample/y_demand',
      fast_key_with_expected_shape: 'entry/sample/x_demand',
    },
    mask: { file, key: 'entry/mask' },
    shape: 32n,
    min_frames: BigInt(CHUNK),
    save: 'link',
    dfile,
  };
}

/** The Hdf5Loader config of an Eiger-style master (`key`: its virtual dataset or its data group). */
function eigerConfig(master: string, key: string, dfile: string): Record<string, PyValue> {
  return {
    name: 'Hdf5Loader',
    live: true,
    intensities: { file: master, key },
    positions: {
      file: master,
      slow_key: 'entry/sample/y',
      fast_key: 'entry/sample/x',
      slow_multiplier: 1e-6,
      fast_multiplier: 1e-6,
    },
    mask: { file: master, key: 'entry/instrument/detector/pixel_mask', invert: true },
    recorded_energy: { file: master, key: 'entry/instrument/beam/energy', multiplier: 1e-3 },
    shape: 32n,
    center: [20n, 22n],
    auto_center: false,
    min_frames: BigInt(CHUNK),
    save: 'link',
    dfile,
  };
}

function json(config: Record<string, PyValue>): string {
  return JSON.stringify(config, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
}

/** The frames `follow` printed, in the order it read them. */
function followed(out: string): number[] {
  return out
    .split('\n')
    .map((l) => /^chunk \d+: frames (\d+)-(\d+)/.exec(l))
    .filter((m) => m !== null)
    .flatMap((m) => {
      const [a, b] = [Number(m[1]), Number(m[2])];
      return Array.from({ length: b - a + 1 }, (_, i) => a + i);
    });
}

/**
 * Runs writer, prepare and follow together. The writer is held (SIGSTOP)
 * until prepare and follow are up, and again once chunk 0 is linked, so
 * both certainly meet frames still to come and wait for them.
 */
async function live(
  name: string,
  start: () => Child,
  started: string,
  config: Record<string, PyValue>,
  reference: Record<string, PyValue>,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const work = join(dir, name);
  mkdirSync(work, { recursive: true });
  const dfile = String(config.dfile);
  const file = join(work, 'live.json');
  writeFileSync(file, json(config));
  const source = start();
  await waitFor(`${name}: the writer to start`, () => existsSync(started), 60_000, 5);
  source.proc.kill('SIGSTOP');
  const prepare = spawnCli(
    ['prepare', file, '--chunk', String(CHUNK), '--poll', '50', '--quiet'],
    180_000,
    env,
  );
  const follow = spawnCli([
    'follow',
    dfile,
    '--chunk',
    '5',
    '--poll',
    '50',
    '--stale-after',
    '120',
  ]);
  // A wait that times out says what prepare and follow had printed.
  const waitOn = async (what: string, condition: () => boolean): Promise<void> => {
    try {
      await waitFor(`${name}: ${what}`, condition, 60_000, 5);
    } catch (error) {
      const said = `prepare: ${prepare.stderr()}\nfollow: ${follow.stdout()}${follow.stderr()}`;
      throw new Error(`${(error as Error).message}\n${said}`);
    }
  };
  await waitOn("prepare's master", () => existsSync(dfile));
  await waitOn('follow to start', () => /waiting|reading/.test(follow.stdout()));
  source.proc.kill('SIGCONT');
  await waitOn('chunk 0', () => linkedChunks(dfile) >= 1);
  source.proc.kill('SIGSTOP');
  // Held until follow has caught up and waits too.
  await waitOn('follow to WAIT', () => follow.stdout().includes('WAIT'));
  assert.ok(
    linkedChunks(dfile) < Math.ceil(FRAMES / CHUNK),
    `${name}: prepare waits for the writer`,
  );
  source.proc.kill('SIGCONT');
  assert.equal(await source.exited, 0, source.stderr());
  assert.equal(await prepare.exited, 0, prepare.stderr());
  assert.equal(await follow.exited, 0, follow.stderr());
  const out = follow.stdout();
  assert.deepEqual(
    followed(out),
    Array.from({ length: FRAMES }, (_, i) => i),
    `${name}: every frame once, in order`,
  );
  assert.equal(out.trim().split('\n').at(-1), `frames: ${FRAMES}`);
  // The same frames, positions, weights and meta as a run on the finished files.
  const ref = String(reference.dfile);
  mkdirSync(dirname(ref), { recursive: true });
  runToEos(await createScan(reference), CHUNK, { close: true });
  assertSameContent(dfile, ref);
}

describe('live HDF5: prepare in link mode and follow, while a writer adds frames', () => {
  for (const engine of engines) {
    it(`a file written under SWMR with live keys (SwmrLoader), read by ${engine.name}`, {
      skip: engine.skip,
      timeout: 300_000,
    }, async () => {
      const name = `swmr-${engine.env.PTYSCAN_NATIVE_HDF5 ?? 'native'}`;
      const file = join(dir, name, 'scan.h5');
      mkdirSync(join(dir, name), { recursive: true });
      const reference = swmrConfig(file, join(dir, name, 'ref', 'scan.ptyd'));
      const { live_key: _k, ...intensities } = reference.intensities as Record<string, PyValue>;
      const {
        live_slow_key: _s,
        live_fast_key: _f,
        slow_key_with_expected_shape: _se,
        fast_key_with_expected_shape: _fe,
        ...positions
      } = reference.positions as Record<string, PyValue>;
      await live(
        name,
        () => writer('swmr', file),
        `${file}.started`,
        swmrConfig(file, join(dir, name, 'out', 'scan.ptyd')),
        { ...reference, name: 'Hdf5Loader', intensities, positions },
        engine.env,
      );
    });

    for (const key of ['entry/data/data', 'entry/data']) {
      const how = key === 'entry/data' ? 'its external links' : 'its virtual dataset';
      it(`an Eiger-style master whose data files appear one by one, through ${how}, read by ${engine.name}`, {
        skip: engine.skip,
        timeout: 300_000,
      }, async () => {
        const name = `eiger-${key === 'entry/data' ? 'links' : 'vds'}-${engine.env.PTYSCAN_NATIVE_HDF5 ?? 'native'}`;
        const raw = join(dir, name, 'raw');
        const master = join(raw, 'scan_master.h5');
        await live(
          name,
          () => writer('eiger', raw),
          join(raw, 'started'),
          eigerConfig(master, key, join(dir, name, 'out', 'scan.ptyd')),
          { ...eigerConfig(master, key, join(dir, name, 'ref', 'scan.ptyd')), live: false },
          engine.env,
        );
      });
    }
  }
});

describe('live HDF5: a writer that stopped', () => {
  it('is a MissingDataError after --timeout, naming the data file still awaited', {
    timeout: 120_000,
  }, async () => {
    const raw = join(dir, 'stalled-eiger', 'raw');
    const source = writer('eiger', raw, ['--stop-after', '12']);
    await waitFor('the first data file', () => existsSync(join(raw, 'scan_data_000002.h5')));
    const file = join(dir, 'stalled-eiger', 'live.json');
    writeFileSync(
      file,
      json(
        eigerConfig(
          join(raw, 'scan_master.h5'),
          'entry/data/data',
          join(dir, 'stalled-eiger', 'scan.ptyd'),
        ),
      ),
    );
    const prepare = spawnCli([
      'prepare',
      file,
      '--chunk',
      String(CHUNK),
      '--poll',
      '50',
      '--timeout',
      '2',
      '--quiet',
    ]);
    assert.equal(await prepare.exited, 1);
    source.proc.kill('SIGKILL');
    assert.match(
      prepare.stderr(),
      /^ptyscan: error: no new frame for 2 s \(--timeout\): 6 of 30 frames prepared, waiting for the data file scan_data_000002\.h5 \(frames 8-15\): a writer holds HDF5's lock on it/m,
    );
  });

  it('under SWMR: the live key that stayed 0 is named', { timeout: 120_000 }, async () => {
    const work = join(dir, 'stalled-swmr');
    mkdirSync(work, { recursive: true });
    const source = writer('swmr', join(work, 'scan.h5'), ['--stop-after', '10']);
    const file = join(work, 'live.json');
    writeFileSync(file, json(swmrConfig(join(work, 'scan.h5'), join(work, 'scan.ptyd'))));
    const prepare = spawnCli([
      'prepare',
      file,
      '--chunk',
      String(CHUNK),
      '--poll',
      '50',
      '--timeout',
      '2',
      '--quiet',
    ]);
    assert.equal(await prepare.exited, 1);
    source.proc.kill('SIGKILL');
    assert.match(
      prepare.stderr(),
      /no new frame for 2 s \(--timeout\): 6 of 30 frames prepared, waiting for frame 10: its live key in .*scan\.h5:entry\/keys\/frame is still 0/,
    );
  });
});

describe('SwmrLoader in this process, on a file another process writes under SWMR', () => {
  it('check() counts the frames whose live keys are set; auto() gives them, then WAIT naming the key', {
    timeout: 120_000,
  }, async () => {
    const work = join(dir, 'in-process');
    mkdirSync(work, { recursive: true });
    const file = join(work, 'scan.h5');
    const source = writer('swmr', file, ['--stop-after', '8']);
    await waitFor('the writer to start', () => existsSync(`${file}.started`), 60_000, 5);
    const { dfile: _d, save: _s, ...config } = swmrConfig(file, join(work, 'x.ptyd'));
    const scan = await createScan({ ...config, min_frames: 3n });
    assert.ok(scan instanceof SwmrLoader);
    scan.initialize();
    await waitFor('8 frames', () => scan.check(FRAMES, 0)[0] === 8, 60_000, 20);
    assert.deepEqual(scan.check(FRAMES, 0), [8, null]);
    assert.deepEqual(scan.check(4, 6), [2, null]);
    const indices = (m: ReturnType<typeof scan.auto>) =>
      m.msg === 'data' ? m.iterable.map((f) => f.index) : m.msg;
    assert.deepEqual(indices(scan.auto(5)), [0, 1, 2, 3, 4]);
    // 3 frames are left of the 8 written: min_frames 3 is met once more, then not.
    assert.deepEqual(indices(scan.auto(5)), [5, 6, 7]);
    assert.equal(indices(scan.auto(5)), 'WAIT');
    assert.match(
      scan.waitingFor() ?? '',
      /frame 8: its live key in .*entry\/keys\/frame is still 0/,
    );
    source.proc.kill('SIGKILL');
    await source.exited.catch(() => undefined);
    scan.close();
  });
});
