/**
 * Frame-kernel benchmark: 1000 frames of 512x512 int32 (10 chunks of 100),
 * prepared the way the pipeline does it, against a plain copy of the same
 * bytes. Prints frames/s and the ratio to the copy measured in the same run
 * (median of 3). No thresholds: compare the ratios.
 *
 * Run: npx tsx bench/kernels.ts [frames]
 */
import { performance } from 'node:perf_hooks';
import {
  cropOrient,
  type FrameStack,
  ndarray,
  rebinData,
  rebinWeights,
} from '../src/frames/index.js';

const FRAMES = Number(process.argv[2] ?? 1000);
const CHUNK = 100;
const RAW = 512;
const ROI = 256;
const ORIENTATION = 3;
const REPEATS = 3;

/** Deterministic Poisson-like counts with a bright blob off-centre and a few hot pixels. */
function synthesise(): FrameStack<'int32'>[] {
  const chunks: FrameStack<'int32'>[] = [];
  let state = 0x2545f491;
  for (let start = 0; start < FRAMES; start += CHUNK) {
    const n = Math.min(CHUNK, FRAMES - start);
    const data = new Int32Array(n * RAW * RAW);
    for (let i = 0; i < data.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const y = (i >> 9) & 511;
      const x = i & 511;
      const blob = (y - 250) ** 2 + (x - 262) ** 2 < 900 ? 1000 : 0;
      data[i] = blob + ((state >>> 0) % 16);
    }
    chunks.push(ndarray('int32', [n, RAW, RAW], data));
  }
  return chunks;
}

function maskChunk(n: number, side: number): FrameStack<'bool'> {
  const data = new Uint8Array(n * side * side).fill(1);
  for (let i = 0; i < data.length; i += 67) data[i] = 0;
  return ndarray('bool', [n, side, side], data);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(run: () => void): number {
  const times: number[] = [];
  for (let k = 0; k < REPEATS; k++) {
    const t0 = performance.now();
    run();
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

const chunks = synthesise();
const center: [number, number] = [250, 262];
const masks = maskChunk(CHUNK, ROI);
const copyTarget = new Int32Array(CHUNK * RAW * RAW);
let sink = 0;

const roi: [number, number] = [ROI, ROI];
const reuse = {
  cropped: new Int32Array(CHUNK * ROI * ROI),
  binned: new Float64Array((CHUNK * ROI * ROI) / 4),
  mask: new Uint8Array((CHUNK * ROI * ROI) / 4),
};

function maskFor(chunk: FrameStack): FrameStack<'bool'> {
  return chunk.shape[0] === CHUNK ? masks : maskChunk(chunk.shape[0]!, ROI);
}

const cases: [string, () => void][] = [
  [
    '(a) plain copy (TypedArray.set per frame)',
    () => {
      const frame = RAW * RAW;
      for (const chunk of chunks) {
        const n = chunk.shape[0]!;
        for (let f = 0; f < n; f++) {
          copyTarget.set(chunk.data.subarray(f * frame, (f + 1) * frame), f * frame);
        }
        sink += copyTarget[n * frame - 1]!;
      }
    },
  ],
  [
    `(b) cropOrient to ${ROI}, orientation ${ORIENTATION}`,
    () => {
      for (const chunk of chunks)
        sink += cropOrient(chunk, roi, center, ORIENTATION).frames.data[0]!;
    },
  ],
  [
    `(c) (b) + rebinData 2 (to ${ROI / 2}) + rebinWeights`,
    () => {
      for (const chunk of chunks) {
        const cropped = cropOrient(chunk, roi, center, ORIENTATION).frames;
        sink += rebinData(cropped, 2).data[0]!;
        sink += rebinWeights(maskFor(chunk), 2).data[0]!;
      }
    },
  ],
  [
    '(b) reusing output buffers',
    () => {
      for (const chunk of chunks) {
        sink += cropOrient(chunk, roi, center, ORIENTATION, reuse.cropped).frames.data[0]!;
      }
    },
  ],
  [
    '(c) reusing output buffers',
    () => {
      for (const chunk of chunks) {
        const cropped = cropOrient(chunk, roi, center, ORIENTATION, reuse.cropped).frames;
        sink += rebinData(cropped, 2, reuse.binned).data[0]!;
        sink += rebinWeights(maskFor(chunk), 2, reuse.mask).data[0]!;
      }
    },
  ],
  [
    `cropOrient to ${ROI}, orientation 4 (transpose), reusing`,
    () => {
      for (const chunk of chunks)
        sink += cropOrient(chunk, roi, center, 4, reuse.cropped).frames.data[0]!;
    },
  ],
  [
    `fresh memory alone: new Int32Array(chunk of ${ROI}x${ROI}).fill`,
    () => {
      for (const chunk of chunks) sink += new Int32Array(chunk.shape[0]! * ROI * ROI).fill(1)[0]!;
    },
  ],
];

console.log(
  `${FRAMES} frames ${RAW}x${RAW} int32 in chunks of ${CHUNK}, median of ${REPEATS}, node ${process.version}`,
);
let copySeconds = 0;
for (const [name, run] of cases) {
  run(); // warm-up: JIT and first-touch of memory
  const seconds = time(run);
  if (copySeconds === 0) copySeconds = seconds;
  const fps = FRAMES / seconds;
  console.log(
    `${name.padEnd(56)} ${(seconds * 1000).toFixed(0).padStart(6)} ms  ${fps.toFixed(0).padStart(7)} frames/s  ${(seconds / copySeconds).toFixed(2)}x copy`,
  );
}
if (Number.isNaN(sink)) console.log('');
