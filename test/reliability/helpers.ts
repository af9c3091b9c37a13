/** Files the reliability tests damage: scans written by our writers, copied and changed. */
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { ndarray } from '../../src/frames/ndarray.js';
import type { DataPackage } from '../../src/scan/index.js';
import { PtydScan } from '../../src/sources/index.js';
import { quiet, runToEos } from '../helpers/index.js';
import { SpotScan } from '../scan/spot-scan.js';

/** Frames of the scans written here. */
export const FRAMES = 20;

/** Writes a scan of `frames` ({@link FRAMES}) 20 x 24 frames in chunks of `chunk` into `dfile`. */
export function writeScan(
  dfile: string,
  save: 'append' | 'link' | 'merge',
  chunk = 4,
  extra: Record<string, string | bigint> = {},
  frames = FRAMES,
): void {
  const scan = new SpotScan({ shape: 16n, save, dfile, ...extra }, quiet, frames);
  scan.positions = ndarray(
    'float64',
    [frames, 2],
    Float64Array.from({ length: 2 * frames }, (_, i) => (i + 1) * 1e-7),
  );
  runToEos(scan, chunk, { close: true, wait: 'skip' });
}

/** A copy of the folder of a written scan, in a new folder under `dir`. */
export function copyScan(dir: string, folder: string, name: string): string {
  const to = mkdtempSync(join(dir, `${name}-`));
  cpSync(folder, to, { recursive: true });
  return to;
}

/** A new folder under `dir`. */
export function folderIn(dir: string, name: string): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  return path;
}

/** Reads a `.ptyd` with PtydScan in steps of `step`; WAIT ends the read. */
export function readUntilWait(
  dfile: string,
  step: number,
  options: { staleAfter?: number | null; confineLinks?: boolean } = {},
): { packages: DataPackage[]; waited: boolean } {
  const scan = new PtydScan({ dfile, source: 'file' }, { ...quiet, ...options });
  scan.initialize();
  const packages: DataPackage[] = [];
  try {
    for (;;) {
      const msg = scan.auto(step);
      if (msg.msg === 'EOS') return { packages, waited: false };
      if (msg.msg === 'WAIT') return { packages, waited: true };
      packages.push(msg);
    }
  } finally {
    scan.close();
  }
}

/** Frame indices of packages. */
export function indicesOf(packages: readonly DataPackage[]): number[] {
  return packages.flatMap((p) => p.chunk.indices);
}
