/**
 * Writing your own scan source, the way ptypy's PtyScan tutorial teaches it,
 * for a raw folder laid out like this (what `ptyscan simulate` writes):
 *
 *   raw/geometry.txt               distance 7.19 / energy 7.2 / psize 0.000172 / shape 128
 *   raw/positions.txt              ccd/diffraction_0000.npy <y> <x>   (metres, one line per frame)
 *   raw/ccd/diffraction_0000.npy   one 2-D frame per file
 *
 * Use it from a config (relative paths resolve against the config's folder):
 *
 *   {"module": "./tutorial-scan.ts", "name": "TutorialScan",
 *    "base_path": "raw", "shape": 96, "save": "append", "dfile": "scan.ptyd"}
 *
 * (a `.ts` module needs a TypeScript loader such as tsx; compile it to `.js`
 * for plain `ptyscan prepare`), or from code: see `prepareFolder` below.
 *
 * In your own project, import from 'ptyscan' instead of '../../src/index.js'.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CheckResult,
  defineParams,
  FileFormatError,
  type LoadResult,
  type NdArray,
  ndarray,
  PtyScan,
  type PyDict,
  type PyValue,
  readNpy,
  type ScanParams,
} from '../../src/index.js';

// 1. The parameters: new ones get a type; inherited ones only a new default.
const TUTORIAL_SCAN_PARAMS = defineParams(
  `
[name]
default = 'TutorialScan'

[base_path]
type = str
default = './'
help = Folder with geometry.txt, positions.txt and ccd/diffraction_%04d.npy
userlevel = 0

[auto_center]
default = False
`,
  { name: 'TutorialScan', parent: PtyScan.params },
);

/** Reads `name value` lines; an integer stays a Python int (bigint), as ptypy reads it. */
function readGeometry(file: string): Record<string, PyValue> {
  const out: Record<string, PyValue> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value) out[key] = /^-?\d+$/.test(value) ? BigInt(value) : Number(value);
  }
  return out;
}

export class TutorialScan extends PtyScan {
  static override params = TUTORIAL_SCAN_PARAMS;

  // 2. Parameters from the raw folder, once the given ones are valid:
  //    geometry.txt fills what the user left unset (`pars` holds what they gave).
  static override paramsFromFiles(info: PyDict, pars: ScanParams): ScanParams {
    const geometryFile = join(String(info.base_path), 'geometry.txt');
    const geometry = existsSync(geometryFile) ? readGeometry(geometryFile) : {};
    return Object.fromEntries(Object.entries(geometry).filter(([key]) => pars[key] === undefined));
  }

  private file(name: string): string {
    return join(String(this.info.base_path), name);
  }

  private frameFile(index: number): string {
    return this.file(`ccd/diffraction_${String(index).padStart(4, '0')}.npy`);
  }

  // 3. The positions, (N, 2) in metres, [y, x] per row; their number is the scan's length.
  override loadPositions(): NdArray {
    const rows = readFileSync(this.file('positions.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => {
        const [, y, x] = line.trim().split(/\s+/).map(Number);
        if (!Number.isFinite(y) || !Number.isFinite(x)) {
          throw new FileFormatError(
            `${this.file('positions.txt')}:${i + 1}: expected '<file> <y> <x>'.`,
            {
              file: this.file('positions.txt'),
              found: line,
            },
          );
        }
        return [y!, x!];
      });
    return ndarray('float64', [rows.length, 2], Float64Array.from(rows.flat()));
  }

  // 4. How many of the next frames are on disk: the scan waits for the rest.
  override check(frames: number, start: number): CheckResult {
    let available = 0;
    while (available < frames && existsSync(this.frameFile(start + available))) available++;
    const total = this.numFrames ?? Number.POSITIVE_INFINITY;
    return [Math.min(available, total - start), start + available >= total];
  }

  // 5. The raw frames of the asked indices; PtyScan crops, orients, rebins and saves them.
  override load(indices: readonly number[]): LoadResult {
    return { data: new Map(indices.map((i) => [i, readNpy(this.frameFile(i))])) };
  }
}

export default TutorialScan;

/**
 * Prepares a folder from code and returns the number of frames, as a
 * reconstruction would consume them: `auto(n)` until EOS.
 */
export function prepareFolder(basePath: string, pars: ScanParams = {}): number {
  const scan = new TutorialScan({ base_path: basePath, ...pars });
  scan.initialize();
  let frames = 0;
  try {
    for (let msg = scan.auto(20); msg.msg !== 'EOS'; msg = scan.auto(20)) {
      if (msg.msg === 'data') frames += msg.iterable.length;
    }
  } finally {
    scan.close();
  }
  return frames;
}
