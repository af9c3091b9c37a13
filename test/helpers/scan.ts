import assert from 'node:assert/strict';
import type { DataPackage, PtyScan } from '../../src/scan/index.js';

/** How {@link runToEos} drives a scan. */
export interface RunOptions {
  /** Call `initialize()` first (default true). */
  initialize?: boolean;
  /** Call `close()` at EOS (default false). */
  close?: boolean;
  /** What a WAIT means: a failure (default; complete data never waits) or nothing. */
  wait?: 'fail' | 'skip';
  /** Sees each package as it arrives (a recycling scan reuses its memory for the next one). */
  onData?: (pkg: DataPackage) => void;
}

/** Runs `auto(step)` until EOS and returns the data packages. */
export function runToEos(scan: PtyScan, step: number, options: RunOptions = {}): DataPackage[] {
  if (options.initialize !== false) scan.initialize();
  const out: DataPackage[] = [];
  for (let msg = scan.auto(step); msg.msg !== 'EOS'; msg = scan.auto(step)) {
    if (msg.msg === 'WAIT') {
      if (options.wait !== 'skip') assert.fail('the scan answered WAIT, but its data is complete');
      continue;
    }
    options.onData?.(msg);
    out.push(msg);
  }
  if (options.close === true) scan.close();
  return out;
}
