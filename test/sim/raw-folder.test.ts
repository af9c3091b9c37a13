import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readNpy } from '../../src/npy/npy.js';
import { rawFrameName, writeRawFolder } from '../../src/sim/raw-folder.js';
import {
  DEFAULT_SIMULATION,
  type SimulationOptions,
  simulateScan,
} from '../../src/sim/simulate.js';
import { tempDir } from '../helpers/index.js';

const root = tempDir('raw');

const OPTIONS: SimulationOptions = {
  ...DEFAULT_SIMULATION,
  frames: 6,
  shape: 24,
  photons: 1e4,
  pattern: 'spiral',
  seed: 11,
};

interface Listed {
  name: string;
  y: number;
  x: number;
}

function parsePositions(text: string): Listed[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [name = '', y = '', x = ''] = line.split(' ');
      return { name, y: Number(y), x: Number(x) };
    });
}

describe('writeRawFolder', () => {
  it('writes the ptypy tutorial layout, readable back with readNpy', async () => {
    const dir = join(root, 'whole');
    const sim = simulateScan(OPTIONS);
    const summary = await writeRawFolder(dir, sim);
    assert.equal(summary.frames, 6);
    assert.equal(
      readFileSync(join(dir, 'geometry.txt'), 'utf8'),
      'distance 7.19\nenergy 7.2\npsize 0.000172\nshape 24\n',
    );
    const listed = parsePositions(readFileSync(join(dir, 'positions.txt'), 'utf8'));
    assert.equal(listed.length, 6);
    listed.forEach((entry, k) => {
      assert.equal(entry.name, `ccd/diffraction_000${k}.npy`);
      assert.equal(entry.y, sim.positions.data[2 * k]);
      assert.equal(entry.x, sim.positions.data[2 * k + 1]);
      const frame = readNpy(join(dir, entry.name));
      assert.equal(frame.dtype, 'int32');
      assert.deepEqual(frame.shape, [24, 24]);
      assert.deepEqual(frame.data, sim.frames.data.subarray(k * 576, (k + 1) * 576));
    });
    assert.deepEqual(
      readdirSync(join(dir, 'ccd')).sort(),
      summary.files.map((f) => f.slice(4)),
    );
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.part')));
  });

  it('simulates while writing from options, with the same frames as simulateScan', async () => {
    const dir = join(root, 'lazy');
    await writeRawFolder(dir, OPTIONS);
    const sim = simulateScan(OPTIONS);
    for (let k = 0; k < 6; k++) {
      assert.deepEqual(
        readNpy(join(dir, rawFrameName(k))).data,
        sim.frames.data.subarray(k * 576, (k + 1) * 576),
      );
    }
  });

  it('lists a frame in positions.txt only after its complete file exists', async () => {
    const dir = join(root, 'paced');
    const done = writeRawFolder(dir, OPTIONS, { delayMs: 25 });
    let finished = false;
    void done.then(() => {
      finished = true;
    });
    let seen = 0;
    while (!finished) {
      const file = join(dir, 'positions.txt');
      if (existsSync(file)) {
        const listed = parsePositions(readFileSync(file, 'utf8'));
        assert.ok(listed.length >= seen, 'positions.txt never shrinks');
        seen = listed.length;
        for (const entry of listed)
          assert.deepEqual(readNpy(join(dir, entry.name)).shape, [24, 24]);
      }
      await sleep(5);
    }
    await done;
    assert.equal(parsePositions(readFileSync(join(dir, 'positions.txt'), 'utf8')).length, 6);
  });

  it('stops between frames when aborted, leaving the frames written so far', async () => {
    const dir = join(root, 'aborted');
    const controller = new AbortController();
    const done = writeRawFolder(dir, OPTIONS, { delayMs: 60_000, signal: controller.signal });
    // The first frame comes without delay; the second would wait a minute.
    while (
      !existsSync(join(dir, 'positions.txt')) ||
      readFileSync(join(dir, 'positions.txt'), 'utf8') === ''
    ) {
      await sleep(5);
    }
    controller.abort();
    await assert.rejects(done, (e: unknown) => e instanceof Error && e.name === 'AbortError');
    assert.equal(parsePositions(readFileSync(join(dir, 'positions.txt'), 'utf8')).length, 1);
    assert.deepEqual(readdirSync(join(dir, 'ccd')), ['diffraction_0000.npy']);
  });
});

/** A Python with numpy, to check the ground truth with numpy's own FFT; null without one. */
const NUMPY_PYTHON =
  ['/usr/bin/python3', 'python3'].find(
    (python) => spawnSync(python, ['-c', 'import numpy']).status === 0,
  ) ?? null;

// numpy rebuilds every frame from truth/object.npy, truth/probe.npy and truth/truth.json.
const CHECK_TRUTH = `
import json, sys
import numpy as np
raw = sys.argv[1]
t = json.load(open(f"{raw}/truth/truth.json"))
obj = np.load(f"{raw}/truth/{t['object']}")
probe = np.load(f"{raw}/truth/{t['probe']}")
assert obj.dtype == np.complex128 and list(obj.shape) == t["object_shape"], obj.shape
assert probe.dtype == np.complex128 and list(probe.shape) == t["probe_shape"], probe.shape
n, (cy, cx), px = t["shape"], t["object_centre"], t["pixel_size"]
worst = 0
lines = open(f"{raw}/positions.txt").read().split("\\n")
for k, line in enumerate(l for l in lines if l):
    name, y, x = line.split()
    r = cy - n // 2 + int(np.round(float(y) / px))
    c = cx - n // 2 + int(np.round(float(x) / px))
    intensity = np.fft.fftshift(np.abs(np.fft.fft2(probe * obj[r:r + n, c:c + n])) ** 2)
    expected = np.floor(intensity * t["photons"] / intensity.sum())
    frame = np.load(f"{raw}/{name}")
    worst = max(worst, np.abs(frame - expected).max())
print(k + 1, worst)
`;

describe('the ground truth of a simulated raw folder', () => {
  it('holds the object and probe that make every frame, checked with numpy', {
    skip: NUMPY_PYTHON === null ? 'no python3 with numpy (apt-get install python3-numpy)' : false,
  }, async () => {
    const dir = join(root, 'truth');
    // Without noise the frames are the scaled intensities rounded down: exact up to rounding.
    await writeRawFolder(dir, { ...OPTIONS, noise: false }, { truth: true });
    const r = spawnSync(NUMPY_PYTHON!, ['-c', CHECK_TRUTH, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [frames, worst] = r.stdout.trim().split(' ').map(Number);
    assert.equal(frames, OPTIONS.frames);
    // Our FFT and numpy's agree to rounding: a count may land on the other side of an integer.
    assert.ok(worst! <= 1, `largest difference ${worst} counts`);
  });
});
