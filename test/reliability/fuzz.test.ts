/**
 * Seeded fuzzing of what a reader gets from a damaged `.ptyd` file and what
 * a config parser gets from a hostile config. Bounded: a fixed number of
 * mutants per file (PTYSCAN_FUZZ_SEED picks another seed, PTYSCAN_FUZZ_CASES
 * another count); no timing is asserted.
 *
 * The promise checked: every read gives the original frames, in order, or
 * stops with a typed error (a PtyscanError): never a gap, a renumbered or
 * wrong frame, a wait without end, or a crash; and the process stays usable
 * (the original still reads back after all the mutants). Every config is
 * either parsed into null-prototype-safe values or refused with a typed error.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { PtyscanError } from '../../src/errors.js';
import { ndarray } from '../../src/frames/ndarray.js';
import { h5ready } from '../../src/h5/index.js';
import { PtydScan } from '../../src/sources/index.js';
import { readScanConfig } from '../../src/sources/scan-config.js';
import { quiet, runToEos, tempDir } from '../helpers/index.js';
import { seeded } from '../ptyd/helpers.js';
import { SpotScan } from '../scan/spot-scan.js';
import { copyScan, folderIn } from './helpers.js';

const SEED = Number(process.env.PTYSCAN_FUZZ_SEED ?? 16);
const CASES = Number(process.env.PTYSCAN_FUZZ_CASES ?? 24);
const FRAMES = 12;
const dir = tempDir('fuzz');

before(async () => {
  await h5ready();
});

/** One frame as read: its index, data, weights and position. */
interface Frame {
  index: number;
  data: number[];
  weights: number[];
  position: number[];
}

/** Writes a scan of 12 frames in chunks of 3 in `save` mode and `compression`. */
function writeScan(folder: string, save: 'append' | 'link', compression: string): string {
  const dfile = join(folder, 'scan.ptyd');
  // The filter plugins' compressions are written only when asked for.
  const plugins = !['gzip', 'lzf', 'none'].includes(compression);
  const scan = new SpotScan(
    { shape: 16n, save, dfile, compression, ...(plugins ? { compression_plugins: true } : {}) },
    quiet,
    FRAMES,
  );
  scan.positions = ndarray(
    'float64',
    [FRAMES, 2],
    Float64Array.from({ length: 2 * FRAMES }, (_, i) => (i + 1) * 1e-7),
  );
  runToEos(scan, 3, { close: true, wait: 'skip' });
  return dfile;
}

/**
 * Reads `dfile` in steps of 2 frames: the frames, and how the read ended.
 * A WAIT is looked at again (staleAfter 0: a file that does not change is given up on).
 */
function readFrames(dfile: string): { frames: Frame[]; end: 'EOS' | PtyscanError | 'hang' } {
  const frames: Frame[] = [];
  let scan: PtydScan | null = null;
  try {
    scan = new PtydScan({ dfile, source: 'file' }, { ...quiet, staleAfter: 0 });
    scan.initialize();
    for (let i = 0; i < 4 * FRAMES; i++) {
      const msg = scan.auto(2);
      if (msg.msg === 'EOS') return { frames, end: 'EOS' };
      if (msg.msg === 'WAIT') continue;
      const { chunk } = msg;
      chunk.indices.forEach((index, k) => {
        const size = chunk.data.shape[1]! * chunk.data.shape[2]!;
        const positions = chunk.positions;
        frames.push({
          index,
          data: Array.from(chunk.data.data.subarray(k * size, (k + 1) * size) as ArrayLike<number>),
          weights: Array.from(
            chunk.weights.data.subarray(
              chunk.weights.shape[0] === 1 ? 0 : k * size,
              chunk.weights.shape[0] === 1 ? size : (k + 1) * size,
            ) as ArrayLike<number>,
          ),
          position: Array.isArray(positions)
            ? []
            : Array.from(positions.data.subarray(2 * k, 2 * k + 2) as ArrayLike<number>),
        });
      });
    }
    return { frames, end: 'hang' };
  } catch (error) {
    if (error instanceof PtyscanError) return { frames, end: error };
    throw error;
  } finally {
    scan?.close();
  }
}

/** Files of a scan folder a mutant may damage: the master and its chunk files. */
function scanFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((n) => n.startsWith('scan.ptyd') && !n.endsWith('.lock'))
    .map((n) => join(folder, n))
    .sort();
}

/** Damages one file of `folder`: truncation or a flipped byte, chosen by `random`. */
function damage(folder: string, random: () => number): string {
  const files = scanFiles(folder);
  const file = files[Math.floor(random() * files.length)]!;
  const size = statSync(file).size;
  if (random() < 0.3) {
    const at = Math.floor(random() * size);
    truncateSync(file, at);
    return `${file} truncated to ${at}`;
  }
  const bytes = readFileSync(file);
  const at = Math.floor(random() * size);
  const bit = 1 << Math.floor(random() * 8);
  bytes[at] = bytes[at]! ^ bit;
  writeFileSync(file, bytes);
  return `${file}: byte ${at} ^ ${bit}`;
}

