import { MissingDataError, ParameterError, type ParameterProblem } from '../errors.js';
import type { NdArray } from '../frames/ndarray.js';
import { defineParams } from '../params/index.js';
import type { PyValue } from '../py/value.js';
import { PtyScan, type PtyScanOptions, type ScanParams } from '../scan/pty-scan.js';
import type { CheckResult, LoadResult } from '../scan/types.js';
import { expect2, toInt, toNumber, truthy } from '../scan/values.js';
import {
  describeSimulation,
  type ScanPattern,
  type SimulatedFrame,
  type SimulationOptions,
  simulateFrames,
} from '../sim/index.js';

const MOON_FLOWER_SCAN_TEXT = `
[name]
default = 'MoonFlowerScan'

[num_frames]
default = 100
help = Number of frames to simulate
lowlim = 1

[shape]
default = 128
help = Side of the simulated (square) frames in pixels; also the ROI

[photons]
type = float
default = 100000000.0
help = Expected total photon count of each frame
lowlim = 0.0
userlevel = 1

[pattern]
type = str
default = 'round'
help = Scan trajectory: 'round' (concentric rings), 'raster' or 'spiral' (Fermat)
choices = ['round', 'raster', 'spiral']
userlevel = 1

[seed]
type = int
default = 0
help = Seed of the random generator; equal seeds give equal scans
userlevel = 2

[blur]
type = float
default = 0.0
help = Detector blur: Gaussian sigma in pixels (0: none)
lowlim = 0.0
userlevel = 2

[step]
type = float, None
default = None
help = Distance between neighbouring scan points in metres
doc = None takes a tenth of the frame's field of view in the sample plane.
userlevel = 1

[density]
type = float, None
default = None
help = ptypy's name for the step: distance between scan points as a fraction of the field of view
doc = step = density x the frame's field of view in the sample plane (ptypy's MoonFlowerScan uses 0.2). Give step or density, not both.
lowlim = 0.0
userlevel = 1

[model]
type = str, None
default = None
help = ptypy's name for pattern: 'round', 'raster' or 'spiral'
doc = Give pattern or model, not both.
userlevel = 1

[psf]
type = float, None
default = None
help = ptypy's name for blur: Gaussian sigma of the detector blur in pixels
doc = Give blur or psf, not both.
lowlim = 0.0
userlevel = 2

[add_poisson_noise]
default = True
help = Poisson noise on the simulated frames
doc = False gives the noise-free intensities rounded down to counts, as in ptypy's MoonFlowerScan.

[block_wait_count]
type = int
default = 0
help = Answer WAIT after every this many chunks (0: never), as ptypy's MoonFlowerScan does
doc = For testing how a reader handles WAIT.
lowlim = 0
userlevel = 2

[auto_center]
default = False

[center]
default = 'fftshift'
`;

/**
 * ptypy's MoonFlowerScan names next to ours: `[ptypy name, our name]`. A
 * config may use either; giving both with different values is an error.
 */
const PTYPY_NAMES = [
  ['model', 'pattern'],
  ['psf', 'blur'],
] as const;

/**
 * A simulated scan, like ptypy's MoonFlowerScan: a focused probe scans a
 * procedural complex object; each frame is the far-field intensity with
 * Poisson noise at a given photon count. Needs no file at all, so it is the
 * quickest way to try the pipeline or a reconstruction.
 *
 * Frames are computed in order as `load()` asks for them; asking for an
 * earlier frame again restarts the simulation (equal seeds give equal frames).
 *
 * @example
 * ```ts
 * const scan = new MoonFlowerScan({ num_frames: 50n, shape: 64n, pattern: 'spiral' });
 * scan.initialize();
 * const first = scan.auto(10);
 * ```
 */
export class MoonFlowerScan extends PtyScan {
  static override params = defineParams(MOON_FLOWER_SCAN_TEXT, {
    name: 'MoonFlowerScan',
    parent: PtyScan.params,
    description: 'simulates a ptychography scan (probe, procedural object, Poisson noise)',
  });
  static override usesHdf5 = false;

  private readonly simulation: SimulationOptions;
  private readonly blockWaitCount: number;
  private checks = 0;
  private frames: Generator<SimulatedFrame, void, undefined> | null = null;
  private next = 0;

