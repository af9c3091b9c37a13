/**
 * Names on disk: where link/merge-mode chunk files go. The one place that
 * knows (backups of replaced outputs: `backup.ts`).
 */
import { ParameterError } from '../errors.js';

/** The default `chunk_format`. */
export const DEFAULT_CHUNK_FORMAT = '.chunk%02d';

/** `.chunk%02d` % 3 -> `.chunk03`: the `%d` forms of Python's % operator. */
export function formatChunkName(format: string, num: number): string {
  let used = false;
  const out = format.replace(/%(0?)(\d*)d/, (_m, zero: string, width: string) => {
    used = true;
    return String(num).padStart(Number(width || 0), zero === '0' ? '0' : ' ');
  });
  if (!used) {
    throw new ParameterError([
      {
        path: 'chunk_format',
        expected: "a pattern with one %d, e.g. '.chunk%02d'",
        found: JSON.stringify(format),
      },
    ]);
  }
  return out;
}

/** The file of chunk `num` in link/merge mode: `dfile + chunk_format % num`. */
export function chunkFilePath(dfile: string, chunkFormat: string, num: number): string {
  return `${dfile}${formatChunkName(chunkFormat, num)}`;
}
