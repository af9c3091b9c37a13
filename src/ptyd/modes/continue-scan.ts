/** Continuing an interrupted live-master scan: is it the same scan, and what a killed writer left behind. */
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ParameterError } from '../../errors.js';
import { isNdArray, type PyDict, PyTuple, type PyValue } from '../../py/value.js';

/**
 * Removes the temp files a killed writer left next to `dfile` (its master's
 * and chunk files' `.tmp-<pid>-...`). Only called under the scan lock, so no
 * live writer owns them.
 */
export function removeTempFiles(dfile: string): void {
  const folder = dirname(dfile);
  const prefix = basename(dfile);
  for (const name of readdirSync(folder)) {
    if (name.startsWith(prefix) && name.includes('.tmp-'))
      rmSync(join(folder, name), { force: true });
  }
}

/**
 * Refuses parameters whose stored value differs from this run's: every one
 * that changes the output. `center` and `shape` are compared when this run
 * gives numbers (None or a rule such as 'fftshift' asks for the automatic
 * value, and the frozen one is taken back) with what the file holds, which
 * may be the frozen values: so a shape `n` equals `(n, n)`.
 */
export function checkSameScan(dfile: string, stored: PyDict, current: PyDict): void {
  const problems = [];
  for (const [key, value] of Object.entries(current)) {
    if (!(key in stored) || value === undefined) continue;
    const frozen = key === 'center' || key === 'shape';
    if (frozen && (value === null || typeof value === 'string')) continue;
    const was = frozen ? square(comparable(stored[key]!)) : comparable(stored[key]!);
    const now = frozen ? square(comparable(value)) : comparable(value);
    if (was !== null && now !== null && was !== now) {
      problems.push({ path: key, expected: `${was} (as in the interrupted run)`, found: now });
    }
  }
  if (problems.length > 0) {
    throw new ParameterError(problems, { file: dfile });
  }
}

/** A shape or centre `n` as `[n, n]`, as the frozen values are stored. */
function square(text: string | null): string | null {
  return text !== null && /^-?[\d.]+$/.test(text) ? `[${text}, ${text}]` : text;
}

/**
 * A text that is equal for equal parameter values as written and as read back
 * (bools come back as ints, tuples as lists); null for values not compared.
 */
function comparable(value: PyValue): string | null {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (isNdArray(value))
    return `[${Array.from(value.data as ArrayLike<number | bigint>, String).join(', ')}]`;
  const items = Array.isArray(value) ? value : value instanceof PyTuple ? value.items : null;
  if (items === null) return null;
  const parts = items.map(comparable);
  return parts.some((p) => p === null) ? null : `[${parts.join(', ')}]`;
}