  constructor(pars: ScanParams = {}, options: PtyScanOptions = {}) {
    super(pars, options);
    const info = this.info;
    const problems: ParameterProblem[] = [];
    const named = (ptypy: string, ours: string): PyValue => {
      const mine = pars[ours];
      const theirs = pars[ptypy];
      if (mine !== undefined && mine !== null && theirs !== undefined && theirs !== null) {
        if (String(mine) !== String(theirs)) {
          problems.push({
            path: `${ours}, ${ptypy}`,
            expected: `one of ${ours} and ${ptypy} (ptypy's name for it), or equal values`,
            found: `${ours} = ${String(mine)}, ${ptypy} = ${String(theirs)}`,
          });
        }
      }
      return theirs === undefined || theirs === null ? (info[ours] ?? null) : (info[ptypy] ?? null);
    };
    const [pattern, blur] = PTYPY_NAMES.map(([ptypy, ours]) => named(ptypy, ours));
    const density = info.density ?? null;
    if (density !== null && info.step !== null && info.step !== undefined) {
      problems.push({
        path: 'step, density',
        expected: 'step (metres) or density (a fraction of the field of view), not both',
        found: `step = ${String(info.step)}, density = ${String(density)}`,
      });
    }
    if (problems.length > 0) throw new ParameterError(problems);
    const base: SimulationOptions = {
      frames: toInt(info.num_frames, 'num_frames'),
      shape: frameSide(info.shape),
      photons: toNumber(info.photons, 'photons'),
      pattern: String(pattern) as ScanPattern,
      energy: toNumber(info.energy, 'energy'),
      distance: toNumber(info.distance, 'distance'),
      psize: expect2(info.psize, 'psize')[0],
      seed: toInt(info.seed, 'seed'),
      blur: toNumber(blur, 'blur'),
      noise: truthy(info.add_poisson_noise),
    };
    // Checks the simulation options now, before any frame is asked for.
    const { meta } = describeSimulation(base);
    const step =
      density !== null
        ? toNumber(density, 'density') * meta.shape * meta.resolution
        : info.step === null || info.step === undefined
          ? null
          : toNumber(info.step, 'step');
    this.simulation = step === null ? base : { ...base, step };
    describeSimulation(this.simulation);
    this.blockWaitCount = toInt(info.block_wait_count, 'block_wait_count');
  }

  /** The simulated frames carry their Poisson noise already (`add_poisson_noise`). */
  protected override addsPoissonNoise(): boolean {
    return false;
  }

  /** As ptypy's MoonFlowerScan: every `block_wait_count + 1`-th check finds nothing (WAIT). */
  override check(frames: number, start: number): CheckResult {
    const result = super.check(frames, start);
    this.checks += 1;
    const every = this.blockWaitCount;
    return every >= 1 && this.checks % (every + 1) === 0 ? [0, result[1]] : result;
  }

  override loadPositions(): NdArray {
    return describeSimulation(this.simulation).positions;
  }

  /** The simulated frames are `shape` x `shape`. */
  override frameShape(_index: number): [number, number] {
    return [this.simulation.shape, this.simulation.shape];
  }

  override load(indices: readonly number[]): LoadResult {
    const data = new Map<number, NdArray>();
    for (const index of indices) data.set(index, this.frame(index));
    return { data };
  }

  private frame(index: number): NdArray {
    if (this.frames === null || index < this.next) {
      this.frames = simulateFrames(this.simulation);
      this.next = 0;
    }
    for (;;) {
      const step = this.frames.next();
      if (step.done) break;
      this.next = step.value.index + 1;
      if (step.value.index === index) return step.value.data;
    }
    throw new MissingDataError(
      `MoonFlowerScan simulates ${this.simulation.frames} frames; frame ${index} was asked for.`,
      { frame: index, expected: `an index below ${this.simulation.frames}`, found: String(index) },
    );
  }
}

/** The simulated frame side: an int, or the shorter side of a pair (frames are square). */
function frameSide(shape: PyValue | undefined): number {
  const [a, b] = expect2(shape, 'shape');
  return toInt(Math.min(a, b), 'shape');
}
