import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FileFormatError, MissingDataError, ParameterError } from '../../src/errors.js';
import type { FrameStack, NdArray } from '../../src/frames/ndarray.js';
import type { DataPackage, PtyScan } from '../../src/scan/index.js';
import { rawFrameName, writeRawFolder } from '../../src/sim/raw-folder.js';
import { DEFAULT_SIMULATION, type SimulatedScan, simulateScan } from '../../src/sim/simulate.js';
import { NumpyScan } from '../../src/sources/index.js';
import { quiet, runToEos, tempDir } from '../helpers/index.js';

const root = tempDir('numpy-scan');

const FRAMES = 12;
const SIDE = 64;
let sim: SimulatedScan;
let raw: string;

before(async () => {
  sim = simulateScan({
    ...DEFAULT_SIMULATION,
    frames: FRAMES,
    shape: SIDE,
    photons: 1e6,
    seed: 4,
    pattern: 'raster',
  });
  raw = join(root, 'raw');
  await writeRawFolder(raw, sim);
});

/** A fresh copy of the raw folder, for tests that damage it. */
function copyRaw(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'ccd'), { recursive: true });
  for (const f of ['geometry.txt', 'positions.txt']) copyFileSync(join(raw, f), join(dir, f));
  for (let i = 0; i < FRAMES; i++) {
    copyFileSync(join(raw, rawFrameName(i)), join(dir, rawFrameName(i)));
  }
  return dir;
}

/** Runs auto(n) until EOS, failing on WAIT. */
function drain(scan: PtyScan, n: number): DataPackage[] {
  return runToEos(scan, n, { initialize: false });
}

/** Rows/cols [top, top+size) x [left, left+size) of frame k of a stack. */
function crop(stack: FrameStack, k: number, top: number, left: number, size: number): number[] {
  const [, h = 0, w = 0] = stack.shape;
  const out: number[] = [];
  for (let r = top; r < top + size; r++) {
    for (let c = left; c < left + size; c++) out.push(Number(stack.data[k * h * w + r * w + c]));
  }
  return out;
}

function frameValues(frame: NdArray): number[] {
  return Array.from(frame.data as ArrayLike<number>, Number);
}