describe(`damaged files (seed ${SEED}, ${CASES} mutants per file)`, () => {
  for (const save of ['append', 'link'] as const) {
    for (const compression of ['gzip', 'lzf', 'none', 'bitshuffle-lz4', 'lz4', 'zstd']) {
      it(`${save}, ${compression}: the original frames in order, or a typed error`, async (t) => {
        const folder = folderIn(dir, `${save}-${compression}`);
        const dfile = writeScan(folder, save, compression);
        const original = readFrames(dfile);
        assert.equal(original.end, 'EOS');
        assert.equal(original.frames.length, FRAMES);
        const random = seeded(SEED * 1000 + (save === 'link' ? 7 : 3) * compression.length);
        const outcomes = { complete: 0, error: 0 };
        let unchecked = 0;
        for (let n = 0; n < CASES; n++) {
          const copy = copyScan(dir, folder, `${save}-${compression}-${n}`);
          const what = damage(copy, random);
          const { frames, end } = readFrames(join(copy, 'scan.ptyd'));
          assert.notEqual(end, 'hang', `${what}: still waiting after ${4 * FRAMES} reads`);
          frames.forEach((frame, i) => {
            const was = original.frames[i]!;
            assert.equal(frame.index, was.index, `${what}: frame ${i} has index ${frame.index}`);
            assert.deepEqual(frame.position, was.position, `${what}: frame ${i}: other positions`);
            const same = isDeepStrictEqual(frame, was);
            // LZF chunks carry no checksum (h5wasm takes one filter per dataset): counted, not refused.
            if (!same && compression === 'lzf') unchecked++;
            else assert.ok(same, `${what}: frame ${i} differs from the original`);
          });
          // A mutant that aborted the WASM runtime (an H5Error) leaves it replaced by a fresh one.
          await h5ready();
          if (end === 'EOS') {
            assert.equal(
              frames.length,
              FRAMES,
              `${what}: ended after ${frames.length} frames without an error`,
            );
            outcomes.complete++;
          } else outcomes.error++;
        }
        // The process is still usable: the undamaged file reads back whole.
        assert.deepEqual(readFrames(dfile), original);
        assert.equal(outcomes.complete + outcomes.error, CASES);
        t.diagnostic(
          `${outcomes.complete} mutants read whole, ${outcomes.error} ended in a typed error; ${unchecked} frames with other values (LZF data only)`,
        );
      });
    }
  }
});

/** A random JSON-able structure with hostile keys in it. */
function hostile(random: () => number, depth: number): unknown {
  const keys = [
    '__proto__',
    'constructor',
    'prototype',
    'module',
    'name',
    'shape',
    'save',
    'dfile',
    'x',
    '\u001b[2J',
  ];
  const r = random();
  if (depth <= 0 || r < 0.3) {
    const leaves = [null, true, 1, -1, 1e308, 'NumpyScan', 'append', '', '%d'];
    return leaves[Math.floor(random() * leaves.length)];
  }
  if (r < 0.45)
    return Array.from({ length: Math.floor(random() * 4) }, () => hostile(random, depth - 1));
  const out: Record<string, unknown> = {};
  const n = 1 + Math.floor(random() * 4);
  for (let i = 0; i < n; i++) {
    Object.defineProperty(out, keys[Math.floor(random() * keys.length)]!, {
      value: hostile(random, depth - 1),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  return out;
}

/** YAML text of a value (block style, as a person writes it). */
function yamlOf(value: unknown): string {
  return stringify(value);
}

describe(`hostile configs (seed ${SEED})`, () => {
  it('every random JSON and YAML config with hostile keys is parsed without a prototype change or refused with a typed error', () => {
    const folder = folderIn(dir, 'configs');
    const random = seeded(SEED);
    let refused = 0;
    for (let n = 0; n < 20 * CASES; n++) {
      const value = hostile(random, 4);
      const json = JSON.stringify(value);
      for (const [ext, text] of [
        ['json', json],
        ['yaml', yamlOf(value)],
      ] as const) {
        const file = join(folder, `c${n}.${ext}`);
        writeFileSync(file, text);
        try {
          const { config } = readScanConfig(file);
          assert.equal(
            Object.getPrototypeOf(config),
            Object.getPrototypeOf({}),
            `${text}: prototype changed`,
          );
          assert.ok(
            !/"(__proto__|constructor|prototype)"/.test(json),
            `${text}: a hostile key was accepted`,
          );
        } catch (error) {
          if (!(error instanceof PtyscanError)) throw new Error(`${text}: ${String(error)}`);
          assert.ok(!error.message.includes('\n    at '), 'a stack in the message');
          refused++;
        }
      }
      // Nothing leaked into the prototypes of plain objects.
      assert.equal(({} as Record<string, unknown>).module, undefined);
      assert.equal(({} as Record<string, unknown>).shape, undefined);
    }
    assert.ok(refused > 0);
  });
});