describe('NumpyScan (the tutorial raw folder)', () => {
  it('prepares frames equal to a direct crop of the raw frames around fftshift, with the listed positions', () => {
    const scan = new NumpyScan({ base_path: raw, shape: 48n }, quiet);
    scan.initialize();
    assert.equal(scan.numFrames, FRAMES);
    const chunks = drain(scan, 5);
    assert.deepEqual(
      chunks.map((c) => c.chunk.indices.length),
      [5, 5, 2],
    );
    // fftshift centre of a 64 px frame is 32: a 48 px ROI starts 24 before it.
    const start = SIDE / 2 - 24;
    for (const { chunk, iterable } of chunks) {
      assert.equal(chunk.data.dtype, 'int32');
      assert.deepEqual(chunk.data.shape, [chunk.indices.length, 48, 48]);
      iterable.forEach((record, k) => {
        const i = chunk.indices[k]!;
        assert.deepEqual(
          frameValues(record.data),
          crop(sim.frames, i, start, start, 48),
          `frame ${i}`,
        );
        assert.deepEqual(Array.from(record.position ?? []), [
          sim.positions.data[2 * i],
          sim.positions.data[2 * i + 1],
        ]);
      });
    }
    scan.close();
  });

  it('geometry.txt fills only the parameters the user left unset', () => {
    const dir = copyRaw('geometry');
    writeFileSync(
      join(dir, 'geometry.txt'),
      '# written by hand\ndistance 3.5\nenergy 9.1\npsize 0.000075\nshape 32\n',
    );
    const scan = new NumpyScan({ base_path: dir, distance: 1.25, shape: 40n }, quiet);
    assert.equal(scan.info.distance, 1.25);
    assert.equal(scan.info.shape, 40n);
    assert.equal(scan.info.energy, 9.1);
    assert.equal(scan.info.psize, 0.000075);
    const defaults = new NumpyScan({ base_path: dir }, quiet);
    assert.equal(defaults.info.shape, 32n, 'an int line stays a Python int');
    assert.equal(defaults.info.distance, 3.5);
  });

  it('a positions.txt line that does not parse is a FileFormatError naming file:line', () => {
    const dir = copyRaw('bad-positions');
    const lines = readFileSync(join(dir, 'positions.txt'), 'utf8').split('\n');
    lines[2] = 'ccd/diffraction_0002.npy 1.0e-6 left';
    writeFileSync(join(dir, 'positions.txt'), lines.join('\n'));
    const scan = new NumpyScan({ base_path: dir, shape: 48n }, quiet);
    assert.throws(
      () => scan.initialize(),
      (e: unknown) =>
        e instanceof FileFormatError &&
        e.message.includes(`${join(dir, 'positions.txt')}:3:`) &&
        e.message.includes("found 'ccd/diffraction_0002.npy 1.0e-6 left'"),
    );
  });

  it('a missing frame file followed by present ones is a MissingDataError naming the file', () => {
    const dir = copyRaw('missing-frame');
    rmSync(join(dir, rawFrameName(7)));
    const scan = new NumpyScan({ base_path: dir, shape: 48n }, quiet);
    scan.initialize();
    const first = scan.auto(5);
    assert.equal(first.msg, 'data');
    // Frames 5 and 6 are there: the scan hands them out before it reaches the gap.
    const second = scan.auto(5);
    assert.equal(second.msg, 'data');
    assert.deepEqual((second as DataPackage).chunk.indices, [5, 6]);
    assert.throws(
      () => scan.auto(5),
      (e: unknown) =>
        e instanceof MissingDataError &&
        e.file === join(dir, rawFrameName(7)) &&
        e.frame === 7 &&
        /frame file missing, but the later frame .*diffraction_0008\.npy exists/.test(e.message),
    );
  });

  it('fewer positions than frames is a MissingDataError at initialize, suggesting num_frames', () => {
    const dir = copyRaw('few-positions');
    const lines = readFileSync(join(dir, 'positions.txt'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, 'positions.txt'), `${lines.slice(0, 9).join('\n')}\n`);
    const scan = new NumpyScan({ base_path: dir, shape: 48n }, quiet);
    assert.throws(
      () => scan.initialize(),
      (e: unknown) =>
        e instanceof MissingDataError &&
        e.file === join(dir, 'positions.txt') &&
        /9 positions, but the frame file .*diffraction_0009\.npy exists too/.test(e.message) &&
        e.message.includes('num_frames'),
    );
    // Asking for the frames that have positions is fine.
    const nine = new NumpyScan({ base_path: dir, shape: 48n, num_frames: 9n }, quiet);
    nine.initialize();
    assert.equal(
      drain(nine, 100).reduce((n, c) => n + c.chunk.indices.length, 0),
      9,
    );
  });

  it('check() counts the frames on disk while the folder is still growing; WAIT, then the rest, then EOS', () => {
    const dir = copyRaw('growing');
    const allLines = readFileSync(join(dir, 'positions.txt'), 'utf8');
    const lines = allLines.trimEnd().split('\n');
    for (let i = 6; i < FRAMES; i++) rmSync(join(dir, rawFrameName(i)));
    // A writer in the middle of a line: the last line has no newline yet.
    writeFileSync(
      join(dir, 'positions.txt'),
      `${lines.slice(0, 6).join('\n')}\n${lines[6]!.slice(0, 10)}`,
    );
    const scan = new NumpyScan({ base_path: dir, shape: 48n, num_frames: BigInt(FRAMES) }, quiet);
    scan.initialize();
    assert.deepEqual(scan.check(FRAMES, 0), [6, null]);
    assert.deepEqual(scan.check(4, 0), [4, null]);
    assert.deepEqual((scan.auto(4) as DataPackage).chunk.indices, [0, 1, 2, 3]);
    assert.deepEqual((scan.auto(4) as DataPackage).chunk.indices, [4, 5]);
    assert.equal(scan.auto(4).msg, 'WAIT');
    // Frame 6 arrives, but its position line not yet: still WAIT.
    copyFileSync(join(raw, rawFrameName(6)), join(dir, rawFrameName(6)));
    assert.deepEqual(scan.check(4, 6), [0, null]);
    assert.equal(scan.auto(4).msg, 'WAIT');
    for (let i = 7; i < FRAMES; i++)
      copyFileSync(join(raw, rawFrameName(i)), join(dir, rawFrameName(i)));
    writeFileSync(join(dir, 'positions.txt'), allLines);
    const rest = drain(scan, 4);
    assert.deepEqual(
      rest.map((c) => c.chunk.indices),
      [
        [6, 7, 8, 9],
        [10, 11],
      ],
    );
    const p = rest[1]!.iterable[1]!.position!;
    assert.deepEqual(Array.from(p), [sim.positions.data[22], sim.positions.data[23]]);
  });

  it('bad parameters are reported all at once, before any file is read', () => {
    assert.throws(
      () =>
        new NumpyScan({ base_path: join(root, 'does-not-exist'), shape: 'big', rebinn: 2n }, quiet),
      (e: unknown) =>
        e instanceof ParameterError &&
        e.problems.length === 2 &&
        e.problems.some((p) => p.path === 'scandata.NumpyScan.shape') &&
        e.problems.some((p) => p.path === 'scandata.NumpyScan.rebinn'),
    );
  });

  it('with num_frames, a folder that is not there yet is waited for (WAIT), and its late geometry.txt is applied', async () => {
    const dir = join(root, 'not-yet');
    const scan = new NumpyScan({ base_path: dir, num_frames: 5n, shape: 16n, energy: 9.9 }, quiet);
    scan.initialize();
    assert.equal(scan.auto(5).msg, 'WAIT');
    assert.equal(scan.waitingFor(), `the folder ${dir}`);
    await writeRawFolder(dir, {
      ...DEFAULT_SIMULATION,
      frames: 5,
      shape: 24,
      photons: 1e4,
      distance: 3.5,
      energy: 8.8,
    });
    const chunks = drain(scan, 5);
    assert.deepEqual(
      chunks.map((c) => c.chunk.indices.length),
      [5],
    );
    // geometry.txt fills what the user left unset (distance), not what was given (energy).
    assert.equal(scan.meta.distance, 3.5);
    assert.equal(scan.info.distance, 3.5);
    assert.equal(scan.meta.energy, 9.9);
    assert.deepEqual(scan.paramOrigins(), {
      distance: join(dir, 'geometry.txt'),
      psize: join(dir, 'geometry.txt'),
    });
    scan.close();
  });

  it('without num_frames, a base_path that does not exist is a MissingDataError naming it', () => {
    const dir = join(root, 'nowhere');
    assert.throws(
      () => new NumpyScan({ base_path: dir }, quiet),
      (e: unknown) =>
        e instanceof MissingDataError &&
        e.file === dir &&
        e.parameter === 'base_path' &&
        /base_path does not exist/.test(e.message),
    );
  });

  it('a missing positions.txt is a FileFormatError naming it', () => {
    const dir = join(root, 'empty');
    mkdirSync(dir, { recursive: true });
    const scan = new NumpyScan({ base_path: dir }, quiet);
    assert.throws(
      () => scan.initialize(),
      (e: unknown) => e instanceof FileFormatError && e.file === join(dir, 'positions.txt'),
    );
  });
});
